/* test_ngram.c - the phrases a complaint offers as suggestions (ngram.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/corpus/ngram.h"

/* The phrases of `text`, sorted, joined by '|'. */
static char *phrases(const char *text)
{
    cw_ngrams *g = NULL;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_ngrams_new(&g, &err), 0);
    cr_assert_eq(cw_ngrams_scan(g, text, strlen(text), &err), 0);
    size_t n;
    const cw_ngram *items = cw_ngrams_items(g, &n);
    char(*texts)[CW_NGRAM_MAX_TEXT + 1] = calloc(n + 1, sizeof(*texts));
    for (size_t i = 0; i < n; i++) {
        cw_ngrams_text(g, &items[i], texts[i]);
        cr_assert_eq(items[i].hash, cw_ngrams_hash_text(texts[i]), "hash of '%s'", texts[i]);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(texts[i], texts[j], "'%s' twice", texts[i]);
    }
    qsort(texts, n, sizeof(*texts), (int (*)(const void *, const void *))strcmp);
    char *out = calloc(n * (CW_NGRAM_MAX_TEXT + 2) + 1, 1);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strcat(out, "|");
        strcat(out, texts[i]);
    }
    free(texts);
    cw_ngrams_free(g);
    return out;
}

static void expect(const char *text, const char *want)
{
    char *got = phrases(text);
    cr_assert_str_eq(got, want, "'%s'", text);
    free(got);
}

Test(ngram, phrases_neither_start_nor_end_with_stop_words)
{
    expect("The parcel was damaged", "damaged|parcel|parcel was damaged");
    expect("I was charged twice for my order", "charged|charged twice|order|twice");
    expect("the and of", "");
}

Test(ngram, negators_start_phrases_but_do_not_stand_alone)
{
    expect("It is not working", "not working|working");
    expect("Never arrived, was not", "arrived|never arrived");
    expect("didn\xe2\x80\x99t arrive", "arrive|didn't arrive");
}

Test(ngram, words_are_lower_cased_and_keep_inner_apostrophes_and_hyphens)
{
    expect("E-MAIL Customer's", "customer's|e-mail|e-mail customer's");
    expect("'quoted' - dash", "dash|quoted");
}

Test(ngram, punctuation_ends_the_phrase_spaces_do_not)
{
    expect("box  crushed,\tlid\ntorn", "box|box crushed|crushed|lid|lid torn|torn");
    expect("caf\xc3\xa9 \xe2\x80\x9cgreat\xe2\x80\x9d \xe2\x80\x94 fine \xf0\x9f\x98\xa1 app",
           "app|caf\xc3\xa9|fine|great");
    expect("no\xc2\xa0reply", "no reply|reply");
}

Test(ngram, numbers_redactions_and_long_words_are_dropped_and_end_the_phrase)
{
    expect("order 12345 box crushed", "box|box crushed|crushed|order");
    expect("3pm delivery \xc2\xa3"
           "351.99 refund",
           "delivery|refund");
    expect("XXXX bank xx charge", "bank|charge");
    expect("x ray", "ray|x|x ray");
    expect("aaaaaaaaaaaaaaaaaaaaaaaaa late", "late");
    expect("aaaaaaaaaaaaaaaaaaaaaaaa late",
           "aaaaaaaaaaaaaaaaaaaaaaaa|aaaaaaaaaaaaaaaaaaaaaaaa late|late");
}

Test(ngram, each_phrase_counts_once_per_complaint)
{
    expect("late late late late", "late|late late|late late late");
}

Test(ngram, any_bytes_are_safe_and_scans_replace_each_other)
{
    cw_ngrams *g = NULL;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_ngrams_new(&g, &err), 0);
    char junk[4096];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)((i * 2654435761u) >> 7);
    size_t n;
    for (int round = 0; round < 3; round++) {
        cr_assert_eq(cw_ngrams_scan(g, junk, sizeof(junk), &err), 0);
        cw_ngrams_items(g, &n);
        cr_assert_gt(n, 0);
    }
    cr_assert_eq(cw_ngrams_scan(g, "late", 4, &err), 0);
    const cw_ngram *items = cw_ngrams_items(g, &n);
    cr_assert_eq(n, 1);
    char buf[CW_NGRAM_MAX_TEXT + 1];
    cr_assert_eq(cw_ngrams_text(g, &items[0], buf), 4);
    cr_assert_str_eq(buf, "late");
    cr_assert_eq(cw_ngrams_scan(g, "", 0, &err), 0);
    cw_ngrams_items(g, &n);
    cr_assert_eq(n, 0);
    /* Many distinct phrases in one complaint grow the set, and stay distinct. */
    size_t size = 80000; /* 16,000 distinct words, none a stop word */
    char *big = malloc(size + 1);
    size_t at = 0;
    for (unsigned w = 0; at + 12 < size; w++)
        at += (size_t)snprintf(big + at, size - at, "q%c%c%c ", 'a' + w % 26, 'a' + w / 26 % 26,
                               'a' + w / 676 % 26);
    cr_assert_eq(cw_ngrams_scan(g, big, at, &err), 0);
    cw_ngrams_items(g, &n);
    cr_assert_eq(n, 3 * (at / 5) - 3, "%zu phrases", n);
    free(big);
    cw_ngrams_free(g);
}
