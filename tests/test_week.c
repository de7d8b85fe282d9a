/* test_week.c - ISO week arithmetic, including 53-week years. */
#include <criterion/criterion.h>
#include <string.h>

#include "causeway/util/week.h"

static cw_week parse_ok(const char *text)
{
    cw_error err;
    cw_error_clear(&err);
    cw_week w = 0;
    cr_assert_eq(cw_week_parse(&w, text, &err), 0, "%s: %s", text, err.message);
    return w;
}

Test(week, civil_round_trip_over_centuries)
{
    for (long days = -200000; days < 200000; days += 37) {
        int y;
        unsigned m, d;
        cw_week_civil_from_days(&y, &m, &d, days);
        cr_assert_eq(cw_week_days_from_civil(y, m, d), days);
    }
    cr_assert_eq(cw_week_days_from_civil(1970, 1, 1), 0);
    cr_assert_eq(cw_week_days_from_civil(2000, 3, 1), 11017);
}

Test(week, monday_and_label_of_known_weeks)
{
    char iso[16], monday[16];
    cw_week w = parse_ok("2026-W46");
    cw_week_format_monday(monday, sizeof(monday), w);
    cw_week_format_iso(iso, sizeof(iso), w);
    cr_assert_str_eq(monday, "2026-11-09");
    cr_assert_str_eq(iso, "2026-W46");
    /* 2021-01-03 is a Sunday that belongs to ISO week 2020-W53. */
    w = parse_ok("2021-01-03");
    cw_week_format_iso(iso, sizeof(iso), w);
    cr_assert_str_eq(iso, "2020-W53");
    /* 2024-12-30 (Monday) is in 2025-W01. */
    w = parse_ok("2024-12-30");
    cw_week_format_iso(iso, sizeof(iso), w);
    cr_assert_str_eq(iso, "2025-W01");
}

Test(week, counts_53_week_years)
{
    cr_assert_eq(cw_week_count_in_year(2020), 53);
    cr_assert_eq(cw_week_count_in_year(2026), 53);
    cr_assert_eq(cw_week_count_in_year(2025), 52);
    cr_assert_eq(cw_week_count_in_year(2027), 52);
    cw_week w53 = parse_ok("2026-W53");
    cw_week next = parse_ok("2027-W01");
    cr_assert_eq(next - w53, 1);
}

Test(week, consecutive_labels_are_consecutive_integers)
{
    cw_week a = parse_ok("2025-W01");
    char iso[16];
    for (cw_week w = a; w < a + 400; w++) {
        cw_week_format_iso(iso, sizeof(iso), w);
        cr_assert_eq(parse_ok(iso), w, "%s", iso);
    }
}

Test(week, rejects_malformed_and_impossible_weeks)
{
    const char *bad[] = {"2025-W53",   "2026-W00", "2026-W54", "2026-46",   "2026-W4",
                         "2026-02-30", "x",        "",         "2026-W46x", "2026-13-01",
                         "+202-W46",   " 2026-W4", "2026-W+6", "2026- 1-05"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cw_error err;
        cw_error_clear(&err);
        cw_week w;
        cr_assert_eq(cw_week_parse(&w, bad[i], &err), -1, "accepted '%s'", bad[i]);
        cr_assert_eq(err.code, CW_EXIT_DATAERR);
        cr_assert(strstr(err.message, "ISO week") != NULL);
    }
}

Test(week, weeks_before_1970_floor_correctly)
{
    cw_week w = cw_week_from_days(cw_week_days_from_civil(1969, 12, 31));
    char monday[16];
    cw_week_format_monday(monday, sizeof(monday), w);
    cr_assert_str_eq(monday, "1969-12-29");
}
