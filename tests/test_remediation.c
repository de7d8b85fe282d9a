/*
 * test_remediation.c - `causeway remediation add|list|show|end` and the verdicts every
 * run stores, end to end against the throwaway PostgreSQL: every error and its exit
 * status with nothing written, the read-only role, the verdicts of a fix that works
 * and one that does nothing, a rerun writing the same verdicts, the Fixes section of
 * every report format, and migration 0006 on a schema that already holds results.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define RULES "tests/data/run/rules.yaml"
#define LAST  "2026-W41" /* the last of the 40 weeks of the fixture data */
#define START "2026-W22" /* week 20 of them: the fixes start here */

typedef struct fixture {
    char src[64], results[64];
    char *config;
} fixture;

/*
 * 40 weeks from 2026-W02: at north 30 rude complaints a week, 15 from week 20 on (the
 * fix that works); at south 30 wrong orders a week throughout (the fix that does
 * nothing); 20 neutral complaints a week at each site.
 */
static void setup(fixture *f, bool with_data)
{
    cw_test_unique_name(f->src, sizeof(f->src), "rsrc");
    cw_test_unique_name(f->results, sizeof(f->results), "rres");
    free(cw_test_queryf("CREATE SCHEMA %s; CREATE TABLE %s.complaints (id bigint PRIMARY KEY,"
                        " received_at timestamptz NOT NULL, channel text, site text, product text,"
                        " segment text, body text)",
                        f->src, f->src));
    if (with_data)
        free(cw_test_queryf(
            "INSERT INTO %s.complaints SELECT row_number() OVER (ORDER BY w, v.s, v.b, k),"
            " timestamptz '2026-01-05 10:00+00' + w * interval '7 days'"
            " + (k %% 5) * interval '1 day', 'web', v.s, 'p', 'retail', v.b"
            " FROM generate_series(0, 39) w, LATERAL (VALUES"
            " ('north', 'the cashier was rude', CASE WHEN w >= 20 THEN 15 ELSE 30 END),"
            " ('south', 'they sent the wrong order again', 30),"
            " ('north', 'thanks, all good', 20), ('south', 'thanks, all good', 20))"
            " v(s, b, n), LATERAL generate_series(1, v.n) k",
            f->src));
    char text[256];
    snprintf(text, sizeof(text), "source:\n  table: %s.complaints\n", f->src);
    f->config = cw_test_write_temp(text, strlen(text));
    cw_test_db_init(f->results);
}

static void teardown(fixture *f)
{
    unlink(f->config);
    free(f->config);
}

/* causeway VERB ... -d DSN -c CONFIG --schema RESULTS (up to 16 arguments, NULL-ended). */
static void cw(cw_test_output *r, const fixture *f, const char *dsn, const char *first, ...)
{
    const char *argv[32] = {"causeway"};
    size_t n = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && n < 24; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    const char *tail[] = {"-d",      dsn != NULL ? dsn : cw_test_dsn(), "-c", f->config, "--schema",
                          f->results};
    for (size_t i = 0; i < 6; i++)
        argv[n++] = tail[i];
    argv[n] = NULL;
    cr_assert_eq(cw_test_run(r, NULL, NULL, argv), 0);
}

static void run_week(const fixture *f, const char *week)
{
    cw_test_output r;
    cw(&r, f, NULL, "run", "-r", RULES, "--week", week, "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "run: %s", r.err);
    cw_test_output_fini(&r);
}

/* Record the two fixture fixes (the data must have been run once: sites are known). */
static void add_both(const fixture *f)
{
    cw_test_output r;
    cw(&r, f, NULL, "remediation", "add", "-r", RULES, "--area", "people", "--symptom", "rude",
       "--site", "north", "--started", START, "--title", "Courtesy coaching", "--owner",
       "Store managers", "--expected-cut", "30", NULL);
    cr_assert_eq(r.status, 0, "add: %s", r.err);
    cr_assert_str_eq(r.out, "1\n", "add prints the new fix's number");
    cw_test_output_fini(&r);
    cw(&r, f, NULL, "remediation", "add", "-r", RULES, "--area", "process", "--site", "south",
       "--started", START, "--title", "Pick-list check", NULL);
    cr_assert_eq(r.status, 0, "add: %s", r.err);
    cr_assert_str_eq(r.out, "2\n");
    cw_test_output_fini(&r);
}

static char *remediations(const fixture *f)
{
    return cw_test_queryf("SELECT coalesce(md5(string_agg(r::text, '|' ORDER BY r.id)), 'none')"
                          " FROM %s.remediations r",
                          f->results);
}

Test(remediation, add_records_the_fix_and_list_and_show_read_it)
{
    fixture f;
    setup(&f, true);
    run_week(&f, LAST);
    add_both(&f);
    char *row =
        cw_test_queryf("SELECT concat_ws('|', id, area_id, symptom_id, site, recorded_on, title,"
                       " owner, expected_cut, settling_weeks, ended_on IS NULL)"
                       " FROM %s.remediations WHERE id = 1",
                       f.results);
    cr_assert_str_eq(row, "1|people|rude|north|2026-05-25|Courtesy coaching|Store managers|30|2|t");
    free(row);

    cw_test_output r;
    cw(&r, &f, NULL, "remediation", "list", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "people: rude @ north"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "Pick-list check"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, START));
    cw_test_output_fini(&r);

    cw(&r, &f, NULL, "remediation", "list", "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "id,area_id,symptom_id,site,title,owner,started,", 47) == 0, "%s",
              r.out);
    cr_assert_not_null(strstr(r.out, "\r\n2,process,,south,Pick-list check,,2026-W22,,,2,"), "%s",
                       r.out);
    cw_test_output_fini(&r);

    cw(&r, &f, NULL, "remediation", "list", "--format", "json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(r.out[0] == '{' && strchr(r.out, '\n') == r.out + strlen(r.out) - 1,
              "one JSON document and nothing else: %s", r.out);
    cr_assert_not_null(strstr(r.out, "\"schema\":\"causeway.remediations/2\""));
    cr_assert_not_null(strstr(r.out, "\"title\":\"Courtesy coaching\""), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\"expected_cut\":30"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\"latest\":null"), "no run has judged them: %s", r.out);
    cw_test_output_fini(&r);

    cw(&r, &f, NULL, "remediation", "show", "2", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "fix #2: Pick-list check"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "area_site series"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "No run has judged it yet"), "%s", r.out);
    cw_test_output_fini(&r);
    teardown(&f);
}

/* One bad value of add: exit 65, one error line naming it, nothing written. */
static void add_fails(const fixture *f, const char *want, const char *area, const char *symptom,
                      const char *site, const char *started, const char *title, const char *cut)
{
    char *before = remediations(f);
    cw_test_output r;
    const char *argv[40] = {"causeway", "remediation", "add",   "-r",      RULES, "--area",
                            area,       "--started",   started, "--title", title};
    size_t n = 11;
    if (symptom != NULL)
        argv[n++] = "--symptom", argv[n++] = symptom;
    if (site != NULL)
        argv[n++] = "--site", argv[n++] = site;
    if (cut != NULL)
        argv[n++] = "--expected-cut", argv[n++] = cut;
    const char *tail[] = {"-d", cw_test_dsn(), "-c", f->config, "--schema", f->results, NULL};
    for (size_t i = 0; i < 7; i++)
        argv[n++] = tail[i];
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 65, "%s: status %d, %s", want, r.status, r.err);
    cr_assert_not_null(strstr(r.err, want), "wanted '%s' in: %s", want, r.err);
    cr_assert_str_eq(r.out, "", "nothing on stdout: %s", r.out);
    char *after = remediations(f);
    cr_assert_str_eq(before, after, "%s: something was written", want);
    free(before);
    free(after);
    cw_test_output_fini(&r);
}

Test(remediation, add_rejects_every_bad_value_with_65_and_writes_nothing)
{
    fixture f;
    setup(&f, true);
    run_week(&f, LAST);
    add_fails(&f, "unknown cause area 'peple' (did you mean 'people'?)", "peple", NULL, NULL, START,
              "t", NULL);
    add_fails(&f, "unknown symptom 'rud' (did you mean 'rude'?)", "people", "rud", NULL, START, "t",
              NULL);
    add_fails(&f, "symptom 'crash' is not attributed to cause area 'people'", "people", "crash",
              NULL, START, "t", NULL);
    add_fails(&f, "unknown site 'nort' (did you mean 'north'?)", "people", NULL, "nort", START, "t",
              NULL);
    add_fails(&f, "that week is in the future", "people", NULL, NULL, "2099-W01", "t", NULL);
    add_fails(&f, "the title is empty", "people", NULL, NULL, START, "   ", NULL);
    add_fails(&f, "the title has a control character", "people", NULL, NULL, START, "a\tb", NULL);
    add_fails(&f, "the expected cut must be a percentage", "people", NULL, NULL, START, "t", "150");
    add_fails(&f, "the expected cut must be a percentage", "people", NULL, NULL, START, "t", "0");
    char *none = remediations(&f);
    cr_assert_str_eq(none, "none");
    free(none);
    teardown(&f);
}

Test(remediation, a_site_before_any_run_is_unknown)
{
    fixture f;
    setup(&f, true);
    add_fails(&f, "no run has counted a site yet", "people", NULL, "north", START, "t", NULL);
    teardown(&f);
}

/* Usage errors: 64, with the pointer to --help. */
Test(remediation, usage_errors_exit_64)
{
    fixture f;
    setup(&f, false);
    const char *const cases[][10] = {
        {"remediation", NULL},
        {"remediation", "fix", NULL},
        {"remediation", "add", "--area", "people", "--title", "t", NULL},
        {"remediation", "add", "--area", "people", "--started", "W22", "--title", "t", NULL},
        {"remediation", "add", "--area", "people", "--started", START, "--title", "t"},
        {"remediation", "list", "--area", "people", NULL},
        {"remediation", "show", NULL},
        {"remediation", "show", "x1", NULL},
        {"remediation", "end", "1", NULL},
        {"remediation", "list", "--format", "html", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_test_output r;
        const char *argv[16] = {"causeway"};
        size_t n = 1;
        for (size_t k = 0; k < 10 && cases[i][k] != NULL; k++)
            argv[n++] = cases[i][k];
        if (i == 4)
            argv[n++] = "--expected-cut", argv[n++] = "lots";
        argv[n] = NULL;
        cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
        cr_assert_eq(r.status, 64, "case %zu: status %d: %s", i, r.status, r.err);
        cr_assert_not_null(strstr(r.err, "Try 'causeway remediation --help'"), "case %zu: %s", i,
                           r.err);
        cw_test_output_fini(&r);
    }
    cw_test_output r;
    const char *help[] = {"causeway", "remediation", "--help", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, help), 0);
    cr_assert_eq(r.status, 0);
    cr_assert_not_null(strstr(r.out, "rank -> fix -> record -> verdict"), "%s", r.out);
    cw_test_output_fini(&r);
    teardown(&f);
}

Test(remediation, end_closes_a_fix_once_and_list_open_leaves_it_out)
{
    fixture f;
    setup(&f, true);
    run_week(&f, LAST);
    add_both(&f);
    cw_test_output r;
    cw(&r, &f, NULL, "remediation", "end", "1", "--week", "2026-W30", "--note", "moved on", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "fix #1 ended in 2026-W30\n");
    cw_test_output_fini(&r);
    char *row = cw_test_queryf(
        "SELECT ended_on || '|' || end_note FROM %s.remediations WHERE id = 1", f.results);
    cr_assert_str_eq(row, "2026-07-20|moved on");
    free(row);

    char *before = remediations(&f);
    const struct {
        const char *id, *week, *want;
    } bad[] = {
        {"1", "2026-W31", "fix #1 has already ended (in 2026-W30)"},
        {"9", "2026-W31", "no fix #9 is recorded"},
        {"2", "2026-W10", "before it started (2026-W22)"},
        {"2", "2099-W10", "that week is in the future"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cw(&r, &f, NULL, "remediation", "end", bad[i].id, "--week", bad[i].week, NULL);
        cr_assert_eq(r.status, 65, "%s: %d %s", bad[i].want, r.status, r.err);
        cr_assert_not_null(strstr(r.err, bad[i].want), "%s", r.err);
        cw_test_output_fini(&r);
    }
    char *after = remediations(&f);
    cr_assert_str_eq(before, after);
    free(before);
    free(after);

    cw(&r, &f, NULL, "remediation", "show", "9", NULL);
    cr_assert_eq(r.status, 65, "%s", r.err);
    cw_test_output_fini(&r);
    cw(&r, &f, NULL, "remediation", "list", "--open", NULL);
    cr_assert_null(strstr(r.out, "Courtesy coaching"), "an ended fix is not open: %s", r.out);
    cr_assert_not_null(strstr(r.out, "Pick-list check"));
    cw_test_output_fini(&r);
    cw(&r, &f, NULL, "remediation", "list", "--all", NULL);
    cr_assert_not_null(strstr(r.out, "Courtesy coaching"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "2026-W30"), "%s", r.out);
    cw_test_output_fini(&r);
    teardown(&f);
}

/* Read access to the results: list and show work, add and end fail with 77 and a hint. */
Test(remediation, a_read_only_role_can_list_and_show_but_not_add_or_end)
{
    fixture f;
    setup(&f, true);
    run_week(&f, LAST);
    add_both(&f);
    char role[64];
    cw_test_unique_name(role, sizeof(role), "reader");
    free(cw_test_queryf("CREATE ROLE %s LOGIN; GRANT USAGE ON SCHEMA %s TO %s;"
                        " GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s",
                        role, f.results, role, f.results, role));
    char dsn[256];
    snprintf(dsn, sizeof(dsn), "host=%s port=%s dbname=causeway user=%s", getenv("PGHOST"),
             getenv("PGPORT"), role);
    cw_test_output r;
    cw(&r, &f, dsn, "remediation", "list", NULL);
    cr_assert_eq(r.status, 0, "list as a reader: %s", r.err);
    cr_assert_not_null(strstr(r.out, "Pick-list check"));
    cw_test_output_fini(&r);
    cw(&r, &f, dsn, "remediation", "show", "1", NULL);
    cr_assert_eq(r.status, 0, "show as a reader: %s", r.err);
    cw_test_output_fini(&r);

    char *before = remediations(&f);
    cw(&r, &f, dsn, "remediation", "add", "-r", RULES, "--area", "people", "--started", START,
       "--title", "Another", NULL);
    cr_assert_eq(r.status, 77, "add as a reader: %d %s", r.status, r.err);
    cr_assert_not_null(strstr(r.err, "permission denied"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "hint: recording a fix needs INSERT"), "%s", r.err);
    cw_test_output_fini(&r);
    cw(&r, &f, dsn, "remediation", "end", "2", "--week", LAST, NULL);
    cr_assert_eq(r.status, 77, "end as a reader: %d %s", r.status, r.err);
    cw_test_output_fini(&r);
    char *after = remediations(&f);
    cr_assert_str_eq(before, after);
    free(before);
    free(after);
    teardown(&f);
}

Test(remediation, a_missing_results_schema_is_78)
{
    fixture f;
    setup(&f, false);
    free(cw_test_queryf("DROP SCHEMA %s CASCADE", f.results));
    cw_test_output r;
    cw(&r, &f, NULL, "remediation", "list", NULL);
    cr_assert_eq(r.status, 78, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "does not exist"), "%s", r.err);
    cw_test_output_fini(&r);
    teardown(&f);
}

/* verdict|change rounded|more weeks|expected reached, of fix `id` at week `monday`. */
static char *verdict(const fixture *f, const char *monday, int id)
{
    return cw_test_queryf("SELECT concat_ws('|', verdict, round(change_pct::numeric), more_weeks,"
                          " expected_reached, declining_again, after_weeks)"
                          " FROM %s.fix_verdicts WHERE target_week = '%s' AND remediation_id = %d",
                          f->results, monday, id);
}

Test(remediation, every_run_judges_the_fixes_and_a_rerun_stores_the_same)
{
    fixture f;
    setup(&f, true);
    run_week(&f, LAST);
    add_both(&f);
    run_week(&f, "2026-W23..2026-W41");
    /* A week after the start: settling, not yet known. */
    char *early = verdict(&f, "2026-06-01", 1);
    cr_assert(strncmp(early, "unknown|", 8) == 0, "%s", early);
    free(early);
    /* 2026-W41 (Monday 2026-10-05): 18 weeks after settling. */
    char *works = verdict(&f, "2026-10-05", 1);
    cr_assert_str_eq(works, "working|-50|0|t|f|18");
    char *none = verdict(&f, "2026-10-05", 2);
    cr_assert_str_eq(none, "no_effect|0|0|f|18");
    free(works);
    free(none);
    char *weeks =
        cw_test_queryf("SELECT count(DISTINCT target_week) FROM %s.fix_verdicts", f.results);
    cr_assert_str_eq(weeks, "19", "one verdict per fix and ranked week");
    free(weeks);

#define DUMP_SQL                                                                                   \
    "SELECT md5(string_agg(to_jsonb(v) - 'run_id' #>> '{}', '|'"                                   \
    " ORDER BY target_week, remediation_id)) FROM %s.fix_verdicts v"
    char *before = cw_test_queryf(DUMP_SQL, f.results);
    cw_test_output a, b;
    cw(&a, &f, NULL, "report", "--week", LAST, "--format", "json", NULL);
    cr_assert_eq(a.status, 0, "%s", a.err);
    run_week(&f, "2026-W23..2026-W41");
    char *after = cw_test_queryf(DUMP_SQL, f.results);
    cr_assert_str_eq(before, after, "the rerun stored other verdicts");
    cw(&b, &f, NULL, "report", "--week", LAST, "--format", "json", NULL);
    cr_assert_str_eq(a.out, b.out, "the report changed after a rerun");
    free(before);
    free(after);
    cw_test_output_fini(&a);
    cw_test_output_fini(&b);

    /* show reads the latest verdict. */
    cw_test_output r;
    cw(&r, &f, NULL, "remediation", "show", "1", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "Fixes (judged at week 2026-W41)"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "verdict: working; expected cut 30 %: reached"), "%s", r.out);
    cw_test_output_fini(&r);
    cw(&r, &f, NULL, "remediation", "show", "2", "--format", "json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "\"latest\":{\"week\":\"2026-W41\",\"fixes\":[{\"id\":2,"),
                       "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\"verdict\":\"no_effect\""), "%s", r.out);
    cw_test_output_fini(&r);
    teardown(&f);
}

/* An ended fix is judged on its weeks up to the end; a fix of a vanished area is skipped. */
Test(remediation, an_ended_fix_is_judged_up_to_its_end_and_a_gone_area_is_skipped)
{
    fixture f;
    setup(&f, true);
    run_week(&f, LAST);
    add_both(&f);
    free(cw_test_queryf("INSERT INTO %s.remediations (area_id, recorded_on, title)"
                        " VALUES ('gone', '2026-05-25', 'Old fix')",
                        f.results));
    cw_test_output r;
    cw(&r, &f, NULL, "remediation", "end", "1", "--week", "2026-W30", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cw_test_output_fini(&r);
    cw(&r, &f, NULL, "run", "-r", RULES, "--week", LAST, "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "fix #3 is not judged: the rule set has no cause area 'gone'"),
                       "%s", r.err);
    cw_test_output_fini(&r);
    char *ended = verdict(&f, "2026-10-05", 1);
    cr_assert_str_eq(ended, "working|-50|0|t|f|7", "W24..W30: 7 after weeks");
    free(ended);
    char *count =
        cw_test_queryf("SELECT count(*) FROM %s.fix_verdicts WHERE remediation_id = 3", f.results);
    cr_assert_str_eq(count, "0");
    free(count);
    teardown(&f);
}

Test(remediation, every_report_format_shows_the_fixes_section)
{
    fixture f;
    setup(&f, true);
    run_week(&f, LAST);
    add_both(&f);
    run_week(&f, LAST);
    const struct {
        const char *format;
        const char *want[4];
    } cases[] = {
        {"table",
         {"Fixes (judged at week 2026-W41)", "#1 Courtesy coaching",
          "     fix #2:  Pick-list check: no effect after 18 weeks", "verdict: working"}},
        {"markdown",
         {"## Fixes", "| 1 | Courtesy coaching | Store managers | people: rude @ north (ranked ",
          "**no effect after 18 weeks", "30.0 → 15.0 a week"}},
        {"csv",
         {"\r\n\r\nweek,fix_id,title,owner,area_id,symptom_id,site,started,",
          "2026-W41,1,Courtesy coaching,Store managers,people,rude,north,2026-W22,,2,",
          ",working,0,no,,no\r\n", ",no_effect,0,no,,no\r\n"}},
        {"json",
         {"\"schema\":\"causeway.ranking/3\"", "\"fixes\":[{\"id\":1,\"title\":\"Courtesy",
          "\"verdict\":\"working\"", "\"verdict\":\"no_effect\""}},
        {"html",
         {"<h2>Fixes</h2>", "<line class=\"fix-start\"", "<line class=\"fix-before\"",
          "<line class=\"fix-after\""}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_test_output r;
        cw(&r, &f, NULL, "report", "--week", LAST, "--format", cases[i].format, NULL);
        cr_assert_eq(r.status, 0, "%s: %s", cases[i].format, r.err);
        for (size_t k = 0; k < 4; k++)
            cr_assert_not_null(strstr(r.out, cases[i].want[k]), "%s: no '%s' in:\n%s",
                               cases[i].format, cases[i].want[k], r.out);
        cw_test_output_fini(&r);
    }
    teardown(&f);
}

/*
 * Migration 0006 on a version-2 schema holding results: rankings untouched, the old
 * remediation rows numbered by start with their note as title, and the next run judges
 * them.
 */
Test(remediation, migration_keeps_existing_results_and_numbers_old_fixes)
{
    fixture f;
    setup(&f, true);
    char v2[64];
    cw_test_unique_name(v2, sizeof(v2), "mig5");
    char setup_sql[512];
    snprintf(setup_sql, sizeof(setup_sql),
             "CREATE SCHEMA %s; SET search_path = %s, pg_catalog;"
             " CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
             " applied_at timestamptz NOT NULL);"
             " INSERT INTO schema_migrations VALUES (1, '0001_init.sql', now()),"
             " (2, '0002_partition_by_ruleset.sql', now());",
             v2, v2);
    cw_test_output r;
    const char *psql_v2[] = {"psql", "-XAtq",
                             "-v",   "ON_ERROR_STOP=1",
                             "-d",   cw_test_dsn(),
                             "-c",   setup_sql,
                             "-f",   "sql/migrations/0001_init.sql",
                             "-f",   "sql/migrations/0002_partition_by_ruleset.sql",
                             NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, psql_v2), 0);
    cr_assert_eq(r.status, 0, "psql: %s", r.err);
    cw_test_output_fini(&r);
    free(cw_test_queryf(
        "INSERT INTO %s.remediations VALUES ('people', 'north', '2026-05-26', 'coaching'),"
        " ('process', '', '2026-03-02', ''), ('people', '', '2026-05-26', 'later note');"
        " INSERT INTO %s.rankings SELECT '2026-03-02', 'area', 'people', '', 1, 5, 5, NULL,"
        " 1, 0, 'stable', NULL, NULL, NULL, 1, 1, 3, 'People', 'o', 'r', '[]', '[]', '[]',"
        " '[1,2]', '2026-02-23', '2026-02-23', 1, 'h'",
        v2, v2));
    /* Later migrations may add columns to rankings: the version-2 columns must keep
     * their values. */
    char *columns =
        cw_test_queryf("SELECT string_agg(column_name, ',') FROM information_schema.columns"
                       " WHERE table_schema = '%s' AND table_name = 'rankings'",
                       v2);
#define DIGEST                                                                                     \
    "SELECT md5(string_agg((SELECT jsonb_object_agg(k, v) FROM jsonb_each(to_jsonb(x)) e(k, v)"    \
    " WHERE k = ANY (string_to_array('%s', ',')))::text, '|')) FROM %s.rankings x"
    char *rankings_before = cw_test_queryf(DIGEST, columns, v2);
    const char *migrate[] = {"causeway",    "db",       "migrate", "-d",
                             cw_test_dsn(), "--schema", v2,        NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, migrate), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "at version "), "%s", r.out);
    cw_test_output_fini(&r);
    char *rankings_after = cw_test_queryf(DIGEST, columns, v2);
    cr_assert_str_eq(rankings_before, rankings_after);
    char *fixes =
        cw_test_queryf("SELECT string_agg(concat_ws(':', id, area_id, site, title), ' ' ORDER BY"
                       " id) FROM %s.remediations",
                       v2);
    cr_assert_str_eq(fixes, "1:process::fix recorded on 2026-03-02 (before fixes had titles)"
                            " 2:people::later note 3:people:north:coaching");
    free(fixes);
    /* New fixes are numbered after the old ones; the next run judges them all. */
    free(cw_test_queryf("INSERT INTO %s.remediations (area_id, recorded_on, title)"
                        " VALUES ('tech', '2026-05-25', 'new')",
                        v2));
    char *next = cw_test_queryf("SELECT max(id) FROM %s.remediations", v2);
    cr_assert_str_eq(next, "4");
    free(next);
    const char *run[] = {"causeway", "run",      "-d",       cw_test_dsn(), "-c",
                         f.config,   "--schema", v2,         "-r",          RULES,
                         "--week",   LAST,       "--format", "csv",         NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, run), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cw_test_output_fini(&r);
    char *judged = cw_test_queryf("SELECT count(*) FROM %s.fix_verdicts", v2);
    cr_assert_str_eq(judged, "4");
    free(judged);
    free(rankings_before);
    free(columns);
    free(rankings_after);
    teardown(&f);
}
