/*
 * detect.h - slow-decline detection on one weekly count series.
 *
 * The baseline is FROZEN: level and over-dispersion are estimated once over
 * the baseline window [baseline_start, baseline_start + baseline_weeks) and
 * never updated from later weeks, so a slow rise cannot be absorbed the way a
 * moving average absorbs it. Weeks after the window are monitored. Counts are
 * treated as quasi-Poisson: variance = phi x mean, phi estimated from the
 * baseline (at least 1). With exposure, the baseline is a rate and each week's
 * expectation is rate x that week's exposure.
 *
 * Evaluated at the LAST week of the series (the target week):
 *   drift or shift  a sustained rise or a persistent step. For each candidate
 *          start tau, the efficient score of a log-linear ramp from tau in
 *          variance-stabilised (Anscombe) residuals 2 (sqrt(y + 3/8) -
 *          sqrt(m + 3/8)) against one flat level since baseline_start (a
 *          test of shape, so a rise is not absorbed either), scaled by phi
 *          from the weeks before tau (baseline and quiet monitored weeks),
 *          becomes a Bayes factor under a normal prior of sd 5 %/week on the
 *          growth; the factors are summed over tau and `glr` is twice the
 *          log of the sum. A step is a steep ramp and signals the same way.
 *          The shape comes from the episode after the best step's start
 *          (the step's GLR against the pre-episode level): still rising
 *          (score test of a within-episode trend, z > 2) is a drift, flat
 *          is a shift;
 *   spike  only the last week stands out: its variance-stabilised score
 *          2 (sqrt(y + 3/8) - sqrt(mu + 3/8)) / sqrt(phi) above a limit, while
 *          no sustained rise is signalled.
 * A lone wild week (above mu + 4 sd, neighbours below mu + 2 sd) is capped at
 * mu + 4 sd for the drift and shift evidence, so one wild week
 * is a spike, not a shift. Episodes are searched within the last
 * `max_episode_weeks` weeks and must span at least 3 weeks.
 *
 * Thresholds are calibrated by `make bench-detect` to a false-alarm rate of
 * about 0.2 % per series-week on stable Poisson and over-dispersed series
 * (see BENCHMARKS.md): on a report of 50 series, one false flag every ten
 * weeks or so.
 */
#ifndef CAUSEWAY_DETECT_H
#define CAUSEWAY_DETECT_H

#include <stddef.h>

#include "causeway/error.h"

typedef enum cw_trend {
    CW_TREND_STABLE = 0,
    CW_TREND_DRIFT,
    CW_TREND_SHIFT,
    CW_TREND_SPIKE,
    CW_TREND_INSUFFICIENT
} cw_trend;

typedef struct cw_detect_params {
    unsigned baseline_weeks;     /* frozen baseline window, default 26 */
    unsigned min_baseline_weeks; /* fewer baseline weeks: insufficient, default 8 */
    unsigned max_episode_weeks;  /* how far back an episode may start, default 52 */
    double glr_limit;            /* drift/shift alarm when `glr` exceeds it */
    double spike_limit;          /* spike alarm when the last week's score exceeds it */
} cw_detect_params;

/* Fill p with the calibrated defaults. */
void cw_detect_params_default(cw_detect_params *p);

/* Expected false alarms per weekly report on stable data that a run allows (issue 13). */
#define CW_DETECT_ALARMS_PER_REPORT 0.5

/*
 * Report-level (family-wise) limits: the per-series limits for a week in which
 * n_series series are tested together, so that the EXPECTED NUMBER of false
 * alarms in the whole report stays at or below `alarms_per_report` on stable
 * data, whatever the dependence between the series (they are nested: a
 * symptom x site is part of its symptom and of its area). Bonferroni on the
 * expected count: each series gets alarms_per_report / n_series, split evenly
 * between the GLR and the spike score, and each limit is read off the null
 * tail measured by `make bench-detect` (the worst stratum from 1 to 80 a week,
 * dispersion 1 and 2; the table is in detect.c, in one place, to be refitted
 * when the estimator changes). Limits never fall below base's: a small report
 * keeps the per-series limits. *out is base with the two limits replaced.
 */
void cw_detect_params_family(cw_detect_params *out, const cw_detect_params *base, size_t n_series,
                             double alarms_per_report);

/*
 * The limit at which a statistic's worst-stratum null rate per series-week is
 * `rate` (log-linear between the measured points, the last segment's slope
 * beyond them). spike: the spike score; otherwise the GLR. For bench-detect.
 */
double cw_detect_null_limit(double rate, int spike);

typedef struct cw_signal {
    cw_trend status;    /* at the last week of the series */
    long since;         /* index where the episode starts (estimated onset); -1 when stable */
    double slope_pct;   /* drift: growth in %/week; otherwise 0 */
    double step_pct;    /* shift: level change in %; otherwise 0 */
    double strength;    /* deciding statistic / its limit (>= 1 means signalled); 0 if none */
    double baseline;    /* baseline level: weekly count, or rate per unit of exposure */
    double dispersion;  /* phi, variance / mean of the baseline, at least 1 */
    double observed;    /* the last week's count (or rate) */
    double glr;         /* the drift/shift statistic, 2 log(ramp evidence) (for calibration) */
    double glr_drift;   /* the ramp's GLR at its most likely start (diagnostic) */
    double glr_shift;   /* the step's GLR (diagnostic) */
    double spike_score; /* the last week's variance-stabilised score (for calibration) */
} cw_signal;

/*
 * Detect decline in counts[0..n-1] (oldest first; the last is the target
 * week). exposure may be NULL (counts only) or per-week volumes (rates).
 * baseline_start is the index where the frozen baseline window begins (0, or
 * the week after a recorded remediation). Returns 0, or -1 with err (70) on
 * an invalid argument (negative or non-finite counts). Never NaN in *out.
 */
int cw_detect_series(cw_signal *out, const cw_detect_params *p, const double *counts,
                     const double *exposure, size_t n, size_t baseline_start, cw_error *err);

/* "stable", "drift", "shift", "spike", "insufficient". */
const char *cw_trend_name(cw_trend t);

#endif
