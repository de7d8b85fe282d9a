/*
 * cmd_check.c - 'causeway check [RULES]': validate a rule set, compile it, and
 * run every symptom's inline examples. Diagnostics (all of them) on stderr as
 * `file:line:col: error: ...`; one summary line on stdout when all is well.
 */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "causeway/cli/cli.h"
#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"

static void print_help(FILE *out)
{
    fputs("Usage: causeway check [RULES]\n"
          "\n"
          "Validate a rule set (default: the built-in one), compile every pattern and run\n"
          "the inline examples of every symptom: each `match` example must fire its\n"
          "symptom and each `no_match` example must not. Every problem is printed as\n"
          "FILE:LINE:COLUMN: error: MESSAGE.\n"
          "\n"
          "Options:\n"
          "  -h, --help   show this help and exit\n"
          "\n"
          "Exit status: 0 all good, 65 invalid rules or a failing example,\n"
          "66 RULES unreadable.\n",
          out);
}

static const char *why_text(cw_matcher_why why, const cw_symptom *sym)
{
    switch (why) {
    case CW_WHY_FIRED:
        return "it fires";
    case CW_WHY_NO_HIT:
        /* Two phrases of a near entry may each match, just not close enough: say so. */
        return sym->match.near_count > 0 ? "no phrase, regex or near entry matches"
                                         : "no phrase or regex matches";
    case CW_WHY_NEGATED:
        return "every match is negated";
    case CW_WHY_ALL_MISSING:
        return "an 'all' entry does not match";
    case CW_WHY_VETOED:
        return "an 'unless' entry matches";
    case CW_WHY_WHERE:
        return "a 'where' condition does not hold";
    }
    return "unknown";
}

/* An example quoted on one line: control characters shown as spaces, long ones cut. */
static void quote(char *buf, size_t size, const char *t)
{
    size_t o = 0, n = strlen(t), max = size - 4;
    for (size_t i = 0; i < n && o < max; i++) {
        unsigned char c = (unsigned char)t[i];
        buf[o++] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    if (o < n) {
        while (o > 0 && ((unsigned char)buf[o] & 0xc0) == 0x80)
            o--; /* never cut inside a UTF-8 character */
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
}

/*
 * Run one example of symptom s. Examples carry no complaint fields, so the
 * symptom's `where` conditions are satisfied with their first listed values:
 * examples test the text patterns. Returns 1 when it passes, 0 when it fails,
 * -1 on error.
 */
static int run_example(const cw_ctx *ctx, cw_scan *scan, const cw_rules *rules, size_t s,
                       const cw_pattern *ex, bool must_fire, cw_error *err)
{
    const cw_symptom *sym = &rules->symptoms[s];
    cw_complaint c = {.body = ex->text, .body_len = strlen(ex->text)};
    for (size_t k = 0; k < sym->where_count; k++)
        if (sym->where[k].count > 0)
            c.fields[sym->where[k].field] = sym->where[k].values[0];
    const cw_hit *hits = NULL;
    size_t count = 0;
    if (cw_matcher_classify(&hits, &count, scan, &c, err) != 0)
        return -1;
    cw_matcher_why why = cw_matcher_explain(scan, s);
    bool fired = why == CW_WHY_FIRED;
    if (fired == must_fire)
        return 1;
    char text[160];
    quote(text, sizeof(text), ex->text);
    if (must_fire) {
        fprintf(ctx->log.stream, "%s:%u:%u: error: example does not fire '%s' (%s): \"%s\"\n",
                rules->path, ex->pos.line, ex->pos.column, sym->id, why_text(why, sym), text);
    } else {
        char evidence[96] = "";
        for (size_t i = 0; i < count; i++) {
            if (hits[i].symptom != s)
                continue;
            char span[84];
            size_t len = hits[i].end - hits[i].start;
            len = len < sizeof(span) - 1 ? len : sizeof(span) - 1;
            memcpy(span, ex->text + hits[i].start, len);
            span[len] = '\0';
            quote(evidence, sizeof(evidence), span);
        }
        fprintf(ctx->log.stream,
                "%s:%u:%u: error: example fires '%s' but must not (matched \"%s\"): \"%s\"\n",
                rules->path, ex->pos.line, ex->pos.column, sym->id, evidence, text);
    }
    return 0;
}

int cw_cmd_check(cw_ctx *ctx, int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'h') {
            print_help(ctx->out);
            return CW_EXIT_OK;
        }
        return cw_cli_usage_error(ctx, argv[0], "invalid option");
    }
    if (argc - optind > 1)
        return cw_cli_usage_error(ctx, argv[0], "too many arguments");
    const char *path = optind < argc ? argv[optind] : NULL;

    cw_error err;
    cw_error_clear(&err);
    cw_rules *rules = NULL;
    cw_matcher *m = NULL;
    cw_scan *scan = NULL;
    int status = CW_EXIT_OK;
    /* The loader writes every error of the file to stderr itself. */
    int rc = path != NULL ? cw_rules_load(&rules, path, ctx->log.stream, &err)
                          : cw_rules_load_default(&rules, ctx->log.stream, &err);
    if (rc != 0) {
        status = err.code;
        goto done;
    }
    /* Like the loader, the matcher writes every rule-set error (65) to stderr itself. */
    if (cw_matcher_new_diag(&m, rules, ctx->log.stream, &err) != 0 ||
        cw_scan_new(&scan, m, &err) != 0) {
        if (err.code != CW_EXIT_DATAERR)
            cw_log_error(&ctx->log, &err);
        status = err.code;
        goto done;
    }
    size_t examples = 0, failed = 0;
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_symptom *sym = &rules->symptoms[s];
        for (int pass = 0; pass < 2; pass++) {
            const cw_pattern_list *list =
                pass == 0 ? &sym->examples_match : &sym->examples_no_match;
            for (size_t k = 0; k < list->count; k++) {
                rc = run_example(ctx, scan, rules, s, &list->items[k], pass == 0, &err);
                if (rc < 0) {
                    cw_log_error(&ctx->log, &err);
                    status = err.code;
                    goto done;
                }
                examples++;
                failed += rc == 0;
            }
        }
    }
    if (failed > 0) {
        fprintf(ctx->log.stream, "%s: error: %zu of %zu examples failed\n", rules->path, failed,
                examples);
        status = CW_EXIT_DATAERR;
        goto done;
    }
    fprintf(ctx->out, "%s: %zu symptoms, %zu cause areas, %zu examples: ok\n", rules->path,
            rules->symptom_count, rules->area_count, examples);
done:
    cw_scan_free(scan);
    cw_matcher_free(m);
    cw_rules_free(rules);
    return status;
}
