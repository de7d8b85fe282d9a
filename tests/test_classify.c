/* test_classify.c - 'causeway classify' end to end through the real binary (golden files). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define D "tests/data/matcher/"

static void run_in(cw_test_output *r, const char *stdin_text, const char *const *argv)
{
    cr_assert_eq(cw_test_run(r, NULL, stdin_text, argv), 0);
}

static void assert_golden(const cw_test_output *r, const char *path)
{
    size_t len = 0;
    char *want = cw_test_read_file(path, &len);
    cr_assert_not_null(want, "cannot read %s", path);
    cr_assert_eq(r->status, 0, "status %d, stderr: %s", r->status, r->err);
    cr_assert_str_eq(r->out, want, "output differs from %s", path);
    free(want);
}

Test(classify, lines_with_evidence)
{
    cw_test_output r;
    const char *argv[] = {"causeway",         "classify",  D "basic.yaml",
                          D "complaints.txt", "--explain", NULL};
    run_in(&r, NULL, argv);
    assert_golden(&r, D "complaints.expected.csv");
    cw_test_output_fini(&r);
}

Test(classify, standard_input_when_file_is_absent_or_dash)
{
    char *text = cw_test_read_file(D "complaints.txt", NULL);
    cr_assert_not_null(text);
    cw_test_output r;
    const char *argv[] = {"causeway", "classify", "--explain", D "basic.yaml", NULL};
    run_in(&r, text, argv);
    assert_golden(&r, D "complaints.expected.csv");
    cw_test_output_fini(&r);
    const char *dash[] = {"causeway", "classify", "-e", "-r", D "basic.yaml", "-", NULL};
    run_in(&r, text, dash);
    assert_golden(&r, D "complaints.expected.csv");
    cw_test_output_fini(&r);
    free(text);
}

Test(classify, csv_input_with_fields_to_jsonl)
{
    cw_test_output r;
    const char *argv[] = {"causeway",
                          "classify",
                          "-r",
                          D "basic.yaml",
                          "-i",
                          "csv",
                          "--id-column",
                          "complaint_id",
                          "--text-column",
                          "narrative",
                          "--field",
                          "channel=channel",
                          "-f",
                          "jsonl",
                          "--explain",
                          D "complaints.csv",
                          NULL};
    run_in(&r, NULL, argv);
    assert_golden(&r, D "complaints_csv.expected.jsonl");
    cw_test_output_fini(&r);
}

Test(classify, jsonl_input)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "classify",         "-r",      D "basic.yaml",       "-i",
                          "jsonl",    "--channel-column", "channel", D "complaints.jsonl", NULL};
    run_in(&r, NULL, argv);
    assert_golden(&r, D "complaints_jsonl.expected.csv");
    cw_test_output_fini(&r);
}

Test(classify, where_conditions_need_the_field)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "classify",         D "basic.yaml", "-i",
                          "csv",      "--channel-column", "ch",           NULL};
    run_in(&r, "id,ch,text\n1,web,the app crashed\n2,store,the app crashed\n", argv);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_eq(r.out, "id,symptoms,causes\n"
                            "1,app_crash,technology=0.75;process=0.25\n"
                            "2,,\n");
    cw_test_output_fini(&r);
}

Test(classify, explain_gives_a_near_hit_from_first_to_then)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "classify", "--explain", D "near.yaml", NULL};
    run_in(&r, "my card stuck, the payment was declined\ndeclined payment\n", argv);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_str_eq(r.out, "id,symptoms,causes,evidence\n"
                            "1,payment_failed;card_stuck,billing=1.00;technology=1.00,"
                            "\"payment_failed:19-39:\"\"payment was declined\"\";"
                            "card_stuck:3-13:\"\"card stuck\"\"\"\n"
                            "2,,,\n");
    cw_test_output_fini(&r);
}

static int valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
        if (k == 0 || i + k > n)
            return 0;
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)s[i + j] & 0xc0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

Test(classify, binary_input_gives_valid_utf8_output)
{
    char junk[4096];
    unsigned x = 7;
    for (size_t i = 0; i < sizeof(junk) - 1; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (char)((x >> 16) | 1); /* no NUL: stdin_text is a C string */
    }
    junk[sizeof(junk) - 1] = '\0';
    memcpy(junk + 100, "\xff rude\xc3 ", 9);
    cw_test_output r;
    const char *argv[] = {"causeway", "classify", D "basic.yaml", "-e", "-f", "jsonl", NULL};
    run_in(&r, junk, argv);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert(valid_utf8(r.out, r.out_len), "output is not UTF-8");
    cr_assert_gt(r.out_len, 0);
    cw_test_output_fini(&r);
}

Test(classify, malformed_input_is_a_positioned_data_error)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "classify", D "basic.yaml", "-i", "csv", NULL};
    run_in(&r, "id,text\n1,rude\n2,\"unterminated\n", argv);
    cr_assert_eq(r.status, 65);
    cr_assert(strstr(r.err, "<stdin>:3:3: error: unterminated quoted field") != NULL, "stderr: %s",
              r.err);
    cw_test_output_fini(&r);
    const char *json[] = {"causeway", "classify", D "basic.yaml", "-i", "jsonl", NULL};
    run_in(&r, "{\"text\": \"a\"}\n{\"text\": 1}\n", json);
    cr_assert_eq(r.status, 65);
    cr_assert(strstr(r.err, "<stdin>:2:1: error: 'text' must be a string") != NULL, "stderr: %s",
              r.err);
    cw_test_output_fini(&r);
}

/* Each kind of malformed JSON Lines through the binary: name:line:col, exit 65, no text. */
Test(classify, malformed_jsonl_kinds_are_positioned_data_errors)
{
    static const struct {
        const char *line;
        const char *where;
    } cases[] = {
        {"{\"text\": \"SECRET \xff\"}", "<stdin>:2:18: error: invalid JSON: invalid UTF-8"},
        {"{\"text\": \"SECRET \\ud800\"}", "<stdin>:2:24: error: invalid JSON: invalid Unicode"},
        {"{\"text\": \"SECRET\", \"text\": \"b\"}", "<stdin>:2:25: error: invalid JSON: duplicate"},
        {"{\"text\": [\"SECRET\"]}", "<stdin>:2:1: error: 'text' must be a string or null"},
        {NULL, "<stdin>:2:2072: error: invalid JSON: maximum parsing depth reached"},
    };
    const char *json[] = {"causeway", "classify", D "basic.yaml", "-i", "jsonl", NULL};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char in[8192], bomb[6100];
        const char *line = cases[i].line;
        if (line == NULL) { /* a depth bomb: 3000 arrays deep, past jansson's 2048 */
            int n = snprintf(bomb, sizeof(bomb), "{\"text\": \"SECRET\", \"a\": ");
            memset(bomb + n, '[', 3000);
            memset(bomb + n + 3000, ']', 3000);
            snprintf(bomb + n + 6000, sizeof(bomb) - (size_t)n - 6000, "}");
            line = bomb;
        }
        snprintf(in, sizeof(in), "{\"text\": \"rude\"}\n%s\n", line);
        cw_test_output r;
        run_in(&r, in, json);
        cr_assert_eq(r.status, 65, "case %zu: status %d", i, r.status);
        cr_assert(strstr(r.err, cases[i].where) != NULL, "want %s, stderr: %s", cases[i].where,
                  r.err);
        cr_assert_null(strstr(r.err, "SECRET"), "complaint text in stderr: %s", r.err);
        cw_test_output_fini(&r);
    }
}

Test(classify, errors_and_exit_statuses)
{
    cw_test_output r;
    const char *missing[] = {"causeway", "classify", D "basic.yaml", D "nope.txt", NULL};
    run_in(&r, NULL, missing);
    cr_assert_eq(r.status, 66);
    cr_assert(strstr(r.err, "cannot open") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);

    const char *bad_rules[] = {"causeway", "classify", D "bad_regex.yaml", NULL};
    run_in(&r, "rude\n", bad_rules);
    cr_assert_eq(r.status, 65);
    cr_assert(strstr(r.err, "bad_regex.yaml:12:25: error: ") != NULL, "stderr: %s", r.err);
    cr_assert_eq(r.out_len, 0);
    cw_test_output_fini(&r);

    const char *full[] = {
        "/bin/sh", "-c",
        "yes rude | head -n 100000 | \"$CW_BIN\" classify " D "basic.yaml >/dev/full", NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, full), 0);
    cr_assert_eq(r.status, 74, "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.err, "could not write results") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(classify, usage_errors)
{
    static const char *const cases[][8] = {
        {"causeway", "classify", "-f", "xml", NULL},
        {"causeway", "classify", "-i", "tsv", NULL},
        {"causeway", "classify", "--builtin", "-r", "x.yaml", NULL},
        {"causeway", "classify", "a.yaml", "b.txt", "c.txt", NULL},
        {"causeway", "classify", "--field", "colour=c", "-i", "csv", NULL},
        {"causeway", "classify", "--text-column", "t", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_test_output r;
        run_in(&r, NULL, cases[i]);
        cr_assert_eq(r.status, 64, "case %zu: status %d, stderr: %s", i, r.status, r.err);
        cr_assert(strstr(r.err, "Try 'causeway classify --help'") != NULL, "stderr: %s", r.err);
        cw_test_output_fini(&r);
    }
    cw_test_output r;
    const char *help[] = {"causeway", "classify", "--help", NULL};
    run_in(&r, NULL, help);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "--input-format") != NULL, "stdout: %s", r.out);
    cw_test_output_fini(&r);
}
