/*
 * topk.h - which phrases are over-represented in one group of complaints against
 * another, in fixed memory on any number of complaints (`causeway coverage`
 * suggestions).
 *
 * Complaints are added with a role: TARGET (say, those no rule catches), REFERENCE (those
 * some rule catches) or AUX (a third group that is only counted, e.g. uncategorised
 * complaints beside a symptom's matches). Which phrases are kept is decided by a
 * Space-Saving sketch (Metwally, Agrawal and El Abbadi, ICDT 2005) over the phrases of the
 * TARGET complaints, with `capacity` counters: a phrase not kept takes the counter of
 * the least counted one. While a phrase holds a counter, the complaints of each role
 * that contain it are counted exactly, and so are all complaints added of each role (its
 * window). Phrases are then ranked by Dunning's log-likelihood ratio G^2 (Computational
 * Linguistics 19(1), 1993) of the 2x2 table (contains it or not) x (TARGET or REFERENCE)
 * over its window.
 *
 * Error bound: with N the (phrase, TARGET complaint) pairs added and K = capacity, every
 * phrase in more than N/K TARGET complaints holds a counter at the end; a kept phrase
 * missed at most `error` <= N/K of its TARGET complaints, all before its window began,
 * and its counts within the window are exact. Memory is fixed by `capacity` (about
 * 440 bytes a counter), whatever the number of complaints.
 */
#ifndef CAUSEWAY_TOPK_H
#define CAUSEWAY_TOPK_H

#include <stdbool.h>
#include <stddef.h>

#include "causeway/error.h"
#include "causeway/ngram.h"

typedef enum cw_topk_role {
    CW_TOPK_TARGET = 0,
    CW_TOPK_REFERENCE,
    CW_TOPK_AUX,
    CW_TOPK_ROLES
} cw_topk_role;

#define CW_TOPK_ID_MAX   63u /* bytes of an example id kept; longer ones end in "..." */
#define CW_TOPK_EXAMPLES 2u  /* example ids kept per phrase and role (TARGET and AUX) */

typedef struct cw_topk cw_topk;

/* A ranked phrase. */
typedef struct cw_topk_item {
    char text[CW_NGRAM_MAX_TEXT + 1];
    unsigned long long count[CW_TOPK_ROLES];  /* complaints containing it, within its window */
    unsigned long long window[CW_TOPK_ROLES]; /* complaints added while it held its counter */
    unsigned long long error;                 /* TARGET complaints it may have missed before */
    double g2;                                /* of TARGET against REFERENCE over the window */
    /* The first ids of TARGET (examples[0]) and AUX (examples[1]) complaints containing it,
     * within its window; "" when fewer. */
    char examples[2][CW_TOPK_EXAMPLES][CW_TOPK_ID_MAX + 1];
} cw_topk_item;

/* A sketch of `capacity` (>= 1) counters. On failure *out is NULL (71). */
int cw_topk_new(cw_topk **out, size_t capacity, cw_error *err);

/* NULL is a no-op. */
void cw_topk_free(cw_topk *k);

/*
 * Add one complaint of `role` with id `id` (borrowed; may be NULL) whose distinct phrases
 * are those of the last cw_ngrams_scan of `g`. Never fails: the memory is all allocated.
 */
void cw_topk_add(cw_topk *k, cw_topk_role role, const char *id, const cw_ngrams *g);

/* Complaints added of `role`. */
unsigned long long cw_topk_total(const cw_topk *k, cw_topk_role role);

/*
 * Rank the kept phrases over-represented in TARGET complaints (a higher share of the
 * window's TARGET complaints than of its REFERENCE ones) that occur in at least
 * `min_count` TARGET complaints (and, when `need_aux`, in at least one AUX complaint), by
 * G^2, then TARGET count, then words, then text. A phrase contained in one ranked higher
 * with the same TARGET count adds nothing and is left out ("box" under "box crushed").
 * `keep(user, text)` (may be NULL) decides whether a phrase may be listed at all.
 * Fills out[0, max) and sets *written; returns 0, or -1 with err (71).
 */
int cw_topk_rank(size_t *written, cw_topk_item *out, size_t max, const cw_topk *k,
                 unsigned long long min_count, bool need_aux,
                 bool (*keep)(void *user, const char *text), void *user, cw_error *err);

/* G^2 of the 2x2 table [[a, b], [c, d]] (counts; 0 when a row or column is empty). */
double cw_topk_g2(double a, double b, double c, double d);

#endif
