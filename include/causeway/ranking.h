/*
 * ranking.h - one week's remediation ranking as the run computes it, the
 * results schema stores it (rankings table) and the report renders it.
 * A cw_ranking owns all its strings; free with cw_ranking_free.
 */
#ifndef CAUSEWAY_RANKING_H
#define CAUSEWAY_RANKING_H

#include <stddef.h>

#include "causeway/error.h"

#define CW_RANKING_TOP 3 /* top symptoms, top sites and examples kept per item */

/* The verdict on one recorded fix (fixes.h). */
typedef struct cw_fix_verdict cw_fix_verdict;

typedef struct cw_ranking_share {
    char *id;     /* symptom id or site */
    double value; /* attributed complaints in the recent window */
} cw_ranking_share;

typedef struct cw_ranking_example {
    char *complaint_id;
    char *symptom_id;
    char *snippet; /* matched evidence with a little context: personal data */
} cw_ranking_example;

typedef struct cw_ranking_entry {
    unsigned rank;
    char *kind; /* "area" or "area_site" */
    char *area_id;
    char *area_name;
    char *site;    /* "" for kind "area" */
    double score;  /* max(volume x trend_factor, severity_floor) */
    double volume; /* recent severity-weighted attributed complaints per week (or rate) */
    double rate;   /* per 1,000 exposure; NaN when exposure is unknown */
    double trend_factor;
    double severity_floor;
    int max_severity;
    char *status;     /* stable, drift, shift, spike, insufficient */
    char *since_week; /* "2026-W31", or "" */
    double slope_pct; /* %/week; NaN when not estimated */
    double strength;  /* detector statistic; NaN when not computed */
    double baseline;  /* frozen baseline, complaints per week; NaN when unknown */
    double recent;    /* mean complaints per week over the recent window */
    cw_ranking_share top_symptoms[CW_RANKING_TOP];
    size_t top_symptom_count;
    cw_ranking_share top_sites[CW_RANKING_TOP];
    size_t top_site_count;
    cw_ranking_example examples[CW_RANKING_TOP];
    size_t example_count;
    char *owner;
    char *remediation;
    double *series; /* weekly complaints, oldest first, ending at the target week; may be NULL */
    size_t series_len;
    long series_since;  /* index of the onset in series, -1 */
    long baseline_from; /* index where the frozen baseline window starts */
} cw_ranking_entry;

typedef struct cw_ranking {
    char *target_week; /* "2026-W46" */
    char *week_monday; /* "2026-11-09" */
    char *ruleset_hash;
    long series_first;         /* ISO week number (week.h) of every entry's series[0] */
    cw_ranking_entry *entries; /* kind "area" first by rank, then "area_site" by rank */
    size_t count;
    size_t cap;
    cw_fix_verdict *fixes; /* the week's verdicts on recorded fixes, by id (fixes.h) */
    size_t fix_count;
} cw_ranking;

/* Append a zeroed entry (numbers NaN where NaN means unknown); NULL on OOM. */
cw_ranking_entry *cw_ranking_add(cw_ranking *r);

/* Release everything r owns (r itself is caller storage); NULL is a no-op. */
void cw_ranking_fini(cw_ranking *r);

/* strdup that sets err (71) on failure and treats NULL as "". */
int cw_ranking_strdup(char **out, const char *s, cw_error *err);

#endif
