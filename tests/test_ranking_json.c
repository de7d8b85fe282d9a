/* test_ranking_json.c - the ranking <-> JSON mapping's stored form (ranking_json.h). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/ranking_json.h"

static cw_ranking_entry sample_entry(double *series, size_t n)
{
    cw_ranking_entry e = {0};
    e.top_symptoms[0] = (cw_ranking_share){"order_mixup", 61.0 / 3.0};
    e.top_symptom_count = 1;
    e.examples[0] = (cw_ranking_example){"1042", "order_mixup", 17, 37, "SECRET snippet text"};
    e.example_count = 1;
    e.series = series;
    e.series_len = n;
    return e;
}

Test(ranking_json, stored_examples_keep_offsets_never_text)
{
    double series[] = {1, 2};
    cw_ranking_entry e = sample_entry(series, 2);
    char *ex = cw_ranking_json_column_new(&e, CW_RANKING_JSON_EXAMPLES);
    cr_assert_str_eq(ex, "[{\"complaint_id\":\"1042\",\"symptom_id\":\"order_mixup\","
                         "\"span_start\":17,\"span_end\":37}]");
    free(ex);
    char *shares = cw_ranking_json_column_new(&e, CW_RANKING_JSON_TOP_SYMPTOMS);
    cr_assert_str_eq(shares, "[{\"id\":\"order_mixup\",\"value\":20.333333333333332}]",
                     "stored shares are exact");
    free(shares);
}

Test(ranking_json, stored_series_read_back_to_the_same_doubles)
{
    double series[] = {0.1, 1.0 / 3.0, 12, NAN, -2.5e-7};
    char *text = cw_ranking_json_numbers_new(series, 5);
    cr_assert_not_null(text);
    cr_assert_str_eq(text,
                     "[0.10000000000000001,0.33333333333333331,12,null,-2.4999999999999999e-7]");
    double *back;
    size_t n;
    cw_error err;
    cw_error_clear(&err);
    /* as PostgreSQL prints jsonb: spaces after the commas */
    cr_assert_eq(
        cw_ranking_json_numbers_parse(&back, &n, "[0.1, 0.33333333333333331, 12, null]", &err), 0,
        "%s", err.message);
    cr_assert_eq(n, 4);
    cr_assert(back[0] == 0.1 && back[1] == 1.0 / 3.0 && back[2] == 12 && isnan(back[3]));
    free(back);
    cr_assert_eq(cw_ranking_json_numbers_parse(&back, &n, text, &err), 0, "%s", err.message);
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert(isnan(series[i]) ? isnan(back[i]) : back[i] == series[i], "value %zu", i);
    free(back);
    free(text);
    cr_assert_eq(cw_ranking_json_numbers_parse(&back, &n, NULL, &err), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(back);
}

Test(ranking_json, a_stored_series_that_is_not_numbers_is_an_internal_error)
{
    const char *bad[] = {"{\"a\": 1}", "[1, \"x\"]", "[1, [2]]", "[1,", "nope"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double *v = (double *)1;
        size_t n = 9;
        cw_error err;
        cw_error_clear(&err);
        cr_assert_eq(cw_ranking_json_numbers_parse(&v, &n, bad[i], &err), -1, "%s", bad[i]);
        cr_assert_eq(err.code, CW_EXIT_SOFTWARE, "%s: %d", bad[i], err.code);
        cr_assert_null(v);
        cr_assert_eq(n, 0);
    }
}
