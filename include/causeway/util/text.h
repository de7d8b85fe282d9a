/*
 * text.h - small string helpers shared by modules that build SQL and messages.
 */
#ifndef CAUSEWAY_TEXT_H
#define CAUSEWAY_TEXT_H

#include <stdbool.h>
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

/* Whether the NUL-terminated s is valid UTF-8 (no overlong forms, no surrogates). */
bool cw_text_is_utf8(const char *s);

/* A heap copy of s with each invalid UTF-8 byte as U+FFFD (caller frees); NULL when out of memory.
 */
char *cw_text_utf8_new(const char *s);

/* Longest word cw_text_closest compares (identifiers are at most 64 bytes). */
#define CW_TEXT_SUGGEST_BYTES 64

/*
 * The candidate closest to `word` within two edits (and fewer edits than word has
 * bytes), for "did you mean 'x'?"; NULL when none is. Borrowed from cands.
 */
const char *cw_text_closest(const char *word, const char *const *cands, size_t n);

/*
 * Write s as one RFC 4180 CSV field: quoted (quotes doubled) when it holds a comma, a
 * quote, a line break or leading or trailing spaces, as is otherwise. A cell that
 * begins with '=', '+', '-', '@', a tab or a carriage return, which a spreadsheet would
 * run as a formula, is quoted and prefixed with an apostrophe (the OWASP rule: it
 * shows as text). Other characters are made safe as by cw_text_clean, line breaks
 * inside the quotes excepted. Every CSV writer goes through here, so how cells are made
 * safe is decided in one place.
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

/*
 * The safe text of cw_text_clean, written to out: C0 and C1 controls, DEL and the line
 * and paragraph separators as spaces; invalid UTF-8 and the bidirectional controls
 * (also U+200E, U+200F, U+061C) as U+FFFD. Every name or snippet printed for a reader
 * (table, markdown, HTML) goes through it (or cw_text_write_cell).
 */
void cw_text_write_clean(FILE *out, const char *s);

/* What an ASCII character is written as in some medium ("&amp;"), or NULL: as itself. */
typedef const char *(*cw_text_escape_fn)(char c);

/* cw_text_write_clean, each ASCII character written as `escape` says (NULL: none). */
void cw_text_write_escaped(FILE *out, const char *s, cw_text_escape_fn escape);

/* Markdown: a backslash before what it reads as syntax (\ ` * _ | < > [ ] #). */
const char *cw_text_markdown_escape(char c);

/* HTML text and attribute values: & < > " ' as entities. */
const char *cw_text_html_escape(char c);

/*
 * Terminal columns of s once made safe: combining marks and zero-width characters
 * take 0, East Asian wide characters and emoji 2, others 1 (no locale needed).
 */
size_t cw_text_width(const char *s);

/*
 * Write s made safe in exactly `width` terminal columns: padded with spaces (on the
 * left when `right`), or cut between whole characters and ended with "..." when wider.
 */
void cw_text_write_cell(FILE *out, const char *s, size_t width, bool right);

#endif
