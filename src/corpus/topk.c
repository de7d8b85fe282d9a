/*
 * topk.c - Space-Saving over TARGET phrases, count-min over REFERENCE ones; see topk.h.
 *
 * The counters sit in buckets of equal Space-Saving count, kept in a list by increasing
 * count (the "stream summary" of Metwally et al.): adding a complaint to a kept phrase
 * moves its counter to the next bucket, and the least counted phrase, the one a new
 * phrase replaces, is in the first bucket; both in constant time. A hash table with
 * linear probing finds a phrase's counter by its 64-bit hash.
 */
#include "causeway/corpus/topk.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/hash.h"
#include "causeway/util/text.h"

#define NONE UINT32_MAX

typedef struct counter {
    uint64_t hash;
    unsigned long long ss;    /* Space-Saving count: error + TARGET complaints counted */
    unsigned long long error; /* the count it inherited */
    unsigned long long target, aux;
    uint32_t bucket, prev, next; /* its bucket, and neighbours in it */
    uint32_t slot;               /* where the hash table points at it */
    unsigned char examples[2];   /* ids kept for TARGET and AUX */
    char text[CW_NGRAM_MAX_TEXT + 1];
} counter;

typedef struct bucket {
    unsigned long long ss;
    uint32_t first;      /* a counter in it */
    uint32_t prev, next; /* neighbouring buckets, by count */
} bucket;

typedef char example_ids[CW_TOPK_EXAMPLES][CW_TOPK_ID_MAX + 1];

struct cw_topk {
    counter *counters;
    size_t used, capacity;
    bool full;           /* a phrase was ever replaced */
    example_ids *ids[2]; /* per counter: TARGET ids, AUX ids (NULL unless asked for) */
    bucket *buckets;
    uint32_t *free_buckets; /* a stack of unused bucket indices */
    size_t free_count;
    uint32_t head; /* the bucket of least count */
    uint32_t *slots;
    size_t slot_mask;
    unsigned long long total[CW_TOPK_ROLES];
    cw_cms *cms;
    uint64_t salt;
};

/* ---- count-min, cache-blocked ---------------------------------------------------------- */

#define CMS_BLOCK 16u /* counters of one 64-byte block */

struct cw_cms {
    uint32_t *cells; /* blocks x CMS_BLOCK */
    unsigned bits;
    unsigned long long total;
};

int cw_cms_new(cw_cms **out, unsigned block_bits, cw_error *err)
{
    *out = NULL;
    if (block_bits < 1 || block_bits > 24)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "count-min size 2^%u out of range", block_bits);
    cw_cms *c = calloc(1, sizeof(*c));
    if (c != NULL)
        c->cells = calloc((size_t)CMS_BLOCK << block_bits, sizeof(*c->cells));
    if (c == NULL || c->cells == NULL) {
        cw_cms_free(c);
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory for the phrase counts");
    }
    c->bits = block_bits;
    *out = c;
    return 0;
}

void cw_cms_free(cw_cms *c)
{
    if (c == NULL)
        return;
    free(c->cells);
    free(c);
}

/*
 * The block of `key` (its top bits) and four distinct counters in it, from the nibbles of
 * its low bits: key is a mixed hash, so the bits are independent enough.
 */
static uint32_t *cms_cells(const cw_cms *c, uint64_t key, unsigned idx[4])
{
    uint32_t *block = c->cells + (size_t)(key >> (64u - c->bits)) * CMS_BLOCK;
    unsigned used = 0, n = 0;
    for (unsigned shift = 0; n < 4 && shift + 4 <= 64u - c->bits; shift += 4) {
        unsigned i = (unsigned)(key >> shift) & (CMS_BLOCK - 1);
        if (used & (1u << i))
            continue;
        used |= 1u << i;
        idx[n++] = i;
    }
    for (unsigned i = 0; n < 4; i++) /* too few distinct nibbles: the first free counters */
        if (!(used & (1u << i))) {
            used |= 1u << i;
            idx[n++] = i;
        }
    return block;
}

/* Start loading the block of `key`: cw_cms_add will want it. */
static void cms_prefetch(const cw_cms *c, uint64_t key)
{
    __builtin_prefetch(c->cells + (size_t)(key >> (64u - c->bits)) * CMS_BLOCK, 1);
}

void cw_cms_add(cw_cms *c, uint64_t key)
{
    unsigned idx[4];
    uint32_t *b = cms_cells(c, key, idx);
    uint32_t least = UINT32_MAX;
    for (int k = 0; k < 4; k++)
        least = b[idx[k]] < least ? b[idx[k]] : least;
    c->total++;
    if (least == UINT32_MAX)
        return; /* saturated: it may only overcount, which an estimate may */
    /* Conservative update: raise only the counters at the least value. */
    for (int k = 0; k < 4; k++)
        if (b[idx[k]] == least)
            b[idx[k]] = least + 1;
}

unsigned long long cw_cms_estimate(const cw_cms *c, uint64_t key)
{
    unsigned idx[4];
    const uint32_t *b = cms_cells(c, key, idx);
    uint32_t least = UINT32_MAX;
    for (int k = 0; k < 4; k++)
        least = b[idx[k]] < least ? b[idx[k]] : least;
    return least;
}

unsigned long long cw_cms_total(const cw_cms *c)
{
    return c->total;
}

double cw_cms_expected_excess(const cw_cms *c)
{
    return (double)c->total / (4.0 * (double)(1ull << c->bits));
}

static uint64_t cms_key(const cw_topk *k, uint64_t hash)
{
    return cw_hash_mix(hash ^ k->salt);
}

/* ---- the sketch ------------------------------------------------------------------------- */

int cw_topk_new(cw_topk **out, size_t capacity, cw_cms *cms, uint64_t salt, bool aux_examples,
                cw_error *err)
{
    *out = NULL;
    if (capacity == 0 || capacity >= NONE / 4)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "phrase sketch capacity %zu out of range",
                            capacity);
    size_t slots = 1;
    while (slots < capacity * 2)
        slots *= 2;
    cw_topk *k = calloc(1, sizeof(*k));
    if (k != NULL) {
        k->capacity = capacity;
        k->cms = cms;
        k->salt = cw_hash_mix(salt + 1);
        k->counters = calloc(capacity, sizeof(*k->counters));
        k->ids[0] = calloc(capacity, sizeof(*k->ids[0]));
        k->ids[1] = aux_examples ? calloc(capacity, sizeof(*k->ids[1])) : NULL;
        /* A new bucket is made before the old one empties: one more than counters. */
        k->buckets = calloc(capacity + 1, sizeof(*k->buckets));
        k->free_buckets = calloc(capacity + 1, sizeof(*k->free_buckets));
        k->slots = malloc(slots * sizeof(*k->slots));
    }
    if (k == NULL || k->counters == NULL || k->ids[0] == NULL ||
        (aux_examples && k->ids[1] == NULL) || k->buckets == NULL || k->free_buckets == NULL ||
        k->slots == NULL) {
        cw_topk_free(k);
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory for the phrase sketch");
    }
    memset(k->slots, 0xff, slots * sizeof(*k->slots));
    k->slot_mask = slots - 1;
    for (size_t b = 0; b <= capacity; b++)
        k->free_buckets[k->free_count++] = (uint32_t)(capacity - b);
    k->head = NONE;
    *out = k;
    return 0;
}

void cw_topk_free(cw_topk *k)
{
    if (k == NULL)
        return;
    free(k->counters);
    free(k->ids[0]);
    free(k->ids[1]);
    free(k->buckets);
    free(k->free_buckets);
    free(k->slots);
    free(k);
}

unsigned long long cw_topk_total(const cw_topk *k, cw_topk_role role)
{
    return k->total[role];
}

bool cw_topk_full(const cw_topk *k)
{
    return k->full;
}

/* ---- the stream summary ------------------------------------------------------------- */

/* A new bucket of count ss after bucket `after` (NONE: at the head). */
static uint32_t bucket_new(cw_topk *k, unsigned long long ss, uint32_t after)
{
    uint32_t b = k->free_buckets[--k->free_count];
    uint32_t next = after == NONE ? k->head : k->buckets[after].next;
    k->buckets[b] = (bucket){ss, NONE, after, next};
    if (after == NONE)
        k->head = b;
    else
        k->buckets[after].next = b;
    if (next != NONE)
        k->buckets[next].prev = b;
    return b;
}

static void unlink_counter(cw_topk *k, uint32_t c)
{
    counter *x = &k->counters[c];
    bucket *b = &k->buckets[x->bucket];
    if (x->prev != NONE)
        k->counters[x->prev].next = x->next;
    if (x->next != NONE)
        k->counters[x->next].prev = x->prev;
    if (b->first == c)
        b->first = x->next;
    if (b->first != NONE)
        return;
    /* The bucket emptied: drop it from the list. */
    if (b->prev != NONE)
        k->buckets[b->prev].next = b->next;
    else
        k->head = b->next;
    if (b->next != NONE)
        k->buckets[b->next].prev = b->prev;
    k->free_buckets[k->free_count++] = x->bucket;
}

static void link_counter(cw_topk *k, uint32_t c, uint32_t b)
{
    counter *x = &k->counters[c];
    x->bucket = b;
    x->prev = NONE;
    x->next = k->buckets[b].first;
    if (x->next != NONE)
        k->counters[x->next].prev = c;
    k->buckets[b].first = c;
}

/* Counter c's Space-Saving count goes up by one: move it to the bucket of that count. */
static void bump(cw_topk *k, uint32_t c)
{
    counter *x = &k->counters[c];
    uint32_t from = x->bucket;
    unsigned long long ss = ++x->ss;
    uint32_t next = k->buckets[from].next;
    uint32_t to = next != NONE && k->buckets[next].ss == ss ? next : bucket_new(k, ss, from);
    unlink_counter(k, c); /* may free `from`, never `to` */
    link_counter(k, c, to);
}

/* ---- the hash table ----------------------------------------------------------------- */

static uint32_t find(const cw_topk *k, uint64_t hash)
{
    for (size_t i = (size_t)hash & k->slot_mask; k->slots[i] != NONE; i = (i + 1) & k->slot_mask)
        if (k->counters[k->slots[i]].hash == hash)
            return k->slots[i];
    return NONE;
}

static void slot_put(cw_topk *k, uint32_t c)
{
    size_t i = (size_t)k->counters[c].hash & k->slot_mask;
    while (k->slots[i] != NONE)
        i = (i + 1) & k->slot_mask;
    k->slots[i] = c;
    k->counters[c].slot = (uint32_t)i;
}

/* Remove counter c's slot, shifting back the entries after it (linear probing). */
static void slot_remove(cw_topk *k, uint32_t c)
{
    size_t hole = k->counters[c].slot, i = hole;
    k->slots[hole] = NONE;
    for (;;) {
        i = (i + 1) & k->slot_mask;
        uint32_t e = k->slots[i];
        if (e == NONE)
            return;
        size_t home = (size_t)k->counters[e].hash & k->slot_mask;
        /* e may move into the hole when its home is not between the hole and i. */
        bool movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
        if (movable) {
            k->slots[hole] = e;
            k->counters[e].slot = (uint32_t)hole;
            k->slots[i] = NONE;
            hole = i;
        }
    }
}

/* ---- adding complaints ---------------------------------------------------------------- */

static void keep_id(cw_topk *k, uint32_t c, int which, const char *id)
{
    counter *x = &k->counters[c];
    if (id != NULL && k->ids[which] != NULL && x->examples[which] < CW_TOPK_EXAMPLES)
        cw_text_copy_cut(k->ids[which][c][x->examples[which]++], CW_TOPK_ID_MAX + 1, id);
}

/* A TARGET phrase without a counter takes a free one or the least counted one's. */
static uint32_t admit(cw_topk *k, const cw_ngrams *g, const cw_ngram *p)
{
    uint32_t c;
    unsigned long long inherited = 0;
    if (k->used < k->capacity) {
        c = (uint32_t)k->used++;
        uint32_t b =
            k->head != NONE && k->buckets[k->head].ss == 1 ? k->head : bucket_new(k, 1, NONE);
        k->counters[c].ss = 1;
        link_counter(k, c, b);
    } else {
        c = k->buckets[k->head].first;
        inherited = k->counters[c].ss;
        slot_remove(k, c);
        bump(k, c);
        k->full = true;
    }
    counter *x = &k->counters[c];
    x->hash = p->hash;
    x->error = inherited;
    x->target = x->aux = 0;
    x->examples[0] = x->examples[1] = 0;
    cw_ngrams_text(g, p, x->text);
    slot_put(k, c);
    return c;
}

void cw_topk_add(cw_topk *k, cw_topk_role role, const char *id, const cw_ngrams *g)
{
    k->total[role]++;
    size_t n;
    const cw_ngram *items = cw_ngrams_items(g, &n);
    if (role == CW_TOPK_REFERENCE) {
        /* Each add is a cache miss in a 4 MiB table: ask for a batch of blocks at once so
         * the misses overlap, then count. */
        uint64_t keys[16];
        for (size_t i = 0; i < n; i += 16) {
            size_t m = n - i < 16 ? n - i : 16;
            for (size_t j = 0; j < m; j++) {
                keys[j] = cms_key(k, items[i + j].hash);
                cms_prefetch(k->cms, keys[j]);
            }
            for (size_t j = 0; j < m; j++)
                cw_cms_add(k->cms, keys[j]);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t c = find(k, items[i].hash);
        if (c == NONE) {
            if (role != CW_TOPK_TARGET)
                continue;
            c = admit(k, g, &items[i]);
        } else if (role == CW_TOPK_TARGET) {
            bump(k, c);
        }
        counter *x = &k->counters[c];
        if (role == CW_TOPK_TARGET)
            x->target++;
        else
            x->aux++;
        keep_id(k, c, role == CW_TOPK_TARGET ? 0 : 1, id);
    }
}

/* ---- ranking -------------------------------------------------------------------------- */

static double xlogx(double x)
{
    return x > 0 ? x * log(x) : 0.0;
}

double cw_topk_g2(double a, double b, double c, double d)
{
    /* 2 (sum O ln O - sum rows ln rows - sum columns ln columns + N ln N): Dunning's form. */
    double n = a + b + c + d;
    if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0)
        return 0.0;
    double g = xlogx(a) + xlogx(b) + xlogx(c) + xlogx(d) - xlogx(a + b) - xlogx(c + d) -
               xlogx(a + c) - xlogx(b + d) + xlogx(n);
    return g > 0 ? 2.0 * g : 0.0;
}

/* What ranking compares, copied out of the counter: qsort passes no context. */
typedef struct candidate {
    uint32_t counter;
    double g2;
    unsigned long long target, reference;
    unsigned words;
    const char *text;
} candidate;

static int by_rank(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    if (a->g2 != b->g2)
        return a->g2 > b->g2 ? -1 : 1;
    if (a->target != b->target)
        return a->target > b->target ? -1 : 1;
    if (a->words != b->words)
        return a->words > b->words ? -1 : 1;
    return strcmp(a->text, b->text);
}

/* Is `inner` the whole of `outer` or a run of its words? */
static bool contains_words(const char *outer, const char *inner)
{
    size_t n = strlen(inner);
    for (const char *p = strstr(outer, inner); p != NULL; p = strstr(p + 1, inner))
        if ((p == outer || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

int cw_topk_rank(size_t *written_out, cw_topk_item *out, size_t max, const cw_topk *k,
                 unsigned long long min_count, bool need_aux,
                 bool (*keep)(void *user, const char *text), void *user, cw_error *err)
{
    *written_out = 0;
    candidate *cand = malloc((k->used + 1) * sizeof(*cand));
    if (cand == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory ranking phrases");
    size_t n = 0;
    double t = (double)k->total[CW_TOPK_TARGET], r = (double)k->total[CW_TOPK_REFERENCE];
    for (size_t i = 0; i < k->used; i++) {
        const counter *x = &k->counters[i];
        if (x->target < min_count || (need_aux && x->aux == 0))
            continue;
        double a = (double)x->target;
        double b = (double)cw_cms_estimate(k->cms, cms_key(k, x->hash));
        if (b > r)
            b = r;                   /* the estimate may overcount, never beyond every complaint */
        if (a * r <= b * t && r > 0) /* not over-represented */
            continue;
        unsigned words = 1;
        for (const char *p = x->text; *p != '\0'; p++)
            words += *p == ' ';
        cand[n++] = (candidate){(uint32_t)i, cw_topk_g2(a, b, t - a, r - b),
                                x->target,   (unsigned long long)b,
                                words,       x->text};
    }
    qsort(cand, n, sizeof(*cand), by_rank);
    size_t written = 0;
    for (size_t i = 0; i < n && written < max; i++) {
        const counter *x = &k->counters[cand[i].counter];
        bool redundant = false;
        for (size_t j = 0; j < written && !redundant; j++)
            redundant =
                out[j].count[CW_TOPK_TARGET] == x->target && contains_words(out[j].text, x->text);
        if (redundant || (keep != NULL && !keep(user, x->text)))
            continue;
        cw_topk_item *it = &out[written++];
        memset(it, 0, sizeof(*it));
        memcpy(it->text, x->text, sizeof(it->text));
        it->count[CW_TOPK_TARGET] = x->target;
        it->count[CW_TOPK_REFERENCE] = cand[i].reference;
        it->count[CW_TOPK_AUX] = x->aux;
        it->error = x->error;
        it->g2 = cand[i].g2;
        for (int w = 0; w < 2; w++)
            for (unsigned e = 0; k->ids[w] != NULL && e < x->examples[w]; e++)
                memcpy(it->examples[w][e], k->ids[w][cand[i].counter][e], CW_TOPK_ID_MAX + 1);
    }
    free(cand);
    *written_out = written;
    return 0;
}
