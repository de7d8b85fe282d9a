/*
 * ingest.h - classify the complaints not yet classified under a rule set.
 *
 * Two connections stream at once: `reader` copies new complaints out of the
 * source (an anti-join against the results, so a complaint committed late, or
 * missed by a crashed run, is picked up by the next run and counted once);
 * every complaint is matched as it arrives and its row, evidence included
 * (symptom ids and spans as arrays), copied into the rule set's partition of
 * classified on `writer`, inside the writer's open transaction. A rule set's
 * first run creates that partition, loads it without indexes and attaches it
 * (sql/migrations/0002). Memory does not depend on the number of complaints.
 */
#ifndef CAUSEWAY_INGEST_H
#define CAUSEWAY_INGEST_H

#include "causeway/db.h"
#include "causeway/log.h"
#include "causeway/matcher.h"
#include "causeway/source.h"
#include "causeway/weekly.h"

typedef struct cw_ingest_stats {
    unsigned long long classified; /* complaints read and classified */
    unsigned long long matched;    /* of those, with at least one symptom */
    unsigned long long hits;       /* symptom matches stored */
    unsigned long long bytes;      /* complaint text scanned */
} cw_ingest_stats;

typedef struct cw_ingest_params {
    const char *schema;  /* quoted results schema */
    const char *ruleset; /* rulesets.id of the rule set, as text (digits only) */
    long long run_id;
    const char *since; /* "YYYY-MM-DD": complaints from this local date on (look-back) */
} cw_ingest_params;

/*
 * Classify new complaints of `src` within the look-back window with matcher
 * `m` (built from `rules`), writing classified rows through
 * `writer` (which must be inside a transaction), and add their counts to the
 * weekly rows (`weekly` accumulates them). On failure the caller rolls
 * the writer back; nothing is committed here.
 */
int cw_ingest_run(cw_ingest_stats *stats, cw_db *writer, cw_db *reader, const cw_matcher *m,
                  const cw_rules *rules, const cw_source *src, const cw_ingest_params *p,
                  cw_weekly_acc *weekly, const cw_log *log, cw_error *err);

#endif
