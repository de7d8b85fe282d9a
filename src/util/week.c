/* week.c - ISO weeks as integers; see week.h. */
#include "causeway/util/week.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* 1970-01-05, the Monday that starts week 0, is day 4. */
enum { MONDAY_ZERO = 4 };

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
long cw_week_days_from_civil(int year, unsigned month, unsigned day)
{
    long y = (long)year - (month <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (month + (month > 2 ? (unsigned)-3 : 9)) + 2) / 5 + day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

void cw_week_civil_from_days(int *year, unsigned *month, unsigned *day, long days)
{
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(y + (*month <= 2));
}

static long floor_div(long a, long b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

cw_week cw_week_from_days(long days)
{
    return floor_div(days - MONDAY_ZERO, 7);
}

long cw_week_monday(cw_week w)
{
    return MONDAY_ZERO + 7 * w;
}

/* Monday of ISO week 1: the week that contains 4 January. */
static cw_week first_week(int year)
{
    return cw_week_from_days(cw_week_days_from_civil(year, 1, 4));
}

unsigned cw_week_count_in_year(int year)
{
    return (unsigned)(first_week(year + 1) - first_week(year));
}

static void iso_year_week(int *year, unsigned *week, cw_week w)
{
    unsigned m, d;
    /* The ISO year of a week is the calendar year of its Thursday. */
    cw_week_civil_from_days(year, &m, &d, cw_week_monday(w) + 3);
    *week = (unsigned)(w - first_week(*year)) + 1;
}

/* Exactly n ASCII digits at text (no sign, no space: sscanf's %d would take both). */
static bool digits(const char *text, size_t n, unsigned *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        *v = *v * 10u + (unsigned)(text[i] - '0');
    }
    return true;
}

/* Called once per complaint by the run: parsed by hand, not by sscanf. */
int cw_week_parse(cw_week *out, const char *text, cw_error *err)
{
    unsigned y = 0, a = 0, b = 0;
    size_t len = strlen(text);
    bool year_ok = len >= 8 && digits(text, 4, &y) && text[4] == '-';
    int year = (int)y;
    if (year_ok && len == 8 && text[5] == 'W' && digits(text + 6, 2, &a)) {
        if (a >= 1 && a <= cw_week_count_in_year(year)) {
            *out = first_week(year) + (cw_week)a - 1;
            return 0;
        }
    } else if (year_ok && len == 10 && digits(text + 5, 2, &a) && text[7] == '-' &&
               digits(text + 8, 2, &b) && a >= 1 && a <= 12 && b >= 1 && b <= 31) {
        long days = cw_week_days_from_civil(year, a, b);
        int y2;
        unsigned m2, d2;
        cw_week_civil_from_days(&y2, &m2, &d2, days);
        if (y2 == year && m2 == a && d2 == b) {
            *out = cw_week_from_days(days);
            return 0;
        }
    }
    return cw_error_set(err, CW_EXIT_DATAERR,
                        "'%.40s' is not an ISO week (YYYY-Www, e.g. 2026-W46) or a date "
                        "(YYYY-MM-DD)",
                        text);
}

void cw_week_format_iso(char *buf, size_t size, cw_week w)
{
    int year;
    unsigned week;
    iso_year_week(&year, &week, w);
    snprintf(buf, size, "%04d-W%02u", year, week);
}

void cw_week_format_monday(char *buf, size_t size, cw_week w)
{
    int y;
    unsigned m, d;
    cw_week_civil_from_days(&y, &m, &d, cw_week_monday(w));
    snprintf(buf, size, "%04d-%02u-%02u", y, m, d);
}
