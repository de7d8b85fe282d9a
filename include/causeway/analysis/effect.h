/*
 * effect.h - did a fix work? The effect of one remediation on the weekly series it
 * targets: pure functions on arrays, no database (fixes.h feeds them).
 *
 * Weeks are indices into counts[0..n) (oldest first; the last is the week judged).
 * The fix started at index `start`; the first `settling_weeks` weeks after it are a
 * transition and belong to neither side:
 *   before  up to `before_weeks` weeks ending the week before `start`
 *   after   from start + settling_weeks to the last week (or the week the fix ended)
 * Each week t has a denominator d[t]: the configured exposure (so seasonality and
 * business volume cancel), or 1 (complaints a week).
 * Counts are quasi-Poisson, y[t] ~ rate x d[t] with variance phi x mean; phi (at
 * least 1) is the Pearson dispersion of both sides around their own rates.
 *
 *   change    rate after / rate before - 1, in %, with a 95 % interval from the
 *             log rate ratio (se = sqrt(phi (1/Ya + 1/Yb)), t quantile on the
 *             dispersion's degrees of freedom, half a complaint added to each side);
 *   test      one-sided score test of a step down: z = (Ya - N p0) / sqrt(phi N p0
 *             (1 - p0)), N = Ya + Yb, p0 = Da / (Da + Db). The verdict is re-read
 *             every week, so the limit is not 1.645 but `limit` (calibrated by
 *             `make bench-fixes` so that a fix without effect is called working in at
 *             most 5 % of series over a year of weekly looks; BENCHMARKS.md);
 *   verdict   working   z < -limit (after at least `min_after_weeks` weeks)
 *             worse     z > +limit
 *             no effect neither, and the data rule out the cut the fix was planned
 *                       for (its expected cut, else `planning_cut`): the change's
 *                       lower bound at the same limit lies above -cut
 *             not yet known  otherwise; `more_weeks` says how many more weeks at the
 *                       current weekly volume the data need to tell that cut from none
 *                       (-1: not at this volume, the before side is too small).
 *   declining again  the series rises again after the fix settled: cw_detect_series
 *             on the after weeks against their own first `rebound_baseline_weeks`
 *             weeks (frozen) signals a drift or shift.
 */
#ifndef CAUSEWAY_EFFECT_H
#define CAUSEWAY_EFFECT_H

#include <stdbool.h>
#include <stddef.h>

#include "causeway/analysis/detect.h"
#include "causeway/util/error.h"

typedef enum cw_effect_verdict {
    CW_EFFECT_UNKNOWN = 0, /* not yet known */
    CW_EFFECT_WORKING,
    CW_EFFECT_NO_EFFECT,
    CW_EFFECT_WORSE,
} cw_effect_verdict;

typedef struct cw_effect_params {
    unsigned before_weeks;           /* default 26, the frozen baseline window */
    unsigned settling_weeks;         /* default 2 */
    unsigned min_after_weeks;        /* fewer after weeks: not yet known; default 3 */
    double limit;                    /* one-sided z limit of the weekly test */
    double planning_cut;             /* % cut to plan for without an expected cut; 25 */
    unsigned rebound_baseline_weeks; /* default 13 */
    cw_detect_params detect;         /* the detector for "declining again" */
} cw_effect_params;

/* Fill p with the calibrated defaults. */
void cw_effect_params_default(cw_effect_params *p);

typedef struct cw_effect {
    cw_effect_verdict verdict;
    size_t before_from, before_weeks; /* indices of the before side */
    size_t after_from, after_weeks;   /* after_weeks 0: nothing after settling yet */
    double before_level;              /* complaints a week, or per 1,000 exposure; NaN */
    double after_level;               /* NaN when after_weeks is 0 */
    double change_pct;                /* NaN when either side is missing */
    double change_low, change_high;   /* 95 % interval of change_pct; NaN as above */
    double z;                         /* the score test statistic; 0 when not computed */
    double dispersion;                /* phi, at least 1 */
    double cut_judged;                /* the cut (%) the verdict and more_weeks plan for */
    int expected_reached;             /* -1 not judged (no expected cut or not yet known),
                                         0 no, 1 yes (working with the cut reached) */
    long needed_weeks;                /* after weeks needed at the current volume; -1 never */
    long more_weeks;                  /* needed_weeks - after_weeks, at least 0; -1 never */
    bool declining_again;
    cw_trend rebound;   /* the detector's status on the after weeks */
    long rebound_since; /* index of its onset in counts; -1 */
} cw_effect;

/*
 * Judge the fix that started at counts index `start` on counts[0..n) with
 * denominators d (NULL: 1 a week). `per_exposure` only changes the unit of the
 * levels (per 1,000 of d instead of per week). expected_cut is the % cut the fix was
 * recorded with, or NaN. Returns 0 (*out filled, never NaN where a number is
 * promised), or -1 with err (70) on invalid arguments (start >= n, negative or
 * non-finite counts) or 71.
 */
int cw_effect_assess(cw_effect *out, const cw_effect_params *p, const double *counts,
                     const double *d, bool per_exposure, size_t n, size_t start,
                     double expected_cut, cw_error *err);

/* "working", "not yet known", "no effect", "worse". */
const char *cw_effect_verdict_name(cw_effect_verdict v);

/* The stored id of a verdict ("working", "unknown", "no_effect", "worse"), and back (-1). */
const char *cw_effect_verdict_id(cw_effect_verdict v);
int cw_effect_verdict_parse(const char *id);

#endif
