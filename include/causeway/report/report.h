/*
 * report.h - render a week's ranking. Writers take the FILE * results go to and
 * never write diagnostics; they return 0, or -1 with err (74) when the stream
 * reports a write error.
 *
 * Every format opens with what changed since the previous stored week (new,
 * worsening, easing, resolved items and drivers; ongoing ones are counted),
 * then the ranking, each item with its drivers; `changes_only` writes that
 * opening alone. CSV, one table, carries the state as columns instead (see
 * report.c).
 *
 * Snippets of complaint text are personal data: the table and markdown formats
 * show example complaint ids only, unless `snippets` is set; csv, json and html
 * are files a user asks for and carry them.
 */
#ifndef CAUSEWAY_REPORT_H
#define CAUSEWAY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "causeway/util/error.h"
#include "causeway/analysis/ranking.h"

typedef enum cw_report_format {
    CW_REPORT_TABLE = 0,
    CW_REPORT_MARKDOWN,
    CW_REPORT_CSV,
    CW_REPORT_JSON,
    CW_REPORT_HTML,
} cw_report_format;

typedef struct cw_report_options {
    cw_report_format format;
    bool color;        /* ANSI colour (table only): a terminal and NO_COLOR unset */
    bool snippets;     /* table/markdown: show matched snippets too */
    bool changes_only; /* only the "changed since last week" section */
    unsigned top;      /* items per section in table/markdown/html; 0 = all */
} cw_report_options;

/* Shown for an example whose complaint is no longer in the source (its snippet is ""). */
#define CW_REPORT_NO_TEXT "(text no longer in the source)"

/* Said by table, markdown and HTML when no complaint is attributed in the recent window. */
#define CW_REPORT_NOTHING_RANKED                                                                   \
    "No complaints in the recent window of this week: nothing to rank (every cause area is "       \
    "'insufficient'). Is the source empty, or the week before or after its data?"

/* The version of the JSON document layout (the "schema" member). */

/* Parse "table", "markdown", "csv", "json", "html"; -1 when unknown. */
int cw_report_parse_format(const char *name);

/* Render r in opts->format to out. */
int cw_report_write(FILE *out, const cw_ranking *r, const cw_report_options *opts, cw_error *err);

/* Escapers the format writers share: markdown text, one CSV field (quoted when needed). */
void cw_report_md_escape(FILE *out, const char *s);
void cw_report_csv_field(FILE *out, const char *s);

#endif
