/*
 * cli.h - command-line entry: global options, dispatch to one command.
 *
 * Each command is `int cw_cmd_<name>(cw_ctx *ctx, int argc, char **argv)` where
 * argv[0] is the command name; it parses its own options (getopt_long), prints
 * its own --help, and returns an exit status from error.h.
 */
#ifndef CAUSEWAY_CLI_H
#define CAUSEWAY_CLI_H

#include "causeway/cli/context.h"

#define CW_VERSION "0.1.0"

/* Run the whole program; returns the process exit status. */
int cw_cli_main(int argc, char **argv);

int cw_cmd_check(cw_ctx *ctx, int argc, char **argv);
int cw_cmd_classify(cw_ctx *ctx, int argc, char **argv);
int cw_cmd_coverage(cw_ctx *ctx, int argc, char **argv);
int cw_cmd_diff(cw_ctx *ctx, int argc, char **argv);
int cw_cmd_db(cw_ctx *ctx, int argc, char **argv);
int cw_cmd_run(cw_ctx *ctx, int argc, char **argv);
int cw_cmd_report(cw_ctx *ctx, int argc, char **argv);
int cw_cmd_remediation(cw_ctx *ctx, int argc, char **argv);

/*
 * Report a usage error for `cmd` ("causeway check: missing RULES") with a pointer
 * to --help; returns CW_EXIT_USAGE.
 */
int cw_cli_usage_error(const cw_ctx *ctx, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
