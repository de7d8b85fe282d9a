/* test_score.c - the remediation score and order. */
#include <criterion/criterion.h>
#include <math.h>

#include "causeway/analysis/score.h"

static cw_score_params defaults(void)
{
    cw_score_params p;
    cw_score_params_default(&p);
    return p;
}

Test(rank, orders_by_volume_when_everything_is_stable)
{
    cw_score_params p = defaults();
    cw_score_input in[] = {
        {.key = "a", .volume = 10, .rare_severity = 2},
        {.key = "b", .volume = 30, .rare_severity = 2},
        {.key = "c", .volume = 20, .rare_severity = 3},
    };
    cw_score_item out[3];
    cw_score_compute(out, &p, in, 3);
    cr_assert_str_eq(out[0].key, "b");
    cr_assert_str_eq(out[1].key, "c");
    cr_assert_str_eq(out[2].key, "a");
    cr_assert_eq(out[0].rank, 1);
    cr_assert_eq(out[2].rank, 3);
    cr_assert_float_eq(out[0].trend_factor, 1.0, 1e-12);
    cr_assert_float_eq(out[0].score, 30.0, 1e-12);
}

Test(rank, sustained_rise_lifts_a_smaller_cause_above_a_larger_stable_one)
{
    cw_score_params p = defaults();
    cw_score_input in[] = {
        {.key = "big_stable", .volume = 30, .level_ratio = 1.0},
        /* 20 now, 40 % above its baseline and rising 3 %/week */
        {.key = "drifting", .volume = 20, .rising = true, .level_ratio = 1.4, .slope_pct = 3},
    };
    cw_score_item out[2];
    cw_score_compute(out, &p, in, 2);
    cr_assert_str_eq(out[0].key, "drifting");
    double expected = 1.4 * pow(1.03, 4);
    cr_assert_float_eq(out[0].trend_factor, expected, 1e-9);
    cr_assert_float_eq(out[0].score, 20 * expected, 1e-9);
}

Test(rank, trend_factor_is_capped)
{
    cw_score_params p = defaults();
    cw_score_input in[] = {
        {.key = "x", .volume = 1, .rising = true, .level_ratio = 10, .slope_pct = 50}};
    cw_score_item out[1];
    cw_score_compute(out, &p, in, 1);
    cr_assert_float_eq(out[0].trend_factor, p.trend_cap, 1e-12);
}

Test(rank, a_spike_is_not_a_sustained_rise)
{
    cw_score_params p = defaults();
    cw_score_input in[] = {{.key = "x", .volume = 5, .rising = false, .level_ratio = 3}};
    cw_score_item out[1];
    cw_score_compute(out, &p, in, 1);
    cr_assert_float_eq(out[0].trend_factor, 1.0, 1e-12);
}

Test(rank, severity_floor_keeps_a_rare_severe_cause_in_sight)
{
    cw_score_params p = defaults();
    cw_score_input in[] = {
        {.key = "common", .volume = 100, .rare_severity = 2},
        {.key = "middle", .volume = 30, .rare_severity = 3},
        {.key = "rare_severe", .volume = 2, .rare_severity = 5},
    };
    cw_score_item out[3];
    cw_score_compute(out, &p, in, 3);
    cr_assert_str_eq(out[1].key, "rare_severe");
    cr_assert_float_eq(out[1].severity_floor, 50.0, 1e-9);
    cr_assert_float_eq(out[1].score, 50.0, 1e-9);
    cr_assert_float_eq(out[1].volume, 2.0, 1e-12);
    cr_assert_float_eq(out[2].severity_floor, 0.0, 1e-12);
}

Test(rank, ties_are_broken_by_key_deterministically)
{
    cw_score_params p = defaults();
    cw_score_input in[] = {{.key = "zeta", .volume = 7}, {.key = "alpha", .volume = 7}};
    cw_score_item out[2];
    cw_score_compute(out, &p, in, 2);
    cr_assert_str_eq(out[0].key, "alpha");
    cr_assert_eq(out[0].input, 1);
}

Test(rank, empty_input_is_fine)
{
    cw_score_params p = defaults();
    cw_score_compute(NULL, &p, NULL, 0);
    cr_assert(true);
}

/* A rising driver inside a large stable area lifts it above a flat area of the same volume. */
Test(rank, a_rising_driver_lifts_its_otherwise_stable_area)
{
    cw_score_params p = defaults();
    cw_score_input in[] = {
        {.key = "flat", .volume = 100, .level_ratio = 1.0},
        /* one site of four up 50 %: the area expects 200 a week, the driver adds 25 */
        {.key = "one_site_up", .volume = 100, .level_ratio = 1.02, .driver_ratio = 225.0 / 200},
        {.key = "huge", .volume = 1000, .driver_ratio = 9},
    };
    cw_score_item out[3];
    cw_score_compute(out, &p, in, 3);
    cr_assert_str_eq(out[1].key, "one_site_up");
    cr_assert_str_eq(out[2].key, "flat");
    cr_assert_float_eq(out[1].driver_factor, 1.125, 1e-12);
    cr_assert_float_eq(out[1].trend_factor, 1.125, 1e-12, "the larger of own (1) and drivers'");
    cr_assert_float_eq(out[1].score, 112.5, 1e-12);
    cr_assert_float_eq(out[2].driver_factor, 1.0, 1e-12);
    cr_assert_float_eq(out[0].driver_factor, p.trend_cap, 1e-12, "capped like the own trend");
}

/* The item's own rise wins when it is larger than its drivers'. */
Test(rank, own_trend_wins_over_a_smaller_driver_rise)
{
    cw_score_params p = defaults();
    cw_score_input in[] = {
        {.key = "x", .volume = 10, .rising = true, .level_ratio = 1.5, .driver_ratio = 1.2}};
    cw_score_item out[1];
    cw_score_compute(out, &p, in, 1);
    cr_assert_float_eq(out[0].trend_factor, 1.5, 1e-12);
    cr_assert_float_eq(out[0].driver_factor, 1.2, 1e-12);
}
