/*
 * report_fixes.h - the "Fixes" section of every report format (internal to the
 * report module): each recorded fix with its target, before -> after level, change
 * and interval, and verdict (fixes.h). Each writer calls its format's function in one
 * place; the table and HTML writers also mark a ranked item with its fixes' verdicts.
 * Nothing is written when the ranking has no fixes, except JSON's "fixes": [].
 * Titles and owners are written by people, not complaint text, and are escaped per
 * format like every other string.
 */
#ifndef CAUSEWAY_REPORT_FIXES_H
#define CAUSEWAY_REPORT_FIXES_H

#include <stdio.h>

#include "causeway/analysis/fixes.h"
#include "causeway/analysis/ranking.h"

void cw_report_fixes_table(FILE *out, const cw_ranking *r);
void cw_report_fixes_markdown(FILE *out, const cw_ranking *r);
/* A second CSV table after one empty line, with its own header. */
void cw_report_fixes_csv(FILE *out, const cw_ranking *r);
void cw_report_fixes_html(FILE *out, const cw_ranking *r);

/* One line per fix of entry e ("     fix #3:   working ..."), after its details. */
void cw_report_fixes_mark_table(FILE *out, const cw_ranking *r, const cw_ranking_entry *e);
void cw_report_fixes_mark_html(FILE *out, const cw_ranking *r, const cw_ranking_entry *e);

#endif
