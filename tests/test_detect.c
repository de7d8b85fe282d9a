/* test_detect.c - decline detection on simulated weekly series with known shape. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "causeway/analysis/detect.h"
#include "sim.h"

#define WEEKS 78

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

/* ---- priors: a sharper baseline level and dispersion ---------------------------- */

/* Counts of mean mu and variance phi x mu (Poisson when phi is 1). */
static double counts_draw(rng *r, double mu, double phi)
{
    if (phi <= 1)
        return poisson(r, mu);
    double shape = mu / (phi - 1);
    return poisson(r, gamma_draw(r, shape) * mu / shape);
}

static cw_signal detect_prior(const double *y, size_t n, const cw_detect_prior *prior)
{
    cw_detect_params p;
    cw_detect_params_default(&p);
    cw_signal s;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_detect_series_prior(&s, &p, y, NULL, n, 0, prior, &err), 0, "%s", err.message);
    cr_assert(isfinite(s.glr) && isfinite(s.baseline) && isfinite(s.dispersion));
    return s;
}

Test(detect, no_prior_is_the_plain_detector)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        double y[WEEKS];
        series(y, WEEKS, seed, seed * 4.0, 50, seed % 2 ? 1.03 : 1, 1);
        cw_signal plain = detect(y, NULL, WEEKS, 0), none = detect_prior(y, WEEKS, NULL);
        cr_assert(memcmp(&plain, &none, sizeof(plain)) == 0, "seed %llu differs",
                  (unsigned long long)seed);
    }
}

Test(detect, exact_prior_fixes_the_baseline_level)
{
    double y[WEEKS];
    series(y, WEEKS, 3, 20, WEEKS, 1, 1);
    cw_detect_prior prior = {.level = 25, .level_sd = 0};
    cr_assert_eq(detect_prior(y, WEEKS, &prior).baseline, 25);
}

Test(detect, prior_level_is_combined_with_the_own_by_precision)
{
    /* 26 baseline weeks of exactly 20 (dispersion 1); a prior of 10 whose sd makes it
     * worth phi / (sd^2 x 10) = 26 weeks: equal weights, the geometric mean. */
    double y[40];
    for (size_t t = 0; t < 40; t++)
        y[t] = 20;
    cw_detect_prior prior = {.level = 10, .level_sd = sqrt(1.0 / (26 * 10))};
    cw_signal s = detect_prior(y, 40, &prior);
    cr_assert(fabs(s.baseline - sqrt(200)) < 1e-9, "baseline %.6f, expected %.6f", s.baseline,
              sqrt(200));
    /* A vague prior moves it by a hair. */
    prior.level_sd = 50;
    s = detect_prior(y, 40, &prior);
    cr_assert(fabs(s.baseline - 20) < 1e-3, "baseline %.6f with a vague prior", s.baseline);
}

Test(detect, dispersion_prior_is_pooled_by_degrees_of_freedom)
{
    /* Constant weeks have no dispersion of their own (0 over 25 degrees of freedom);
     * a prior of 3 on 25 degrees of freedom makes it 1.5. */
    double y[40];
    for (size_t t = 0; t < 40; t++)
        y[t] = 20;
    cw_detect_prior prior = {.level = 0, .dispersion = 3, .dispersion_df = 25};
    cw_signal s = detect_prior(y, 40, &prior);
    cr_assert(fabs(s.dispersion - 1.5) < 1e-9, "dispersion %.6f", s.dispersion);
    cr_assert_eq(s.baseline, 20, "a dispersion prior alone moved the level to %.3f", s.baseline);
}

Test(detect, true_level_catches_small_drifts_sooner_without_false_alarms)
{
    /* 5 a week, +4 %/week from week 40: the first week flagged, with and without the
     * true level as an exact prior; and stable series stay quiet with it. */
    cw_detect_prior truth = {.level = 5, .level_sd = 0, .dispersion = 1, .dispersion_df = 1e6};
    int with = 0, without = 0, flagged = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        double y[WEEKS];
        series(y, WEEKS, seed + 500, 5, 40, 1.04, 1);
        int first[2] = {WEEKS, WEEKS};
        for (size_t n = 41; n <= WEEKS; n++)
            for (int k = 0; k < 2; k++)
                if (first[k] == WEEKS &&
                    detect_prior(y, n, k ? &truth : NULL).status != CW_TREND_STABLE)
                    first[k] = (int)n;
        without += first[0];
        with += first[1];
        double quiet[WEEKS];
        series(quiet, WEEKS, seed + 900, 5, WEEKS, 1, 1);
        flagged += detect_prior(quiet, WEEKS, &truth).status != CW_TREND_STABLE;
    }
    cr_assert_lt(with, without, "total weeks to flag: %d with the true level, %d without", with,
                 without);
    cr_assert_leq(flagged, 1, "%d of 20 stable series flagged with the true level", flagged);
}

Test(detect, rejects_invalid_priors)
{
    double y[WEEKS];
    series(y, WEEKS, 1, 20, WEEKS, 1, 1);
    cw_detect_params p;
    cw_detect_params_default(&p);
    const cw_detect_prior bad[] = {{.level = -1},
                                   {.level = NAN},
                                   {.level = 5, .level_sd = -0.1},
                                   {.level = 5, .level_sd = INFINITY},
                                   {.level = 5, .dispersion = 0.5},
                                   {.level = 5, .dispersion = 2, .dispersion_df = -1}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cw_signal s;
        cw_error err;
        cw_error_clear(&err);
        cr_assert_eq(cw_detect_series_prior(&s, &p, y, NULL, WEEKS, 0, &bad[i], &err), -1,
                     "prior %zu accepted", i);
        cr_assert_eq(err.code, CW_EXIT_SOFTWARE);
    }
}

/* A rows x cols family of `weeks` weeks in storage of the caller. */
typedef struct family {
    size_t rows, cols, weeks;
    double y[64][60], e[64][60];
    const double *cells[64], *exposure[64];
} family;

static cw_detect_siblings siblings_of(family *f, bool with_exposure)
{
    for (size_t c = 0; c < f->rows * f->cols; c++) {
        f->cells[c] = f->y[c];
        f->exposure[c] = f->e[c];
    }
    return (cw_detect_siblings){.rows = f->rows,
                                .cols = f->cols,
                                .n = f->weeks,
                                .counts = f->cells,
                                .exposure = with_exposure ? f->exposure : NULL,
                                .from = 0,
                                .to = f->weeks};
}

static void estimate_priors(cw_detect_prior *out, const cw_detect_siblings *s)
{
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_detect_estimate_priors(out, s, &err), 0, "%s", err.message);
}

/* Every prior level within 1e-6 (relative) of row[i] x col[j]. */
static void assert_levels(const cw_detect_prior *pr, const double *row, const double *col,
                          size_t rows, size_t cols)
{
    for (size_t c = 0; c < rows * cols; c++) {
        double truth = row[c / cols] * col[c % cols];
        cr_assert(fabs(pr[c].level / truth - 1) < 1e-6, "cell %zu: %.6f, truth %.6f", c,
                  pr[c].level, truth);
    }
}

/* Constant weekly counts rows[i] x cols[j] (x factor at one cell). */
static void multiplicative(family *f, const double *row, const double *col, size_t odd,
                           double factor)
{
    for (size_t i = 0; i < f->rows; i++)
        for (size_t j = 0; j < f->cols; j++)
            for (size_t t = 0; t < f->weeks; t++) {
                size_t c = i * f->cols + j;
                f->y[c][t] = row[i] * col[j] * (c == odd ? factor : 1);
                f->e[c][t] = 1;
            }
}

Test(detect, siblings_recover_an_exact_multiplicative_family)
{
    static family f = {.rows = 3, .cols = 4, .weeks = 26};
    const double row[] = {1, 2, 0.5}, col[] = {10, 4, 30, 7};
    multiplicative(&f, row, col, 99, 1);
    cw_detect_siblings s = siblings_of(&f, false);
    cw_detect_prior pr[12];
    estimate_priors(pr, &s);
    assert_levels(pr, row, col, 3, 4);
    for (size_t c = 0; c < 12; c++) {
        /* No interactions: only the siblings' own sampling noise, a few per cent. */
        cr_assert(pr[c].level_sd > 0 && pr[c].level_sd < 0.1, "cell %zu: sd %.4f", c,
                  pr[c].level_sd);
        /* Constant weeks are not over-dispersed. */
        cr_assert_eq(pr[c].dispersion, 1);
    }
}

Test(detect, a_series_unlike_its_siblings_keeps_the_structural_prior)
{
    static family f = {.rows = 3, .cols = 4, .weeks = 26};
    const double row[] = {1, 2, 0.5}, col[] = {10, 4, 30, 7};
    cw_detect_prior exact[12], odd[12];
    multiplicative(&f, row, col, 99, 1);
    cw_detect_siblings s = siblings_of(&f, false);
    estimate_priors(exact, &s);
    /* Cell (1, 2) is three times what the structure says: its prior is still the
     * structure's (its own weeks are left out), and the family is seen to be
     * less multiplicative, so every prior is less sure. */
    multiplicative(&f, row, col, 6, 3);
    estimate_priors(odd, &s);
    cr_assert(fabs(odd[6].level / 60 - 1) < 1e-6, "prior of the odd cell %.4f, structure 60",
              odd[6].level);
    for (size_t c = 0; c < 12; c++)
        cr_assert_gt(odd[c].level_sd, exact[c].level_sd, "cell %zu", c);
    cr_assert_gt(odd[0].level_sd, 0.2, "interaction sd %.3f after a x3 cell", odd[0].level_sd);
}

Test(detect, one_way_siblings_share_one_rate)
{
    /* One symptom at five sites with their orders as exposure: each site's prior rate
     * is the other sites' complaints over their orders. */
    static family f = {.rows = 1, .cols = 5, .weeks = 20};
    const double orders[] = {100, 200, 400, 50, 250}, complaints[] = {2, 5, 7, 1, 6};
    double y_all = 0, e_all = 0;
    for (size_t j = 0; j < 5; j++) {
        for (size_t t = 0; t < 20; t++) {
            f.y[j][t] = complaints[j];
            f.e[j][t] = orders[j];
        }
        y_all += 20 * complaints[j];
        e_all += 20 * orders[j];
    }
    cw_detect_siblings s = siblings_of(&f, true);
    cw_detect_prior pr[5];
    estimate_priors(pr, &s);
    for (size_t j = 0; j < 5; j++) {
        double expect = (y_all - 20 * complaints[j]) / (e_all - 20 * orders[j]);
        cr_assert(fabs(pr[j].level - expect) < 1e-12, "site %zu: %.6f, expected %.6f", j,
                  pr[j].level, expect);
    }
}

Test(detect, sibling_priors_are_rates_per_exposure)
{
    /* Rates 0.01 x site x symptom per order; every series with its own orders. */
    static family f = {.rows = 2, .cols = 3, .weeks = 30};
    const double row[] = {1, 1.5}, col[] = {0.01, 0.03, 0.02};
    for (size_t c = 0; c < 6; c++)
        for (size_t t = 0; t < 30; t++) {
            f.e[c][t] = 500 + 100.0 * (double)((t * 7 + c * 3) % 5);
            f.y[c][t] = row[c / 3] * col[c % 3] * f.e[c][t];
        }
    cw_detect_siblings s = siblings_of(&f, true);
    cw_detect_prior pr[6];
    estimate_priors(pr, &s);
    assert_levels(pr, row, col, 2, 3);
}

/* Negative binomial family: levels mu x exp(structure), dispersion phi[c]. */
static void noisy_family(family *f, rng *r, double mu, double sigma, const double *phi)
{
    double row[8], col[8];
    for (size_t i = 0; i < f->rows; i++)
        row[i] = exp(0.3 * normal(r));
    for (size_t j = 0; j < f->cols; j++)
        col[j] = exp(0.5 * normal(r));
    for (size_t c = 0; c < f->rows * f->cols; c++) {
        double level = mu * row[c / f->cols] * col[c % f->cols] * exp(sigma * normal(r));
        f->e[c][0] = level; /* the truth, kept for the test */
        for (size_t t = 0; t < f->weeks; t++)
            f->y[c][t] = counts_draw(r, level, phi[c]);
    }
}

Test(detect, sibling_level_intervals_cover_the_truth)
{
    /* 2 sd either side of the prior level should hold the true level about 95 % of the
     * time, with interactions of sd 0.2 the estimator has to find. */
    static family f = {.rows = 4, .cols = 8, .weeks = 26};
    double phi[32];
    for (size_t c = 0; c < 32; c++)
        phi[c] = 2;
    rng r = {.s = 41};
    int inside = 0, total = 0;
    for (int k = 0; k < 25; k++) {
        noisy_family(&f, &r, 20, 0.2, phi);
        double truth[32];
        for (size_t c = 0; c < 32; c++)
            truth[c] = f.e[c][0];
        cw_detect_siblings s = siblings_of(&f, false);
        cw_detect_prior pr[32];
        estimate_priors(pr, &s);
        for (size_t c = 0; c < 32; c++, total++)
            inside += fabs(log(pr[c].level / truth[c])) <= 2 * pr[c].level_sd;
    }
    double share = (double)inside / total;
    cr_assert(share > 0.88 && share < 0.995, "%.1f %% of the true levels inside 2 sd", 100 * share);
}

Test(detect, sibling_dispersion_weighs_what_the_family_agrees_on)
{
    static family f = {.rows = 4, .cols = 6, .weeks = 26};
    double same[24], mixed[24];
    for (size_t c = 0; c < 24; c++) {
        same[c] = 2;
        mixed[c] = c % 2 ? 4 : 1;
    }
    rng r = {.s = 7};
    noisy_family(&f, &r, 20, 0.1, same);
    cw_detect_siblings s = siblings_of(&f, false);
    cw_detect_prior alike[24], unlike[24];
    estimate_priors(alike, &s);
    noisy_family(&f, &r, 20, 0.1, mixed);
    estimate_priors(unlike, &s);
    cr_assert(alike[0].dispersion > 1.6 && alike[0].dispersion < 2.5, "dispersion %.2f, truth 2",
              alike[0].dispersion);
    /* Worth several times the series' own 25 degrees of freedom, short of all 23 x 25
     * (the family's spread, beyond its noise, is itself estimated). */
    cr_assert(alike[0].dispersion_df > 2 * 25 && alike[0].dispersion_df <= 23 * 25,
              "%.0f df from 23 alike siblings", alike[0].dispersion_df);
    cr_assert_lt(unlike[0].dispersion_df, 25,
                 "%.0f df from siblings of dispersion 1 and 4: more than the series' own",
                 unlike[0].dispersion_df);
}

Test(detect, siblings_without_complaints_give_no_level)
{
    static family f = {.rows = 2, .cols = 2, .weeks = 26};
    const double row[] = {1, 1}, col[] = {0, 0};
    multiplicative(&f, row, col, 99, 1);
    for (size_t t = 0; t < 26; t++)
        f.y[0][t] = 3;
    cw_detect_siblings s = siblings_of(&f, false);
    cw_detect_prior pr[4];
    estimate_priors(pr, &s);
    cr_assert_eq(pr[0].level, 0, "level %.3f from empty siblings", pr[0].level);
    /* ... and such a prior is accepted as "no level prior". */
    double y[WEEKS];
    series(y, WEEKS, 2, 3, WEEKS, 1, 1);
    cr_assert_eq(detect_prior(y, WEEKS, &pr[0]).status, CW_TREND_STABLE);
}

Test(detect, rejects_invalid_sibling_families)
{
    static family f = {.rows = 2, .cols = 2, .weeks = 26};
    const double row[] = {1, 2}, col[] = {3, 4};
    multiplicative(&f, row, col, 99, 1);
    cw_detect_prior pr[4];
    cw_detect_siblings good = siblings_of(&f, false), bad[5];
    for (int k = 0; k < 5; k++)
        bad[k] = good;
    bad[0].rows = 1, bad[0].cols = 1; /* one series has no siblings */
    bad[1].to = 27;                   /* past the end */
    bad[2].from = 25;                 /* a single week */
    const double *missing[4] = {f.y[0], NULL, f.y[2], f.y[3]};
    bad[3].counts = missing;
    bad[4].exposure = missing;
    for (int k = 0; k < 5; k++) {
        cw_error err;
        cw_error_clear(&err);
        cr_assert_eq(cw_detect_estimate_priors(pr, &bad[k], &err), -1, "family %d accepted", k);
        cr_assert_eq(err.code, CW_EXIT_SOFTWARE);
    }
    f.y[3][5] = NAN;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_detect_estimate_priors(pr, &good, &err), -1);
    cr_assert(strstr(err.message, "week 5") != NULL, "%s", err.message);
}
