/* text.c - string helpers; see text.h. */
#include "causeway/text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
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
    /* Prefer cutting at a space so the excerpt starts and ends with whole words. */
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

void cw_text_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* Levenshtein distance; SIZE_MAX for words longer than the suggestions consider. */
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

void cw_text_csv_field(FILE *out, const char *s)
{
    size_t n = strlen(s);
    if (strpbrk(s, ",\"\r\n") == NULL && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
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

char *cw_text_clean(char *dst, size_t size, const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_len(s + i, len - i);
        const char *put = (const char *)s + i;
        size_t put_len = k;
        bool bidi = k == 3 && s[i] == 0xe2 &&
                    ((s[i + 1] == 0x80 && s[i + 2] >= 0xaa && s[i + 2] <= 0xae) ||
                     (s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9));
        if (k == 0 || bidi) {
            put = "\xef\xbf\xbd";
            put_len = 3;
        } else if (k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
            put = " ";
        }
        if (o + put_len + 1 > size)
            break;
        memcpy(dst + o, put, put_len);
        o += put_len;
        i += k > 0 ? k : 1;
    }
    if (size > 0)
        dst[o] = '\0';
    return dst;
}
