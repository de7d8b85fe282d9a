/*
 * corpus_cli.h - the command-line options `causeway coverage` and `causeway diff` share:
 * where the complaints come from (a file as for classify, or the database source as for
 * run), label mode, and the output format. Each command adds its own options to these.
 */
#ifndef CAUSEWAY_CORPUS_CLI_H
#define CAUSEWAY_CORPUS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "causeway/cli/context.h"
#include "causeway/corpus/corpus.h"
#include "causeway/corpus/coverage.h"
#include "causeway/corpus/labels.h"

/* Codes of the shared long options without a short letter start here; commands use less. */
#define CW_CORPUS_CLI_FIRST 400

typedef struct cw_corpus_cli {
    cw_corpus_options corpus;
    cw_labels_options labels; /* negative and ignored labels default to not_complaint, other */
    bool label_mode;          /* --label-column given */
    bool negative_given, ignored_given; /* the defaults were replaced */
    unsigned long long min_support;
    cw_coverage_format format;
    size_t top;
} cw_corpus_cli;

/* Defaults: lines input, table output, --top 20, the default negative and ignored labels. */
void cw_corpus_cli_init(cw_corpus_cli *o);

/* The shared options as getopt_long entries (n of them, no terminator; static data). The
 * first *input_n of them are the input options classify shares too. */
const struct option *cw_corpus_cli_options(size_t *n, size_t *input_n);

/*
 * The input options (-i, --id-column, --text-column, --field, --channel-column, ...)
 * into `in`: 0 when handled, -1 when `c` is not one, or 64 after a usage error.
 */
int cw_corpus_cli_input_option(cw_input_options *in, const cw_ctx *ctx, const char *cmd, int c,
                               const char *arg);

/*
 * Handle option `c` with argument `arg` of command `cmd`: 0 when handled, -1 when it is
 * not a shared option, or the exit status (64) after printing a usage error.
 */
int cw_corpus_cli_option(cw_corpus_cli *o, const cw_ctx *ctx, const char *cmd, int c,
                         const char *arg);

/* A command's own option (from `own` of cw_corpus_cli_parse): 0, or 64 after a usage error. */
typedef int (*cw_corpus_cli_own_fn)(void *user, const cw_ctx *ctx, const char *cmd, int c,
                                    const char *arg);

/*
 * Parse argv (argv[0] the command) with the shared options, the command's own options
 * own[0, n_own) handled by `fn`, and -h/--help (sets *help and stops). On return optind
 * is at the first argument. Returns 0 or the exit status (64) after a usage error.
 */
int cw_corpus_cli_parse(cw_corpus_cli *o, const cw_ctx *ctx, int argc, char **argv,
                        const struct option *own, size_t n_own, cw_corpus_cli_own_fn fn, void *user,
                        bool *help);

/*
 * Check what the options say together, with `file` the FILE argument or NULL: database
 * and file exclude each other, column options need csv or jsonl, strength needs a label
 * column. Returns 0 or the exit status (64) after printing a usage error.
 */
int cw_corpus_cli_finish(cw_corpus_cli *o, const cw_ctx *ctx, const char *cmd, const char *file);

/* The help text of the shared options. */
void cw_corpus_cli_help(FILE *out);

#endif
