/*
 * input.h - complaint records from a text stream, for `causeway classify`:
 * one complaint per line, CSV (RFC 4180, header row, quoted multi-line
 * fields) or JSON Lines (one object per line).
 *
 * Records are streamed: memory is bounded by the largest record, which is
 * capped at CW_INPUT_MAX_RECORD bytes. Malformed input is a data error (65)
 * positioned as `name:line:col`. Lines and CSV pass bytes through as they are
 * (invalid UTF-8 included): the matcher is safe on any bytes. JSON Lines are
 * parsed by jansson, one line at a time: invalid UTF-8, unpaired surrogates,
 * duplicate keys and nesting past jansson's 2048 levels are errors, positioned
 * at jansson's byte position (col) in the record's line; messages never quote
 * the input (it is complaint text).
 */
#ifndef CAUSEWAY_INPUT_H
#define CAUSEWAY_INPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "causeway/util/error.h"
#include "causeway/rules/rules.h"

#define CW_INPUT_MAX_RECORD (64u * 1024u * 1024u)
#define CW_INPUT_EXTRA      2u /* further columns a reader can be asked for (labels, strengths) */

typedef enum cw_input_format {
    CW_INPUT_LINES = 0, /* each line is a complaint; its id is the line number */
    CW_INPUT_CSV,       /* header row names the columns */
    CW_INPUT_JSONL,     /* {"id": ..., "text": ...} per line; blank lines are skipped */
} cw_input_format;

typedef struct cw_input_options {
    cw_input_format format;
    /*
     * CSV/JSONL column or key of the id. NULL: "id" when present, else the
     * record number (CSV: data row, JSONL: line). When named explicitly it must exist.
     */
    const char *id_column;
    const char *text_column;                   /* NULL: "text"; must exist */
    const char *field_columns[CW_FIELD_COUNT]; /* NULL: field not read */
    /*
     * Further columns or keys to read as they are (`causeway coverage` labels); NULL: not
     * read. CSV: each named one must exist; JSONL: a missing key or null is absent.
     */
    const char *extra_columns[CW_INPUT_EXTRA];
    /*
     * CSV only: read the file as a plain table (a label map), not as complaints: no text
     * column is required (text is then empty unless text_column is named) and every record
     * carries all its cells.
     */
    bool table;
} cw_input_options;

typedef struct cw_input cw_input;

/* One complaint; all pointers are owned by the reader and valid until the next call. */
typedef struct cw_record {
    const char *id;   /* never NULL */
    const char *text; /* NUL-terminated, but may contain NUL: use text_len */
    size_t text_len;
    const char *fields[CW_FIELD_COUNT]; /* NULL = absent (column missing, JSON null) */
    const char *extra[CW_INPUT_EXTRA];  /* the extra_columns asked for; NULL = absent */
    unsigned long line;                 /* line of the input where the record starts */
    const char *const *cells;           /* table mode: every cell, in header order */
    size_t cell_count;
} cw_record;

/*
 * Open the file a reader reads (binary). A missing or unreadable file or a directory
 * is 66 with the path in the message; on failure *out is NULL.
 */
int cw_input_open(FILE **out, const char *path, cw_error *err);

/*
 * Start reading `in` (borrowed) named `name` in diagnostics ("-" is shown as
 * "<stdin>"). CSV reads the header here: a missing text column (or a missing
 * id/field column named explicitly) is a data error (65). On failure *out is
 * NULL and err is set.
 */
int cw_input_new(cw_input **out, FILE *in, const char *name, const cw_input_options *opt,
                 cw_error *err);

/*
 * Read the next record into *rec. Returns 1 when a record was read, 0 at the
 * end of the input, -1 on error (65 malformed or oversized record, 74 read
 * error, 71 out of memory); after an error the reader must only be freed.
 */
int cw_input_next(cw_record *rec, cw_input *in, cw_error *err);

/* Release the reader (not the stream); NULL is a no-op. */
void cw_input_free(cw_input *in);

/*
 * CSV: the column names of the header row, in order (*names borrowed, valid until
 * cw_input_free); returns their number (0 for lines and JSONL).
 */
size_t cw_input_header(const cw_input *in, const char *const **names);

/* The input's name as diagnostics show it ("<stdin>" for "-"; borrowed). */
const char *cw_input_name(const cw_input *in);

/* Parse "lines", "csv" or "jsonl"; -1 when unknown. */
int cw_input_format_parse(const char *name);

#endif
