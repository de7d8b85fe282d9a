/*
 * test_effect.c - the verdict on a fix (effect.h) on hand-made weekly series: a
 * real cut is working, no change is no effect once the data can tell, a rise is
 * worse, too little data is not yet known with the weeks still needed, and the
 * denominator takes volume changes out.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "causeway/analysis/effect.h"

#define N 60

/* Weekly counts around `level` with a small fixed wobble (+-10 %), so phi is near 1. */
static void fill(double *y, size_t from, size_t to, double level)
{
    static const double wobble[] = {1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 0.92, 1.08};
    for (size_t t = from; t < to; t++)
        y[t] = round(level * wobble[t % 8]);
}

static cw_effect assess(const double *y, const double *d, size_t n, size_t start, double expected)
{
    cw_effect_params p;
    cw_effect_params_default(&p);
    cw_effect e;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_effect_assess(&e, &p, y, d, false, n, start, expected, &err), 0, "%s",
                 err.message);
    return e;
}

Test(effect, a_halving_is_working_with_an_interval_around_it)
{
    double y[N];
    fill(y, 0, 30, 40);
    fill(y, 30, N, 20);
    cw_effect e = assess(y, NULL, N, 30, NAN);
    cr_assert_eq(e.verdict, CW_EFFECT_WORKING);
    cr_assert_eq(e.before_weeks, 26);
    cr_assert_eq(e.before_from, 4);
    cr_assert_eq(e.after_from, 32, "the two settling weeks belong to neither side");
    cr_assert_eq(e.after_weeks, N - 32);
    cr_assert_float_eq(e.change_pct, -50, 2);
    cr_assert(e.change_low < -50 && e.change_high > -50, "[%g, %g]", e.change_low, e.change_high);
    cr_assert(e.change_high < 0);
    cr_assert_lt(e.z, -2.5);
    cr_assert_float_eq(e.before_level, 40, 1.5);
    cr_assert_float_eq(e.after_level, 20, 1);
    cr_assert_eq(e.more_weeks, 0);
    cr_assert_not(e.declining_again);
}

Test(effect, no_change_is_no_effect_once_the_planned_cut_is_ruled_out)
{
    double y[N];
    fill(y, 0, N, 40);
    cw_effect e = assess(y, NULL, N, 30, NAN);
    cr_assert_eq(e.verdict, CW_EFFECT_NO_EFFECT);
    cr_assert_float_eq(e.cut_judged, 25, 1e-9, "the built-in planning cut");
    cr_assert(e.change_low < 0 && e.change_high > 0, "[%g, %g]", e.change_low, e.change_high);
    cr_assert_gt(e.change_low, -25);
    cr_assert_eq(e.expected_reached, -1, "no expected cut was given");
}

Test(effect, a_rise_after_the_start_is_worse)
{
    double y[N];
    fill(y, 0, 30, 30);
    fill(y, 30, N, 45);
    cw_effect e = assess(y, NULL, N, 30, 20);
    cr_assert_eq(e.verdict, CW_EFFECT_WORSE);
    cr_assert_gt(e.change_low, 0);
    cr_assert_eq(e.expected_reached, 0);
}

Test(effect, the_expected_cut_is_reached_or_not)
{
    double y[N];
    fill(y, 0, 30, 40);
    fill(y, 30, N, 20);
    cr_assert_eq(assess(y, NULL, N, 30, 30).expected_reached, 1);
    cw_effect e = assess(y, NULL, N, 30, 70);
    cr_assert_eq(e.verdict, CW_EFFECT_WORKING, "a cut short of the expectation still works");
    cr_assert_eq(e.expected_reached, 0);
    cr_assert_float_eq(e.cut_judged, 70, 1e-9);
}

Test(effect, too_few_weeks_after_is_not_yet_known_with_the_weeks_still_needed)
{
    double y[N];
    fill(y, 0, 30, 10);
    fill(y, 30, 33, 10);
    /* 26 before, 2 settling, 1 after: below the 3 after weeks a verdict needs. */
    cw_effect e = assess(y, NULL, 33, 30, NAN);
    cr_assert_eq(e.verdict, CW_EFFECT_UNKNOWN);
    cr_assert_eq(e.after_weeks, 1);
    cr_assert_gt(e.needed_weeks, 3);
    cr_assert_eq(e.more_weeks, e.needed_weeks - 1);
    /* With those weeks (and no change) the verdict comes. */
    fill(y, 33, N, 10);
    size_t n = 32 + (size_t)e.needed_weeks + 1;
    cr_assert_leq(n, N);
    cw_effect later = assess(y, NULL, n, 30, NAN);
    cr_assert_neq(later.verdict, CW_EFFECT_UNKNOWN, "still unknown after the needed weeks");
}

Test(effect, a_series_too_small_to_tell_is_never_known_at_this_volume)
{
    double y[N];
    for (size_t t = 0; t < N; t++)
        y[t] = t % 4 == 0; /* one complaint every four weeks */
    cw_effect e = assess(y, NULL, N, 30, NAN);
    cr_assert_eq(e.verdict, CW_EFFECT_UNKNOWN);
    cr_assert_eq(e.needed_weeks, -1);
    cr_assert_eq(e.more_weeks, -1);
}

Test(effect, no_weeks_before_the_start_give_no_change)
{
    double y[N];
    fill(y, 0, N, 20);
    cw_effect e = assess(y, NULL, N, 0, NAN);
    cr_assert_eq(e.verdict, CW_EFFECT_UNKNOWN);
    cr_assert_eq(e.before_weeks, 0);
    cr_assert(isnan(e.change_pct) && isnan(e.before_level));
    cr_assert_eq(e.more_weeks, -1);
}

/* Business volume halves at the start and complaints with it: the fix did nothing. */
Test(effect, exposure_takes_a_fall_in_volume_out)
{
    double y[N], d[N];
    for (size_t t = 0; t < N; t++)
        d[t] = t < 30 ? 2000 : 1000;
    fill(y, 0, 30, 40);
    fill(y, 30, N, 20);
    cw_effect raw = assess(y, NULL, N, 30, NAN);
    cw_effect adjusted = assess(y, d, N, 30, NAN);
    cr_assert_eq(raw.verdict, CW_EFFECT_WORKING, "counts alone fall");
    cr_assert_eq(adjusted.verdict, CW_EFFECT_NO_EFFECT);
    cr_assert_float_eq(adjusted.change_pct, 0, 3);
    cr_assert_float_eq(adjusted.before_level, 40, 1.5, "levels stay complaints a week");
}

Test(effect, per_exposure_levels_are_per_thousand)
{
    double y[N], d[N];
    for (size_t t = 0; t < N; t++) {
        d[t] = 4000;
        y[t] = t < 30 ? 40 : 20;
    }
    cw_effect_params p;
    cw_effect_params_default(&p);
    cw_effect e;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_effect_assess(&e, &p, y, d, true, N, 30, NAN, &err), 0);
    cr_assert_float_eq(e.before_level, 10, 1e-9);
    cr_assert_float_eq(e.after_level, 5, 1e-9);
}

Test(effect, a_rise_after_the_fix_settled_is_declining_again)
{
    double y[N];
    fill(y, 0, 20, 40);
    fill(y, 20, N, 20);
    for (size_t t = 38; t < N; t++) /* +8 % a week from 16 weeks after the start */
        y[t] = round(20 * pow(1.08, (double)(t - 37)));
    cw_effect e = assess(y, NULL, N, 20, NAN);
    cr_assert(e.declining_again, "rebound status %d", (int)e.rebound);
    cr_assert_geq(e.rebound_since, 22 + 13, "onset %ld is after the post-fix baseline",
                  e.rebound_since);
    cw_effect flat;
    fill(y, 20, N, 20);
    flat = assess(y, NULL, N, 20, NAN);
    cr_assert_not(flat.declining_again);
    cr_assert_eq(flat.rebound_since, -1);
}

Test(effect, invalid_input_is_an_internal_error)
{
    double y[4] = {1, 2, -1, 3};
    cw_effect_params p;
    cw_effect_params_default(&p);
    cw_effect e;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_effect_assess(&e, &p, y, NULL, false, 4, 1, NAN, &err), -1);
    cr_assert_eq(err.code, 70);
    cw_error_clear(&err);
    y[2] = 1;
    cr_assert_eq(cw_effect_assess(&e, &p, y, NULL, false, 4, 4, NAN, &err), -1);
    cr_assert_eq(err.code, 70);
}

Test(effect, verdict_names_and_ids_round_trip)
{
    for (int v = CW_EFFECT_UNKNOWN; v <= CW_EFFECT_WORSE; v++)
        cr_assert_eq(cw_effect_verdict_parse(cw_effect_verdict_id((cw_effect_verdict)v)), v);
    cr_assert_str_eq(cw_effect_verdict_name(CW_EFFECT_UNKNOWN), "not yet known");
    cr_assert_str_eq(cw_effect_verdict_name(CW_EFFECT_NO_EFFECT), "no effect");
    cr_assert_eq(cw_effect_verdict_parse("bogus"), -1);
}
