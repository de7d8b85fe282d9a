/* corpus_cli.c - options shared by coverage and diff; see corpus_cli.h. */
#include "causeway/cli/corpus_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/cli/cli.h"

enum {
    OPT_ID_COLUMN = CW_CORPUS_CLI_FIRST,
    OPT_TEXT_COLUMN,
    OPT_FIELD,
    OPT_CHANNEL,
    OPT_SITE,
    OPT_PRODUCT,
    OPT_SEGMENT,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_LABEL_COLUMN,
    OPT_STRENGTH_COLUMN,
    OPT_LABEL_MAP,
    OPT_LABEL_MAP_COLUMNS,
    OPT_CLASS_MAP,
    OPT_MIN_STRENGTH,
    OPT_MIN_SUPPORT,
    OPT_NEGATIVE,
    OPT_IGNORE,
    OPT_TOP,
};

static const struct option shared[] = {
    {"input-format", required_argument, NULL, 'i'},
    {"id-column", required_argument, NULL, OPT_ID_COLUMN},
    {"text-column", required_argument, NULL, OPT_TEXT_COLUMN},
    {"field", required_argument, NULL, OPT_FIELD},
    {"channel-column", required_argument, NULL, OPT_CHANNEL},
    {"site-column", required_argument, NULL, OPT_SITE},
    {"product-column", required_argument, NULL, OPT_PRODUCT},
    {"segment-column", required_argument, NULL, OPT_SEGMENT},
    {"dbname", required_argument, NULL, 'd'},
    {"config", required_argument, NULL, 'c'},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"label-column", required_argument, NULL, OPT_LABEL_COLUMN},
    {"strength-column", required_argument, NULL, OPT_STRENGTH_COLUMN},
    {"label-map", required_argument, NULL, OPT_LABEL_MAP},
    {"label-map-columns", required_argument, NULL, OPT_LABEL_MAP_COLUMNS},
    {"class-map", required_argument, NULL, OPT_CLASS_MAP},
    {"min-strength", required_argument, NULL, OPT_MIN_STRENGTH},
    {"min-support", required_argument, NULL, OPT_MIN_SUPPORT},
    {"negative-label", required_argument, NULL, OPT_NEGATIVE},
    {"ignore-label", required_argument, NULL, OPT_IGNORE},
    {"format", required_argument, NULL, 'f'},
    {"top", required_argument, NULL, OPT_TOP},
};

#define INPUT_OPTIONS 8 /* the first entries of `shared`: what classify reads too */

const struct option *cw_corpus_cli_options(size_t *n, size_t *input_n)
{
    *n = sizeof(shared) / sizeof(shared[0]);
    *input_n = INPUT_OPTIONS;
    return shared;
}

void cw_corpus_cli_init(cw_corpus_cli *o)
{
    memset(o, 0, sizeof(*o));
    o->format = CW_COVERAGE_TABLE;
    o->top = 20;
    o->min_support = 1;
    o->labels.negative[o->labels.negative_count++] = "not_complaint";
    o->labels.ignored[o->labels.ignored_count++] = "other";
}

static int number(unsigned long long *out, const cw_ctx *ctx, const char *cmd, const char *opt,
                  const char *text, unsigned long long max)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] < '0' || text[0] > '9' || v > max)
        return cw_cli_usage_error(ctx, cmd, "%s: '%s' is not a whole number from 0 to %llu", opt,
                                  text, max);
    *out = v;
    return 0;
}

/* --negative-label / --ignore-label: the first use replaces the default; '' empties the list. */
static int add_name(const char **list, size_t *count, bool *given, const cw_ctx *ctx,
                    const char *cmd, const char *opt, const char *arg)
{
    if (!*given) {
        *count = 0;
        *given = true;
    }
    if (arg[0] == '\0')
        return 0;
    if (*count == CW_LABELS_MAX_NAMES)
        return cw_cli_usage_error(ctx, cmd, "%s: at most %d labels", opt, CW_LABELS_MAX_NAMES);
    list[(*count)++] = arg;
    return 0;
}

static int week(bool *have, cw_week *w, const cw_ctx *ctx, const char *cmd, const char *opt,
                const char *arg)
{
    cw_error err;
    cw_error_clear(&err);
    if (cw_week_parse(w, arg, &err) != 0)
        return cw_cli_usage_error(ctx, cmd, "%s: %s", opt, err.message);
    *have = true;
    return 0;
}

int cw_corpus_cli_input_option(cw_input_options *in, const cw_ctx *ctx, const char *cmd, int c,
                               const char *arg)
{
    int f;
    switch (c) {
    case 'i':
        if ((f = cw_input_format_parse(arg)) < 0)
            return cw_cli_usage_error(ctx, cmd, "unknown input format '%s' (lines, csv, jsonl)",
                                      arg);
        in->format = (cw_input_format)f;
        return 0;
    case OPT_ID_COLUMN:
        in->id_column = arg;
        return 0;
    case OPT_TEXT_COLUMN:
        in->text_column = arg;
        return 0;
    case OPT_FIELD: {
        const char *eq = strchr(arg, '=');
        char name[16];
        size_t n = eq != NULL ? (size_t)(eq - arg) : 0;
        f = -1;
        if (eq != NULL && n < sizeof(name)) {
            memcpy(name, arg, n);
            name[n] = '\0';
            f = cw_field_parse(name);
        }
        if (f < 0 || eq[1] == '\0')
            return cw_cli_usage_error(
                ctx, cmd,
                "--field takes FIELD=COLUMN with FIELD channel, site, product or segment");
        in->field_columns[f] = eq + 1;
        return 0;
    }
    case OPT_CHANNEL:
    case OPT_SITE:
    case OPT_PRODUCT:
    case OPT_SEGMENT:
        in->field_columns[c - OPT_CHANNEL] = arg;
        return 0;
    default:
        return -1;
    }
}

int cw_corpus_cli_option(cw_corpus_cli *o, const cw_ctx *ctx, const char *cmd, int c,
                         const char *arg)
{
    cw_corpus_options *co = &o->corpus;
    unsigned long long v;
    int f, rc;
    if ((rc = cw_corpus_cli_input_option(&co->in, ctx, cmd, c, arg)) >= 0)
        return rc;
    switch (c) {
    case 'd':
        co->database = true;
        co->dbname = arg;
        return 0;
    case 'c':
        co->database = true;
        co->config_path = arg;
        return 0;
    case OPT_SINCE:
        return week(&co->have_since, &co->since, ctx, cmd, "--since", arg);
    case OPT_UNTIL:
        return week(&co->have_until, &co->until, ctx, cmd, "--until", arg);
    case OPT_LABEL_COLUMN:
        co->label_column = arg;
        o->label_mode = true;
        return 0;
    case OPT_STRENGTH_COLUMN:
        co->strength_column = arg;
        o->labels.have_strength_column = true;
        return 0;
    case OPT_LABEL_MAP:
        o->labels.label_map = arg;
        return 0;
    case OPT_LABEL_MAP_COLUMNS:
        o->labels.label_map_columns = arg;
        return 0;
    case OPT_CLASS_MAP:
        o->labels.class_map = arg;
        return 0;
    case OPT_MIN_STRENGTH:
        if ((f = cw_strength_parse(arg)) < 0)
            return cw_cli_usage_error(ctx, cmd,
                                      "--min-strength: '%s' is not strong, medium or "
                                      "weak",
                                      arg);
        o->labels.min_strength = (cw_strength)f;
        return 0;
    case OPT_MIN_SUPPORT:
        if ((rc = number(&v, ctx, cmd, "--min-support", arg, 1000000000ull)) != 0)
            return rc;
        o->min_support = v;
        return 0;
    case OPT_NEGATIVE:
        return add_name(o->labels.negative, &o->labels.negative_count, &o->negative_given, ctx, cmd,
                        "--negative-label", arg);
    case OPT_IGNORE:
        return add_name(o->labels.ignored, &o->labels.ignored_count, &o->ignored_given, ctx, cmd,
                        "--ignore-label", arg);
    case 'f':
        if ((f = cw_coverage_parse_format(arg)) < 0)
            return cw_cli_usage_error(ctx, cmd, "unknown format '%s' (table, md, csv, json)", arg);
        o->format = (cw_coverage_format)f;
        return 0;
    case OPT_TOP:
        if ((rc = number(&v, ctx, cmd, "--top", arg, 100000)) != 0)
            return rc;
        o->top = (size_t)v;
        return 0;
    default:
        return -1;
    }
}

int cw_corpus_cli_parse(cw_corpus_cli *o, const cw_ctx *ctx, int argc, char **argv,
                        const struct option *own, size_t n_own, cw_corpus_cli_own_fn fn, void *user,
                        bool *help)
{
    size_t n = sizeof(shared) / sizeof(shared[0]);
    struct option longopts[sizeof(shared) / sizeof(shared[0]) + 16];
    if (n_own + 2 > sizeof(longopts) / sizeof(longopts[0]) - n)
        return cw_cli_usage_error(ctx, argv[0], "too many options (a bug)");
    memcpy(longopts, shared, sizeof(shared));
    memcpy(longopts + n, own, n_own * sizeof(*own));
    n += n_own;
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    const char *cmd = argv[0];
    int c, rc;
    while ((c = getopt_long(argc, argv, "i:d:c:f:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            *help = true;
            return 0;
        }
        if (c == '?')
            return cw_cli_usage_error(ctx, cmd, "invalid option");
        rc = cw_corpus_cli_option(o, ctx, cmd, c, optarg);
        if (rc < 0)
            rc = fn(user, ctx, cmd, c, optarg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int cw_corpus_cli_finish(cw_corpus_cli *o, const cw_ctx *ctx, const char *cmd, const char *file)
{
    cw_corpus_options *co = &o->corpus;
    co->file = file;
    if (co->database && file != NULL)
        return cw_cli_usage_error(ctx, cmd, "give FILE or the database (-d, -c), not both");
    if (!co->database && (co->have_since || co->have_until))
        return cw_cli_usage_error(ctx, cmd, "--since and --until select weeks of the database");
    if (co->database &&
        (co->in.format != CW_INPUT_LINES || co->in.id_column != NULL || co->in.text_column != NULL))
        return cw_cli_usage_error(ctx, cmd,
                                  "the database source maps its columns in the configuration "
                                  "file (-c), not with -i or column options");
    bool columns = co->in.id_column != NULL || co->in.text_column != NULL ||
                   co->label_column != NULL || co->strength_column != NULL;
    for (size_t k = 0; k < CW_FIELD_COUNT; k++)
        columns = columns || co->in.field_columns[k] != NULL;
    if (!co->database && co->in.format == CW_INPUT_LINES && columns)
        return cw_cli_usage_error(ctx, cmd, "column options need csv or jsonl input (-i)");
    bool label_options = o->labels.label_map != NULL || o->labels.class_map != NULL ||
                         co->strength_column != NULL ||
                         o->labels.min_strength != CW_STRENGTH_UNRATED;
    if (label_options && !o->label_mode)
        return cw_cli_usage_error(ctx, cmd, "label options need --label-column");
    if (o->labels.label_map_columns != NULL && o->labels.label_map == NULL)
        return cw_cli_usage_error(ctx, cmd, "--label-map-columns needs --label-map");
    return 0;
}

void cw_corpus_cli_help(FILE *out)
{
    fputs("Input (FILE, or standard input when FILE is absent or '-'; as for classify):\n"
          "  -i, --input-format=FMT    lines (default; id = line number), csv or jsonl\n"
          "      --id-column=NAME      CSV column / JSON key of the id (default: 'id' when\n"
          "                            present, else the record number)\n"
          "      --text-column=NAME    CSV column / JSON key of the text (default: 'text')\n"
          "      --field=FIELD=NAME    read field FIELD (channel, site, product, segment) from\n"
          "                            column NAME, for 'where' conditions; also\n"
          "                            --channel-column, --site-column, --product-column,\n"
          "                            --segment-column=NAME\n"
          "Database (instead of FILE; the source as for run):\n"
          "  -d, --dbname=CONNINFO     connection string or URI (default: PG* variables)\n"
          "  -c, --config=FILE         configuration file mapping the source (causeway(1))\n"
          "      --since=WEEK          complaints received from ISO week WEEK (or a date's)\n"
          "      --until=WEEK          ... up to and including WEEK\n"
          "Label mode:\n"
          "      --label-column=NAME   column / key / source column of each complaint's label\n"
          "      --label-map=FILE      CSV mapping label values to classes or symptom ids\n"
          "      --label-map-columns=LABEL,VALUE[,STRENGTH]\n"
          "                            its header names (default: the first two columns)\n"
          "      --class-map=FILE      CSV symptom_id,class (as rules/eval-classes.csv);\n"
          "                            without it every symptom is its own class\n"
          "      --strength-column=NAME  column of the label's strength (strong, medium, weak)\n"
          "      --min-strength=LEVEL  score only labels at least this strong\n"
          "      --min-support=N       a class counts in macro-F1 with N scored complaints\n"
          "                            (default 1)\n"
          "      --negative-label=V    label meaning 'of no class' (default not_complaint;\n"
          "                            repeatable; '' for none)\n"
          "      --ignore-label=V      label not scored at all (default other; repeatable)\n"
          "Output:\n"
          "  -f, --format=FMT          table (default), md, csv or json\n"
          "      --top=N               rows of the ranked lists (default 20)\n",
          out);
}
