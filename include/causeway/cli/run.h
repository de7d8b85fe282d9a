/*
 * run.h - `causeway run`, the scheduled job: classify new complaints under the
 * current rule set, aggregate weeks, detect decline, rank, store the target
 * week(s) and print the ranking.
 *
 * All writes of a run happen in one transaction on one connection, under a
 * session advisory lock on the results schema: a crash, a kill or an error
 * at any point leaves the previous state intact, and a second concurrent run
 * exits 75 at once. SIGINT/SIGTERM cancel the running query, roll back,
 * release the lock and exit 75.
 */
#ifndef CAUSEWAY_RUN_H
#define CAUSEWAY_RUN_H

#include "causeway/cli/context.h"
#include "causeway/cli/options.h"

/* Run the job with the parsed options; returns the process exit status. */
int cw_run_execute(cw_ctx *ctx, const cw_options *o);

#endif
