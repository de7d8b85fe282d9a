/*
 * test_diff.c - `causeway diff` end to end through the real binary, on the coverage
 * corpus (tests/test_coverage.c describes it) with tests/data/coverage/rules_new.yaml,
 * which adds "damaged" to late, narrows refund to "where is my refund" and adds a symptom
 * broken ("contents broken", cause area tech). By construction:
 *   late   gains c14 c15 c16 (damaged), keeps c02 c06 c12;
 *   refund loses c12, keeps c11;
 *   broken gains c17 (a new symptom: before is none);
 *   rude (3) and crash (1) are unchanged;
 *   process (late, refund) gains c14 c15 c16 and keeps c02 c06 c11 c12; tech gains c17;
 * so five complaints change, in input order c12 c14 c15 c16 c17. Against the labels
 * (strength medium and up) only refund moves: c12 (labelled late) is no longer a false
 * positive, precision 0.5 -> 1, F1 2/3 -> 1; the new late predictions are on c14 (weak),
 * c15 (other) and c16 (unlabelled), none scored.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define COV    "tests/data/coverage/"
#define OLD    COV "rules.yaml"
#define NEW    COV "rules_new.yaml"
#define CORPUS COV "corpus.csv"

static cw_test_output diff(const char *before, const char *after, const char *const *extra)
{
    const char *argv[32] = {"causeway",         "diff",   before, after, "-i", "csv",
                            "--channel-column", "channel"};
    size_t n = 8;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
        argv[n++] = extra[i];
    argv[n++] = CORPUS;
    argv[n] = NULL;
    cw_test_output r;
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    return r;
}

/* The output has this exact line. */
static void has_line(const cw_test_output *r, const char *line)
{
    cr_assert(cw_test_has_line(r->out, line), "no line '%s' in:\n%s", line, r->out);
}

static void tally(const cw_test_output *r, const char *section, const char *id, int before,
                  int after, int gained, int lost, int kept)
{
    char line[256];
    if (before >= 0) {
        snprintf(line, sizeof(line), "%s,%s,before,%d", section, id, before);
        has_line(r, line);
    } else {
        snprintf(line, sizeof(line), "\n%s,%s,before,", section, id);
        cr_assert_null(strstr(r->out, line), "%s is new: no before", id);
    }
    snprintf(line, sizeof(line), "%s,%s,after,%d", section, id, after);
    has_line(r, line);
    snprintf(line, sizeof(line), "%s,%s,gained,%d", section, id, gained);
    has_line(r, line);
    snprintf(line, sizeof(line), "%s,%s,lost,%d", section, id, lost);
    has_line(r, line);
    snprintf(line, sizeof(line), "%s,%s,unchanged,%d", section, id, kept);
    has_line(r, line);
}

Test(diff, gained_lost_and_unchanged_per_symptom_and_area)
{
    const char *extra[] = {"-f", "csv", NULL};
    cw_test_output r = diff(OLD, NEW, extra);
    cr_assert_eq(r.status, 0, "without --exit-code a change is no failure: %s", r.err);
    has_line(&r, "summary,,complaints,18");
    has_line(&r, "summary,,changed,5");
    tally(&r, "symptom", "rude", 3, 3, 0, 0, 3);
    tally(&r, "symptom", "late", 3, 6, 3, 0, 3);
    tally(&r, "symptom", "crash", 1, 1, 0, 0, 1);
    tally(&r, "symptom", "refund", 2, 1, 0, 1, 1);
    tally(&r, "symptom", "broken", -1, 1, 1, 0, 0);
    tally(&r, "area", "skills", 3, 3, 0, 0, 3);
    tally(&r, "area", "process", 4, 7, 3, 0, 4);
    tally(&r, "area", "tech", 1, 2, 1, 0, 1);
    /* All five changes (the default limit is 20), in input order, with what changed. */
    const char *ids[] = {"c12", "c14", "c15", "c16", "c17"};
    const char *prev = r.out;
    for (size_t i = 0; i < 5; i++) {
        char line[64];
        snprintf(line, sizeof(line), "\nchange,%s,before,", ids[i]);
        const char *at = strstr(r.out, line);
        cr_assert_not_null(at, "%s listed", ids[i]);
        cr_assert_gt(at, prev, "%s in input order", ids[i]);
        prev = at;
    }
    has_line(&r, "change,c12,before,late;refund");
    has_line(&r, "change,c12,after,late");
    has_line(&r, "change,c12,evidence,My refund and my parcel arrived late");
    has_line(&r, "change,c14,before,");
    has_line(&r, "change,c14,after,late");
    has_line(&r, "change,c17,after,broken");
    has_line(&r, "change,c17,evidence,Box crushed and contents broken");
    cw_test_output_fini(&r);
}

Test(diff, limit_caps_the_list_not_the_counts_and_exit_code_gates)
{
    const char *extra[] = {"-f", "csv", "--limit", "2", "--exit-code", NULL};
    cw_test_output r = diff(OLD, NEW, extra);
    cr_assert_eq(r.status, 1, "something changed: %d %s", r.status, r.err);
    has_line(&r, "summary,,changed,5");
    cr_assert_not_null(strstr(r.out, "\nchange,c14,after,late\n"));
    cr_assert_null(strstr(r.out, "\nchange,c15,"), "the third change is not listed");
    cw_test_output_fini(&r);
    const char *same[] = {"-f", "csv", "--exit-code", NULL};
    r = diff(OLD, OLD, same);
    cr_assert_eq(r.status, 0, "nothing changed: %s", r.err);
    has_line(&r, "summary,,changed,0");
    cr_assert_null(strstr(r.out, "\nchange,"));
    cw_test_output_fini(&r);
}

Test(diff, label_mode_reports_the_change_of_precision_recall_and_f1)
{
    const char *extra[] = {"-f",
                           "csv",
                           "--label-column",
                           "label",
                           "--strength-column",
                           "strength",
                           "--min-strength",
                           "medium",
                           NULL};
    cw_test_output r = diff(OLD, NEW, extra);
    cr_assert_eq(r.status, 0, "%s", r.err);
    has_line(&r, "class,refund,precision_before,0.5");
    has_line(&r, "class,refund,precision_after,1");
    has_line(&r, "class,refund,f1_before,0.666667");
    has_line(&r, "class,refund,f1_after,1");
    has_line(&r, "class,late,f1_before,0.571429");
    has_line(&r, "class,late,f1_after,0.571429");
    has_line(&r, "class,broken,support,0");
    char line[64];
    snprintf(line, sizeof(line), "labels,,macro_f1_before,%.6g",
             (0.8 + 4.0 / 7.0 + 0.5 + 2.0 / 3.0) / 4.0);
    has_line(&r, line);
    snprintf(line, sizeof(line), "labels,,macro_f1_after,%.6g",
             (0.8 + 4.0 / 7.0 + 0.5 + 1.0) / 4.0);
    has_line(&r, line);
    cw_test_output_fini(&r);
}

Test(diff, human_formats_and_json)
{
    const char *table[] = {"--limit", "3", NULL};
    cw_test_output r = diff(OLD, NEW, table);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *want = cw_test_read_file(COV "diff.expected.txt", NULL);
    cr_assert_not_null(want);
    cr_assert_str_eq(r.out, want, "differs from " COV "diff.expected.txt");
    free(want);
    cw_test_output_fini(&r);
    const char *json[] = {"-f", "json", "--limit", "1", NULL};
    r = diff(OLD, NEW, json);
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *keys[] = {
        "{\"schema\":\"causeway.diff/1\",\"before\":\"" OLD "\",\"after\":\"" NEW "\"",
        "\"complaints\":18,\"changed\":5",
        "{\"id\":\"broken\",\"before\":null,\"after\":1,\"gained\":1,\"lost\":0,\"unchanged\":0}",
        "\"changes\":[{\"id\":\"c12\",\"before\":[\"late\",\"refund\"],\"after\":[\"late\"],",
        "\"labels\":null}"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        cr_assert_not_null(strstr(r.out, keys[i]), "no %s in %s", keys[i], r.out);
    cw_test_output_fini(&r);
}

Test(diff, bad_input_keeps_the_documented_exit_status)
{
    cw_test_output r;
    const char *one[] = {"causeway", "diff", OLD, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, one), 0);
    cr_assert_eq(r.status, 64);
    cr_assert_not_null(strstr(r.err, "missing NEW_RULES"), "%s", r.err);
    cw_test_output_fini(&r);
    const char *bad[] = {"causeway", "diff",        OLD, "tests/data/rules/unknown_area.yaml",
                         CORPUS,     "--exit-code", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, bad), 0);
    cr_assert_eq(r.status, 65, "an invalid rule set is 65, never 0 or 1: %d", r.status);
    cr_assert_eq(r.out_len, 0);
    cw_test_output_fini(&r);
    const char *missing[] = {"causeway", "diff", OLD, NEW, COV "no_such.csv", "--exit-code", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, missing), 0);
    cr_assert_eq(r.status, 66, "%d: %s", r.status, r.err);
    cw_test_output_fini(&r);
}
