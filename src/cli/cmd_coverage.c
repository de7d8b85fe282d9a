/*
 * cmd_coverage.c - 'causeway coverage': how a rule set does on a corpus of complaints
 * (coverage.h), from a file or the database source, with or without labels.
 */
#include <stdlib.h>
#include <string.h>

#include "causeway/cli/cli.h"
#include "causeway/cli/corpus_cli.h"
#include "causeway/corpus/coverage.h"
#include "causeway/corpus/labels.h"
#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"

enum { OPT_SECTION = 300, OPT_SUGGEST };

typedef struct options {
    cw_corpus_cli shared;
    const char *rules_path;
    unsigned sections;
    const char *suggest;
} options;

static void print_help(FILE *out)
{
    fputs("Usage: causeway coverage [OPTION]... RULES [FILE]\n"
          "       causeway coverage [OPTION]... RULES -d CONNINFO [-c CONFIG] [--since WEEK]\n"
          "                         [--until WEEK]\n"
          "\n"
          "How the rule set RULES does on a corpus of complaints: the share no rule catches\n"
          "(uncategorised) and with 1, 2, 3+ symptoms; per symptom what it matches alone and\n"
          "what negation, vetoes, 'all' and 'where' kept it from; hits of every rule entry\n"
          "(file:line:col) and the dead ones; symptoms that fire together (count, Jaccard);\n"
          "the phrases over-represented in uncategorised complaints (G^2); and, with\n"
          "--label-column, precision, recall and F1 per class against the labels.\n"
          "Nothing is written anywhere but standard output; memory stays bounded whatever\n"
          "the number of complaints.\n"
          "\n",
          out);
    cw_corpus_cli_help(out);
    fputs("Coverage:\n"
          "      --section=NAME        report only these sections (repeatable): summary,\n"
          "                            symptoms, entries, suppressed, overlaps, suggestions,\n"
          "                            labels (default: all)\n"
          "      --suggest=SYMPTOM     also rank candidate synonyms: phrases of SYMPTOM's\n"
          "                            matches that uncategorised complaints contain too\n"
          "  -h, --help                show this help and exit\n"
          "\n"
          "Exit status: 0 ok, 64 usage, 65 invalid rules, input or labels, 66 unreadable\n"
          "file, 71 out of memory, 74 output error, 75 database unreachable, 77 permission,\n"
          "78 configuration (or a source column that does not exist).\n",
          out);
}

static int own_option(void *user, const cw_ctx *ctx, const char *cmd, int c, const char *arg)
{
    options *o = user;
    if (c == OPT_SUGGEST) {
        o->suggest = arg;
        return 0;
    }
    unsigned bit = c == OPT_SECTION ? cw_coverage_section(arg) : 0;
    if (bit == 0)
        return cw_cli_usage_error(ctx, cmd,
                                  "unknown section '%s' (summary, symptoms, entries, suppressed, "
                                  "overlaps, suggestions, labels)",
                                  arg);
    o->sections |= bit;
    return 0;
}

static int parse(options *o, const cw_ctx *ctx, int argc, char **argv, bool *help)
{
    static const struct option own[] = {
        {"section", required_argument, NULL, OPT_SECTION},
        {"suggest", required_argument, NULL, OPT_SUGGEST},
    };
    const char *cmd = argv[0];
    int rc = cw_corpus_cli_parse(&o->shared, ctx, argc, argv, own, 2, own_option, o, help);
    if (rc != 0 || *help)
        return rc;
    int rest = argc - optind;
    if (rest < 1)
        return cw_cli_usage_error(ctx, cmd, "missing RULES");
    if (rest > 2)
        return cw_cli_usage_error(ctx, cmd, "too many arguments");
    o->rules_path = argv[optind];
    if (strcmp(o->rules_path, "-") == 0)
        return cw_cli_usage_error(ctx, cmd, "RULES cannot be standard input");
    if (o->sections == 0)
        o->sections = CW_COVERAGE_ALL;
    if (o->suggest != NULL)
        o->sections |= CW_COVERAGE_SUGGESTIONS;
    return cw_corpus_cli_finish(&o->shared, ctx, cmd, rest == 2 ? argv[optind + 1] : NULL);
}

typedef struct job {
    cw_coverage *cov;
} job;

static int on_complaint(void *user, const cw_corpus_item *item, cw_error *err)
{
    return cw_coverage_add(((job *)user)->cov, item, err);
}

int cw_cmd_coverage(cw_ctx *ctx, int argc, char **argv)
{
    options o = {0};
    cw_corpus_cli_init(&o.shared);
    bool help = false;
    int status = parse(&o, ctx, argc, argv, &help);
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
    cw_labels *labels = NULL;
    job j = {0};
    cw_coverage_report report;
    memset(&report, 0, sizeof(report));
    cw_corpus_info info;
    /* The loader writes every error of the rule file to stderr itself. */
    if (cw_rules_load(&rules, o.rules_path, ctx->log.stream, &err) != 0) {
        status = err.code;
        goto done;
    }
    long suggest = -1;
    if (o.suggest != NULL && (suggest = cw_rules_find_symptom(rules, o.suggest)) < 0) {
        status = cw_cli_usage_error(ctx, argv[0], "--suggest: no symptom '%s' in %s", o.suggest,
                                    rules->path);
        goto done;
    }
    if (cw_matcher_new(&m, rules, &err) != 0)
        goto fail;
    const cw_rules *sets[] = {rules};
    if (o.shared.label_mode &&
        cw_labels_load(&labels, &o.shared.labels, sets, 1, &ctx->log, &err) != 0)
        goto fail;
    cw_coverage_params p = {
        .sections = o.sections,
        .suggest = suggest,
        .labels = labels,
        .min_support = o.shared.min_support,
        .top = o.shared.top,
    };
    if (cw_coverage_new(&j.cov, m, &p, &err) != 0 ||
        cw_corpus_each(&info, &o.shared.corpus, &ctx->log, on_complaint, &j, &err) != 0 ||
        cw_coverage_finish(&report, j.cov, info.source, &err) != 0 ||
        cw_coverage_write(ctx->out, &report, o.shared.format, &err) != 0)
        goto fail;
    goto done;
fail:
    cw_log_error(&ctx->log, &err);
    status = err.code == CW_EXIT_USAGE ? CW_EXIT_USAGE : err.code;
done:
    cw_coverage_report_fini(&report);
    cw_coverage_free(j.cov);
    cw_labels_free(labels);
    cw_matcher_free(m);
    cw_rules_free(rules);
    return status;
}
