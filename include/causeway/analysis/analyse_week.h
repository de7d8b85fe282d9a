/*
 * analyse_week.h - turn the weekly series of one rule set into a target week's
 * ranking: load every series the run counts (cause area, area x site, symptom,
 * symptom x site, symptom x each further configured dimension), detect decline
 * against a frozen baseline with report-level limits (detect.h,
 * cw_detect_params_family: the expected false alarms of the whole week stay
 * under CW_DETECT_ALARMS_PER_REPORT), score the cause areas with score.h, name
 * each item's drivers (the symptom series whose rise explains it), compare
 * with the previous stored week (new / worsening / ongoing / easing /
 * resolved), and gather the evidence (top symptoms, top sites, example
 * complaints with their snippets).
 */
#ifndef CAUSEWAY_ANALYSE_H
#define CAUSEWAY_ANALYSE_H

#include "causeway/store/db.h"
#include "causeway/analysis/detect.h"
#include "causeway/util/log.h"
#include "causeway/analysis/score.h"
#include "causeway/analysis/ranking.h"
#include "causeway/rules/rules.h"
#include "causeway/store/source.h"
#include "causeway/util/week.h"

typedef struct cw_analyse_params {
    const char *schema;  /* quoted results schema */
    const char *hash;    /* rule-set hash (shown in the ranking) */
    const char *ruleset; /* its rulesets.id, as text (the key of the results rows) */
    const cw_rules *rules;
    const cw_source *src; /* bodies of the examples; its exposure, if any, gives rates */
    cw_week target;
    unsigned lookback_weeks;         /* series length at most */
    unsigned recent_weeks;           /* window of volume, top symptoms and sites, examples */
    const unsigned char *dimensions; /* config.h's dimensions[]; NULL: site only */
    const cw_detect_params *detect;  /* per-series limits; raised for the report's size */
    const cw_score_params *rank;
    const cw_log *log; /* debug: each series' signal (no complaint text) */
} cw_analyse_params;

/*
 * Build the ranking of p->target into *out (caller storage, finalise with
 * cw_ranking_fini also after a failure). Reads only (the previous week's stored
 * ranking too, for the changes); call inside the run's transaction, after the
 * weekly series are stored.
 */
int cw_analyse_week(cw_ranking *out, cw_db *db, const cw_analyse_params *p, cw_error *err);

#endif
