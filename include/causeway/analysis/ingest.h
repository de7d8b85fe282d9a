/*
 * ingest.h - classify the complaints not yet classified under a rule set.
 *
 * Two connections stream at once: `reader` copies the complaints to classify out of
 * the source, `writer` copies their rows, evidence included (symptom ids and spans as
 * arrays), into the rule set's partition of classified inside its open transaction.
 * Memory does not depend on the number of complaints.
 *
 * Which rows are read (the slice):
 *  - without a high-water mark (the source maps no updated_at, or the rule set's first
 *    run): every row of the look-back window that classified does not hold, an
 *    anti-join over the window, so a complaint committed late or received in a past
 *    week is picked up by the next run and counted once;
 *  - with the rule set's mark (source.columns.updated_at mapped): only rows whose
 *    updated_at, or received_at, is not before the mark (the start of the oldest
 *    transaction open when the last committed run took its snapshot: a row committed
 *    after that snapshot carries a later updated_at), rows without updated_at, and
 *    the part of the look-back window no run has covered yet, anti-joined as above:
 *    the cost follows the new and changed rows, not the history. A row whose
 *    updated_at moved was edited: it is classified again, and its old row deleted
 *    and its counts taken out of weekly (edited rows come first; then the run's rows
 *    are staged and merged, else copied straight into the partition).
 * Rows with no id or no received_at, the extra rows of a duplicated id, and rows
 * received after the reader's snapshot are counted and skipped (cw_ingest_stats).
 *
 * A rule set's first run creates its partition, loads it without indexes and attaches
 * it (sql/migrations/0002). The matcher is made when the first row needs it, so a run
 * with nothing new does not pay for it: loaded from rulesets.compiled when a run of
 * this build saved it there, else compiled and saved for the next run.
 */
#ifndef CAUSEWAY_INGEST_H
#define CAUSEWAY_INGEST_H

#include "causeway/store/db.h"
#include "causeway/util/log.h"
#include "causeway/match/matcher.h"
#include "causeway/store/source.h"
#include "causeway/analysis/series.h"

/*
 * A role that cannot see every session's transaction start (pg_read_all_stats) sets
 * the mark this long before its snapshot: a transaction open longer is not seen.
 */
#define CW_INGEST_OVERLAP "1 hour"

typedef struct cw_ingest_stats {
    unsigned long long classified;       /* complaints read and classified */
    unsigned long long matched;          /* of those, with at least one symptom */
    unsigned long long hits;             /* symptom matches stored */
    unsigned long long bytes;            /* complaint text scanned */
    unsigned long long reclassified;     /* edited complaints classified again */
    unsigned long long null_ids;         /* source rows skipped: no id */
    unsigned long long null_received_at; /* no received_at */
    unsigned long long duplicate_ids;    /* rows beyond the first of an id */
    unsigned long long future_rows;      /* received after the reader's snapshot */
} cw_ingest_stats;

typedef struct cw_ingest_params {
    const char *schema;  /* quoted results schema */
    const char *ruleset; /* rulesets.id of the rule set, as text (digits only) */
    long long run_id;
    const char *since; /* "YYYY-MM-DD": complaints from this local date on (look-back) */
    /* The rule set's high-water mark as quoted timestamptz literals; NULL: none (read
     * the whole look-back window). Only with the source's updated_at mapped. */
    const char *mark;         /* oldest transaction start at the last run's snapshot */
    const char *covered_from; /* earliest received_at that run's window began at */
    const char *compiled_by;  /* the build a saved matcher must come from (rulesets.compiled) */
} cw_ingest_params;

/*
 * Classify the slice of `src` (above) with the matcher *m, built from `rules` into *m
 * when NULL and a row needs it (the caller owns and frees it either way), writing
 * classified rows through `writer` (inside a transaction; it deletes the old rows of
 * edited complaints) and reading through `reader` (inside cw_db_begin_within's
 * transaction, whose snapshot precedes the writer's work), and add their counts and
 * examples to the weekly rows (`weekly` accumulates them). On failure the caller
 * rolls the writer back; nothing is committed here.
 */
int cw_ingest_run(cw_ingest_stats *stats, cw_db *writer, cw_db *reader, cw_matcher **m,
                  const cw_rules *rules, const cw_source *src, const cw_ingest_params *p,
                  cw_weekly_acc *weekly, const cw_log *log, cw_error *err);

#endif
