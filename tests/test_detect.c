/* test_detect.c - decline detection on simulated weekly series with known shape. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "causeway/detect.h"

#define WEEKS 78

typedef struct rng {
    uint64_t s;
} rng;

static double uniform(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* Poisson by inversion: exact, fine for the means used here. */
static double poisson(rng *r, double mu)
{
    double u = uniform(r), p = exp(-mu), cdf = p;
    int k = 0;
    while (u > cdf && k < 10000) {
        k++;
        p *= mu / k;
        cdf += p;
    }
    return k;
}

/* mu per week; from `onset` on multiplied by growth^(t - onset + 1) and by `step`. */
static void series(double *y, size_t n, uint64_t seed, double mu, size_t onset, double growth,
                   double step)
{
    rng r = {.s = seed};
    for (size_t t = 0; t < n; t++) {
        double m = mu;
        if (t >= onset)
            m = mu * step * pow(growth, (double)(t - onset + 1));
        y[t] = poisson(&r, m);
    }
}

static cw_signal detect(const double *y, const double *exposure, size_t n, size_t start)
{
    cw_detect_params p;
    cw_detect_params_default(&p);
    cw_signal s;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_detect_series(&s, &p, y, exposure, n, start, &err), 0, "%s", err.message);
    cr_assert(isfinite(s.strength) && isfinite(s.baseline) && isfinite(s.slope_pct));
    return s;
}

Test(detect, stable_series_are_not_flagged)
{
    const double means[] = {5, 20, 80};
    int flagged = 0;
    for (size_t m = 0; m < 3; m++)
        for (uint64_t seed = 1; seed <= 40; seed++) {
            double y[WEEKS];
            series(y, WEEKS, seed * 7 + m, means[m], WEEKS, 1, 1);
            cw_signal s = detect(y, NULL, WEEKS, 0);
            flagged += s.status != CW_TREND_STABLE;
        }
    /* 120 series at ~0.1-0.3 % per week: a flag or two at most, not noise. */
    cr_assert_leq(flagged, 2, "%d of 120 stable series flagged", flagged);
}

Test(detect, slow_drift_is_a_drift_with_its_onset_and_slope)
{
    int drifts = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        double y[WEEKS];
        size_t onset = 40;
        series(y, WEEKS, seed, 20, onset, 1.03, 1);
        cw_signal s = detect(y, NULL, WEEKS, 0);
        if (s.status != CW_TREND_DRIFT)
            continue;
        drifts++;
        cr_assert_leq(labs(s.since - (long)onset), 10, "onset %ld, truth %zu", s.since, onset);
        cr_assert(s.slope_pct > 1 && s.slope_pct < 6, "slope %.2f %%/week, truth 3", s.slope_pct);
    }
    cr_assert_geq(drifts, 8, "only %d of 10 drifts called drift", drifts);
}

Test(detect, step_is_a_shift)
{
    int shifts = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        double y[WEEKS];
        series(y, WEEKS, seed + 100, 20, 60, 1, 1.8);
        cw_signal s = detect(y, NULL, WEEKS, 0);
        shifts += s.status == CW_TREND_SHIFT && labs(s.since - 60) <= 3;
    }
    cr_assert_geq(shifts, 8, "only %d of 10 steps called shift at their onset", shifts);
}

Test(detect, one_bad_week_is_a_spike_then_goes_away)
{
    double y[WEEKS];
    series(y, WEEKS, 5, 20, WEEKS, 1, 1);
    y[WEEKS - 1] = 80;
    cw_signal now = detect(y, NULL, WEEKS, 0);
    cr_assert_eq(now.status, CW_TREND_SPIKE, "status %s", cw_trend_name(now.status));
    cr_assert_eq(now.since, WEEKS - 1);
    /* Ten weeks later the spike is history, not a shift. */
    double later[WEEKS];
    series(later, WEEKS, 5, 20, WEEKS, 1, 1);
    later[WEEKS - 11] = 80;
    cw_signal then = detect(later, NULL, WEEKS, 0);
    cr_assert_eq(then.status, CW_TREND_STABLE, "status %s", cw_trend_name(then.status));
}

Test(detect, frozen_baseline_does_not_absorb_a_long_drift)
{
    /* 26 baseline weeks then 52 weeks of +2 %/week: a moving average would follow it. */
    double y[WEEKS];
    series(y, WEEKS, 9, 20, 26, 1.02, 1);
    cw_signal s = detect(y, NULL, WEEKS, 0);
    cr_assert_eq(s.status, CW_TREND_DRIFT, "status %s", cw_trend_name(s.status));
    cr_assert(fabs(s.baseline - 20) < 4, "baseline %.1f chased the data", s.baseline);
}

Test(detect, a_remediation_resets_the_baseline)
{
    /* A step at week 30; the remediation recorded at week 31 makes the new level the norm. */
    double y[WEEKS];
    series(y, WEEKS, 11, 20, 30, 1, 1.8);
    cr_assert_eq(detect(y, NULL, WEEKS, 0).status, CW_TREND_SHIFT);
    cw_signal after = detect(y, NULL, WEEKS, 31);
    cr_assert_eq(after.status, CW_TREND_STABLE, "status %s", cw_trend_name(after.status));
    cr_assert(after.baseline > 30, "baseline %.1f", after.baseline);
}

Test(detect, exposure_turns_counts_into_rates)
{
    /* Orders double from week 50 and complaints with them: the rate is unchanged. */
    double y[WEEKS], orders[WEEKS];
    rng r = {.s = 77};
    for (size_t t = 0; t < WEEKS; t++) {
        orders[t] = t >= 50 ? 2000 : 1000;
        y[t] = poisson(&r, orders[t] / 50);
    }
    cr_assert_eq(detect(y, NULL, WEEKS, 0).status, CW_TREND_SHIFT, "counts alone rose");
    cw_signal s = detect(y, orders, WEEKS, 0);
    cr_assert_eq(s.status, CW_TREND_STABLE, "status %s with exposure", cw_trend_name(s.status));
    cr_assert(fabs(s.baseline - 0.02) < 0.005, "baseline rate %.4f", s.baseline);
}

Test(detect, short_series_are_insufficient)
{
    double y[6] = {3, 4, 2, 5, 3, 9};
    cw_signal s = detect(y, NULL, 6, 0);
    cr_assert_eq(s.status, CW_TREND_INSUFFICIENT);
    cr_assert_eq(s.since, -1);
    cr_assert_eq(detect(y, NULL, 0, 0).status, CW_TREND_INSUFFICIENT);
}

Test(detect, all_zero_series_are_stable)
{
    double y[WEEKS];
    memset(y, 0, sizeof(y));
    cw_signal s = detect(y, NULL, WEEKS, 0);
    cr_assert_eq(s.status, CW_TREND_STABLE, "status %s", cw_trend_name(s.status));
}

Test(detect, rejects_negative_and_non_finite_counts)
{
    cw_detect_params p;
    cw_detect_params_default(&p);
    double y[WEEKS];
    memset(y, 0, sizeof(y));
    y[3] = -1;
    cw_signal s;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_detect_series(&s, &p, y, NULL, WEEKS, 0, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_SOFTWARE);
    y[3] = NAN;
    cw_error_clear(&err);
    cr_assert_eq(cw_detect_series(&s, &p, y, NULL, WEEKS, 0, &err), -1);
}

Test(detect, names)
{
    cr_assert_str_eq(cw_trend_name(CW_TREND_DRIFT), "drift");
    cr_assert_str_eq(cw_trend_name(CW_TREND_INSUFFICIENT), "insufficient");
}

Test(detect, report_limits_grow_with_the_number_of_series)
{
    cw_detect_params base, small, mid, large;
    cw_detect_params_default(&base);
    cw_detect_params_family(&small, &base, 40, CW_DETECT_ALARMS_PER_REPORT);
    cw_detect_params_family(&mid, &base, 200, CW_DETECT_ALARMS_PER_REPORT);
    cw_detect_params_family(&large, &base, 2000, CW_DETECT_ALARMS_PER_REPORT);
    /* A small report keeps the per-series limits: they are stricter than its share. */
    cr_assert_float_eq(small.glr_limit, base.glr_limit, 1e-12);
    cr_assert_float_eq(small.spike_limit, base.spike_limit, 1e-12);
    cr_assert(mid.glr_limit >= base.glr_limit && large.glr_limit > mid.glr_limit);
    cr_assert(large.spike_limit > base.spike_limit);
    cr_assert_eq(large.baseline_weeks, base.baseline_weeks, "only the limits change");
    /* Each limit is where the measured null tail falls to its half of 0.5 / 2,000. */
    cr_assert_float_eq(cw_detect_null_limit(0.5 / 2000 / 2, 0), large.glr_limit, 1e-12);
    cr_assert(cw_detect_null_limit(1.25e-4, 0) > 15 && cw_detect_null_limit(1.25e-4, 0) < 17);
    cr_assert(cw_detect_null_limit(1.25e-4, 1) > 4 && cw_detect_null_limit(1.25e-4, 1) < 4.5);
    /* Monotone, and beyond the measured points it extrapolates instead of stopping. */
    cr_assert(cw_detect_null_limit(1e-7, 0) > cw_detect_null_limit(1e-5, 0));
    cr_assert(cw_detect_null_limit(1e-7, 1) > cw_detect_null_limit(1e-5, 1));
    cw_detect_params none;
    cw_detect_params_family(&none, &base, 0, CW_DETECT_ALARMS_PER_REPORT);
    cr_assert_float_eq(none.glr_limit, base.glr_limit, 1e-12);
}

/* On stable Poisson series the family limits of 2,000 series flag fewer than the
 * per-series limits do (the whole calibration is measured in make bench-detect). */
Test(detect, family_limits_flag_less_on_stable_series)
{
    cw_detect_params p, fam;
    cw_detect_params_default(&p);
    cw_detect_params_family(&fam, &p, 2000, CW_DETECT_ALARMS_PER_REPORT);
    rng r = {.s = 7};
    unsigned per_series = 0, family = 0;
    double y[96];
    for (int s = 0; s < 300; s++) {
        for (int t = 0; t < 96; t++)
            y[t] = poisson(&r, 20);
        for (size_t n = 60; n <= 96; n += 4) {
            cw_signal g;
            cw_error err;
            cw_error_clear(&err);
            cr_assert_eq(cw_detect_series(&g, &p, y, NULL, n, 0, &err), 0);
            per_series += g.glr > p.glr_limit || g.spike_score > p.spike_limit;
            family += g.glr > fam.glr_limit || g.spike_score > fam.spike_limit;
        }
    }
    cr_assert_leq(family, per_series);
    cr_assert_leq(family, 2, "%u family alarms in 3,000 stable series-weeks", family);
}
