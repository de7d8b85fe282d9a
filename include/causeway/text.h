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

/*
 * Write s as one RFC 4180 CSV field: quoted (quotes doubled) when it holds a comma, a
 * quote, a line break or leading or trailing spaces, as is otherwise. Every CSV writer
 * goes through here, so how cells are made safe is decided in one place.
 */
void cw_text_csv_field(FILE *out, const char *s);

/*
 * Copy the NUL-terminated src into dst of `size` (>= 4) bytes; when it does not fit, cut
 * it on a UTF-8 character boundary and end it with "...". Returns dst.
 */
char *cw_text_copy_cut(char *dst, size_t size, const char *src);

/*
 * Copy src[0, len) into dst of `size` bytes as text safe to print on a terminal: valid
 * UTF-8 (an invalid byte becomes U+FFFD), control characters as spaces, and the
 * bidirectional controls (U+202A-U+202E, U+2066-U+2069), which could reorder what a
 * reader sees, as U+FFFD. Cut on a character boundary when it does not fit. Returns dst.
 */
char *cw_text_clean(char *dst, size_t size, const char *src, size_t len);

#endif
