/* test_json.c - how causeway writes JSON (json.h): strings, numbers, failed builds. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/json.h"

/* doc written as cw_json_write writes it, without the newline (caller frees). */
static char *written(json_t *doc, int digits)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_json_write(f, doc, digits, &err), 0, "%s", err.message);
    cr_assert_eq(fclose(f), 0);
    cr_assert(len > 0 && buf[len - 1] == '\n', "one line, newline-terminated");
    buf[len - 1] = '\0';
    return buf;
}

/* Issue 17 item 3, kept through the library: controls and bidi overrides only as escapes. */
Test(json, strings_are_ascii_with_controls_and_bidi_escaped)
{
    static const struct {
        const char *in, *json;
    } cases[] = {
        {"\x1b[2J\x1b[31mred", "[\"\\u001B[2J\\u001B[31mred\"]"},
        {"bell\x07", "[\"bell\\u0007\"]"},
        {"line\nbreak\ttab\r", "[\"line\\nbreak\\ttab\\r\"]"},
        {"csi\xc2\x9b"
         "2J",
         "[\"csi\\u009B2J\"]"},
        {"\xe2\x80\xae"
         "txt.exe",
         "[\"\\u202Etxt.exe\"]"},
        {"iso\xe2\x81\xa6x\xe2\x81\xa9", "[\"iso\\u2066x\\u2069\"]"},
        {"rlm\xe2\x80\x8f", "[\"rlm\\u200F\"]"},
        {"sep\xe2\x80\xa8", "[\"sep\\u2028\"]"},
        {"bad\xff", "[\"bad\\uFFFD\"]"},
        {"cut\xe2\x82", "[\"cut\\uFFFD\\uFFFD\"]"},
        {"caf\xc3\xa9 \xf0\x9f\x98\x80", "[\"caf\\u00E9 \\uD83D\\uDE00\"]"},
        {"<b>&\"'\\/", "[\"<b>&\\\"'\\\\/\"]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = written(json_pack("[o]", cw_json_text(cases[i].in)), CW_JSON_REPORT_DIGITS);
        cr_assert_str_eq(got, cases[i].json, "case %zu", i);
        for (const char *p = got; *p != '\0'; p++)
            cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                      "case %zu: byte 0x%02x written raw", i, (unsigned char)*p);
        free(got);
    }
}

/* The numbers of the hand-written writers (%.6g, %.17g), from the library. */
Test(json, numbers_keep_their_digits_and_integers_stay_integers)
{
    static const struct {
        double v;
        int digits;
        const char *json;
    } cases[] = {
        {3.0, 6, "3"},
        {0.6, 6, "0.6"},
        {3.14159265, 6, "3.14159"},
        {142.25, 6, "142.25"},
        {99999.95, 6, "99999.9"},
        {123456.7, 6, "123457"},
        {-2.5, 6, "-2.5"},
        {0.1, 17, "0.10000000000000001"},
        {1.0 / 3.0, 17, "0.33333333333333331"},
        {12.0, 17, "12"},
        {-1.0, 17, "-1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "[%s]", cases[i].json);
        char *got =
            written(json_pack("[o]", cw_json_number(cases[i].v, cases[i].digits)), cases[i].digits);
        cr_assert_str_eq(got, want, "case %zu", i);
        free(got);
    }
    char *nulls = written(json_pack("[o,o,o]", cw_json_number(NAN, 6), cw_json_number(INFINITY, 6),
                                    cw_json_number(-INFINITY, 17)),
                          6);
    cr_assert_str_eq(nulls, "[null,null,null]");
    free(nulls);
}

Test(json, exact_numbers_read_back_to_the_same_double)
{
    const double values[] = {0.1, 1.0 / 3.0, 2.0 / 7.0 * 1e-9, 1e300, 123456789.123456789};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char *text =
            cw_json_dumps(json_pack("[o]", cw_json_number(values[i], CW_JSON_EXACT_DIGITS)),
                          CW_JSON_EXACT_DIGITS);
        cr_assert_not_null(text);
        double back = strtod(text + 1, NULL);
        cr_assert(back == values[i], "case %zu: %s", i, text);
        free(text);
    }
}

Test(json, key_order_is_insertion_order)
{
    json_t *o = json_object();
    o = cw_json_put(o, "zeta", json_integer(1));
    o = cw_json_put(o, "alpha", cw_json_text_or_null(""));
    o = cw_json_put(o, "mid", cw_json_text_or_null("x"));
    char *got = written(o, 6);
    cr_assert_str_eq(got, "{\"zeta\":1,\"alpha\":null,\"mid\":\"x\"}");
    free(got);
}

/* A NULL anywhere in a build (a failed allocation) reaches the writer as a NULL document. */
Test(json, a_failed_build_is_out_of_memory_and_writes_nothing)
{
    json_t *a = cw_json_push(json_array(), json_integer(1));
    a = cw_json_push(a, NULL);
    cr_assert_null(a);
    cr_assert_null(cw_json_put(NULL, "k", json_integer(2)), "the value is released, not leaked");
    cr_assert_null(cw_json_push(NULL, json_string("x")));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_json_write(f, NULL, 6, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_OSERR);
    fclose(f);
    cr_assert_eq(len, 0, "nothing written");
    free(buf);
    cr_assert_null(cw_json_dumps(NULL, 17));
}
