/*
 * matcher.c - one Vectorscan database for a whole rule set; see matcher.h for
 * the semantics.
 *
 * Speed comes from keeping Vectorscan on its literal engines: the body is first
 * normalised (whitespace runs become one space, typographic apostrophes ASCII),
 * so every phrase expands (term lists included) into plain caseless literals
 * of known length. The start of a literal match is then its end minus its
 * length: no start-of-match tracking, which costs Vectorscan several times its
 * speed. Word bounds, wildcard ends and negation are checked in the match
 * callback, which only looks at a bounded neighbourhood of the match.
 *
 * A `near` entry is two phrases compiled like any others; the callback only
 * records where each matched, and the pairs are resolved after the scan (see
 * resolve_near), since Vectorscan promises no order of reports across patterns.
 *
 * Regexes (and the rare phrase with too many term combinations to list) are
 * in the same database as probes without start offsets, loosened where
 * normalised text allows (see probe_form); only when one fires
 * is its own database, with start-of-match, scanned to find its span. One
 * database per regex, because Vectorscan's start-of-match compile time grows
 * much faster than linearly with the number of patterns (1 s instead of 10 s
 * for the default rules).
 */
#include "causeway/matcher.h"

#include <assert.h>
#include <hs/hs.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NEG_WORDS     3u  /* a negator this many words before a hit cancels it */
#define NEG_LOOKBACK  96u /* ... and never more bytes back than this */
#define NEGATOR_BITS  6u  /* the negator set has 1 << NEGATOR_BITS slots, over twice the negators */
#define NEGATOR_SLOTS (1u << NEGATOR_BITS)

typedef enum role { ROLE_HIT, ROLE_ALL, ROLE_UNLESS, ROLE_NEAR_FIRST, ROLE_NEAR_THEN } role;

/* From normalised position `norm` on, body position = orig + (position - norm). */
typedef struct shift {
    size_t norm, orig;
} shift;

#define LOG_MAX 4096u

/* What a Vectorscan expression id stands for. */
typedef struct pattern_ref {
    const cw_pattern *src; /* for diagnostics */
    size_t symptom;
    size_t slot; /* ROLE_ALL: index into cw_scan.all_seen; ROLE_NEAR_*: into cw_matcher.near */
    size_t len;  /* literal: bytes it matches, so start = end - len */
    char *tail;  /* owned: what must follow the literal, from its first '*' on ("* was rude") */
    role role;
    bool literal;     /* matched in the first pass; else probed there, matched in solo[] */
    bool lead_check;  /* the character before the match must not be a word character */
    bool trail_check; /* the character after the match must not be a word character */
    bool negatable;   /* the symptom has negation on */
} pattern_ref;

/* A `near` entry of some symptom, numbered over the whole rule set. */
typedef struct near_ref {
    size_t symptom;
    size_t entry; /* its number among the rule set's entries (statistics) */
    unsigned within;
    bool negatable;
} near_ref;

/* Where a phrase of a `near` entry matched, in the normalised text (bodies are < 4 GiB). */
typedef struct span {
    unsigned start, end;
} span;

/* Growable: a 10 MB body may hold a million matches, and none may be dropped. */
typedef struct span_list {
    span *items;
    size_t count, cap;
} span_list;

struct cw_matcher {
    const cw_rules *rules;
    hs_database_t *db;    /* every pattern; NULL when the rule set has none */
    hs_database_t **solo; /* per ref: a non-literal's own database with start offsets, or NULL */
    pattern_ref *refs;
    size_t ref_count;
    size_t all_total;                 /* `all` entries over all symptoms */
    size_t *all_base;                 /* per symptom: its first slot in cw_scan.all_seen */
    near_ref *near;                   /* every `near` entry, symptom by symptom */
    size_t near_total;                /* entries of near */
    uint64_t negators[NEGATOR_SLOTS]; /* keys (see word_key) of the negators; 0 = free slot */
    struct {
        uint64_t but, not_, only, just;
    } keys; /* of the other words the negation look-back knows */
    /* Entry statistics: consulted only by scans that count them (cw_scan_stats_enable). */
    cw_entry *entries;
    size_t entry_count;
    size_t *entry_base;   /* per symptom: the number of its first entry (see matcher.h) */
    size_t *term_base;    /* per term list: the number of its first phrase's entry */
    size_t *ref_entry;    /* per ref: the entry it belongs to */
    size_t *ref_terms;    /* per ref: where its term phrases start in term_uses */
    unsigned *ref_term_n; /* per ref: how many term phrases its literal is made of */
    size_t *term_uses;    /* entries of term phrases, ref by ref */
};

struct cw_scan {
    const cw_matcher *m;
    hs_scratch_t *scratch;
    size_t *best_start; /* per symptom: start of the best evidence, SIZE_MAX = none */
    size_t *best_end;
    unsigned char *vetoed;   /* per symptom: an `unless` entry matched */
    unsigned char *negated;  /* per symptom: a hit was cancelled by a negator */
    unsigned char *all_seen; /* per `all` entry */
    span_list *firsts;       /* per `near` entry: matches of its `first` phrase */
    span_list *thens;        /* ... and of its `then` phrase; capacity is kept across scans */
    bool oom;                /* recording a span failed: the scan is abandoned */
    cw_hit *hits;
    /* The normalised body being scanned. */
    const unsigned char *text; /* the body itself, or buf when normalising changed it */
    size_t len;
    unsigned char *buf;
    size_t cap;
    bool changed;         /* normalisation changed the body: spans must be mapped back */
    shift *log;           /* where normalised and body positions diverge (LOG_MAX entries) */
    size_t log_count;     /* entries used; LOG_MAX + 1 when it overflowed */
    bool second;          /* scanning the non-literals' own databases */
    unsigned char *fired; /* per ref: this non-literal may match (first pass) */
    size_t *fired_list;   /* the refs set in `fired`, in order */
    size_t fired_count;
    const cw_complaint *last; /* the last complaint classified, for cw_matcher_explain */
    struct scan_stats *stats; /* NULL unless cw_scan_stats_enable: then every scan counts */
};

/* What a counting scan keeps. */
typedef struct scan_stats {
    cw_match_stats pub;
    unsigned char *state; /* per entry, in the current complaint: ST_* bits */
    size_t *touched;      /* the entries whose state is not 0 */
    size_t touched_count;
    unsigned char *flags; /* per symptom, in the current complaint: SYM_* bits */
} scan_stats;

enum { ST_HIT = 1, ST_NEGATED = 2 };
enum { SYM_HIT = 1, SYM_ALL = 2, SYM_WHERE = 4 };

static void stats_free(scan_stats *st)
{
    if (st == NULL)
        return;
    free(st->pub.entries);
    free(st->pub.symptoms);
    free(st->state);
    free(st->touched);
    free(st->flags);
    free(st);
}

const char *cw_matcher_version(void)
{
    return "causeway-matcher/1";
}

const cw_rules *cw_matcher_rules(const cw_matcher *m)
{
    return m->rules;
}

static bool is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c >= 0x80;
}

/*
 * Word characters beyond ASCII, for exact bounds: letters of any script are
 * word characters, while spaces, punctuation, symbols and emoji (curly quotes
 * around “rude”, a no-break space, an em dash) are not.
 */
static bool cp_is_word(uint32_t cp)
{
    if (cp < 0x80)
        return is_word((unsigned char)cp);
    if (cp <= 0xbf || cp == 0xd7 || cp == 0xf7 || cp == 0xfeff)
        return false;
    if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) ||
        (cp >= 0xfe30 && cp <= 0xfe6f) || (cp >= 0xff00 && cp <= 0xff20) ||
        (cp >= 0x1f000 && cp <= 0x1faff))
        return false;
    return true;
}

/* Decode the UTF-8 character at p[0..n); false when it is not one valid character. */
static bool decode(const unsigned char *p, size_t n, uint32_t *cp, size_t *used)
{
    size_t k = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (k == 0 || k > n || p[0] > 0xf4)
        return false;
    uint32_t v = p[0] & (0x7fu >> k);
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return false;
        v = (v << 6) | (p[i] & 0x3fu);
    }
    *cp = v;
    *used = k;
    return true;
}

/* Is the character starting at b[at] (at < len) a word character? Invalid bytes are. */
static bool word_at(const unsigned char *b, size_t len, size_t at)
{
    uint32_t cp;
    size_t used;
    if (b[at] < 0x80)
        return is_word(b[at]);
    return !decode(b + at, len - at, &cp, &used) || cp_is_word(cp);
}

/* Is the character ending just before b[at] (at > 0) a word character? */
static bool word_before(const unsigned char *b, size_t at)
{
    if (b[at - 1] < 0x80)
        return is_word(b[at - 1]);
    size_t k = at - 1;
    while (k > 0 && at - k < 4 && (b[k] & 0xc0) == 0x80)
        k--;
    uint32_t cp;
    size_t used;
    if (!decode(b + k, at - k, &cp, &used) || used != at - k)
        return true;
    return cp_is_word(cp);
}

/* ---- phrases to expressions --------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

#define WORD_CLASS "[0-9A-Za-z_\\x80-\\xff]"

static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* A typographic apostrophe (U+2018, U+2019) at p[0..n)? */
static bool curly_apostrophe(const unsigned char *p, size_t n)
{
    return n >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99);
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
            put(out, " ", 1);
        } else if (curly_apostrophe(u + i, n - i)) {
            put(out, "'", 1);
            i += 3;
        } else {
            put(out, t + i, 1);
            i++;
        }
    }
}

/*
 * The phrases a phrase stands for, term lists expanded (normalised, '*' kept), and the term
 * lists it refers to, in order: alternative k takes, from the last reference back, phrase
 * k % n of each list of n phrases (k /= n), as the expansion below builds them.
 */
typedef struct alts {
    char **items;
    size_t count;
    size_t *terms; /* term-list indices of the references, in order */
    size_t term_count;
    bool oom;
} alts;

static void alts_free(alts *a)
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
static bool expand(alts *out, const cw_rules *r, const char *t, size_t max)
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
    put(&cur[0], "", 0);
    for (size_t i = 0; t[i] != '\0' && !out->oom;) {
        size_t close = 0;
        const cw_term_list *term = t[i] == '{' ? term_at(r, t + i, &close) : NULL;
        if (term == NULL) {
            for (size_t k = 0; k < ncur; k++)
                put(&cur[k], t + i, 1);
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
                put(nb, cur[k].p, cur[k].len);
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
            put(&nb, "", 0);
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
static void lit(sbuf *b, unsigned char c)
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
            lit(b, *p);
    }
}

/*
 * One regex for a whole phrase whose expansion is too large to list
 * (alternations for its term lists). Returns whether it starts / ends with a
 * word character in every alternative.
 */
static void phrase_regex(sbuf *b, const cw_rules *r, const char *t, bool *lead, bool *trail)
{
    sbuf norm = {0};
    put(&norm, "", 0);
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
static unsigned long largest_repeat(const char *t)
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

static int pattern_error(cw_error *err, const cw_rules *r, const cw_pattern *p, const char *why)
{
    char text[80];
    shown(text, sizeof(text), p->text);
    return cw_error_set_at(err, CW_EXIT_DATAERR, r->path, p->pos.line, p->pos.column,
                           "pattern '%s' cannot be compiled: %s", text, why);
}

/* ---- negation words ------------------------------------------------------ */

/*
 * Words of the negation look-back are compared as integers: up to KEY_MAX
 * bytes, lower-cased, zero-padded (words hold no NUL byte, so keys of
 * different words differ). Longer words are none we look for: their key is 0.
 */
#define KEY_MAX 8u /* bytes of the longest negator, "shouldnt" */

static uint64_t word_key(const unsigned char *w, size_t n)
{
    if (n > KEY_MAX)
        return 0;
    uint64_t key = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = w[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        key |= (uint64_t)c << (8u * i);
    }
    return key;
}

static uint64_t literal_key(const char *lit)
{
    return word_key((const unsigned char *)lit, strlen(lit));
}

static size_t negator_slot(uint64_t key)
{
    /* Fibonacci hashing: the top bits of the product depend on every byte of the key. */
    return (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> (64u - NEGATOR_BITS));
}

/* Fill the open-addressing set of negator keys that is_negator looks words up in. */
static void negators_init(uint64_t set[NEGATOR_SLOTS])
{
    static const char *const words[] = {
        "not",     "no",      "never",    "without", "nothing", "none",  "hardly",
        "neither", "nor",     "cannot",   "nobody",  "nowhere", "dont",  "didnt",
        "doesnt",  "wasnt",   "werent",   "isnt",    "arent",   "wont",  "cant",
        "couldnt", "wouldnt", "shouldnt", "havent",  "hasnt",   "hadnt", "aint",
    };
    static_assert(sizeof(words) / sizeof(words[0]) < NEGATOR_SLOTS / 2, "keep the set sparse");
    memset(set, 0, NEGATOR_SLOTS * sizeof(set[0]));
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        uint64_t key = literal_key(words[i]);
        assert(key != 0);
        size_t h = negator_slot(key);
        while (set[h] != 0 && set[h] != key)
            h = (h + 1) % NEGATOR_SLOTS;
        set[h] = key;
    }
}

/* ---- building the databases ----------------------------------------------- */

#define MAX_ALTERNATIVES 4096 /* literals one phrase may expand to before it becomes a regex */

typedef struct builder {
    const cw_rules *rules;
    pattern_ref *refs;
    char **exprs;
    size_t count, cap;
    size_t total_bytes;
    /* Per ref, for entry statistics (kept apart from refs, which the match callback reads). */
    size_t *ref_entry, *ref_terms;
    unsigned *ref_term_n;
    size_t *term_uses;
    size_t term_use_count, term_use_cap;
} builder;

/* Room for the per-ref arrays of bd->cap refs; false when out of memory. */
static bool grow_ref_info(builder *bd, size_t cap)
{
    size_t *e = realloc(bd->ref_entry, cap * sizeof(*e));
    if (e != NULL)
        bd->ref_entry = e;
    size_t *t = realloc(bd->ref_terms, cap * sizeof(*t));
    if (t != NULL)
        bd->ref_terms = t;
    unsigned *n = realloc(bd->ref_term_n, cap * sizeof(*n));
    if (n != NULL)
        bd->ref_term_n = n;
    return e != NULL && t != NULL && n != NULL;
}

/* Record the term phrases (entries uses[0, n)) of the ref pushed next; false when out of memory. */
static bool push_term_uses(builder *bd, const size_t *uses, size_t n)
{
    if (n == 0)
        return true;
    if (bd->term_use_count + n > bd->term_use_cap) {
        size_t cap = bd->term_use_cap ? bd->term_use_cap : 256;
        while (cap < bd->term_use_count + n)
            cap *= 2;
        size_t *p = realloc(bd->term_uses, cap * sizeof(*p));
        if (p == NULL)
            return false;
        bd->term_uses = p;
        bd->term_use_cap = cap;
    }
    memcpy(bd->term_uses + bd->term_use_count, uses, n * sizeof(*uses));
    bd->term_use_count += n;
    return true;
}

/*
 * Append one expression for entry `entry`, made of the term phrases recorded last by
 * push_term_uses (`nterms` of them); takes ownership of expr and ref.tail (freed on failure).
 */
static int push(builder *bd, char *expr, pattern_ref ref, size_t entry, size_t nterms,
                cw_error *err)
{
    size_t len = strlen(expr);
    bd->total_bytes += len;
    if (len > CW_MATCHER_MAX_EXPANDED_BYTES || bd->total_bytes > CW_MATCHER_MAX_TOTAL_BYTES) {
        free(expr);
        free(ref.tail);
        char why[96];
        snprintf(why, sizeof(why), "%s exceeds the compile budget (%u bytes)",
                 len > CW_MATCHER_MAX_EXPANDED_BYTES ? "it" : "the rule set",
                 len > CW_MATCHER_MAX_EXPANDED_BYTES ? CW_MATCHER_MAX_EXPANDED_BYTES
                                                     : CW_MATCHER_MAX_TOTAL_BYTES);
        return pattern_error(err, bd->rules, ref.src, why);
    }
    if (bd->count == bd->cap) {
        size_t cap = bd->cap ? bd->cap * 2 : 256;
        pattern_ref *refs = realloc(bd->refs, cap * sizeof(*refs));
        if (refs != NULL)
            bd->refs = refs;
        char **exprs = realloc(bd->exprs, cap * sizeof(*exprs));
        if (exprs != NULL)
            bd->exprs = exprs;
        if (refs == NULL || exprs == NULL || !grow_ref_info(bd, cap)) {
            free(expr);
            free(ref.tail);
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
        }
        bd->cap = cap;
    }
    bd->exprs[bd->count] = expr;
    bd->ref_entry[bd->count] = entry;
    bd->ref_terms[bd->count] = bd->term_use_count - nterms;
    bd->ref_term_n[bd->count] = (unsigned)nterms;
    bd->refs[bd->count++] = ref;
    return 0;
}

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
}

/*
 * The term phrases alternative k of `a` is made of, as entries (see alts), recorded with
 * push_term_uses and marked as tracked. Returns how many, or -1 when out of memory.
 */
static long term_uses_of(builder *bd, cw_matcher *m, const alts *a, size_t k)
{
    size_t uses[64];
    size_t n = a->term_count < 64 ? a->term_count : 64;
    for (size_t i = a->term_count; i-- > 0;) {
        const cw_term_list *term = &bd->rules->terms[a->terms[i]];
        size_t item = k % term->phrases.count;
        k /= term->phrases.count;
        if (i < n) {
            uses[i] = m->term_base[a->terms[i]] + item;
            m->entries[uses[i]].tracked = true;
        }
    }
    return push_term_uses(bd, uses, n) ? (long)n : -1;
}

static int add_phrase(builder *bd, cw_matcher *m, pattern_ref ref, size_t entry, cw_error *err)
{
    alts a;
    const char *t = ref.src->text;
    if (!expand(&a, bd->rules, t, MAX_ALTERNATIVES)) {
        sbuf b = {0};
        bool lead, trail;
        phrase_regex(&b, bd->rules, t, &lead, &trail);
        if (b.oom) {
            free(b.p);
            return oom(err);
        }
        ref.lead_check = lead;
        ref.trail_check = trail;
        return push(bd, b.p, ref, entry, 0, err);
    }
    if (a.oom) {
        alts_free(&a);
        return oom(err);
    }
    for (size_t k = 0; k < a.count; k++) {
        const char *s = a.items[k];
        size_t n = strlen(s);
        if (n == 0)
            continue; /* a term alternative that normalises to nothing */
        /*
         * Vectorscan looks for the literal up to the first wildcard; the rest
         * ("* was rude" of "agent* was rude") is checked in the callback from
         * the literal's end, so every phrase stays a literal of known length.
         */
        const char *star = strchr(s, '*');
        pattern_ref r = ref;
        r.literal = true;
        r.lead_check = is_word((unsigned char)s[0]);
        r.trail_check = is_word((unsigned char)s[n - 1]) && s[n - 1] != '*';
        r.len = star != NULL ? (size_t)(star - s) : n;
        r.tail = star != NULL ? strdup(star) : NULL;
        sbuf b = {0};
        put(&b, "", 0);
        for (size_t i = 0; i < r.len; i++)
            lit(&b, (unsigned char)s[i]);
        long nterms = b.oom ? -1 : term_uses_of(bd, m, &a, k);
        if (nterms < 0 || (star != NULL && r.tail == NULL)) {
            free(b.p);
            free(r.tail);
            alts_free(&a);
            return oom(err);
        }
        if (push(bd, b.p, r, entry, (size_t)nterms, err) != 0) {
            alts_free(&a);
            return -1;
        }
    }
    alts_free(&a);
    return 0;
}

static int add_regex(builder *bd, pattern_ref ref, size_t entry, cw_error *err)
{
    unsigned long rep = largest_repeat(ref.src->text);
    if (rep > CW_MATCHER_MAX_REPEAT) {
        char why[96];
        snprintf(why, sizeof(why), "repeat count %lu exceeds the compile budget (at most %u)", rep,
                 CW_MATCHER_MAX_REPEAT);
        return pattern_error(err, bd->rules, ref.src, why);
    }
    char *copy = strdup(ref.src->text);
    if (copy == NULL)
        return oom(err);
    return push(bd, copy, ref, entry, 0, err);
}

/* The entries of `list` are numbered from `entry` on. */
static int add_list(builder *bd, cw_matcher *m, const cw_pattern_list *list, size_t symptom,
                    role ro, size_t *slot, bool phrase, bool negatable, size_t entry, cw_error *err)
{
    for (size_t k = 0; k < list->count; k++) {
        pattern_ref ref = {
            .src = &list->items[k],
            .symptom = symptom,
            .slot = slot != NULL ? (*slot)++ : 0,
            .role = ro,
            .negatable = negatable,
        };
        if ((phrase ? add_phrase(bd, m, ref, entry + k, err)
                    : add_regex(bd, ref, entry + k, err)) != 0)
            return -1;
    }
    return 0;
}

/* The two phrases of each `near` entry: literals like `any` phrases, with roles that only record
 * where they matched. Negation is checked when the pairs are resolved, at the first's start. */
static int add_near(builder *bd, cw_matcher *m, size_t symptom, const cw_match_spec *spec,
                    size_t entry, cw_error *err)
{
    for (size_t k = 0; k < spec->near_count; k++) {
        const cw_near *e = &spec->near[k];
        size_t slot = m->near_total++;
        m->near[slot] = (near_ref){.symptom = symptom,
                                   .entry = entry + k,
                                   .within = e->within,
                                   .negatable = spec->negation};
        pattern_ref first = {
            .src = &e->first, .symptom = symptom, .slot = slot, .role = ROLE_NEAR_FIRST};
        pattern_ref then = first;
        then.src = &e->then;
        then.role = ROLE_NEAR_THEN;
        if (add_phrase(bd, m, first, entry + k, err) != 0 ||
            add_phrase(bd, m, then, entry + k, err) != 0)
            return -1;
    }
    return 0;
}

static void free_tails(pattern_ref *refs, size_t count)
{
    for (size_t i = 0; refs != NULL && i < count; i++)
        free(refs[i].tail);
}

static void builder_fini(builder *bd)
{
    free_tails(bd->refs, bd->count);
    for (size_t i = 0; i < bd->count; i++)
        free(bd->exprs[i]);
    free(bd->exprs);
    free(bd->refs);
    free(bd->ref_entry);
    free(bd->ref_terms);
    free(bd->ref_term_n);
    free(bd->term_uses);
}

/*
 * A regex as a probe of the first pass: it only has to match wherever the regex
 * does, in normalised text, where every whitespace run is one ASCII space. So
 * \s runs become that space (\s+ and \s match one, \s* and \s? at most one)
 * and \b assertions are dropped: fewer automata for Vectorscan to run (the
 * default rules' probes scan ~1.5x as fast). Character classes are left alone.
 * Returns a new string, or NULL when out of memory.
 */
static char *probe_form(const char *re)
{
    size_t n = strlen(re), k = 0;
    char *out = malloc(2 * n + 1);
    if (out == NULL)
        return NULL;
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char c = re[i], next = i + 1 < n ? re[i + 1] : '\0';
        if (c == '\\' && next != '\0') {
            char after = i + 2 < n ? re[i + 2] : '\0';
            if (!in_class && next == 'b') {
                i++;
                continue;
            }
            if (!in_class && next == 's' && after != '{') {
                out[k++] = ' ';
                if (after == '*' || after == '?')
                    out[k++] = '?';
                i += after == '+' || after == '*' || after == '?' ? 2 : 1;
                continue;
            }
            out[k++] = c;
            out[k++] = next;
            i++;
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = true;
            out[k++] = c;
            /* A ']' right after '[' or '[^' is a member, not the end. */
            if (next == '^')
                out[k++] = re[++i];
            if (i + 1 < n && re[i + 1] == ']')
                out[k++] = re[++i];
            continue;
        }
        if (c == ']' && in_class)
            in_class = false;
        out[k++] = c;
    }
    out[k] = '\0';
    return out;
}

/* Compile exprs[idx[k]] for k < n; the Vectorscan id of each is its index into refs. */
static int compile(hs_database_t **db, const builder *bd, const size_t *idx, size_t n, bool som,
                   cw_error *err)
{
    *db = NULL;
    const char **exprs = calloc(n + 1, sizeof(*exprs));
    unsigned *flags = calloc(n + 1, sizeof(*flags));
    unsigned *ids = calloc(n + 1, sizeof(*ids));
    hs_compile_error_t *cerr = NULL;
    int rc = -1;
    size_t made = 0; /* exprs[0, made) are set; the probes among them are ours to free */
    if (exprs == NULL || flags == NULL || ids == NULL) {
        oom(err);
        goto done;
    }
    for (size_t k = 0; k < n; k++, made++) {
        const pattern_ref *r = &bd->refs[idx[k]];
        exprs[k] = !som && !r->literal ? probe_form(bd->exprs[idx[k]]) : bd->exprs[idx[k]];
        if (exprs[k] == NULL) {
            oom(err);
            goto done;
        }
        ids[k] = (unsigned)idx[k];
        /* In the first pass a non-literal pattern is only a probe: one report is enough. */
        flags[k] = HS_FLAG_CASELESS | (som          ? HS_FLAG_SOM_LEFTMOST
                                       : r->literal ? 0u
                                                    : HS_FLAG_SINGLEMATCH);
    }
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, db, &cerr) !=
        HS_SUCCESS) {
        const char *why = cerr != NULL && cerr->message != NULL ? cerr->message : "unknown";
        *db = NULL;
        /* Vectorscan reports an allocation failure as a compile error ("Unable to allocate
         * memory."): that is exit 71, not a fault of the pattern it was compiling. */
        if (strstr(why, "allocate memory") != NULL)
            oom(err);
        else if (cerr != NULL && cerr->expression >= 0 && (size_t)cerr->expression < n)
            pattern_error(err, bd->rules, bd->refs[idx[cerr->expression]].src, why);
        else
            cw_error_set_at(err, CW_EXIT_DATAERR, bd->rules->path, 0, 0,
                            "the rule set cannot be compiled: %s", why);
        goto done;
    }
    rc = 0;
done:
    hs_free_compile_error(cerr);
    for (size_t k = 0; k < made; k++)
        if (exprs[k] != bd->exprs[idx[k]])
            free((char *)exprs[k]);
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

/* The non-literals' own databases, compiled on a second thread while the main one compiles. */
typedef struct solo_job {
    cw_matcher *m;
    const builder *bd;
    FILE *diag;   /* every pattern error goes here too; NULL: stop at the first */
    size_t shown; /* errors written to diag */
    cw_error err; /* the first error */
    int rc;
} solo_job;

/* Each regex alone, so that with a diag an author sees every one that does not compile. */
static void *compile_solos(void *arg)
{
    solo_job *j = arg;
    for (size_t i = 0; i < j->bd->count; i++) {
        size_t idx = i;
        if (j->bd->refs[i].literal)
            continue;
        cw_error e;
        cw_error_clear(&e);
        if (compile(&j->m->solo[i], j->bd, &idx, 1, true, &e) == 0)
            continue;
        if (j->rc == 0) {
            j->err = e;
            j->rc = -1;
        }
        if (j->diag == NULL || e.code != CW_EXIT_DATAERR)
            break;
        cw_error_write(j->diag, "causeway", &e);
        j->shown++;
    }
    return NULL;
}

/*
 * Compile the main database and the solo ones: on two threads, since the two
 * halves take about as long and a run pays for them at every start (Vectorscan's
 * compiler keeps no shared state; each call builds its own database). The solo
 * databases' error wins when both fail, as when they were compiled first.
 */
static int compile_all(cw_matcher *m, const builder *bd, size_t *idx, FILE *diag, size_t *shown,
                       cw_error *err)
{
    solo_job job = {.m = m, .bd = bd, .diag = diag};
    cw_error_clear(&job.err);
    pthread_t thread;
    bool threaded = pthread_create(&thread, NULL, compile_solos, &job) == 0;
    if (!threaded)
        compile_solos(&job);
    for (size_t i = 0; i < bd->count; i++)
        idx[i] = i;
    cw_error main_err;
    cw_error_clear(&main_err);
    int rc = bd->count > 0 ? compile(&m->db, bd, idx, bd->count, false, &main_err) : 0;
    if (threaded)
        pthread_join(thread, NULL);
    *shown = job.shown;
    if (job.rc != 0)
        *err = job.err;
    else if (rc != 0)
        *err = main_err;
    return job.rc != 0 || rc != 0 ? -1 : 0;
}

#ifdef CW_FAULT_HOOKS
/* CW_FAULT_HS_NOMEM (test builds): Vectorscan cannot allocate a database. */
static void *no_memory(size_t size)
{
    (void)size;
    return NULL;
}
#endif

/* Number the rule set's entries (see matcher.h): symptom by symptom, then the term phrases. */
static int number_entries(cw_matcher *m, const cw_rules *rules)
{
    size_t n = 0;
    m->entry_base = calloc(rules->symptom_count + 1, sizeof(size_t));
    m->term_base = calloc(rules->term_count + 1, sizeof(size_t));
    if (m->entry_base == NULL || m->term_base == NULL)
        return -1;
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_symptom *sym = &rules->symptoms[s];
        const cw_match_spec *sp = &sym->match;
        m->entry_base[s] = n;
        n += sp->any.count + sp->regex.count + sp->near_count + sp->all.count + sp->unless.count +
             sym->where_count;
    }
    for (size_t t = 0; t < rules->term_count; t++) {
        m->term_base[t] = n;
        n += rules->terms[t].phrases.count;
    }
    m->entries = calloc(n + 1, sizeof(*m->entries));
    if (m->entries == NULL)
        return -1;
    m->entry_count = n;
    cw_entry *e = m->entries;
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_symptom *sym = &rules->symptoms[s];
        const cw_match_spec *sp = &sym->match;
        const struct {
            cw_entry_kind kind;
            const cw_pattern_list *list;
        } lists[] = {{CW_ENTRY_ANY, &sp->any}, {CW_ENTRY_REGEX, &sp->regex}};
        for (size_t l = 0; l < 2; l++)
            for (size_t k = 0; k < lists[l].list->count; k++)
                *e++ = (cw_entry){lists[l].kind, s, k, lists[l].list->items[k].pos, false};
        for (size_t k = 0; k < sp->near_count; k++)
            *e++ = (cw_entry){CW_ENTRY_NEAR, s, k, sp->near[k].pos, false};
        for (size_t k = 0; k < sp->all.count; k++)
            *e++ = (cw_entry){CW_ENTRY_ALL, s, k, sp->all.items[k].pos, false};
        for (size_t k = 0; k < sp->unless.count; k++)
            *e++ = (cw_entry){CW_ENTRY_UNLESS, s, k, sp->unless.items[k].pos, false};
        for (size_t k = 0; k < sym->where_count; k++)
            *e++ = (cw_entry){CW_ENTRY_WHERE, s, k, sym->where[k].pos, false};
    }
    for (size_t t = 0; t < rules->term_count; t++)
        for (size_t k = 0; k < rules->terms[t].phrases.count; k++)
            *e++ = (cw_entry){CW_ENTRY_TERM, t, k, rules->terms[t].phrases.items[k].pos, false};
    return 0;
}

int cw_matcher_new(cw_matcher **out, const cw_rules *rules, cw_error *err)
{
    return cw_matcher_new_diag(out, rules, NULL, err);
}

/*
 * Compiled databases saved by cw_matcher_save: a magic line, the number of patterns,
 * then the main database and each pattern's solo database, each as a native-endian
 * uint64_t length (0: none) and Vectorscan's serialized bytes.
 */
#define SAVED_MAGIC "causeway-hs/1\n"

typedef struct saved {
    const char *at, *end;
} saved;

static int saved_take(saved *s, hs_database_t **db)
{
    uint64_t n;
    *db = NULL;
    if ((size_t)(s->end - s->at) < sizeof(n))
        return -1;
    memcpy(&n, s->at, sizeof(n));
    s->at += sizeof(n);
    if (n > (uint64_t)(s->end - s->at))
        return -1;
    if (n > 0 && hs_deserialize_database(s->at, (size_t)n, db) != HS_SUCCESS)
        return -1;
    s->at += n;
    return 0;
}

/* The databases from `blob` in place of compile_all; -1 when it does not fit. */
static int load_all(cw_matcher *m, const builder *bd, const char *blob, size_t len)
{
    saved s = {blob, blob + len};
    size_t magic = strlen(SAVED_MAGIC);
    uint64_t count;
    if (len < magic + sizeof(count) || memcmp(blob, SAVED_MAGIC, magic) != 0)
        return -1;
    memcpy(&count, blob + magic, sizeof(count));
    s.at += magic + sizeof(count);
    if (count != bd->count || saved_take(&s, &m->db) != 0 || (m->db == NULL) != (bd->count == 0))
        return -1;
    for (size_t i = 0; i < bd->count; i++)
        if (saved_take(&s, &m->solo[i]) != 0 || (m->solo[i] == NULL) != bd->refs[i].literal)
            return -1;
    return s.at == s.end ? 0 : -1;
}

static int save_one(FILE *f, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t n = 0;
    if (db != NULL && hs_serialize_database(db, &bytes, &n) != HS_SUCCESS)
        return -1;
    uint64_t len = n;
    int rc =
        fwrite(&len, sizeof(len), 1, f) == 1 && (n == 0 || fwrite(bytes, n, 1, f) == 1) ? 0 : -1;
    free(bytes);
    return rc;
}

int cw_matcher_save(char **blob, size_t *len, const cw_matcher *m, cw_error *err)
{
    *blob = NULL;
    *len = 0;
    FILE *f = open_memstream(blob, len);
    if (f == NULL)
        return oom(err);
    uint64_t count = m->ref_count;
    int rc = fputs(SAVED_MAGIC, f) >= 0 && fwrite(&count, sizeof(count), 1, f) == 1 &&
                     save_one(f, m->db) == 0
                 ? 0
                 : -1;
    for (size_t i = 0; rc == 0 && i < m->ref_count; i++)
        rc = save_one(f, m->solo[i]);
    if (fclose(f) != 0 || rc != 0) {
        free(*blob);
        *blob = NULL;
        *len = 0;
        return oom(err);
    }
    return 0;
}

#define STR_(x) #x
#define STR(x)  STR_(x)

const char *cw_matcher_build_id(void)
{
    return "causeway-matcher/1 vectorscan/" STR(HS_MAJOR) "." STR(HS_MINOR) "." STR(HS_PATCH);
}

static int matcher_build(cw_matcher **out, const cw_rules *rules, FILE *diag, const char *blob,
                         size_t blob_len, cw_error *err)
{
    size_t shown = 0;
    int rc = -1;
#ifdef CW_FAULT_HOOKS
    if (getenv("CW_FAULT_HS_NOMEM") != NULL)
        hs_set_database_allocator(no_memory, free);
#endif
    *out = NULL;
    builder bd = {.rules = rules};
    size_t *idx = NULL;
    cw_matcher *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        oom(err);
        goto fail;
    }
    m->rules = rules;
    negators_init(m->negators);
    m->keys.but = literal_key("but");
    m->keys.not_ = literal_key("not");
    m->keys.only = literal_key("only");
    m->keys.just = literal_key("just");
    m->all_base = calloc(rules->symptom_count + 1, sizeof(size_t));
    size_t near_count = 0;
    for (size_t s = 0; s < rules->symptom_count; s++)
        near_count += rules->symptoms[s].match.near_count;
    m->near = calloc(near_count + 1, sizeof(*m->near));
    if (m->all_base == NULL || m->near == NULL || number_entries(m, rules) != 0) {
        oom(err);
        goto fail;
    }
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_match_spec *spec = &rules->symptoms[s].match;
        /* Entry numbers of the lists, in the order of number_entries. */
        size_t any = m->entry_base[s], regex = any + spec->any.count,
               near = regex + spec->regex.count, all = near + spec->near_count,
               unless = all + spec->all.count;
        m->all_base[s] = m->all_total;
        if (add_list(&bd, m, &spec->any, s, ROLE_HIT, NULL, true, spec->negation, any, err) != 0 ||
            add_list(&bd, m, &spec->regex, s, ROLE_HIT, NULL, false, spec->negation, regex, err) !=
                0 ||
            add_list(&bd, m, &spec->all, s, ROLE_ALL, &m->all_total, true, false, all, err) != 0 ||
            add_list(&bd, m, &spec->unless, s, ROLE_UNLESS, NULL, true, false, unless, err) != 0 ||
            add_near(&bd, m, s, spec, near, err) != 0)
            goto fail;
    }
    if (bd.count > UINT_MAX / 2) {
        cw_error_set_at(err, CW_EXIT_DATAERR, rules->path, 0, 0, "too many patterns");
        goto fail;
    }
    idx = malloc((bd.count + 1) * sizeof(*idx));
    if (idx == NULL) {
        oom(err);
        goto fail;
    }
    /* Each non-literal gets its own database with start offsets, scanned only when it may
     * match: its own, because Vectorscan's start-of-match compile grows steeply with the
     * number of patterns. */
    m->solo = calloc(bd.count + 1, sizeof(*m->solo));
    if (m->solo == NULL) {
        oom(err);
        goto fail;
    }
    m->ref_count = bd.count; /* so that cw_matcher_free releases what is compiled so far */
    if (blob != NULL) {
        if (load_all(m, &bd, blob, blob_len) != 0) {
            rc = 1;
            goto fail;
        }
    } else if (compile_all(m, &bd, idx, diag, &shown, err) != 0) {
        goto fail;
    }
    m->refs = bd.refs;
    m->ref_entry = bd.ref_entry;
    m->ref_terms = bd.ref_terms;
    m->ref_term_n = bd.ref_term_n;
    m->term_uses = bd.term_uses;
    bd.refs = NULL;
    bd.ref_entry = bd.ref_terms = bd.term_uses = NULL;
    bd.ref_term_n = NULL;
    builder_fini(&bd);
    free(idx);
    *out = m;
    return 0;
fail:
    /* The regexes' errors are in diag already; any other rule-set error goes there too. */
    if (rc < 0 && diag != NULL && shown == 0 && err->code == CW_EXIT_DATAERR)
        cw_error_write(diag, "causeway", err);
    free(idx);
    builder_fini(&bd);
    cw_matcher_free(m);
    return rc;
}

int cw_matcher_new_diag(cw_matcher **out, const cw_rules *rules, FILE *diag, cw_error *err)
{
    return matcher_build(out, rules, diag, NULL, 0, err);
}

int cw_matcher_load(cw_matcher **out, const cw_rules *rules, const char *blob, size_t len,
                    cw_error *err)
{
    return matcher_build(out, rules, NULL, blob, len, err);
}

void cw_matcher_free(cw_matcher *m)
{
    if (m == NULL)
        return;
    hs_free_database(m->db);
    for (size_t i = 0; m->solo != NULL && i < m->ref_count; i++)
        hs_free_database(m->solo[i]);
    free(m->solo);
    free_tails(m->refs, m->ref_count);
    free(m->refs);
    free(m->all_base);
    free(m->near);
    free(m->entries);
    free(m->entry_base);
    free(m->term_base);
    free(m->ref_entry);
    free(m->ref_terms);
    free(m->ref_term_n);
    free(m->term_uses);
    free(m);
}

/* ---- scanning ---------------------------------------------------------------- */

int cw_scan_new(cw_scan **out, const cw_matcher *m, cw_error *err)
{
    *out = NULL;
    size_t n = m->rules->symptom_count + 1; /* never a zero-size allocation */
    cw_scan *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto oom;
    s->m = m;
    s->best_start = malloc(n * sizeof(size_t));
    s->best_end = malloc(n * sizeof(size_t));
    s->vetoed = malloc(n);
    s->negated = malloc(n);
    s->all_seen = malloc(m->all_total + 1);
    s->hits = malloc(n * sizeof(cw_hit));
    s->log = malloc(LOG_MAX * sizeof(shift));
    s->fired = calloc(m->ref_count + 1, 1);
    s->fired_list = malloc((m->ref_count + 1) * sizeof(size_t));
    s->firsts = calloc(m->near_total + 1, sizeof(span_list));
    s->thens = calloc(m->near_total + 1, sizeof(span_list));
    if (s->best_start == NULL || s->best_end == NULL || s->vetoed == NULL || s->negated == NULL ||
        s->all_seen == NULL || s->hits == NULL || s->log == NULL || s->fired == NULL ||
        s->fired_list == NULL || s->firsts == NULL || s->thens == NULL)
        goto oom;
    hs_error_t rc = HS_SUCCESS;
    if (m->db != NULL)
        rc = hs_alloc_scratch(m->db, &s->scratch);
    for (size_t i = 0; rc == HS_SUCCESS && i < m->ref_count; i++)
        if (m->solo[i] != NULL)
            rc = hs_alloc_scratch(m->solo[i], &s->scratch); /* grows it to fit all */
    if (rc == HS_NOMEM)
        goto oom;
    if (rc != HS_SUCCESS) {
        cw_scan_free(s);
        return cw_error_set(err, CW_EXIT_SOFTWARE, "vectorscan could not allocate scratch (%d)",
                            rc);
    }
    *out = s;
    return 0;
oom:
    cw_scan_free(s);
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory preparing the matcher");
}

void cw_scan_free(cw_scan *s)
{
    if (s == NULL)
        return;
    hs_free_scratch(s->scratch);
    free(s->best_start);
    free(s->best_end);
    free(s->vetoed);
    free(s->negated);
    free(s->all_seen);
    free(s->hits);
    free(s->buf);
    free(s->log);
    free(s->fired);
    free(s->fired_list);
    for (size_t g = 0; g < s->m->near_total; g++) {
        free(s->firsts != NULL ? s->firsts[g].items : NULL);
        free(s->thens != NULL ? s->thens[g].items : NULL);
    }
    free(s->firsts);
    free(s->thens);
    stats_free(s->stats);
    free(s);
}

/* Does w[0, n) end with lower-case lit, ASCII case-insensitively? */
static bool ends_with(const unsigned char *w, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = w[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lit[i])
            return false;
    }
    return true;
}

/* Is the word w[0, n), of key `key`, a negator? */
static bool is_negator(const uint64_t set[NEGATOR_SLOTS], uint64_t key, const unsigned char *w,
                       size_t n)
{
    if (n > 12)
        return false;
    for (size_t h = negator_slot(key); key != 0 && set[h] != 0; h = (h + 1) % NEGATOR_SLOTS)
        if (set[h] == key)
            return true;
    /* Both suffixes end in 't': that rules out most words before comparing more. */
    if (n == 0 || (w[n - 1] != 't' && w[n - 1] != 'T'))
        return false;
    return ends_with(w, n, "n't") || ends_with(w, n, "n\xe2\x80\x99t");
}

static bool neg_word_byte(unsigned char c)
{
    return is_word(c) || c == '\'';
}

/*
 * Is a hit starting at `from` negated? Looks back over at most NEG_WORDS words
 * and NEG_LOOKBACK bytes of the same clause.
 */
static bool negated(const cw_matcher *m, const unsigned char *b, size_t from)
{
    size_t lo = from > NEG_LOOKBACK ? from - NEG_LOOKBACK : 0;
    size_t i = from;
    unsigned words = 0;
    uint64_t next = 0; /* key of the word after the current one, in text order (0: none) */
    while (i > lo && words < NEG_WORDS) {
        unsigned char c = b[i - 1];
        if (c == '.' || c == '!' || c == '?' || c == ';')
            return false;
        if (!neg_word_byte(c)) {
            i--;
            continue;
        }
        size_t end = i;
        while (i > lo && neg_word_byte(b[i - 1]))
            i--;
        uint64_t key = word_key(b + i, end - i);
        words++;
        if (key == m->keys.but)
            return false;
        if (is_negator(m->negators, key, b + i, end - i)) {
            /* "not only late but rude", "not just rude": intensifiers */
            bool intensifier =
                key == m->keys.not_ && (next == m->keys.only || next == m->keys.just);
            if (!intensifier)
                return true;
        }
        next = key;
    }
    return false;
}

/* Bytes of the character at b[at] (1 for ASCII and for invalid bytes). */
static size_t char_len(const unsigned char *b, size_t n, size_t at)
{
    uint32_t cp;
    size_t used;
    return b[at] >= 0x80 && decode(b + at, n - at, &cp, &used) ? used : 1;
}

/*
 * Match a phrase's tail at b[at]: '*' takes the rest of the word (it always
 * ends one, so taking all of it is exact), other bytes must be equal
 * (ASCII case-insensitively, as Vectorscan's caseless literals). Returns the
 * end of the match or SIZE_MAX.
 */
static size_t follow(const unsigned char *b, size_t n, size_t at, const char *tail)
{
    for (const unsigned char *g = (const unsigned char *)tail; *g != '\0'; g++) {
        if (*g == '*') {
            while (at < n && word_at(b, n, at))
                at += char_len(b, n, at);
            continue;
        }
        unsigned char c = at < n ? b[at] : 0, want = *g;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (want >= 'A' && want <= 'Z')
            want = (unsigned char)(want - 'A' + 'a');
        if (at >= n || c != want)
            return SIZE_MAX;
        at++;
    }
    return at;
}

/* Remember a match of a `near` phrase; on allocation failure the scan is abandoned (s->oom). */
static void record(cw_scan *s, span_list *l, size_t from, size_t to)
{
    if (l->count == l->cap) {
        size_t cap = l->cap != 0 ? l->cap * 2 : 16;
        span *items = realloc(l->items, cap * sizeof(*items));
        if (items == NULL) {
            s->oom = true;
            return;
        }
        l->items = items;
        l->cap = cap;
    }
    /* Bodies over UINT_MAX bytes are refused before scanning. */
    l->items[l->count++] = (span){(unsigned)from, (unsigned)to};
}

/* ---- entry statistics (counting scans only) ------------------------------------ */

static void note_entry(scan_stats *st, size_t e, unsigned char bit)
{
    if (st->state[e] == 0)
        st->touched[st->touched_count++] = e;
    st->state[e] |= bit;
}

/* Ref `id` matched (bit ST_HIT) or matched negated (ST_NEGATED): its entry and term phrases. */
static void note_ref(cw_scan *s, size_t id, unsigned char bit, bool entry)
{
    const cw_matcher *m = s->m;
    if (entry)
        note_entry(s->stats, m->ref_entry[id], bit);
    for (size_t k = 0; k < m->ref_term_n[id]; k++)
        note_entry(s->stats, m->term_uses[m->ref_terms[id] + k], bit);
}

/* Has everything ref `id` counts for already been seen matching in this complaint? */
static bool ref_settled(const cw_scan *s, size_t id)
{
    const cw_matcher *m = s->m;
    const unsigned char *state = s->stats->state;
    if (!(state[m->ref_entry[id]] & ST_HIT))
        return false;
    for (size_t k = 0; k < m->ref_term_n[id]; k++)
        if (!(state[m->term_uses[m->ref_terms[id] + k]] & ST_HIT))
            return false;
    return true;
}

/* ---- match callbacks ------------------------------------------------------------- */

/*
 * A match of ref `id` over text[from, to): check its bounds and record what it means. It is
 * instantiated twice, `stats` false (every scan that does not count: the code classify and
 * run always ran) and true (counting scans, which must look at every match, not just the
 * ones that could become better evidence).
 */
static inline __attribute__((always_inline)) void consider_as(cw_scan *s, size_t id, size_t from,
                                                              size_t to, bool stats)
{
    const pattern_ref *r = &s->m->refs[id];
    const unsigned char *b = s->text;
    size_t n = s->len;
    /* The lead bound first: it keeps wildcard extension linear (one per word start). */
    if (r->lead_check && from > 0 && word_before(b, from))
        return;
    size_t *bs = &s->best_start[r->symptom], *be = &s->best_end[r->symptom];
    if (!stats && (r->role == ROLE_HIT || r->role == ROLE_NEAR_FIRST) && *bs != SIZE_MAX &&
        *bs < from)
        return; /* no better than the evidence we have (a near hit starts where its first does) */
    if (r->tail != NULL && (to = follow(b, n, to, r->tail)) == SIZE_MAX)
        return;
    if (r->trail_check && to < n && word_at(b, n, to))
        return;
    switch (r->role) {
    case ROLE_ALL:
        s->all_seen[r->slot] = 1;
        if (stats)
            note_ref(s, id, ST_HIT, true);
        return;
    case ROLE_UNLESS:
        s->vetoed[r->symptom] = 1;
        if (stats)
            note_ref(s, id, ST_HIT, true);
        return;
    case ROLE_NEAR_FIRST:
    case ROLE_NEAR_THEN:
        /* The entry itself counts when a pair is resolved; its phrases count as found. */
        if (stats)
            note_ref(s, id, ST_HIT, false);
        record(s, r->role == ROLE_NEAR_FIRST ? &s->firsts[r->slot] : &s->thens[r->slot], from, to);
        return;
    case ROLE_HIT:
        break;
    }
    /* Without statistics, the check above leaves only bs == from && be <= to to rule out. */
    bool better = *bs == SIZE_MAX || *bs > from || (*bs == from && *be > to);
    if (!better && (!stats || ref_settled(s, id)))
        return;
    if (r->negatable && negated(s->m, b, from)) {
        s->negated[r->symptom] = 1;
        if (stats)
            note_ref(s, id, ST_NEGATED, true);
        return;
    }
    if (stats)
        note_ref(s, id, ST_HIT, true);
    if (better) {
        *bs = from;
        *be = to;
    }
}

static inline __attribute__((always_inline)) int
on_match_as(unsigned int id, unsigned long long from, unsigned long long to, void *ctx, bool stats)
{
    cw_scan *s = ctx;
    const pattern_ref *r = &s->m->refs[id];
    if (s->second) {
        consider_as(s, id, (size_t)from, (size_t)to, stats);
    } else if (r->literal) {
        consider_as(s, id, (size_t)to - r->len, (size_t)to, stats);
    } else if (!s->fired[id]) {
        /* A non-literal may match: its own database finds where, after this pass. */
        s->fired[id] = 1;
        s->fired_list[s->fired_count++] = id;
    }
    return s->oom ? 1 : 0; /* non-zero stops the scan */
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)flags;
    return on_match_as(id, from, to, ctx, false);
}

static int on_match_counting(unsigned int id, unsigned long long from, unsigned long long to,
                             unsigned int flags, void *ctx)
{
    (void)flags;
    return on_match_as(id, from, to, ctx, true);
}

/* Byte classes for normalising: 1 space, 2 other whitespace, 3 maybe a curly apostrophe. */
static const unsigned char byte_class[256] = {
    ['\t'] = 2, ['\n'] = 2, ['\v'] = 2, ['\f'] = 2, ['\r'] = 2, [' '] = 1, [0xe2] = 3,
};

/* Length of the unit at b[i] that normalisation rewrites, or 0 when b[i] stays as it is. */
static size_t rewritten(const unsigned char *b, size_t n, size_t i)
{
    switch (byte_class[b[i]]) {
    case 1:
        if (i + 1 == n || byte_class[b[i + 1]] == 0 || byte_class[b[i + 1]] == 3)
            return 0; /* a single space stays */
        /* fall through */
    case 2: {
        size_t j = i + 1;
        while (j < n && (byte_class[b[j]] == 1 || byte_class[b[j]] == 2))
            j++;
        return j - i;
    }
    case 3:
        return curly_apostrophe(b + i, n - i) ? 3 : 0;
    default:
        return 0;
    }
}

/* The first unit in b[from, to) that normalisation rewrites, or `to` when there is none. */
static size_t first_rewritten_in(const unsigned char *b, size_t n, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (byte_class[b[i]] != 0 && rewritten(b, n, i) != 0)
            return i;
    return to;
}

#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* High bit of each byte of x that is zero, and of no other byte (exact, unlike the usual test). */
static uint64_t zero_bytes(uint64_t x)
{
    return ~(((x & ~HIGHS) + ~HIGHS) | x | ~HIGHS);
}

static uint64_t load8(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof(x));
    return x;
}

/*
 * Could a rewritten unit start in b[i, i + 8)? Never false when one does:
 * every such unit starts with a byte below 14 (tab to carriage return), a
 * space followed by a space or by a byte below 14, or 0xe2. Needs i + 9 <= n.
 */
static bool block_may_rewrite(const unsigned char *b, size_t i)
{
    uint64_t x = load8(b + i), next = load8(b + i + 1); /* next: each byte's successor */
    uint64_t below14 = ((x - 14u * ONES) & ~x) | ((next - 14u * ONES) & ~next);
    uint64_t e2 = x ^ (0xe2u * ONES), spaces = 0x20u * ONES;
    uint64_t pairs = zero_bytes(x ^ spaces) & zero_bytes(next ^ spaces);
    return ((below14 | ((e2 - ONES) & ~e2)) & HIGHS) != 0 || pairs != 0;
}

/*
 * The first unit normalisation rewrites at or after `from`, or n. Most
 * bodies need no rewrite and spaces are frequent, so eight bytes are ruled
 * out at a time rather than looking at each space's successor.
 */
static size_t first_rewritten(const unsigned char *b, size_t n, size_t from)
{
    size_t i = from;
    for (; i + 9 <= n; i += 8) {
        if (!block_may_rewrite(b, i))
            continue;
        size_t at = first_rewritten_in(b, n, i, i + 8);
        if (at < i + 8)
            return at;
    }
    return first_rewritten_in(b, n, i, n);
}

/* Remember that normalised position o is body position i (until LOG_MAX + 1 entries). */
static void log_shift(cw_scan *s, size_t o, size_t i)
{
    if (s->log_count < LOG_MAX)
        s->log[s->log_count] = (shift){o, i};
    if (s->log_count <= LOG_MAX)
        s->log_count++;
}

/*
 * Normalise the body as compiled phrases are: whitespace runs become one
 * space, typographic apostrophes ASCII. Bodies that need nothing (most) are
 * scanned in place; otherwise the rewrite goes to s->buf, logging where
 * positions shift so that evidence spans can be given in body bytes. The
 * bytes between two rewritten units are copied as one run: a rewritten body
 * usually has only a few (two spaces after a full stop).
 */
static int normalize(cw_scan *s, const unsigned char *b, size_t n, cw_error *err)
{
    size_t i = first_rewritten(b, n, 0);
    s->log_count = 0;
    if (i == n) {
        s->text = b;
        s->len = n;
        s->changed = false;
        return 0;
    }
    if (n > s->cap) {
        unsigned char *p = realloc(s->buf, n);
        if (p == NULL)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory classifying a complaint");
        s->buf = p;
        s->cap = n;
    }
    size_t o = 0, done = 0; /* b[0, done) is in s->buf[0, o) */
    while (i < n) {
        memcpy(s->buf + o, b + done, i - done);
        o += i - done;
        size_t k = rewritten(b, n, i);
        s->buf[o++] = b[i] == 0xe2 ? '\'' : ' ';
        done = i + k;
        if (k > 1)
            log_shift(s, o, done);
        i = first_rewritten(b, n, done);
    }
    memcpy(s->buf + o, b + done, n - done);
    s->text = s->buf;
    s->len = o + (n - done);
    s->changed = true;
    return 0;
}

/* Body position of normalised position p, by the log (or a walk when it overflowed). */
static size_t body_pos(const cw_scan *s, const unsigned char *b, size_t n, size_t p)
{
    if (s->log_count <= LOG_MAX) {
        size_t lo = 0, hi = s->log_count; /* first entry with norm > p */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->log[mid].norm <= p)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo == 0 ? p : s->log[lo - 1].orig + (p - s->log[lo - 1].norm);
    }
    size_t i = 0;
    for (size_t j = 0; j < p && i < n; j++) {
        size_t k = rewritten(b, n, i);
        i += k > 0 ? k : 1;
    }
    return i;
}

/* ---- near: pairing first and then matches after the scan ------------------------ */

static int by_end(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return (x->start > y->start) - (x->start < y->start);
}

static int by_start(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

static bool sentence_end(unsigned char c)
{
    return c == '.' || c == '!' || c == '?' || c == ';';
}

/*
 * Finds how far after the end of a `first` match a `then` match may start: up
 * to the start of the (within + 1)-th word or to a sentence end. Asked for
 * ascending ends, it only moves forward and remembers the word starts it has
 * passed, so resolving an entry reads each byte of the text about once, even
 * when first matches crowd together.
 */
typedef struct gap_cursor {
    const unsigned char *b;
    size_t n;
    size_t at;                                   /* the text before `at` has been read */
    size_t starts[CW_RULES_MAX_NEAR_WITHIN + 1]; /* word starts read, at or after the end */
    size_t count;                                /* (never more than within + 1 are needed) */
} gap_cursor;

/* The last position where a `then` match may start after a `first` match ending at `end`. */
static size_t gap_reach(gap_cursor *g, size_t end, unsigned within)
{
    if (g->at < end) {
        g->at = end;
        g->count = 0;
    }
    size_t stale = 0;
    while (stale < g->count && g->starts[stale] < end)
        stale++;
    memmove(g->starts, g->starts + stale, (g->count - stale) * sizeof(g->starts[0]));
    g->count -= stale;
    /* A first phrase ending in punctuation can end inside a word: that word is in the gap. */
    bool inside = end > 0 && end < g->n && word_at(g->b, g->n, end) && word_before(g->b, end);
    size_t need = within + 1u - (inside ? 1u : 0u);
    if (need == 0)
        return end;
    while (g->count < need && g->at < g->n && !sentence_end(g->b[g->at])) {
        size_t p = g->at;
        if (word_at(g->b, g->n, p) && (p == 0 || !word_before(g->b, p)))
            g->starts[g->count++] = p;
        g->at += char_len(g->b, g->n, p);
    }
    return g->count >= need ? g->starts[need - 1] : g->at;
}

/*
 * A near hit [from, to) of symptom `sym`: keep it if it is better evidence and not negated.
 * A counting scan also notes whether the entry has a hit that is not negated.
 */
static inline __attribute__((always_inline)) void offer_as(cw_scan *s, const near_ref *e,
                                                           size_t from, size_t to, bool stats)
{
    size_t *bs = &s->best_start[e->symptom], *be = &s->best_end[e->symptom];
    bool better = !(*bs != SIZE_MAX && (*bs < from || (*bs == from && *be <= to)));
    if (!better && (!stats || (s->stats->state[e->entry] & ST_HIT)))
        return;
    if (e->negatable && negated(s->m, s->text, from)) {
        s->negated[e->symptom] = 1;
        if (stats)
            note_entry(s->stats, e->entry, ST_NEGATED);
        return;
    }
    if (stats)
        note_entry(s->stats, e->entry, ST_HIT);
    if (better) {
        *bs = from;
        *be = to;
    }
}

/*
 * Pair the first and then matches of near entry g. A then match pairs with a
 * first match when it starts at or after the first's end and no more than
 * `within` words and no sentence end lie between them; the hit spans both.
 * Both lists are sorted (firsts by end, thens by start) and swept once: for
 * each distinct first end, the earliest-ending then in reach is found, and the
 * first's start decides whether the pair is better evidence.
 */
static inline __attribute__((always_inline)) void resolve_near_as(cw_scan *s, size_t g, bool stats)
{
    span_list *firsts = &s->firsts[g], *thens = &s->thens[g];
    if (firsts->count == 0 || thens->count == 0)
        return;
    const near_ref *e = &s->m->near[g];
    qsort(firsts->items, firsts->count, sizeof(span), by_end);
    qsort(thens->items, thens->count, sizeof(span), by_start);
    gap_cursor cursor = {.b = s->text, .n = s->len};
    size_t next = 0;                            /* first then starting at or after the end */
    size_t end = SIZE_MAX, then_end = SIZE_MAX; /* the last end looked at, and its best pair */
    for (size_t i = 0; i < firsts->count; i++) {
        const span *f = &firsts->items[i];
        if (f->end != end) {
            end = f->end;
            while (next < thens->count && thens->items[next].start < end)
                next++;
            size_t reach = gap_reach(&cursor, end, e->within);
            then_end = SIZE_MAX;
            /* Sorted by start: a then starting at or after the best end cannot end before it. */
            for (size_t k = next; k < thens->count && thens->items[k].start <= reach &&
                                  thens->items[k].start < then_end;
                 k++)
                if (thens->items[k].end < then_end)
                    then_end = thens->items[k].end;
        }
        if (then_end != SIZE_MAX)
            offer_as(s, e, f->start, then_end, stats);
    }
}

static void resolve_near(cw_scan *s, size_t g)
{
    resolve_near_as(s, g, false);
}

static void resolve_near_counting(cw_scan *s, size_t g)
{
    resolve_near_as(s, g, true);
}

static bool where_holds(const cw_symptom *sym, const cw_complaint *c)
{
    for (size_t k = 0; k < sym->where_count; k++) {
        const cw_condition *cond = &sym->where[k];
        const char *v = c->fields[cond->field];
        bool ok = false;
        for (size_t j = 0; v != NULL && j < cond->count && !ok; j++)
            ok = strcasecmp(v, cond->values[j]) == 0;
        if (!ok)
            return false;
    }
    return true;
}

/* Why symptom s fires or not after a scan (the order of checks is the order of the explanation). */
static cw_matcher_why verdict(const cw_scan *scan, size_t s, const cw_complaint *c)
{
    const cw_symptom *sym = &scan->m->rules->symptoms[s];
    if (scan->best_start[s] == SIZE_MAX)
        return scan->negated[s] ? CW_WHY_NEGATED : CW_WHY_NO_HIT;
    for (size_t k = 0; k < sym->match.all.count; k++)
        if (!scan->all_seen[scan->m->all_base[s] + k])
            return CW_WHY_ALL_MISSING;
    if (scan->vetoed[s])
        return CW_WHY_VETOED;
    if (!where_holds(sym, c))
        return CW_WHY_WHERE;
    return CW_WHY_FIRED;
}

static bool all_present(const cw_scan *scan, size_t s)
{
    const cw_symptom *sym = &scan->m->rules->symptoms[s];
    for (size_t k = 0; k < sym->match.all.count; k++)
        if (!scan->all_seen[scan->m->all_base[s] + k])
            return false;
    return true;
}

/* Forget the previous complaint's entry states (also those of a failed classification). */
static void stats_begin(scan_stats *st)
{
    for (size_t k = 0; k < st->touched_count; k++)
        st->state[st->touched[k]] = 0;
    st->touched_count = 0;
}

/* Add the complaint just classified to the counts (see cw_entry_stats, cw_symptom_stats). */
static void stats_finish(cw_scan *scan, const cw_complaint *c)
{
    const cw_matcher *m = scan->m;
    const cw_rules *r = m->rules;
    scan_stats *st = scan->stats;
    st->pub.complaints++;
    for (size_t s = 0; s < r->symptom_count; s++) {
        const cw_symptom *sym = &r->symptoms[s];
        bool hit = scan->best_start[s] != SIZE_MAX, neg = scan->negated[s] != 0;
        bool all = all_present(scan, s), veto = scan->vetoed[s] != 0;
        bool where = true;
        size_t first_where = m->entry_base[s] + sym->match.any.count + sym->match.regex.count +
                             sym->match.near_count + sym->match.all.count + sym->match.unless.count;
        for (size_t k = 0; k < sym->where_count; k++) {
            cw_symptom one = *sym; /* where_holds over this one condition */
            one.where = &sym->where[k];
            one.where_count = 1;
            bool holds = where_holds(&one, c);
            cw_entry_stats *es = &st->pub.entries[first_where + k];
            es->hits += holds;
            es->suppressed += !holds && hit && all && !veto;
            where = where && holds;
        }
        cw_symptom_stats *ss = &st->pub.symptoms[s];
        ss->fired += hit && all && !veto && where;
        ss->negated += !hit && neg && all && !veto && where;
        ss->vetoed += hit && all && veto && where;
        ss->held_all += hit && !all && !veto && where;
        ss->held_where += hit && all && !veto && !where;
        st->flags[s] =
            (unsigned char)((hit ? SYM_HIT : 0) | (all ? SYM_ALL : 0) | (where ? SYM_WHERE : 0));
    }
    for (size_t k = 0; k < st->touched_count; k++) {
        size_t e = st->touched[k];
        cw_entry_stats *es = &st->pub.entries[e];
        unsigned char state = st->state[e];
        es->hits += (state & ST_HIT) != 0;
        es->negated += state == ST_NEGATED;
        const cw_entry *entry = &m->entries[e];
        if (entry->kind == CW_ENTRY_UNLESS && (state & ST_HIT))
            es->suppressed += st->flags[entry->owner] == (SYM_HIT | SYM_ALL | SYM_WHERE);
    }
}

int cw_matcher_classify(const cw_hit **hits, size_t *count, cw_scan *scan, const cw_complaint *c,
                        cw_error *err)
{
    *hits = NULL;
    *count = 0;
    scan->last = NULL;
    const cw_matcher *m = scan->m;
    const cw_rules *r = m->rules;
    if (c->body_len > UINT_MAX)
        return cw_error_set(err, CW_EXIT_DATAERR,
                            "complaint %s: body of %zu bytes is too long to classify",
                            c->id != NULL ? c->id : "(no id)", c->body_len);
    for (size_t s = 0; s < r->symptom_count; s++) {
        scan->best_start[s] = SIZE_MAX;
        scan->best_end[s] = SIZE_MAX;
        scan->vetoed[s] = 0;
        scan->negated[s] = 0;
    }
    memset(scan->all_seen, 0, m->all_total);
    for (size_t g = 0; g < m->near_total; g++)
        scan->firsts[g].count = scan->thens[g].count = 0;
    scan->oom = false;
    scan->second = false;
    scan->fired_count = 0;
    /* A counting scan runs the counting instantiations of the callbacks (see consider_as). */
    match_event_handler callback = scan->stats != NULL ? on_match_counting : on_match;
    if (scan->stats != NULL)
        stats_begin(scan->stats);
    if (m->db != NULL && c->body_len > 0) {
        if (normalize(scan, (const unsigned char *)c->body, c->body_len, err) != 0)
            return -1;
        hs_error_t rc = hs_scan(m->db, (const char *)scan->text, (unsigned)scan->len, 0,
                                scan->scratch, callback, scan);
        scan->second = true;
        for (size_t k = 0; rc == HS_SUCCESS && k < scan->fired_count; k++) {
            size_t i = scan->fired_list[k];
            scan->fired[i] = 0;
            rc = hs_scan(m->solo[i], (const char *)scan->text, (unsigned)scan->len, 0,
                         scan->scratch, callback, scan);
        }
        for (size_t k = 0; k < scan->fired_count; k++)
            scan->fired[scan->fired_list[k]] = 0; /* also after a failed scan */
        if (scan->oom)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory classifying a complaint");
        if (rc != HS_SUCCESS)
            return cw_error_set(err, CW_EXIT_SOFTWARE, "vectorscan scan failed (error %d)", rc);
        for (size_t g = 0; g < m->near_total; g++) {
            if (scan->stats != NULL)
                resolve_near_counting(scan, g);
            else
                resolve_near(scan, g);
        }
    }
    size_t n = 0;
    for (size_t s = 0; s < r->symptom_count; s++) {
        /* Most symptoms have no hit at all: no need to ask verdict() why. */
        if (scan->best_start[s] != SIZE_MAX && verdict(scan, s, c) == CW_WHY_FIRED)
            scan->hits[n++] = (cw_hit){s, scan->best_start[s], scan->best_end[s]};
    }
    /* Evidence spans were found in the normalised text: give them in body bytes. */
    for (size_t h = 0; scan->changed && h < n; h++) {
        const unsigned char *body = (const unsigned char *)c->body;
        scan->hits[h].start = body_pos(scan, body, c->body_len, scan->hits[h].start);
        scan->hits[h].end = body_pos(scan, body, c->body_len, scan->hits[h].end);
    }
    if (scan->stats != NULL)
        stats_finish(scan, c);
    scan->last = c;
    *hits = scan->hits;
    *count = n;
    return 0;
}

static int count_report(unsigned int id, unsigned long long from, unsigned long long to,
                        unsigned int flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    (*(long long *)ctx)++;
    return 0;
}

long long cw_matcher_count_reports(cw_scan *scan, const char *body, size_t len, cw_error *err)
{
    long long reports = 0;
    if (scan->m->db == NULL || len == 0)
        return 0;
    if (len > UINT_MAX)
        return cw_error_set(err, CW_EXIT_DATAERR, "body of %zu bytes is too long to scan", len);
    hs_error_t rc =
        hs_scan(scan->m->db, body, (unsigned)len, 0, scan->scratch, count_report, &reports);
    if (rc != HS_SUCCESS)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "vectorscan scan failed (error %d)", rc);
    return reports;
}

size_t cw_matcher_entry_count(const cw_matcher *m)
{
    return m->entry_count;
}

const cw_entry *cw_matcher_entry(const cw_matcher *m, size_t i)
{
    assert(i < m->entry_count);
    return &m->entries[i];
}

int cw_scan_stats_enable(cw_scan *scan, cw_error *err)
{
    if (scan->stats != NULL)
        return 0;
    size_t entries = scan->m->entry_count + 1, symptoms = scan->m->rules->symptom_count + 1;
    scan_stats *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->pub.entries = calloc(entries, sizeof(*st->pub.entries));
        st->pub.symptoms = calloc(symptoms, sizeof(*st->pub.symptoms));
        st->state = calloc(entries, 1);
        st->touched = malloc(entries * sizeof(*st->touched));
        st->flags = calloc(symptoms, 1);
    }
    if (st == NULL || st->pub.entries == NULL || st->pub.symptoms == NULL || st->state == NULL ||
        st->touched == NULL || st->flags == NULL) {
        stats_free(st);
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory preparing rule statistics");
    }
    scan->stats = st;
    return 0;
}

const cw_match_stats *cw_scan_stats(const cw_scan *scan)
{
    return scan->stats != NULL ? &scan->stats->pub : NULL;
}

cw_matcher_why cw_matcher_explain(const cw_scan *scan, size_t symptom)
{
    assert(scan->last != NULL && symptom < scan->m->rules->symptom_count);
    return verdict(scan, symptom, scan->last);
}
