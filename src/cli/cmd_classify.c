/*
 * cmd_classify.c - 'causeway classify': classify complaints from a file or
 * standard input with a rule set, without a database, and print for each one
 * its symptoms, the cause areas they implicate (summed weights) and, with
 * --explain, the evidence. Output order is input order; within a complaint,
 * symptoms follow the rule file and cause areas go by weight, then rule order.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/cli/cli.h"
#include "causeway/cli/corpus_cli.h"
#include "causeway/corpus/input.h"
#include "causeway/util/json.h"
#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"
#include "causeway/util/text.h"

#define SNIPPET_BYTES 100

typedef enum out_format { OUT_CSV, OUT_JSONL } out_format;

typedef struct options {
    const char *rules_path; /* NULL: built-in */
    const char *file;       /* NULL or "-": standard input */
    cw_input_options in;
    out_format format;
    bool explain;
} options;

/* Per-run state for writing one complaint. */
typedef struct writer {
    FILE *out;
    const cw_rules *rules;
    const options *opt;
    double *weight; /* per cause area */
    size_t *order;  /* cause areas to print */
    char *clean;    /* scratch for valid UTF-8 copies */
    size_t clean_cap;
} writer;

static void print_help(FILE *out)
{
    fputs("Usage: causeway classify [OPTION]... RULES [FILE]\n"
          "       causeway classify [OPTION]... (-r RULES | --builtin) [FILE]\n"
          "\n"
          "Classify complaints without a database: one per line (default), CSV or JSON\n"
          "Lines, from FILE or standard input (FILE absent or '-'). Prints one row per\n"
          "complaint: its id, its symptoms and the cause areas they implicate with\n"
          "summed weights. Without RULES, -r or --builtin, the built-in rule set is used.\n"
          "\n"
          "Options:\n"
          "  -r, --rules=RULES         the rule set (then every argument is FILE)\n"
          "      --builtin             use the built-in rule set (then every argument is FILE)\n"
          "  -i, --input-format=FMT    lines (default; id = line number), csv or jsonl\n"
          "      --id-column=NAME      CSV column / JSON key of the id (default: 'id' when\n"
          "                            present, else the record number)\n"
          "      --text-column=NAME    CSV column / JSON key of the text (default: 'text')\n"
          "      --field=FIELD=NAME    read complaint field FIELD (channel, site, product,\n"
          "                            segment) from column NAME, for 'where' conditions\n"
          "      --channel-column=NAME, --site-column=NAME, --product-column=NAME,\n"
          "      --segment-column=NAME  the same, one field each\n"
          "  -f, --format=FMT          output: csv (default) or jsonl\n"
          "  -e, --explain             add the evidence: SYMPTOM:START-END:\"TEXT\" (bytes)\n"
          "  -h, --help                show this help and exit\n"
          "\n"
          "Output columns: id, symptoms (';'-joined), causes (AREA=WEIGHT;...), and with\n"
          "--explain evidence.\n"
          "\n"
          "Exit status: 0 ok, 64 usage, 65 invalid rules or input, 66 unreadable file,\n"
          "74 output error.\n",
          out);
}

/* Copy s[0..n) into the writer's scratch as valid UTF-8 (bad bytes become U+FFFD): the
 * evidence snippet, which may end inside a character. */
static const char *clean(writer *w, const char *s, size_t n)
{
    if (n * 3 + 1 > w->clean_cap) {
        char *p = realloc(w->clean, n * 3 + 1);
        if (p == NULL)
            return NULL;
        w->clean = p;
        w->clean_cap = n * 3 + 1;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80                 ? 1
                   : c >= 0xc2 && c <= 0xdf ? 2
                   : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4
                                            : 0;
        bool ok = k > 0 && i + k <= n;
        for (size_t j = 1; ok && j < k; j++)
            ok = ((unsigned char)s[i + j] & 0xc0) == 0x80;
        if (ok && k == 3) {
            unsigned char d = (unsigned char)s[i + 1];
            ok = !(c == 0xe0 && d < 0xa0) && !(c == 0xed && d >= 0xa0);
        } else if (ok && k == 4) {
            unsigned char d = (unsigned char)s[i + 1];
            ok = !(c == 0xf0 && d < 0x90) && !(c == 0xf4 && d >= 0x90);
        }
        if (!ok) {
            memcpy(w->clean + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
            continue;
        }
        if (c == 0) {
            w->clean[o++] = ' '; /* keep C strings whole */
            i++;
            continue;
        }
        memcpy(w->clean + o, s + i, k);
        o += k;
        i += k;
    }
    w->clean[o] = '\0';
    return w->clean;
}

static int by_weight(const void *a, const void *b, void *ctx)
{
    const double *weight = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (weight[x] != weight[y])
        return weight[x] > weight[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Cause areas implicated by the hits, heaviest first; returns how many. */
static size_t sum_causes(writer *w, const cw_hit *hits, size_t count)
{
    const cw_rules *r = w->rules;
    for (size_t a = 0; a < r->area_count; a++)
        w->weight[a] = 0.0;
    for (size_t i = 0; i < count; i++) {
        const cw_symptom *s = &r->symptoms[hits[i].symptom];
        for (size_t k = 0; k < s->cause_count; k++)
            w->weight[s->causes[k].area] += s->causes[k].weight;
    }
    size_t n = 0;
    for (size_t a = 0; a < r->area_count; a++)
        if (w->weight[a] > 0.0)
            w->order[n++] = a;
    /* Insertion sort: a handful of areas, and qsort_r is not C17. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && by_weight(&w->order[j - 1], &w->order[j], w->weight) > 0; j--) {
            size_t t = w->order[j];
            w->order[j] = w->order[j - 1];
            w->order[j - 1] = t;
        }
    return n;
}

/* The evidence text itself: at most SNIPPET_BYTES, control characters as spaces, valid UTF-8. */
static const char *snippet(writer *w, char *buf, size_t size, const cw_record *rec, const cw_hit *h)
{
    size_t n = h->end - h->start;
    bool cut = n > SNIPPET_BYTES;
    if (cut) {
        n = SNIPPET_BYTES;
        while (n > 0 && ((unsigned char)rec->text[h->start + n] & 0xc0) == 0x80)
            n--; /* never split a UTF-8 character */
    }
    if (n + 4 > size)
        n = size - 4;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)rec->text[h->start + i];
        buf[i] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    if (cut)
        memcpy(buf + n, "...", 3);
    return clean(w, buf, n + (cut ? 3 : 0));
}

static int write_csv(writer *w, const cw_record *rec, const cw_hit *hits, size_t count)
{
    FILE *out = w->out;
    const cw_rules *r = w->rules;
    cw_text_csv_field(out, rec->id); /* it makes the id valid UTF-8 itself */
    fputc(',', out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%s", i ? ";" : "", r->symptoms[hits[i].symptom].id);
    fputc(',', out);
    size_t n = sum_causes(w, hits, count);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s=%.2f", i ? ";" : "", r->areas[w->order[i]].id, w->weight[w->order[i]]);
    if (w->opt->explain) {
        fputc(',', out);
        /* Built first, then quoted as one CSV field. */
        char *field = NULL;
        size_t field_len = 0;
        FILE *f = open_memstream(&field, &field_len);
        if (f == NULL)
            return -1;
        for (size_t i = 0; i < count; i++) {
            char buf[SNIPPET_BYTES * 2];
            const char *text = snippet(w, buf, sizeof(buf), rec, &hits[i]);
            if (text == NULL)
                break;
            fprintf(f, "%s%s:%zu-%zu:\"%s\"", i ? ";" : "", r->symptoms[hits[i].symptom].id,
                    hits[i].start, hits[i].end, text);
        }
        if (fclose(f) != 0 || field == NULL) {
            free(field);
            return -1;
        }
        cw_text_csv_field(out, field);
        free(field);
    }
    fputc('\n', out);
    return 0;
}

/* One object per complaint; -1 when out of memory. */
static int write_jsonl(writer *w, const cw_record *rec, const cw_hit *hits, size_t count)
{
    const cw_rules *r = w->rules;
    json_t *symptoms = json_array(), *causes = json_array();
    size_t n = sum_causes(w, hits, count);
    for (size_t i = 0; i < count; i++)
        symptoms = cw_json_push(symptoms, cw_json_text(r->symptoms[hits[i].symptom].id));
    for (size_t i = 0; i < n; i++) {
        size_t a = w->order[i];
        causes = cw_json_push(causes,
                              json_pack("{s:o,s:o}", "area", cw_json_text(r->areas[a].id), "weight",
                                        cw_json_number(w->weight[a], CW_JSON_REPORT_DIGITS)));
    }
    json_t *doc = json_pack("{s:o,s:o,s:o}", "id", cw_json_text(rec->id), "symptoms", symptoms,
                            "causes", causes);
    if (w->opt->explain) {
        json_t *evidence = json_array();
        for (size_t i = 0; i < count; i++) {
            char buf[SNIPPET_BYTES * 2];
            const char *text = snippet(w, buf, sizeof(buf), rec, &hits[i]);
            evidence = cw_json_push(
                evidence, json_pack("{s:o,s:I,s:I,s:o}", "symptom",
                                    cw_json_text(r->symptoms[hits[i].symptom].id), "start",
                                    (json_int_t)hits[i].start, "end", (json_int_t)hits[i].end,
                                    "text", text != NULL ? cw_json_text(text) : NULL));
        }
        doc = cw_json_put(doc, "evidence", evidence);
    }
    cw_error err;
    cw_error_clear(&err);
    return cw_json_write(w->out, doc, CW_JSON_REPORT_DIGITS, &err);
}

enum { OPT_BUILTIN = 256 };

static int parse_options(options *opt, const cw_ctx *ctx, int argc, char **argv, bool *help)
{
    static const struct option own[] = {
        {"rules", required_argument, NULL, 'r'},  {"builtin", no_argument, NULL, OPT_BUILTIN},
        {"format", required_argument, NULL, 'f'}, {"explain", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
    };
    /* The input options are those coverage and diff read too. */
    size_t n_shared, n_input;
    const struct option *input = cw_corpus_cli_options(&n_shared, &n_input);
    struct option long_options[sizeof(own) / sizeof(own[0]) + 16];
    size_t n_own = sizeof(own) / sizeof(own[0]);
    memcpy(long_options, own, sizeof(own));
    memcpy(long_options + n_own, input, n_input * sizeof(*input));
    long_options[n_own + n_input] = (struct option){NULL, 0, NULL, 0};
    const char *cmd = argv[0];
    bool builtin = false, named = false;
    int c, rc;
    while ((c = getopt_long(argc, argv, "r:i:f:eh", long_options, NULL)) != -1) {
        switch (c) {
        case 'r':
            opt->rules_path = optarg;
            named = true;
            break;
        case OPT_BUILTIN:
            builtin = true;
            break;
        case 'f':
            if (strcmp(optarg, "csv") == 0)
                opt->format = OUT_CSV;
            else if (strcmp(optarg, "jsonl") == 0)
                opt->format = OUT_JSONL;
            else
                return cw_cli_usage_error(ctx, cmd, "unknown output format '%s' (csv, jsonl)",
                                          optarg);
            break;
        case 'e':
            opt->explain = true;
            break;
        case 'h':
            *help = true;
            return 0;
        default:
            if ((rc = cw_corpus_cli_input_option(&opt->in, ctx, cmd, c, optarg)) != 0)
                return rc > 0 ? rc : cw_cli_usage_error(ctx, cmd, "invalid option");
        }
    }
    if (builtin && named)
        return cw_cli_usage_error(ctx, cmd, "--rules and --builtin exclude each other");
    int rest = argc - optind;
    if (!builtin && !named && rest > 0) {
        opt->rules_path = argv[optind++];
        rest--;
    }
    if (rest > 1)
        return cw_cli_usage_error(ctx, cmd, "too many arguments");
    if (rest == 1)
        opt->file = argv[optind];
    if (opt->in.format == CW_INPUT_LINES &&
        (opt->in.id_column != NULL || opt->in.text_column != NULL))
        return cw_cli_usage_error(ctx, cmd,
                                  "--id-column and --text-column need csv or jsonl input");
    for (size_t k = 0; k < CW_FIELD_COUNT; k++)
        if (opt->in.format == CW_INPUT_LINES && opt->in.field_columns[k] != NULL)
            return cw_cli_usage_error(ctx, cmd, "field columns need csv or jsonl input");
    return 0;
}

static int classify_all(const cw_ctx *ctx, writer *w, cw_input *in, cw_scan *scan,
                        unsigned long *total, unsigned long *matched, cw_error *err)
{
    cw_record rec;
    int rc;
    while ((rc = cw_input_next(&rec, in, err)) == 1) {
        cw_complaint c = {.id = rec.id, .body = rec.text, .body_len = rec.text_len};
        memcpy(c.fields, rec.fields, sizeof(c.fields));
        const cw_hit *hits = NULL;
        size_t count = 0;
        if (cw_matcher_classify(&hits, &count, scan, &c, err) != 0)
            return -1;
        int wrc = w->opt->format == OUT_CSV ? write_csv(w, &rec, hits, count)
                                            : write_jsonl(w, &rec, hits, count);
        if (wrc != 0)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory writing results");
        if (ferror(w->out))
            return cw_error_set(err, CW_EXIT_IOERR,
                                "could not write results to standard output: %s",
                                strerror(errno != 0 ? errno : EIO));
        (*total)++;
        *matched += count > 0;
        if ((*total & 0xffff) == 0)
            cw_log_progress(&ctx->log, "classified %lu complaints", *total);
    }
    cw_log_progress_done(&ctx->log);
    return rc;
}

int cw_cmd_classify(cw_ctx *ctx, int argc, char **argv)
{
    options opt = {0};
    bool help = false;
    int status = parse_options(&opt, ctx, argc, argv, &help);
    if (status != 0)
        return status;
    if (help) {
        print_help(ctx->out);
        return CW_EXIT_OK;
    }

    cw_error err;
    cw_error_clear(&err);
    cw_rules *rules = NULL;
    cw_matcher *m = NULL;
    cw_scan *scan = NULL;
    cw_input *in = NULL;
    FILE *file = NULL;
    writer w = {.out = ctx->out, .opt = &opt};
    unsigned long total = 0, matched = 0;
    bool from_stdin = opt.file == NULL || strcmp(opt.file, "-") == 0;

    /* The loader writes every error of the rule file to stderr itself. */
    int rc = opt.rules_path != NULL ? cw_rules_load(&rules, opt.rules_path, ctx->log.stream, &err)
                                    : cw_rules_load_default(&rules, ctx->log.stream, &err);
    if (rc != 0) {
        status = err.code;
        goto done;
    }
    if (cw_matcher_new(&m, rules, &err) != 0 || cw_scan_new(&scan, m, &err) != 0)
        goto fail;
    w.rules = rules;
    w.weight = calloc(rules->area_count + 1, sizeof(double));
    w.order = calloc(rules->area_count + 1, sizeof(size_t));
    if (w.weight == NULL || w.order == NULL) {
        cw_error_set(&err, CW_EXIT_OSERR, "out of memory");
        goto fail;
    }
    if (from_stdin)
        file = stdin;
    else if (cw_input_open(&file, opt.file, &err) != 0)
        goto fail;
    if (cw_input_new(&in, file, from_stdin ? "-" : opt.file, &opt.in, &err) != 0)
        goto fail;
    if (opt.format == OUT_CSV)
        fputs(opt.explain ? "id,symptoms,causes,evidence\n" : "id,symptoms,causes\n", ctx->out);
    if (classify_all(ctx, &w, in, scan, &total, &matched, &err) != 0)
        goto fail;
    cw_log_info(&ctx->log, "classified %lu complaints, %lu with symptoms", total, matched);
    goto done;
fail:
    cw_log_error(&ctx->log, &err);
    status = err.code;
done:
    cw_input_free(in);
    if (file != NULL && file != stdin)
        fclose(file);
    free(w.weight);
    free(w.order);
    free(w.clean);
    cw_scan_free(scan);
    cw_matcher_free(m);
    cw_rules_free(rules);
    return status;
}
