/*
 * topk.h - which phrases are over-represented in one group of complaints against
 * another, in fixed memory on any number of complaints (`causeway coverage`
 * suggestions).
 *
 * Complaints are added with a role: TARGET (say, those no rule catches), REFERENCE (those
 * some rule catches) or AUX (a third group that is only counted, e.g. uncategorised
 * complaints beside a symptom's matches).
 *
 * TARGET phrases are kept in a Space-Saving sketch (Metwally, Agrawal and El Abbadi, ICDT
 * 2005) of `capacity` counters: a phrase not kept takes the counter of the least counted
 * one. While a phrase holds a counter, the TARGET and AUX complaints containing it are
 * counted exactly. With N_T the (phrase, TARGET complaint) pairs added and K the
 * capacity, every phrase in more than N_T/K TARGET complaints holds a counter at the
 * end, and a kept phrase's count misses at most `error` <= N_T/K of its complaints (all
 * before it was kept; `error` is 0 while the sketch has never been full).
 *
 * REFERENCE phrases go to a count-min sketch (Cormode and Muthukrishnan, J. Algorithms
 * 2005) shared by several topk sketches (each salts its keys), in its cache-blocked form:
 * a phrase's 4 counters lie in one 64-byte block of 16, of 2^block_bits blocks, updated
 * conservatively. An estimate never undercounts; each counter's expected excess is at
 * most N_R / (4 * 2^block_bits), N_R the pairs added to the count-min sketch (by Markov,
 * more than e times that with probability under 1/e), and the estimate is the least of
 * four such counters.
 *
 * Phrases are ranked by Dunning's log-likelihood ratio G^2 (Computational Linguistics
 * 19(1), 1993) of the 2x2 table (contains it or not) x (TARGET or REFERENCE) over all
 * complaints added. Both sketch errors can only lower a phrase's G^2 (fewer TARGET, more
 * REFERENCE complaints), never raise it: no suggestion is an artefact of the sketches.
 */
#ifndef CAUSEWAY_TOPK_H
#define CAUSEWAY_TOPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "causeway/util/error.h"
#include "causeway/corpus/ngram.h"

typedef enum cw_topk_role {
    CW_TOPK_TARGET = 0,
    CW_TOPK_REFERENCE,
    CW_TOPK_AUX,
    CW_TOPK_ROLES
} cw_topk_role;

#define CW_TOPK_ID_MAX   63u /* bytes of an example id kept; longer ones end in "..." */
#define CW_TOPK_EXAMPLES 2u  /* example ids kept per phrase and role (TARGET and AUX) */

typedef struct cw_topk cw_topk;
typedef struct cw_cms cw_cms;

/* A ranked phrase. */
typedef struct cw_topk_item {
    char text[CW_NGRAM_MAX_TEXT + 1];
    /* TARGET: complaints counted while kept (a lower bound); REFERENCE: the count-min
     * estimate (an upper bound); AUX: complaints counted while kept. */
    unsigned long long count[CW_TOPK_ROLES];
    unsigned long long error; /* TARGET complaints it may have missed before it was kept */
    double g2;                /* of TARGET against REFERENCE */
    /* The first ids of TARGET (examples[0]) and AUX (examples[1]) complaints containing it,
     * while kept; "" when fewer. */
    char examples[2][CW_TOPK_EXAMPLES][CW_TOPK_ID_MAX + 1];
} cw_topk_item;

/* A count-min sketch of 2^block_bits 64-byte blocks (1..24). On failure *out is NULL (71). */
int cw_cms_new(cw_cms **out, unsigned block_bits, cw_error *err);
void cw_cms_free(cw_cms *c);
void cw_cms_add(cw_cms *c, uint64_t key);
unsigned long long cw_cms_estimate(const cw_cms *c, uint64_t key);
/* Pairs added, and the expected excess of one counter (N / (4 * blocks)). */
unsigned long long cw_cms_total(const cw_cms *c);
double cw_cms_expected_excess(const cw_cms *c);

/*
 * A sketch of `capacity` (>= 1) counters counting REFERENCE complaints in `cms` (borrowed;
 * it must outlive the sketch) under keys salted with `salt` (one per sketch sharing it);
 * `aux_examples`: keep AUX example ids (more memory). On failure *out is NULL (71).
 */
int cw_topk_new(cw_topk **out, size_t capacity, cw_cms *cms, uint64_t salt, bool aux_examples,
                cw_error *err);

/* NULL is a no-op. */
void cw_topk_free(cw_topk *k);

/*
 * Add one complaint of `role` with id `id` (borrowed; may be NULL) whose distinct phrases
 * are those of the last cw_ngrams_scan of `g`. Never fails: the memory is all allocated.
 */
void cw_topk_add(cw_topk *k, cw_topk_role role, const char *id, const cw_ngrams *g);

/* Complaints added of `role`. */
unsigned long long cw_topk_total(const cw_topk *k, cw_topk_role role);

/* Whether the Space-Saving sketch ever had to replace a phrase (counts may then miss). */
bool cw_topk_full(const cw_topk *k);

/*
 * Rank the kept phrases over-represented in TARGET complaints (a higher share of the
 * TARGET complaints than of the REFERENCE ones) that occur in at least `min_count` TARGET
 * complaints (and, when `need_aux`, in at least one AUX complaint), by G^2, then TARGET
 * count, then words, then text. A phrase contained in one ranked higher with the same
 * TARGET count adds nothing and is left out ("box" under "box crushed").
 * `keep(user, text)` (may be NULL) decides whether a phrase may be listed at all.
 * Fills out[0, max) and sets *written; returns 0, or -1 with err (71).
 */
int cw_topk_rank(size_t *written, cw_topk_item *out, size_t max, const cw_topk *k,
                 unsigned long long min_count, bool need_aux,
                 bool (*keep)(void *user, const char *text), void *user, cw_error *err);

/* G^2 of the 2x2 table [[a, b], [c, d]] (counts; 0 when a row or column is empty). */
double cw_topk_g2(double a, double b, double c, double d);

#endif
