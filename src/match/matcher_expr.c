/*
 * matcher_expr.c - the first stage of the matcher: a rule set's phrases (term lists
 * expanded, normalised like the bodies) as Vectorscan literals or regexes, and the
 * compile budget a regex must keep; see matcher_scan.c for why phrases become literals.
 */
#include "matcher_internal.h"

#include <string.h>

/* ---- phrases to expressions --------------------------------------------- */

static void puts_(sbuf *b, const char *s)
{
    sbuf_put(b, s, strlen(s));
}

#define WORD_CLASS "[0-9A-Za-z_\\x80-\\xff]"

static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static const cw_term_list *term_at(const cw_rules *r, const char *t, size_t *close)
{
    const char *end = strchr(t, '}');
    char name[128];
    size_t n = end != NULL ? (size_t)(end - t - 1) : 0;
    if (end == NULL || n == 0 || n >= sizeof(name))
        return NULL;
    memcpy(name, t + 1, n);
    name[n] = '\0';
    *close = (size_t)(end - t);
    return cw_rules_find_terms(r, name);
}

/* Normalise a phrase the way bodies are: one space between words, ASCII apostrophes. */
static void normalize_into(sbuf *out, const char *t, size_t n)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t i = 0;
    while (i < n && is_space(u[i]))
        i++;
    while (n > i && is_space(u[n - 1]))
        n--;
    while (i < n) {
        if (is_space(u[i])) {
            while (i < n && is_space(u[i]))
                i++;
            sbuf_put(out, " ", 1);
        } else if (curly_apostrophe(u + i, n - i)) {
            sbuf_put(out, "'", 1);
            i += 3;
        } else {
            sbuf_put(out, t + i, 1);
            i++;
        }
    }
}

void alts_free(alts *a)
{
    for (size_t i = 0; i < a->count; i++)
        free(a->items[i]);
    free(a->items);
    free(a->terms);
    a->items = NULL;
    a->terms = NULL;
    a->count = a->term_count = 0;
}

/*
 * Expand phrase t into at most `max` alternatives. Returns false when there
 * would be more (the caller then compiles one regex instead).
 */
bool expand_phrase(alts *out, const cw_rules *r, const char *t, size_t max)
{
    /* Raw (unnormalised) alternatives, grown segment by segment. */
    sbuf *cur = calloc(1, sizeof(sbuf));
    size_t ncur = 1;
    out->items = NULL;
    out->count = out->term_count = 0;
    /* A reference takes at least three bytes ("{x}"). */
    out->terms = malloc((strlen(t) / 3 + 1) * sizeof(size_t));
    out->oom = cur == NULL || out->terms == NULL;
    if (out->oom) {
        free(cur);
        return true;
    }
    sbuf_put(&cur[0], "", 0);
    for (size_t i = 0; t[i] != '\0' && !out->oom;) {
        size_t close = 0;
        const cw_term_list *term = t[i] == '{' ? term_at(r, t + i, &close) : NULL;
        if (term == NULL) {
            for (size_t k = 0; k < ncur; k++)
                sbuf_put(&cur[k], t + i, 1);
            i++;
            continue;
        }
        size_t m = term->phrases.count;
        if (m == 0 || ncur > max / m) {
            for (size_t k = 0; k < ncur; k++)
                free(cur[k].p);
            free(cur);
            free(out->terms);
            out->terms = NULL;
            return false;
        }
        out->terms[out->term_count++] = (size_t)(term - r->terms);
        sbuf *next = calloc(ncur * m, sizeof(sbuf));
        if (next == NULL) {
            out->oom = true;
            break;
        }
        for (size_t k = 0; k < ncur; k++)
            for (size_t j = 0; j < m; j++) {
                sbuf *nb = &next[k * m + j];
                sbuf_put(nb, cur[k].p, cur[k].len);
                puts_(nb, term->phrases.items[j].text);
                out->oom = out->oom || nb->oom;
            }
        for (size_t k = 0; k < ncur; k++)
            free(cur[k].p);
        free(cur);
        cur = next;
        ncur *= m;
        i += close + 1;
    }
    out->items = out->oom ? NULL : calloc(ncur, sizeof(char *));
    out->oom = out->oom || out->items == NULL;
    for (size_t k = 0; k < ncur; k++) {
        if (!out->oom && !cur[k].oom) {
            sbuf nb = {0};
            sbuf_put(&nb, "", 0);
            normalize_into(&nb, cur[k].p, cur[k].len);
            out->oom = nb.oom;
            out->items[out->count++] = nb.p;
        }
        free(cur[k].p);
    }
    free(cur);
    return true;
}

/* Append byte c as a regex literal. */
void sbuf_lit(sbuf *b, unsigned char c)
{
    char esc[8];
    if (is_word(c) && c < 0x80)
        snprintf(esc, sizeof(esc), "%c", c);
    else
        snprintf(esc, sizeof(esc), "\\x%02x", c);
    puts_(b, esc);
}

/* Regex for a normalised alternative: literal bytes, '*' a prefix wildcard. */
static void alt_regex(sbuf *b, const char *a)
{
    for (const unsigned char *p = (const unsigned char *)a; *p != '\0'; p++) {
        if (*p == '*')
            puts_(b, WORD_CLASS "*");
        else
            sbuf_lit(b, *p);
    }
}

/*
 * One regex for a whole phrase whose expansion is too large to list
 * (alternations for its term lists). Returns whether it starts / ends with a
 * word character in every alternative.
 */
void phrase_regex(sbuf *b, const cw_rules *r, const char *t, bool *lead, bool *trail)
{
    sbuf norm = {0};
    sbuf_put(&norm, "", 0);
    *lead = *trail = true;
    size_t n = strlen(t);
    for (size_t i = 0; i < n && !b->oom;) {
        size_t close = 0;
        const cw_term_list *term = t[i] == '{' ? term_at(r, t + i, &close) : NULL;
        if (term == NULL) {
            size_t j = i;
            while (j < n && t[j] != '{')
                j++;
            norm.len = 0;
            normalize_into(&norm, t + i, j - i);
            /* normalize_into trims: keep the spaces around a term reference, and
             * only one for a segment that is all space ("{a} {b}"). */
            bool space_before = i > 0 && is_space((unsigned char)t[i]);
            bool space_after = j < n && j > i && is_space((unsigned char)t[j - 1]);
            bool text = norm.p != NULL && norm.len > 0;
            if (space_before)
                puts_(b, " ");
            if (text) {
                if (i == 0)
                    *lead = is_word((unsigned char)norm.p[0]);
                if (j == n)
                    *trail = is_word((unsigned char)norm.p[norm.len - 1]);
                alt_regex(b, norm.p);
            }
            if (space_after && (text || !space_before))
                puts_(b, " ");
            i = j;
            continue;
        }
        puts_(b, "(?:");
        for (size_t k = 0; k < term->phrases.count; k++) {
            norm.len = 0;
            normalize_into(&norm, term->phrases.items[k].text, strlen(term->phrases.items[k].text));
            if (k > 0)
                puts_(b, "|");
            if (norm.p != NULL && norm.len > 0) {
                if (i == 0)
                    *lead = *lead && is_word((unsigned char)norm.p[0]);
                if (i + close + 1 == n)
                    *trail = *trail && (is_word((unsigned char)norm.p[norm.len - 1]) ||
                                        norm.p[norm.len - 1] == '*');
                alt_regex(b, norm.p);
            }
        }
        puts_(b, ")");
        i += close + 1;
    }
    b->oom = b->oom || norm.oom;
    free(norm.p);
}

/* ---- compile budget -------------------------------------------------------- */

/* The largest bound of a counted repeat {n}, {n,}, {n,m} in a regex (0 when none). */
unsigned long largest_repeat(const char *t)
{
    unsigned long largest = 0;
    bool in_class = false;
    for (size_t i = 0; t[i] != '\0'; i++) {
        if (t[i] == '\\') {
            if (t[i + 1] == '\0')
                break;
            i++;
            continue;
        }
        if (in_class) {
            in_class = t[i] != ']';
            continue;
        }
        if (t[i] == '[') {
            in_class = true;
            if (t[i + 1] == ']')
                i++;
            continue;
        }
        if (t[i] != '{')
            continue;
        size_t j = i + 1;
        while ((t[j] >= '0' && t[j] <= '9') || t[j] == ',' || t[j] == ' ') {
            if (t[j] >= '0' && t[j] <= '9') {
                unsigned long v = 0;
                while (t[j] >= '0' && t[j] <= '9') {
                    if (v < 100000000ul)
                        v = v * 10ul + (unsigned long)(t[j] - '0');
                    j++;
                }
                if (v > largest)
                    largest = v;
            } else {
                j++;
            }
        }
    }
    return largest;
}

static void shown(char *buf, size_t size, const char *t)
{
    size_t n = strlen(t);
    if (n + 1 <= size) {
        memcpy(buf, t, n + 1);
        return;
    }
    /* Cut on a UTF-8 character start so the message stays valid text. */
    size_t cut = size - 4;
    while (cut > 0 && ((unsigned char)t[cut] & 0xc0) == 0x80)
        cut--;
    memcpy(buf, t, cut);
    memcpy(buf + cut, "...", 4);
}

int pattern_error(cw_error *err, const cw_rules *r, const cw_pattern *p, const char *why)
{
    char text[80];
    shown(text, sizeof(text), p->text);
    return cw_error_set_at(err, CW_EXIT_DATAERR, r->path, p->pos.line, p->pos.column,
                           "pattern '%s' cannot be compiled: %s", text, why);
}
