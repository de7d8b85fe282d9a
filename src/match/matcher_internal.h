/*
 * matcher_internal.h - internal to the matcher module: the compiled rule set
 * (struct cw_matcher), the scan state (struct cw_scan) and the helpers the three
 * stages share (matcher_expr.c: phrases to expressions; matcher_build.c: the
 * Vectorscan databases; matcher_scan.c: the scan). Byte and word helpers the scan calls
 * per match are static inline here, so splitting the module costs the scan nothing.
 */
#ifndef CAUSEWAY_MATCHER_INTERNAL_H
#define CAUSEWAY_MATCHER_INTERNAL_H

#include <hs/hs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/match/matcher.h"

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

static inline bool is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c >= 0x80;
}

/*
 * Word characters beyond ASCII, for exact bounds: letters of any script are
 * word characters, while spaces, punctuation, symbols and emoji (curly quotes
 * around “rude”, a no-break space, an em dash) are not.
 */
static inline bool cp_is_word(uint32_t cp)
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
static inline bool decode(const unsigned char *p, size_t n, uint32_t *cp, size_t *used)
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
static inline bool word_at(const unsigned char *b, size_t len, size_t at)
{
    uint32_t cp;
    size_t used;
    if (b[at] < 0x80)
        return is_word(b[at]);
    return !decode(b + at, len - at, &cp, &used) || cp_is_word(cp);
}

/* Is the character ending just before b[at] (at > 0) a word character? */
static inline bool word_before(const unsigned char *b, size_t at)
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

/* A typographic apostrophe (U+2018, U+2019) at p[0..n)? */
static inline bool curly_apostrophe(const unsigned char *p, size_t n)
{
    return n >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99);
}

/*
 * Words of the negation look-back are compared as integers: up to KEY_MAX
 * bytes, lower-cased, zero-padded (words hold no NUL byte, so keys of
 * different words differ). Longer words are none we look for: their key is 0.
 */
#define KEY_MAX 8u /* bytes of the longest negator, "shouldnt" */

static inline uint64_t word_key(const unsigned char *w, size_t n)
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

static inline size_t negator_slot(uint64_t key)
{
    /* Fibonacci hashing: the top bits of the product depend on every byte of the key. */
    return (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> (64u - NEGATOR_BITS));
}

static inline int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
}

/* A growable string; oom is set (and further appends are dropped) when memory runs out. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static inline void sbuf_put(sbuf *b, const char *s, size_t n)
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

/* matcher_expr.c: phrases to Vectorscan expressions, and the compile budget. */

/* Append c to b as a regex literal (escaped when it is a metacharacter). */
void sbuf_lit(sbuf *b, unsigned char c);
/* Release a's alternatives and term indices; a stays usable (empty). */
void alts_free(alts *a);
/*
 * Expand phrase t into at most `max` alternatives. Returns false when there
 * would be more (the caller then compiles one regex instead).
 */
bool expand_phrase(alts *out, const cw_rules *r, const char *t, size_t max);
/* The regex phrase t stands for; *lead and *trail say whether its ends need a word-bound check. */
void phrase_regex(sbuf *b, const cw_rules *r, const char *t, bool *lead, bool *trail);
/* The largest bound of a counted repeat {n}, {n,}, {n,m} in a regex (0 when none). */
unsigned long largest_repeat(const char *t);
/* Fill err (exit 65) with pattern p of rule set r at its position, and why it cannot compile. */
int pattern_error(cw_error *err, const cw_rules *r, const cw_pattern *p, const char *why);

#endif
