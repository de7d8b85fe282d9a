/*
 * weekly.h - weekly series in the results schema, aggregated by PostgreSQL.
 *
 * Series (weekly.series):
 *   area          per cause area           complaints with a symptom attributed to it
 *   area_site     per cause area x site
 *   symptom       per symptom
 *   symptom_site  per symptom x site
 *   total         all complaints, symptoms or not (total_site: per site): the
 *                 denominator that takes seasonality and business volume out
 * For each: complaints (distinct), attributed (sum of the symptoms' weights
 * for the area; for symptom series the complaint count, since a symptom's
 * weights sum to 1) and weighted (attributed x severity). Weeks are the ISO
 * Mondays the ingest computed in the configured time zone.
 */
#ifndef CAUSEWAY_WEEKLY_H
#define CAUSEWAY_WEEKLY_H

#include "causeway/db.h"
#include "causeway/rules.h"

/*
 * Create the transaction-scoped table pg_temp.cw_symptom_causes(symptom_id,
 * area_id, weight, severity) from the rule set: the attribution the
 * aggregation and the evidence queries join with. Call inside the run's
 * transaction.
 */
int cw_weekly_prepare(cw_db *db, const cw_rules *rules, cw_error *err);

/*
 * Recompute the weekly rows of rule set `hash` for every week that received
 * complaints in run `run_id` (schema already quoted). Other weeks are untouched.
 */
int cw_weekly_update(cw_db *db, const char *schema, const char *hash, long long run_id,
                     cw_error *err);

#endif
