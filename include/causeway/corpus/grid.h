/*
 * grid.h - the cells of the reports of `causeway coverage` and `causeway diff`: tables
 * written aligned for a terminal or as Markdown, rows of their CSV form
 * (`section,item,metric,value`), and JSON strings.
 *
 * Cells are copied in; on output every cell is made safe to print (cw_text_clean:
 * valid UTF-8, no control or bidirectional-override characters) and, in Markdown, the
 * characters Markdown would read as syntax are escaped (cw_text_markdown_escape). Columns
 * are as wide as their widest cell, in terminal columns (cw_text_width).
 */
#ifndef CAUSEWAY_GRID_H
#define CAUSEWAY_GRID_H

#include <stddef.h>
#include <stdio.h>

#include "causeway/util/json.h"

#include "causeway/util/error.h"

typedef enum cw_grid_style { CW_GRID_PLAIN = 0, CW_GRID_MARKDOWN } cw_grid_style;

typedef struct cw_grid cw_grid;

/*
 * A grid with the column names heads[0, n) and `align` one letter per column ('l' or 'r').
 * On failure *out is NULL (71).
 */
int cw_grid_new(cw_grid **out, const char *const *heads, size_t n, const char *align,
                cw_error *err);

void cw_grid_free(cw_grid *g);

/* Append a row of n cells (as many as columns; NULL is empty). Returns 0 or -1 (71). */
int cw_grid_add(cw_grid *g, const char *const *cells, cw_error *err);

/* Rows added so far. */
size_t cw_grid_rows(const cw_grid *g);

/*
 * Write the grid: plain (indented by two spaces, a rule under the heads) or Markdown.
 * Returns 0, or -1 (71) with nothing written. Write errors are the stream's (ferror).
 */
int cw_grid_write(FILE *out, const cw_grid *g, cw_grid_style style, cw_error *err);

/*
 * One row `section,item,metric,value` of a report's CSV form: every cell made valid UTF-8
 * without control characters (cw_text_clean), then written as an RFC 4180 field
 * (cw_text_csv_field). _count and _number format the value.
 */
void cw_grid_csv_row(FILE *out, const char *section, const char *item, const char *metric,
                     const char *value);
void cw_grid_csv_count(FILE *out, const char *section, const char *item, const char *metric,
                       unsigned long long value);
void cw_grid_csv_number(FILE *out, const char *section, const char *item, const char *metric,
                        double value);

/*
 * s as a JSON string (json.h), made valid UTF-8 without control characters first (cut
 * at 1 KiB). New reference; NULL when out of memory.
 */
json_t *cw_grid_json_text(const char *s);

#endif
