/*
 * options.h - the command-line options `run` and `report` share: connection,
 * configuration file, overrides of its settings, the week(s), and outputs.
 *
 * Precedence: built-in defaults < configuration file (-c) < command-line flags.
 */
#ifndef CAUSEWAY_OPTIONS_H
#define CAUSEWAY_OPTIONS_H

#include <stdbool.h>

#include "causeway/store/config.h"
#include "causeway/cli/context.h"
#include "causeway/report/report.h"
#include "causeway/util/week.h"

#define CW_OPTIONS_MAX_OUTPUTS 8

/* One requested rendering: `-o FILE` (path NULL: standard output). */
typedef struct cw_output_spec {
    const char *path; /* borrowed from argv; NULL = stdout */
    cw_report_format format;
} cw_output_spec;

/* Which option groups a command accepts. */
enum {
    CW_OPT_RUN = 1u << 0,    /* rules, timezone, windows, week ranges */
    CW_OPT_REPORT = 1u << 1, /* a single week */
};

typedef struct cw_options {
    cw_config config;
    bool have_week;
    cw_week week_from; /* target week(s) when have_week */
    cw_week week_to;
    bool snippets;
    bool changes_only;        /* only the "changed since last week" section */
    bool allow_shared_schema; /* run: accept a results schema other roles may CREATE in */
    bool allow_partial;       /* run: rank the current, unfinished week too */
    bool strict;              /* run: source data problems fail the run (65) */
    unsigned top;
    bool top_set;
    cw_output_spec outputs[CW_OPTIONS_MAX_OUTPUTS]; /* stdout included when asked */
    size_t output_count;
    bool help;
} cw_options;

/*
 * Parse argv (argv[0] the command name) for command `cmd` accepting `groups`.
 * On success o holds the merged, validated settings (finalise with
 * cw_options_fini) and, unless --help was given, at least one output
 * (stdout in the table format when nothing was asked). Returns 0, or the exit
 * status after printing the diagnostic (64 usage, 65/66 config file, 78
 * invalid settings); o is finalised on failure.
 */
int cw_options_parse(cw_options *o, const cw_ctx *ctx, const char *cmd, unsigned groups, int argc,
                     char **argv);

void cw_options_fini(cw_options *o);

/* Report options for one output: colour only on a terminal without NO_COLOR. */
cw_report_options cw_options_report(const cw_options *o, const cw_output_spec *spec, FILE *out);

#endif
