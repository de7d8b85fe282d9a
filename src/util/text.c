/* text.c - string helpers; see text.h. */
#include "causeway/util/text.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cw_text_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return buf;
}

static int is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the valid UTF-8 character at s[0, n), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k = c < 0x80                 ? 1
               : c >= 0xc2 && c <= 0xdf ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    if (k == 0 || k > n)
        return 0;
    for (size_t i = 1; i < k; i++)
        if (!is_continuation(s[i]))
            return 0;
    if (k == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0)))
        return 0;
    if (k == 4 && ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90)))
        return 0;
    return k;
}

/* The code point of the valid UTF-8 character s[0, k). */
static uint32_t code_point(const unsigned char *s, size_t k)
{
    static const unsigned char lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t cp = s[0] & lead_mask[k];
    for (size_t i = 1; i < k; i++)
        cp = (cp << 6) | (s[i] & 0x3fu);
    return cp;
}

/*
 * Characters that change how the rest of a line reads: C0 and C1 controls (ESC
 * starts terminal sequences, 8-bit CSI too), DEL, the line and paragraph
 * separators, and the bidirectional marks, embeddings, overrides and isolates
 * (an RLO shows "exe.txt" as "txt.exe").
 */
static bool is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

static bool is_bidi(uint32_t cp)
{
    return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/*
 * Walks text one character at a time as it is safe to show: `put` / `put_len`
 * (the bytes themselves, a space for a control, U+FFFD for an invalid byte or a
 * bidi control), `cp` its code point (0xFFFD or ' ' when replaced), `at` where
 * it began.
 */
typedef struct safe_iter {
    const unsigned char *s;
    size_t n, next, at;
    const char *put;
    size_t put_len;
    uint32_t cp;
} safe_iter;

static safe_iter safe_begin(const char *s, size_t n)
{
    return (safe_iter){.s = (const unsigned char *)s, .n = n};
}

/* Step to the next character; false at the end. */
static bool safe_next(safe_iter *it)
{
    if (it->next >= it->n)
        return false;
    const unsigned char *s = it->s + it->next;
    size_t k = utf8_len(s, it->n - it->next);
    it->at = it->next;
    it->next += k > 0 ? k : 1;
    it->cp = k > 0 ? code_point(s, k) : 0xfffd;
    if (k == 0 || is_bidi(it->cp)) {
        it->put = REPLACEMENT, it->put_len = 3, it->cp = 0xfffd;
    } else if (is_control(it->cp)) {
        it->put = " ", it->put_len = 1, it->cp = ' ';
    } else {
        it->put = (const char *)s, it->put_len = k;
    }
    return true;
}

/* Length o of buf without a trailing, incomplete UTF-8 sequence. */
static size_t drop_partial_utf8(const char *buf, size_t o)
{
    size_t lead = o;
    while (lead > 0 && is_continuation((unsigned char)buf[lead - 1]))
        lead--;
    if (lead == 0)
        return o;
    unsigned char c = (unsigned char)buf[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return o - (lead - 1) < need ? lead - 1 : o;
}

void cw_text_snippet(char *buf, size_t size, const char *text, size_t len, size_t start, size_t end,
                     size_t context)
{
    if (size == 0)
        return;
    if (end > len)
        end = len;
    if (start > end)
        start = end;
    size_t from = start > context ? start - context : 0;
    size_t to = end + context < len ? end + context : len;
    /* Prefer cutting at a space so the excerpt starts and ends with whole words.
     */
    if (from > 0) {
        size_t f = from;
        while (f < start && !is_space((unsigned char)text[f]))
            f++;
        if (f < start)
            from = f + 1;
    }
    if (to < len) {
        size_t t = to;
        while (t > end && !is_space((unsigned char)text[t - 1]))
            t--;
        if (t > end)
            to = t - 1;
    }
    while (from < start && is_continuation((unsigned char)text[from]))
        from++;
    while (to > end && to < len && is_continuation((unsigned char)text[to]))
        to--;
    size_t o = 0;
    const char *ellipsis = "...";
    if (from > 0 && o + 3 < size) {
        memcpy(buf + o, ellipsis, 3);
        o += 3;
    }
    size_t i = from;
    for (; i < to && o + 1 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        buf[o++] = (char)(c < 0x20 || c == 0x7F ? ' ' : c);
    }
    if (i < to)
        o = drop_partial_utf8(buf, o);
    if (to < len && o + 4 < size) {
        memcpy(buf + o, ellipsis, 3);
        o += 3;
    }
    buf[o] = '\0';
}

bool cw_text_is_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(p + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

char *cw_text_utf8_new(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1); /* each byte at worst becomes U+FFFD */
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(p + i, n - i);
        if (k == 0) {
            memcpy(out + o, REPLACEMENT, 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, p + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    return out;
}

/* Levenshtein distance; SIZE_MAX for words longer than the suggestions
 * consider. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    if (la > CW_TEXT_SUGGEST_BYTES || lb > CW_TEXT_SUGGEST_BYTES)
        return SIZE_MAX;
    size_t row[CW_TEXT_SUGGEST_BYTES + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cw_text_closest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < best_d && d < strlen(word)) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

/* A spreadsheet reads a cell that starts with one of these as a formula
 * (OWASP). */
static bool starts_formula(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void cw_text_csv_field(FILE *out, const char *s)
{
    size_t n = strlen(s);
    bool formula = starts_formula(s);
    if (!formula && strpbrk(s, ",\"\r\n") == NULL && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        cw_text_write_clean(out, s);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out); /* shown as text: '=1+1 */
    for (safe_iter it = safe_begin(s, n); safe_next(&it);) {
        /* Line breaks stay (the field is quoted); other controls become spaces. */
        char c = s[it.at];
        if (c == '\n' || c == '\r')
            fputc(c, out);
        else
            fwrite(it.put, 1, it.put_len, out);
        if (it.cp == '"')
            fputc('"', out);
    }
    fputc('"', out);
}

char *cw_text_copy_cut(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n < size) {
        memcpy(dst, src, n + 1);
        return dst;
    }
    size_t cut = size - 4;
    while (cut > 0 && is_continuation((unsigned char)src[cut]))
        cut--;
    memcpy(dst, src, cut);
    memcpy(dst + cut, "...", 4);
    return dst;
}

char *cw_text_clean(char *dst, size_t size, const char *src, size_t len)
{
    size_t o = 0;
    for (safe_iter it = safe_begin(src, len); safe_next(&it) && o + it.put_len + 1 <= size;) {
        memcpy(dst + o, it.put, it.put_len);
        o += it.put_len;
    }
    if (size > 0)
        dst[o] = '\0';
    return dst;
}

void cw_text_write_escaped(FILE *out, const char *s, cw_text_escape_fn escape)
{
    for (safe_iter it = safe_begin(s, strlen(s)); safe_next(&it);) {
        const char *instead = escape != NULL && it.cp < 0x80 ? escape((char)it.cp) : NULL;
        if (instead != NULL)
            fputs(instead, out);
        else
            fwrite(it.put, 1, it.put_len, out);
    }
}

const char *cw_text_markdown_escape(char c)
{
    static const char specials[] = "\\`*_|<>[]#";
    static const char *const escaped[] = {"\\\\", "\\`", "\\*", "\\_", "\\|",
                                          "\\<",  "\\>", "\\[", "\\]", "\\#"};
    const char *at = c != '\0' ? strchr(specials, c) : NULL;
    return at != NULL ? escaped[at - specials] : NULL;
}

const char *cw_text_html_escape(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void cw_text_write_clean(FILE *out, const char *s)
{
    cw_text_write_escaped(out, s, NULL);
}

/*
 * Terminal columns of a (safe) code point: 0 for combining marks and zero-width
 * characters, 2 for East Asian wide and fullwidth characters and emoji, 1
 * otherwise. The ranges are those of Unicode 15's EastAsianWidth W/F and
 * general categories Mn/Me/Cf that terminals render, coarsened to blocks
 * (tests/test_text.c compares them with the C library's wcwidth).
 */
static int char_width(uint32_t cp)
{
    static const uint32_t zero[][2] = {
        {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x05bf, 0x05bf}, {0x05c1, 0x05c2},
        {0x05c4, 0x05c5}, {0x05c7, 0x05c7}, {0x0610, 0x061a}, {0x064b, 0x065f}, {0x0670, 0x0670},
        {0x06d6, 0x06dc}, {0x06df, 0x06e4}, {0x06e7, 0x06e8}, {0x06ea, 0x06ed}, {0x0e31, 0x0e31},
        {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e}, {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200f},
        {0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f}, {0xfeff, 0xfeff}, {0xe0100, 0xe01ef},
    };
    static const uint32_t wide[][2] = {
        {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x23e9, 0x23ec},
        {0x23f0, 0x23f0},   {0x23f3, 0x23f3},   {0x25fd, 0x25fe},   {0x2614, 0x2615},
        {0x2648, 0x2653},   {0x267f, 0x267f},   {0x2693, 0x2693},   {0x26a1, 0x26a1},
        {0x26aa, 0x26ab},   {0x26bd, 0x26be},   {0x26c4, 0x26c5},   {0x26ce, 0x26ce},
        {0x26d4, 0x26d4},   {0x26ea, 0x26ea},   {0x26f2, 0x26f3},   {0x26f5, 0x26f5},
        {0x26fa, 0x26fa},   {0x26fd, 0x26fd},   {0x2705, 0x2705},   {0x270a, 0x270b},
        {0x2728, 0x2728},   {0x274c, 0x274c},   {0x274e, 0x274e},   {0x2753, 0x2755},
        {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27b0, 0x27b0},   {0x27bf, 0x27bf},
        {0x2b1b, 0x2b1c},   {0x2b50, 0x2b50},   {0x2b55, 0x2b55},   {0x2e80, 0x303e},
        {0x3041, 0x33ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff},   {0xa000, 0xa4cf},
        {0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},   {0xfe10, 0xfe19},
        {0xfe30, 0xfe6f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x1f004, 0x1f004},
        {0x1f0cf, 0x1f0cf}, {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f202},
        {0x1f210, 0x1f23b}, {0x1f240, 0x1f248}, {0x1f250, 0x1f251}, {0x1f260, 0x1f265},
        {0x1f300, 0x1f320}, {0x1f32d, 0x1f335}, {0x1f337, 0x1f37c}, {0x1f37e, 0x1f393},
        {0x1f3a0, 0x1f3ca}, {0x1f3cf, 0x1f3d3}, {0x1f3e0, 0x1f3f0}, {0x1f3f4, 0x1f3f4},
        {0x1f3f8, 0x1f43e}, {0x1f440, 0x1f440}, {0x1f442, 0x1f4fc}, {0x1f4ff, 0x1f53d},
        {0x1f54b, 0x1f54e}, {0x1f550, 0x1f567}, {0x1f57a, 0x1f57a}, {0x1f595, 0x1f596},
        {0x1f5a4, 0x1f5a4}, {0x1f5fb, 0x1f64f}, {0x1f680, 0x1f6c5}, {0x1f6cc, 0x1f6cc},
        {0x1f6d0, 0x1f6d2}, {0x1f6d5, 0x1f6d7}, {0x1f6eb, 0x1f6ec}, {0x1f6f4, 0x1f6fc},
        {0x1f7e0, 0x1f7eb}, {0x1f90c, 0x1f93a}, {0x1f93c, 0x1f945}, {0x1f947, 0x1f9ff},
        {0x1fa70, 0x1faff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
    };
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
        if (cp >= zero[i][0] && cp <= zero[i][1])
            return 0;
    for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

size_t cw_text_width(const char *s)
{
    size_t w = 0;
    for (safe_iter it = safe_begin(s, strlen(s)); safe_next(&it);)
        w += (size_t)char_width(it.cp);
    return w;
}

static void pad(FILE *out, size_t n)
{
    while (n-- > 0)
        fputc(' ', out);
}

void cw_text_write_cell(FILE *out, const char *s, size_t width, bool right)
{
    size_t w = cw_text_width(s);
    if (w <= width) {
        if (right)
            pad(out, width - w);
        cw_text_write_clean(out, s);
        if (!right)
            pad(out, width - w);
        return;
    }
    /* Too wide: whole characters up to width - 3 columns, then "...". */
    size_t room = width > 3 ? width - 3 : 0, used = 0;
    for (safe_iter it = safe_begin(s, strlen(s)); safe_next(&it);) {
        size_t cw = (size_t)char_width(it.cp);
        if (used + cw > room)
            break;
        fwrite(it.put, 1, it.put_len, out);
        used += cw;
    }
    size_t dots = width - used < 3 ? width - used : 3;
    fwrite("...", 1, dots, out);
    pad(out, width - used - dots);
}
