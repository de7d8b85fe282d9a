/*
 * json.h - how causeway writes JSON: every document is built as a jansson value
 * (json_pack and the helpers below) and written here, so escaping and number
 * format are decided by the library, in one place (issue 19).
 *
 * Documents are written compact, on one line, pure ASCII (JSON_ENSURE_ASCII: every
 * non-ASCII character as a \uXXXX escape, so a bidirectional override or a control
 * character in a complaint is kept but a viewer shows no effect), keys in insertion
 * order. Numbers keep `digits` significant digits (CW_JSON_REPORT_DIGITS for what a
 * reader sees, CW_JSON_EXACT_DIGITS for values that must read back to the same
 * double); an integral value is written as an integer ("3", not "3.0").
 */
#ifndef CAUSEWAY_JSON_H
#define CAUSEWAY_JSON_H

#include <jansson.h>
#include <stdio.h>

#include "causeway/util/error.h"

#define CW_JSON_REPORT_DIGITS 6
#define CW_JSON_EXACT_DIGITS  17

/*
 * v rounded to `digits` significant digits: an integer when the rounded value is
 * integral and printed without an exponent, else a real (written with `digits` when
 * the document is); NaN and infinities are null. New reference; NULL when out of memory.
 */
json_t *cw_json_number(double v, int digits);

/* s as a JSON string, each invalid UTF-8 byte as U+FFFD. New reference; NULL when out of memory. */
json_t *cw_json_text(const char *s);

/* cw_json_text(s), or null when s is NULL or empty. */
json_t *cw_json_text_or_null(const char *s);

/*
 * Building without a check at every step: append v (stolen) to array, or set key of
 * object to v (stolen), and return the container; when either is NULL (a failed
 * allocation) or the call fails, both are released and NULL is returned, so the
 * failure travels up to cw_json_write as a NULL document.
 */
json_t *cw_json_push(json_t *array, json_t *v);
json_t *cw_json_put(json_t *object, const char *key, json_t *v);

/*
 * Write doc (stolen, even on failure) as described above with numbers to `digits`,
 * then a newline. A NULL doc is a failed build: out of memory (71). A write error is
 * left for the caller's fflush/ferror check (74), as for every writer.
 */
int cw_json_write(FILE *out, json_t *doc, int digits, cw_error *err);

/* doc (stolen) as a new heap string without the newline (caller frees); NULL when out of memory. */
char *cw_json_dumps(json_t *doc, int digits);

#endif
