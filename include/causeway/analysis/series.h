/*
 * series.h - weekly series in the results schema, counted as complaints are classified.
 *
 * Series (weekly.series):
 *   area          per cause area           complaints with a symptom attributed to it
 *   area_site     per cause area x site
 *   symptom       per symptom
 *   symptom_site  per symptom x site
 *   symptom_channel, symptom_product, symptom_segment
 *                 per symptom x value of a further dimension named by the
 *                 configuration's `dimensions:`; the value is in the `site` column
 *   total         all complaints, symptoms or not (total_site: per site): the
 *                 denominator that takes seasonality and business volume out
 * For each: complaints (distinct), attributed (sum of the symptoms' weights
 * for the area; for symptom series the complaint count, since a symptom's
 * weights sum to 1) and weighted (attributed x severity). Weeks are the ISO
 * Mondays the ingest computed in the configured time zone.
 */
#ifndef CAUSEWAY_WEEKLY_H
#define CAUSEWAY_WEEKLY_H

#include "causeway/store/config.h"
#include "causeway/store/db.h"
#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"

/*
 * Weekly counts accumulated while complaints are classified, so that no query
 * has to re-read classified and matches to aggregate: each new complaint adds
 * to its week's rows, and the run adds the deltas to the stored rows (complaints
 * are classified once per rule set, so counts only ever grow). Memory is bounded
 * by the number of series x weeks, not by the number of complaints.
 */
typedef struct cw_weekly_acc cw_weekly_acc;

/* dimensions: the configuration's (config.h); NULL counts site only. */
int cw_weekly_acc_new(cw_weekly_acc **out, const cw_rules *rules,
                      const unsigned char dimensions[CW_COL_COUNT], cw_error *err);
void cw_weekly_acc_free(cw_weekly_acc *acc);

/*
 * Count one classified complaint: its week's Monday ("YYYY-MM-DD"), its site
 * (NULL = none), its fields as the matcher takes them (cw_complaint.fields;
 * NULL = none) and its hits (from cw_matcher_classify).
 */
int cw_weekly_acc_add(cw_weekly_acc *acc, const char *week, const char *site,
                      const char *const fields[CW_FIELD_COUNT], const cw_hit *hits, size_t count,
                      cw_error *err);

/*
 * Count an edited complaint's previous classification out of its week's rows (the
 * values of its classified row: week, site, fields, and hits whose spans are
 * ignored), before its new version is added. The week's examples are found again
 * from classified when the counts are stored.
 */
int cw_weekly_acc_remove(cw_weekly_acc *acc, const char *week, const char *site,
                         const char *const fields[CW_FIELD_COUNT], const cw_hit *hits, size_t count,
                         cw_error *err);

/*
 * Offer complaint `id` (received_at as the server prints it in UTC) as the example
 * of each of its symptoms in its week, over every site and at its own site: the
 * newest wins, on the same received_at the smaller id in byte order.
 */
int cw_weekly_acc_note_examples(cw_weekly_acc *acc, const char *week, const char *site,
                                const char *id, const char *received_at, const cw_hit *hits,
                                size_t count, cw_error *err);

/*
 * Add the accumulated counts to the weekly rows of rule set `ruleset` (its
 * rulesets.id as text; schema quoted), inside the caller's transaction. A
 * further dimension with no rows yet is first counted from the classified rows
 * of runs other than `run_id` (the current run's, as text). The examples noted
 * replace the stored ones (table examples) that are older.
 */
int cw_weekly_acc_store(cw_weekly_acc *acc, cw_db *db, const char *schema, const char *ruleset,
                        const char *run_id, cw_error *err);

#endif
