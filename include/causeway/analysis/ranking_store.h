/*
 * ranking_store.h - a week's ranking in the results schema (table rankings): written
 * by `run`, read back by `report`. Every score component is stored, so a
 * stored week renders exactly as the run printed it.
 */
#ifndef CAUSEWAY_STORED_H
#define CAUSEWAY_STORED_H

#include <stdbool.h>

#include "causeway/store/db.h"
#include "causeway/analysis/ranking.h"
#include "causeway/util/week.h"

/*
 * Replace the stored ranking of r's target week with r (schema quoted),
 * recording run_id. Call inside the run's transaction.
 */
int cw_stored_save(cw_db *db, const char *schema, const cw_ranking *r, long long run_id,
                   cw_error *err);

/*
 * Load the stored ranking of `week` (or of the latest stored week when
 * latest is true) into *out (caller storage; finalise with cw_ranking_fini
 * also after a failure). No stored ranking: 66 with a hint to run causeway.
 */
int cw_stored_load(cw_ranking *out, cw_db *db, const char *schema, bool latest, cw_week week,
                   cw_error *err);

#endif
