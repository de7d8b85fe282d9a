/*
 * week.h - ISO 8601 weeks as plain integers.
 *
 * A week is numbered by its Monday: cw_week n starts on 1970-01-05 + 7n days
 * (1970-01-05 is the first Monday after the epoch). Integers make series
 * arithmetic trivial and keep the machine's TZ out of it: the database turns
 * timestamps into week Mondays in the configured time zone, and this module
 * only converts between Mondays, ISO labels ("2026-W53") and week numbers.
 */
#ifndef CAUSEWAY_WEEK_H
#define CAUSEWAY_WEEK_H

#include <stddef.h>

#include "causeway/util/error.h"

typedef long cw_week;

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
long cw_week_days_from_civil(int year, unsigned month, unsigned day);
void cw_week_civil_from_days(int *year, unsigned *month, unsigned *day, long days);

/* The week containing `days` (any weekday). */
cw_week cw_week_from_days(long days);

/* Days since 1970-01-01 of the week's Monday. */
long cw_week_monday(cw_week w);

/* Number of ISO weeks (52 or 53) in ISO year `year`. */
unsigned cw_week_count_in_year(int year);

/*
 * Parse "YYYY-Www" (ISO week, e.g. "2026-W46") or a date "YYYY-MM-DD" (the
 * week containing it). Errors (64 is the caller's choice; this sets 65 with the
 * text quoted) on anything else, including week 53 of a 52-week year.
 */
int cw_week_parse(cw_week *out, const char *text, cw_error *err);

/* Write "YYYY-Www" (at least 9 bytes) / the Monday as "YYYY-MM-DD" (at least 11 bytes). */
void cw_week_format_iso(char *buf, size_t size, cw_week w);
void cw_week_format_monday(char *buf, size_t size, cw_week w);

#endif
