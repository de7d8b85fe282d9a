/*
 * ranking.h - one week's remediation ranking as the run computes it, the
 * results schema stores it (rankings table) and the report renders it.
 * A cw_ranking owns all its strings; free with cw_ranking_free.
 */
#ifndef CAUSEWAY_RANKING_H
#define CAUSEWAY_RANKING_H

#include <stddef.h>

#include "causeway/util/error.h"

#define CW_RANKING_TOP     3 /* top symptoms, top sites and examples kept per item */
#define CW_RANKING_DRIVERS 6 /* drivers kept per item */

/* The verdict on one recorded fix (fixes.h). */
typedef struct cw_fix_verdict cw_fix_verdict;

typedef struct cw_ranking_share {
    char *id;     /* symptom id or site */
    double value; /* attributed complaints in the recent window */
} cw_ranking_share;

typedef struct cw_ranking_example {
    char *complaint_id;
    char *symptom_id;
    long span_start, span_end; /* the evidence's bytes in the body; -1 when unknown */
    char *snippet;             /* the evidence with a little context, cut from the source when the
                                  ranking is shown (evidence.h), never stored: personal data */
} cw_ranking_example;

/*
 * A driver: a symptom series (all sites, one site, or one value of another
 * dimension) whose rise explains its item. Numbers are complaints per week.
 */
typedef struct cw_ranking_driver {
    char *kind; /* "symptom", "symptom_site" or "symptom_<dimension>" */
    char *symptom_id;
    char *value;      /* the site (or channel, product, segment); "" for kind "symptom" */
    char *status;     /* its own detection: stable, drift, shift, spike, insufficient */
    char *since_week; /* "2026-W31", or "" */
    char *change;     /* since the previous stored week: new, worsening, ongoing, easing,
                         resolved; "" when not flagged in either week */
    double slope_pct; /* %/week; NaN when not a drift */
    double excess;    /* recent complaints per week above the baseline's expectation */
    double share;     /* excess / the item's excess; NaN when the item's excess is <= 0 */
    double baseline;  /* expected complaints per week at the frozen baseline level */
    double recent;    /* mean complaints per week over the recent window */
    double *series;   /* weekly complaints, like the entry's; may be NULL */
    size_t series_len;
    long series_since; /* index of the onset in series, -1 */
} cw_ranking_driver;

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
    /* Added by results schema 4 (drivers and week-over-week states). */
    char *change;         /* new, worsening, ongoing, easing, resolved, or "" (see ranking.c) */
    double excess;        /* recent complaints per week above the baseline's expectation; NaN */
    double driver_factor; /* the drivers' projected rise (score.h); 1 when none */
    cw_ranking_driver *drivers; /* flagged first, by excess */
    size_t driver_count;
} cw_ranking_entry;

typedef struct cw_ranking {
    char *target_week; /* "2026-W46" */
    char *week_monday; /* "2026-11-09" */
    char *ruleset_hash;
    long series_first;         /* ISO week number (week.h) of every entry's series[0] */
    char *previous_week;       /* the stored week the changes are against ("2026-W45"), or "" */
    cw_ranking_entry *entries; /* kind "area" first by rank, then "area_site" by rank */
    size_t count;
    size_t cap;
    cw_fix_verdict *fixes; /* the week's verdicts on recorded fixes, by id (fixes.h) */
    size_t fix_count;
} cw_ranking;

/* Append a zeroed entry (numbers NaN where NaN means unknown); NULL on OOM. */
cw_ranking_entry *cw_ranking_add(cw_ranking *r);

/* Append a zeroed driver to e (numbers NaN, series_since -1); NULL on OOM or when full. */
cw_ranking_driver *cw_ranking_add_driver(cw_ranking_entry *e);

/* Whether a status is an alarm: drift, shift or spike. */
int cw_ranking_flagged(const char *status);

/*
 * The week-over-week state of an item or a driver: was/is flagged in the previous
 * and the target week, with its excess (complaints per week over baseline) in each,
 * and `noise`, the standard deviation of a week-over-week change of that excess when
 * nothing changed (the caller's: about sqrt(2 x recent level) / recent weeks).
 *   new        flagged now, not in the previous week (or there is no previous week)
 *   resolved   flagged in the previous week, not now
 *   worsening  flagged in both, excess up by more than 2 x noise and 10 %
 *   easing     flagged in both, excess down by more than 2 x noise and 10 %
 *   ongoing    flagged in both otherwise
 *   ""         flagged in neither
 * Returns a static string.
 */
const char *cw_ranking_change(int was, double prev_excess, int is, double excess, double noise);

/*
 * Whether the "changed since last week" section lists item i's own state (k == 0)
 * or its driver k - 1's: an item's when its own series is (or was) the alarm, a
 * driver's once, under the first item that names it; ongoing states are counted,
 * not listed.
 */
int cw_ranking_change_listed(const cw_ranking *r, size_t i, size_t k);

/*
 * The state listed at (item i, k): k == 0 is the item's own, k >= 1 its driver k - 1
 * (*d set, else NULL); NULL when that state is not listed (cw_ranking_change_listed).
 */
const char *cw_ranking_listed_change(const cw_ranking *r, size_t i, size_t k,
                                     const cw_ranking_driver **d);

/* How many states the changes section lists, and how many items are ongoing. */
typedef struct cw_ranking_change_counts {
    size_t listed, ongoing;
} cw_ranking_change_counts;

cw_ranking_change_counts cw_ranking_count_changes(const cw_ranking *r);

/*
 * Whether no complaint is attributed to any item in the recent window (an empty source,
 * or a week before or after the data): the ranking is then all "insufficient", and the
 * reports say so instead of listing zeros.
 */
int cw_ranking_nothing_attributed(const cw_ranking *r);

/* Release everything r owns (r itself is caller storage); NULL is a no-op. */
void cw_ranking_fini(cw_ranking *r);

/*
 * An attributed count as text: "12", or "0.4" when it is not whole (a complaint split
 * over cause areas counts by its weight), so a small share never shows as 0; "-" when
 * unknown (NaN).
 */
void cw_ranking_format_count(char *buf, size_t size, double v);

/* strdup that sets err (71) on failure and treats NULL as "". */
int cw_ranking_strdup(char **out, const char *s, cw_error *err);

#endif
