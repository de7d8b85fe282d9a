/*
 * text.h - small string helpers shared by modules that build SQL and messages.
 */
#ifndef CAUSEWAY_TEXT_H
#define CAUSEWAY_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* printf into a new heap string (caller frees); NULL when out of memory. */
char *cw_text_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy a short, single-line excerpt of text[0..len) around [start, end) into
 * buf: up to `context` bytes either side, cut at spaces, never inside a UTF-8
 * sequence, control characters turned into spaces, "..." marking cuts.
 */
void cw_text_snippet(char *buf, size_t size, const char *text, size_t len, size_t start, size_t end,
                     size_t context);

/* Write s as a JSON string literal (quotes, escapes; UTF-8 passes through). */
void cw_text_json_string(FILE *out, const char *s);

/* Longest word cw_text_closest compares (identifiers are at most 64 bytes). */
#define CW_TEXT_SUGGEST_BYTES 64

/*
 * The candidate closest to `word` within two edits (and fewer edits than word has
 * bytes), for "did you mean 'x'?"; NULL when none is. Borrowed from cands.
 */
const char *cw_text_closest(const char *word, const char *const *cands, size_t n);

#endif
