/*
 * output.h - deliver a rendered report to standard output or to a file.
 * A file is written next to its destination under a temporary name and renamed
 * into place only when complete, so a reader never sees half a report. An existing
 * regular file keeps its permission bits; a new file gets 0666 less the umask; a
 * symlink at the path is replaced by the report (its target is left alone).
 */
#ifndef CAUSEWAY_OUTPUT_H
#define CAUSEWAY_OUTPUT_H

#include <stdio.h>

#include "causeway/report/report.h"

/*
 * Render r with opts to `path`, or to `out` when path is NULL or "-".
 * Returns 0, or -1 with err (74 for an I/O error; the destination is untouched).
 */
int cw_output_write(const char *path, FILE *out, const cw_ranking *r, const cw_report_options *opts,
                    cw_error *err);

#endif
