/*
 * ranking_json.h - the one mapping between a ranking (ranking.h) and JSON, for both
 * the JSON report (`report --format json`, schema CW_RANKING_JSON_SCHEMA, described by
 * docs/ranking.schema.json) and the jsonb columns of the results schema (stored.c).
 * The two share their shapes (shares, examples, drivers, series); where they differ
 * the form says how: the report shows snippets and "attributed" shares to a reader,
 * the store keeps span offsets (never complaint text) and exact numbers.
 */
#ifndef CAUSEWAY_RANKING_JSON_H
#define CAUSEWAY_RANKING_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "causeway/util/error.h"
#include "causeway/util/json.h"
#include "causeway/analysis/ranking.h"

/* 3: written by jansson (one line, ASCII, numbers as json.h says); 2 had the same fields. */
#define CW_RANKING_JSON_SCHEMA "causeway.ranking/3"

/*
 * Write the ranking report: the week, the changes since the previous stored week and
 * (unless changes_only) the items and the fixes' verdicts. Out of memory is 71; a
 * write error is left to the caller's ferror check.
 */
int cw_ranking_json_write(FILE *out, const cw_ranking *r, bool changes_only, cw_error *err);

/* The fixes' verdicts of r as the report has them (a new JSON array); NULL on OOM. */
json_t *cw_ranking_json_fixes_new(const cw_ranking *r);

/* The jsonb columns one stored entry has. */
typedef enum cw_ranking_json_column {
    CW_RANKING_JSON_TOP_SYMPTOMS,
    CW_RANKING_JSON_TOP_SITES,
    CW_RANKING_JSON_EXAMPLES,
    CW_RANKING_JSON_SERIES,
    CW_RANKING_JSON_DRIVERS,
} cw_ranking_json_column;

/* Column `col` of entry e as JSON text for the results schema (caller frees); NULL on OOM. */
char *cw_ranking_json_column_new(const cw_ranking_entry *e, cw_ranking_json_column col);

/* An array of numbers as exact JSON text (caller frees), e.g. a fix's series; NULL on OOM. */
char *cw_ranking_json_numbers_new(const double *v, size_t n);

/*
 * The numbers of a stored JSON array (a jsonb column as PostgreSQL prints it, "[1, 2.5,
 * null]") into a new array (caller frees; null is NaN). NULL text is an empty array.
 * Anything but an array of numbers and nulls is 70 (the results schema is causeway's
 * own); out of memory 71. On failure *out is NULL.
 */
int cw_ranking_json_numbers_parse(double **out, size_t *len, const char *text, cw_error *err);

#endif
