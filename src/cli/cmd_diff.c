/*
 * cmd_diff.c - 'causeway diff OLD NEW': what changing a rule set changes on a corpus
 * (diff.h), in one pass over a file or the database source.
 */
#include <stdlib.h>
#include <string.h>

#include "causeway/cli/cli.h"
#include "causeway/cli/corpus_cli.h"
#include "causeway/corpus/diff.h"
#include "causeway/corpus/labels.h"
#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"

enum { OPT_LIMIT = 300, OPT_EXIT_CODE };

typedef struct options {
    cw_corpus_cli shared;
    const char *rules_path[2];
    size_t limit;
    bool exit_code;
} options;

static void print_help(FILE *out)
{
    fputs("Usage: causeway diff [OPTION]... OLD_RULES NEW_RULES [FILE]\n"
          "       causeway diff [OPTION]... OLD_RULES NEW_RULES -d CONNINFO [-c CONFIG]\n"
          "\n"
          "What replacing the rule set OLD_RULES by NEW_RULES changes: every complaint is\n"
          "classified under both in one pass, and per symptom and per cause area (by id)\n"
          "the complaints gained, lost and unchanged are counted; the complaints whose\n"
          "symptoms changed are listed with the evidence that changed; with --label-column,\n"
          "precision, recall and F1 per class before and after.\n"
          "\n",
          out);
    cw_corpus_cli_help(out);
    fputs("Diff:\n"
          "      --limit=N             changed complaints listed (default 20)\n"
          "      --exit-code           exit 1 when any complaint changed, 0 when none (for\n"
          "                            the CI of a rules repository)\n"
          "  -h, --help                show this help and exit\n"
          "\n"
          "Exit status: 0 ok (with --exit-code: nothing changed), 1 something changed (with\n"
          "--exit-code), 64 usage, 65 invalid rules, input or labels, 66 unreadable file,\n"
          "71 out of memory, 74 output error, 75 database unreachable, 77 permission,\n"
          "78 configuration.\n",
          out);
}

static int own_option(void *user, const cw_ctx *ctx, const char *cmd, int c, const char *arg)
{
    options *o = user;
    if (c == OPT_EXIT_CODE) {
        o->exit_code = true;
        return 0;
    }
    char *end = NULL;
    unsigned long v = strtoul(arg, &end, 10);
    if (end == arg || *end != '\0' || arg[0] < '0' || arg[0] > '9' || v > 100000)
        return cw_cli_usage_error(ctx, cmd, "--limit: '%s' is not a whole number from 0 to 100000",
                                  arg);
    o->limit = (size_t)v;
    return 0;
}

static int parse(options *o, const cw_ctx *ctx, int argc, char **argv, bool *help)
{
    static const struct option own[] = {
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"exit-code", no_argument, NULL, OPT_EXIT_CODE},
    };
    const char *cmd = argv[0];
    int rc = cw_corpus_cli_parse(&o->shared, ctx, argc, argv, own, 2, own_option, o, help);
    if (rc != 0 || *help)
        return rc;
    int rest = argc - optind;
    if (rest < 2)
        return cw_cli_usage_error(ctx, cmd, "missing %s",
                                  rest == 0 ? "OLD_RULES and NEW_RULES" : "NEW_RULES");
    if (rest > 3)
        return cw_cli_usage_error(ctx, cmd, "too many arguments");
    for (int w = 0; w < 2; w++) {
        o->rules_path[w] = argv[optind + w];
        if (strcmp(o->rules_path[w], "-") == 0)
            return cw_cli_usage_error(ctx, cmd, "rules cannot be standard input");
    }
    return cw_corpus_cli_finish(&o->shared, ctx, cmd, rest == 3 ? argv[optind + 2] : NULL);
}

static int on_complaint(void *user, const cw_corpus_item *item, cw_error *err)
{
    return cw_diff_add(user, item, err);
}

int cw_cmd_diff(cw_ctx *ctx, int argc, char **argv)
{
    options o = {.limit = 20};
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
    cw_rules *rules[2] = {NULL, NULL};
    cw_matcher *m[2] = {NULL, NULL};
    cw_labels *labels = NULL;
    cw_diff *d = NULL;
    cw_corpus_info info;
    for (int w = 0; w < 2; w++) {
        /* The loader writes every error of a rule file to stderr itself. */
        if (cw_rules_load(&rules[w], o.rules_path[w], ctx->log.stream, &err) != 0) {
            status = err.code;
            goto done;
        }
        if (cw_matcher_new(&m[w], rules[w], &err) != 0)
            goto fail;
    }
    const cw_rules *sets[] = {rules[0], rules[1]};
    if (o.shared.label_mode &&
        cw_labels_load(&labels, &o.shared.labels, sets, 2, &ctx->log, &err) != 0)
        goto fail;
    cw_diff_params p = {.labels = labels, .min_support = o.shared.min_support, .limit = o.limit};
    if (cw_diff_new(&d, m[0], m[1], &p, &err) != 0 ||
        cw_corpus_each(&info, &o.shared.corpus, &ctx->log, on_complaint, d, &err) != 0 ||
        cw_diff_write(ctx->out, d, info.source, o.shared.format, &err) != 0)
        goto fail;
    if (o.exit_code && cw_diff_changed(d) > 0)
        status = 1;
    goto done;
fail:
    cw_log_error(&ctx->log, &err);
    status = err.code;
done:
    cw_diff_free(d);
    cw_labels_free(labels);
    for (int w = 0; w < 2; w++) {
        cw_matcher_free(m[w]);
        cw_rules_free(rules[w]);
    }
    return status;
}
