/*
 * matcher_scan.c - one Vectorscan database for a whole rule set; see matcher.h for
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
#include "matcher_internal.h"

#include <assert.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
