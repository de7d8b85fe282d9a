/* options.c - shared command-line options of run and report; see options.h. */
#include "causeway/cli/options.h"

#include "causeway/cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_SCHEMA = 256,
    OPT_TIMEZONE,
    OPT_LOOKBACK,
    OPT_BASELINE,
    OPT_RECENT,
    OPT_FORMAT,
    OPT_TOP,
    OPT_SNIPPETS,
    OPT_CHANGES_ONLY,
    OPT_ALLOW_SHARED,
    OPT_ALLOW_PARTIAL,
    OPT_CONNECT_RETRY,
    OPT_STRICT,
};

/* Settings given on the command line, applied over the configuration file. */
typedef struct overrides {
    const char *config_path;
    const char *dbname;
    const char *rules;
    const char *schema;
    const char *timezone;
    const char *week;
    long lookback, baseline, recent, connect_retry; /* -1: not given */
} overrides;

static int parse_count(long *out, const cw_ctx *ctx, const char *cmd, const char *opt,
                       const char *text, long max)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 0 || v > max || text[0] == '+' ||
        text[0] == ' ')
        return cw_cli_usage_error(ctx, cmd, "%s: '%s' is not a whole number from 0 to %ld", opt,
                                  text, max);
    *out = v;
    return 0;
}

/* The format of `-o FILE` when no --format preceded it: from the extension. */
static int format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot == NULL)
        return -1;
    if (strcmp(dot, ".htm") == 0)
        return CW_REPORT_HTML;
    if (strcmp(dot, ".md") == 0)
        return CW_REPORT_MARKDOWN;
    if (strcmp(dot, ".txt") == 0)
        return CW_REPORT_TABLE;
    return cw_report_parse_format(dot + 1);
}

static int add_output(cw_options *o, const cw_ctx *ctx, const char *cmd, const char *path,
                      int format)
{
    if (o->output_count == CW_OPTIONS_MAX_OUTPUTS)
        return cw_cli_usage_error(ctx, cmd, "at most %d outputs", CW_OPTIONS_MAX_OUTPUTS);
    if (format < 0)
        return cw_cli_usage_error(ctx, cmd, "cannot tell the format of '%s': give --format first",
                                  path);
    o->outputs[o->output_count++] = (cw_output_spec){.path = path, .format = format};
    return 0;
}

/* "A" or "A..B" (backfilling is for run only). */
static int parse_weeks(cw_options *o, const cw_ctx *ctx, const char *cmd, const char *text,
                       bool range_ok)
{
    cw_error err;
    cw_error_clear(&err);
    const char *dots = strstr(text, "..");
    char first[32];
    if (dots != NULL && !range_ok)
        return cw_cli_usage_error(ctx, cmd, "--week takes one week here, not a range");
    size_t len = dots != NULL ? (size_t)(dots - text) : strlen(text);
    if (len >= sizeof(first))
        return cw_cli_usage_error(ctx, cmd, "--week: '%s' is not an ISO week or date", text);
    memcpy(first, text, len);
    first[len] = '\0';
    if (cw_week_parse(&o->week_from, first, &err) != 0 ||
        cw_week_parse(&o->week_to, dots != NULL ? dots + 2 : first, &err) != 0)
        return cw_cli_usage_error(ctx, cmd, "--week: %s", err.message);
    if (o->week_to < o->week_from)
        return cw_cli_usage_error(ctx, cmd, "--week: the range '%s' ends before it starts", text);
    o->have_week = true;
    return 0;
}

/* Whether the defaults with the configuration file alone (no flags) are valid settings. */
static bool file_settings_valid(const char *config_path)
{
    cw_config c;
    cw_error err;
    cw_error_clear(&err);
    bool ok = cw_config_init(&c, &err) == 0 &&
              (config_path == NULL || cw_config_load(&c, config_path, NULL, &err) == 0) &&
              cw_config_validate(&c, &err) == 0;
    cw_config_fini(&c);
    return ok;
}

static int apply(cw_options *o, const cw_ctx *ctx, const overrides *v)
{
    cw_error err;
    cw_error_clear(&err);
    if (cw_config_init(&o->config, &err) != 0)
        goto fail;
    if (v->config_path != NULL && cw_config_load(&o->config, v->config_path, NULL, &err) != 0)
        goto fail;
    const struct {
        char **slot;
        const char *value;
    } strings[] = {
        {&o->config.dbname, v->dbname},
        {&o->config.rules_path, v->rules},
        {&o->config.schema, v->schema},
        {&o->config.timezone, v->timezone},
    };
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        if (strings[i].value != NULL && cw_config_set(strings[i].slot, strings[i].value, &err) != 0)
            goto fail;
    if (v->lookback >= 0)
        o->config.lookback_weeks = (unsigned)v->lookback;
    if (v->baseline >= 0)
        o->config.baseline_weeks = (unsigned)v->baseline;
    if (v->recent >= 0)
        o->config.recent_weeks = (unsigned)v->recent;
    if (v->connect_retry >= 0)
        o->config.connect_retry = (int)v->connect_retry;
    if (!o->top_set)
        o->top = o->config.top;
    if (cw_config_validate(&o->config, &err) != 0) {
        if (file_settings_valid(v->config_path))
            err.code = CW_EXIT_USAGE; /* a flag made it invalid: a usage error */
        goto fail;
    }
    return 0;
fail:
    cw_log_error(&ctx->log, &err);
    return err.code;
}

int cw_options_parse(cw_options *o, const cw_ctx *ctx, const char *cmd, unsigned groups, int argc,
                     char **argv)
{
    static const struct option longopts[] = {
        {"dbname", required_argument, NULL, 'd'},
        {"config", required_argument, NULL, 'c'},
        {"rules", required_argument, NULL, 'r'},
        {"schema", required_argument, NULL, OPT_SCHEMA},
        {"week", required_argument, NULL, 'w'},
        {"timezone", required_argument, NULL, OPT_TIMEZONE},
        {"lookback-weeks", required_argument, NULL, OPT_LOOKBACK},
        {"baseline-weeks", required_argument, NULL, OPT_BASELINE},
        {"recent-weeks", required_argument, NULL, OPT_RECENT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"top", required_argument, NULL, OPT_TOP},
        {"snippets", no_argument, NULL, OPT_SNIPPETS},
        {"changes-only", no_argument, NULL, OPT_CHANGES_ONLY},
        {"allow-shared-schema", no_argument, NULL, OPT_ALLOW_SHARED},
        {"allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL},
        {"connect-retry", required_argument, NULL, OPT_CONNECT_RETRY},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    overrides v = {.lookback = -1, .baseline = -1, .recent = -1, .connect_retry = -1};
    const bool run = (groups & CW_OPT_RUN) != 0;
    int pending_format = -1; /* --format not yet consumed by an -o */
    int rc = 0, c;
    long number;

    memset(o, 0, sizeof(*o));
    while (rc == 0 && (c = getopt_long(argc, argv, "d:c:r:w:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            v.dbname = optarg;
            break;
        case 'c':
            v.config_path = optarg;
            break;
        case OPT_SCHEMA:
            v.schema = optarg;
            break;
        case 'w':
            v.week = optarg;
            break;
        case OPT_FORMAT:
            pending_format = cw_report_parse_format(optarg);
            if (pending_format < 0)
                rc = cw_cli_usage_error(ctx, cmd, "unknown format '%s'", optarg);
            break;
        case 'o':
            rc = add_output(o, ctx, cmd, optarg,
                            pending_format >= 0 ? pending_format : format_from_path(optarg));
            pending_format = -1;
            break;
        case OPT_TOP:
            rc = parse_count(&number, ctx, cmd, "--top", optarg, 100000);
            o->top = (unsigned)number;
            o->top_set = true;
            break;
        case OPT_SNIPPETS:
            o->snippets = true;
            break;
        case OPT_CONNECT_RETRY:
            rc = parse_count(&v.connect_retry, ctx, cmd, "--connect-retry", optarg,
                             CW_CONFIG_MAX_CONNECT_RETRY);
            break;
        case OPT_CHANGES_ONLY:
            o->changes_only = true;
            break;
        case 'h':
            o->help = true;
            return 0;
        case OPT_ALLOW_PARTIAL:
            if (!run)
                rc = cw_cli_usage_error(ctx, cmd, "'--allow-partial' is an option of 'run'");
            o->allow_partial = true;
            break;
        case OPT_ALLOW_SHARED:
            if (!run)
                rc = cw_cli_usage_error(ctx, cmd, "'--allow-shared-schema' is an option of 'run'");
            o->allow_shared_schema = true;
            break;
        case OPT_STRICT:
            if (!run)
                rc = cw_cli_usage_error(ctx, cmd, "'--strict' is an option of 'run'");
            o->strict = true;
            break;
        case 'r':
        case OPT_TIMEZONE:
        case OPT_LOOKBACK:
        case OPT_BASELINE:
        case OPT_RECENT:
            if (!run) {
                rc = cw_cli_usage_error(ctx, cmd, "'%s' is an option of 'run'", argv[optind - 1]);
                break;
            }
            if (c == 'r')
                v.rules = optarg;
            else if (c == OPT_TIMEZONE)
                v.timezone = optarg;
            else
                rc = parse_count(c == OPT_LOOKBACK   ? &v.lookback
                                 : c == OPT_BASELINE ? &v.baseline
                                                     : &v.recent,
                                 ctx, cmd, argv[optind - 1], optarg, 1040);
            break;
        default:
            rc = cw_cli_usage_error(ctx, cmd, "unknown option");
            break;
        }
    }
    if (rc == 0 && optind < argc)
        rc = cw_cli_usage_error(ctx, cmd, "unexpected argument '%s'", argv[optind]);
    if (rc == 0 && v.week != NULL)
        rc = parse_weeks(o, ctx, cmd, v.week, run);
    /* A --format no -o consumed, or no output at all: standard output. */
    if (rc == 0 && (pending_format >= 0 || o->output_count == 0))
        rc = add_output(o, ctx, cmd, NULL, pending_format >= 0 ? pending_format : CW_REPORT_TABLE);
    if (rc == 0)
        rc = apply(o, ctx, &v);
    if (rc != 0)
        cw_options_fini(o);
    return rc;
}

void cw_options_fini(cw_options *o)
{
    cw_config_fini(&o->config);
    memset(o, 0, sizeof(*o));
}

cw_report_options cw_options_report(const cw_options *o, const cw_output_spec *spec, FILE *out)
{
    const char *no_color = getenv("NO_COLOR");
    bool tty = spec->path == NULL && out != NULL && isatty(fileno(out));
    return (cw_report_options){
        .format = spec->format,
        .color = tty && (no_color == NULL || no_color[0] == '\0'),
        .snippets = o->snippets,
        .changes_only = o->changes_only,
        .top = o->top,
    };
}
