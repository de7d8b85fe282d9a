/*
 * report_html.h - the HTML report (internal to the report module): one
 * self-contained file, no scripts, no external assets, printable, readable as
 * an e-mail attachment. Every string from data is HTML-escaped.
 */
#ifndef CAUSEWAY_REPORT_HTML_H
#define CAUSEWAY_REPORT_HTML_H

#include <stdio.h>

#include "causeway/analysis/ranking.h"
#include "causeway/report/report.h"

/* Write r as an HTML page to out; errors surface through ferror(out). */
void cw_report_write_html(FILE *out, const cw_ranking *r, const cw_report_options *opts);

/* Write s HTML-escaped (& < > " '). */
void cw_report_html_escape(FILE *out, const char *s);

#endif
