/* test_topk.c - Space-Saving over phrases and the G^2 ranking (topk.h). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/corpus/topk.h"

typedef struct fixture {
    cw_ngrams *g;
    cw_cms *cms;
    cw_topk *k;
    cw_error err;
} fixture;

static void setup(fixture *f, size_t capacity)
{
    cw_error_clear(&f->err);
    cr_assert_eq(cw_ngrams_new(&f->g, &f->err), 0);
    cr_assert_eq(cw_cms_new(&f->cms, 12, &f->err), 0);
    cr_assert_eq(cw_topk_new(&f->k, capacity, f->cms, 0, true, &f->err), 0);
}

static void teardown(fixture *f)
{
    cw_topk_free(f->k);
    cw_cms_free(f->cms);
    cw_ngrams_free(f->g);
}

static void add(fixture *f, cw_topk_role role, const char *id, const char *text)
{
    cr_assert_eq(cw_ngrams_scan(f->g, text, strlen(text), &f->err), 0);
    cw_topk_add(f->k, role, id, f->g);
}

static size_t rank(fixture *f, cw_topk_item *out, size_t max, unsigned long long min, bool need_aux)
{
    size_t n = 99;
    cr_assert_eq(cw_topk_rank(&n, out, max, f->k, min, need_aux, NULL, NULL, &f->err), 0);
    return n;
}

Test(topk, g2_is_dunnings_log_likelihood_ratio)
{
    /* 10 of 10 against 0 of 10: 2 * 20 ln 2. */
    cr_assert_float_eq(cw_topk_g2(10, 0, 0, 10), 40.0 * log(2.0), 1e-9);
    /* Independence: 0. */
    cr_assert_float_eq(cw_topk_g2(5, 5, 5, 5), 0.0, 1e-12);
    /* [[4, 0], [7, 7]]: 2 (4 ln 4 + 7 ln 7 + 7 ln 7 - 4 ln 4 - 14 ln 14 - 11 ln 11 - 7 ln 7
     * + 18 ln 18), worked out by hand from the definition. */
    double want = 2.0 * (7 * log(7.0) - 14 * log(14.0) - 11 * log(11.0) + 18 * log(18.0));
    cr_assert_float_eq(cw_topk_g2(4, 0, 7, 7), want, 1e-9);
    cr_assert_float_eq(cw_topk_g2(0, 0, 3, 4), 0.0, 1e-12, "an empty row");
}

Test(topk, ranks_over_represented_phrases_with_exact_counts_and_examples)
{
    fixture f;
    setup(&f, 1024);
    add(&f, CW_TOPK_TARGET, "u1", "box crushed, parcel late");
    add(&f, CW_TOPK_TARGET, "u2", "the box crushed again");
    add(&f, CW_TOPK_TARGET, "u3", "box crushed");
    add(&f, CW_TOPK_TARGET, "u4", "parcel fine");
    add(&f, CW_TOPK_REFERENCE, "m1", "parcel late");
    add(&f, CW_TOPK_REFERENCE, "m2", "parcel late");
    add(&f, CW_TOPK_REFERENCE, "m3", "box");
    add(&f, CW_TOPK_AUX, "a1", "crushed box");
    cr_assert_eq(cw_topk_total(f.k, CW_TOPK_TARGET), 4);
    cr_assert_eq(cw_topk_total(f.k, CW_TOPK_REFERENCE), 3);
    cr_assert_eq(cw_topk_total(f.k, CW_TOPK_AUX), 1);
    cw_topk_item items[8];
    size_t n = rank(&f, items, 8, 2, false);
    /* "box crushed" 3/4 vs 0/3; "box" and "crushed" are in the same three target complaints:
     * left out. "parcel" 2/4 vs 2/3 is under-represented; phrases in one target complaint are
     * below min_count. */
    cr_assert_eq(n, 1, "%zu", n);
    cr_assert_str_eq(items[0].text, "box crushed");
    cr_assert_eq(items[0].count[CW_TOPK_TARGET], 3);
    cr_assert_eq(items[0].count[CW_TOPK_REFERENCE], 0);
    cr_assert_eq(items[0].count[CW_TOPK_AUX], 0, "'crushed box' is not 'box crushed'");
    cr_assert_eq(items[0].error, 0);
    cr_assert(!cw_topk_full(f.k));
    cr_assert_float_eq(items[0].g2, cw_topk_g2(3, 0, 1, 3), 1e-12);
    cr_assert_str_eq(items[0].examples[0][0], "u1");
    cr_assert_str_eq(items[0].examples[0][1], "u2");
    cr_assert_str_eq(items[0].examples[1][0], "");
    /* Only phrases also seen in AUX complaints: "box crushed" is not, so "box" (3/4 vs 1/3)
     * and "crushed" (3/4 vs 0/3, ranked first) are listed, with the AUX example. */
    n = rank(&f, items, 8, 2, true);
    cr_assert_eq(n, 2, "%zu", n);
    cr_assert_str_eq(items[0].text, "crushed");
    cr_assert_str_eq(items[1].text, "box");
    cr_assert_eq(items[1].count[CW_TOPK_REFERENCE], 1);
    cr_assert_eq(items[1].count[CW_TOPK_AUX], 1);
    cr_assert_str_eq(items[1].examples[1][0], "a1");
    cr_assert_lt(items[1].g2, items[0].g2);
    teardown(&f);
}

Test(topk, reference_complaints_before_a_phrase_is_kept_still_count)
{
    fixture f;
    setup(&f, 1024);
    add(&f, CW_TOPK_REFERENCE, "m1", "late");
    add(&f, CW_TOPK_TARGET, "u1", "early");
    add(&f, CW_TOPK_REFERENCE, "m2", "late");
    add(&f, CW_TOPK_TARGET, "u2", "late");
    add(&f, CW_TOPK_TARGET, "u3", "late early");
    add(&f, CW_TOPK_REFERENCE, "m3", "early");
    /* "late" was kept from u2 on; m1 and m2 came before and count all the same: 2/3 of the
     * targets against 2/3 of the references is no over-representation. "early": 2/3 against
     * 1/3. */
    cw_topk_item items[4];
    size_t n = rank(&f, items, 4, 2, false);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(items[0].text, "early");
    cr_assert_eq(items[0].count[CW_TOPK_TARGET], 2);
    cr_assert_eq(items[0].count[CW_TOPK_REFERENCE], 1);
    cr_assert_float_eq(items[0].g2, cw_topk_g2(2, 1, 1, 2), 1e-12);
    teardown(&f);
}

Test(topk, count_min_never_undercounts_and_stays_near_the_truth)
{
    cw_cms *cms = NULL;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_cms_new(&cms, 8, &err), 0); /* 256 blocks: crowded on purpose */
    enum { KEYS = 5000 };
    static unsigned truth[KEYS];
    unsigned seed = 7;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned key = (seed >> 8) % KEYS;
        key = key % (1u + key % 50u) == 0 ? key % 40u : key; /* a few heavy keys */
        truth[key]++;
        cw_cms_add(cms, (uint64_t)key * UINT64_C(0x9e3779b97f4a7c15) ^ 0x1234567u);
    }
    cr_assert_eq(cw_cms_total(cms), 200000);
    double excess = 0;
    for (unsigned key = 0; key < KEYS; key++) {
        unsigned long long est =
            cw_cms_estimate(cms, (uint64_t)key * UINT64_C(0x9e3779b97f4a7c15) ^ 0x1234567u);
        cr_assert_geq(est, truth[key], "key %u: %llu < %u", key, est, truth[key]);
        excess += (double)(est - truth[key]);
    }
    cr_assert_leq(excess / KEYS, cw_cms_expected_excess(cms), "mean excess %.1f, bound %.1f",
                  excess / KEYS, cw_cms_expected_excess(cms));
    cw_cms_free(cms);
}

/* A skewed stream through a small sketch: the Space-Saving guarantees hold. */
Test(topk, space_saving_bounds_hold_under_eviction)
{
    enum { PHRASES = 400, CAPACITY = 40, COMPLAINTS = 20000 };
    fixture f;
    setup(&f, CAPACITY);
    unsigned long long truth[PHRASES] = {0};
    unsigned seed = 12345;
    char text[32];
    for (int i = 0; i < COMPLAINTS; i++) {
        seed = seed * 1103515245u + 12345u;
        /* Zipf-like: phrase p with weight about 1/(p+1). */
        double u = (double)((seed >> 8) & 0xffff) / 65536.0;
        unsigned p = (unsigned)(exp(u * log((double)PHRASES + 1.0)) - 1.0);
        if (p >= PHRASES)
            p = PHRASES - 1;
        truth[p]++;
        snprintf(text, sizeof(text), "q%c%c", 'a' + p % 26, 'a' + p / 26);
        add(&f, CW_TOPK_TARGET, NULL, text);
    }
    cw_topk_item items[CAPACITY];
    size_t n = rank(&f, items, CAPACITY, 1, false);
    cr_assert_eq(n, CAPACITY);
    cr_assert(cw_topk_full(f.k));
    bool seen[PHRASES] = {false};
    for (size_t i = 0; i < n; i++) {
        unsigned p = (unsigned)(items[i].text[1] - 'a') + 26u * (unsigned)(items[i].text[2] - 'a');
        seen[p] = true;
        cr_assert_leq(items[i].count[CW_TOPK_TARGET], truth[p], "counted while kept only");
        cr_assert_geq(items[i].count[CW_TOPK_TARGET] + items[i].error, truth[p],
                      "%s: %llu + %llu < %llu", items[i].text, items[i].count[CW_TOPK_TARGET],
                      items[i].error, truth[p]);
        cr_assert_leq(items[i].error, COMPLAINTS / CAPACITY);
    }
    for (unsigned p = 0; p < PHRASES; p++)
        if (truth[p] > COMPLAINTS / CAPACITY)
            cr_assert(seen[p], "phrase %u in %llu > N/K complaints is kept", p, truth[p]);
    teardown(&f);
}

static bool not_box(void *user, const char *text)
{
    (*(int *)user)++;
    return strcmp(text, "box") != 0;
}

Test(topk, keep_filters_what_is_listed_and_long_ids_are_cut)
{
    fixture f;
    setup(&f, 16);
    char id[200];
    memset(id, 'i', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    add(&f, CW_TOPK_TARGET, id, "box lid");
    add(&f, CW_TOPK_TARGET, "u2", "box");
    cw_topk_item items[4];
    size_t n = 0;
    int calls = 0;
    cr_assert_eq(cw_topk_rank(&n, items, 4, f.k, 1, false, not_box, &calls, &f.err), 0);
    cr_assert_gt(calls, 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_neq(items[i].text, "box");
    cr_assert_eq(strlen(items[0].examples[0][0]), CW_TOPK_ID_MAX);
    cr_assert_eq(strcmp(items[0].examples[0][0] + CW_TOPK_ID_MAX - 3, "..."), 0);
    teardown(&f);
}
