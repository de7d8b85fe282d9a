/*
 * corpus.h - the complaints `causeway coverage` and `causeway diff` read, one at a time:
 * a text input as `causeway classify` reads it (lines, CSV, JSON Lines; a file or
 * standard input), or the configured database source as `causeway run` reads it (the
 * table or view of the configuration, streamed with COPY), optionally within ISO weeks.
 * Either way each complaint may carry a label and a strength (label mode).
 *
 * Nothing is kept between complaints: memory is bounded by the largest complaint.
 */
#ifndef CAUSEWAY_CORPUS_H
#define CAUSEWAY_CORPUS_H

#include <stdbool.h>

#include "causeway/util/error.h"
#include "causeway/corpus/input.h"
#include "causeway/util/log.h"
#include "causeway/match/matcher.h"
#include "causeway/util/week.h"

typedef struct cw_corpus_options {
    /* A text input. */
    const char *file;    /* NULL or "-": standard input */
    cw_input_options in; /* format and columns; extra_columns are set from the label options */
    /* The database source (when `database`): as for `causeway run`. */
    bool database;
    const char *dbname;      /* conninfo / URI; NULL: the configuration's, or PG* variables */
    const char *config_path; /* NULL: the defaults (public.complaints) */
    bool have_since, have_until;
    cw_week since, until; /* complaints received in these ISO weeks (inclusive) */
    /* Label mode, either input: column (CSV, JSONL key or source column) names, or NULL. */
    const char *label_column;
    const char *strength_column;
} cw_corpus_options;

/* One complaint; everything is borrowed until the callback returns. */
typedef struct cw_corpus_item {
    cw_complaint c;
    const char *label;    /* NULL: absent */
    const char *strength; /* NULL: absent */
    const char *file;     /* where it was read, for messages; NULL for the database */
    unsigned long line;
} cw_corpus_item;

/* Called for every complaint; return 0 to go on, or -1 with err set to stop. */
typedef int (*cw_corpus_fn)(void *user, const cw_corpus_item *item, cw_error *err);

/* What was read, for reports. */
typedef struct cw_corpus_info {
    char source[300]; /* the file name, "<stdin>", or "database: TABLE [weeks]" */
} cw_corpus_info;

/*
 * Read every complaint and pass it to fn: a text input in its order, the database in id
 * order (each id once, the latest row, as run does for a view that repeats ids), and
 * describe the input in *info (may be NULL). Returns 0, or -1 with err: fn's error, or 65
 * malformed input (`file:line:col`), 66 unreadable file, 74 read error, 78 bad
 * configuration or a missing column, 75/77 database errors.
 */
int cw_corpus_each(cw_corpus_info *info, const cw_corpus_options *o, const cw_log *log,
                   cw_corpus_fn fn, void *user, cw_error *err);

#endif
