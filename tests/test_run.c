/*
 * test_run.c - `causeway run` and `causeway report` end to end against the
 * throwaway PostgreSQL: idempotency, incremental classification, bad source
 * data, and the fault rows of RELIABILITY.md (lock, SIGTERM, killed backend,
 * killed process). "Nothing written" is a checksum of the results tables.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#define RULES "tests/data/run/rules.yaml"
#define WEEK  "2026-W31" /* the last of the 30 weeks the fixture data spans */

typedef struct fixture {
    char src[64];     /* schema of the source table */
    char results[64]; /* results schema */
    char *config;     /* config file path */
} fixture;

/* 30 weeks from 2026-W02 of complaints at two sites; `rows` in all. */
static void fill(const fixture *f, const char *rows)
{
    char query[4096];
    snprintf(query, sizeof(query),
             "INSERT INTO %s.complaints SELECT g,"
             " timestamptz '2026-01-05 10:00+00' + (g %% 30) * interval '7 days'"
             " + (g %% 7) * interval '1 day', 'web',"
             " CASE WHEN g %% 2 = 0 THEN 'north' ELSE 'south' END, 'p', 'retail',"
             " CASE g %% 7 WHEN 0 THEN 'they sent the wrong order again'"
             " WHEN 1 THEN 'the cashier was rude' WHEN 2 THEN 'the app crashed twice'"
             " WHEN 3 THEN 'the wrong order and a rude reply' ELSE 'thanks, all good' END"
             " FROM generate_series(1, %s) g",
             f->src, rows);
    free(cw_test_sql(query));
}

static void setup(fixture *f, const char *rows)
{
    cw_test_unique_name(f->src, sizeof(f->src), "src");
    cw_test_unique_name(f->results, sizeof(f->results), "res");
    cw_test_sqlf("CREATE SCHEMA %s; CREATE TABLE %s.complaints (id bigint PRIMARY KEY,"
                 " received_at timestamptz NOT NULL, channel text, site text, product text,"
                 " segment text, body text)",
                 f->src, f->src);
    if (rows != NULL)
        fill(f, rows);
    char text[256];
    snprintf(text, sizeof(text), "source:\n  table: %s.complaints\n", f->src);
    f->config = cw_test_write_temp(text, strlen(text));
    cr_assert_not_null(f->config);
    cw_test_db_init(f->results);
}

static void teardown(fixture *f)
{
    unlink(f->config);
    free(f->config);
}

/* causeway run on the fixture, with up to four extra arguments. */
static void run(cw_test_output *r, const fixture *f, const char *const *env, const char *a1,
                const char *a2, const char *a3, const char *a4)
{
    const char *argv[] = {"causeway", "run",      "-d", cw_test_dsn(), "-c", f->config,
                          "--schema", f->results, "-r", RULES,         a1,   a2,
                          a3,         a4,         NULL};
    cr_assert_eq(cw_test_run(r, env, NULL, argv), 0);
}

/* A digest of every results table: equal digests mean nothing was written. */
static char *checksum(const fixture *f)
{
    char query[2048];
    snprintf(query, sizeof(query),
             "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM ("
             " SELECT 'r' || x::text t FROM %s.runs x UNION ALL"
             " SELECT 'c' || x::text FROM %s.classified x UNION ALL"
             " SELECT 'm' || x::text FROM %s.matches x UNION ALL"
             " SELECT 'w' || x::text FROM %s.weekly x UNION ALL"
             " SELECT 'k' || x::text FROM %s.rankings x UNION ALL SELECT 'empty') s",
             f->results, f->results, f->results, f->results, f->results);
    return cw_test_sql(query);
}

static char *count(const fixture *f, const char *table)
{
    char query[512];
    snprintf(query, sizeof(query), "SELECT count(*) FROM %s.%s", f->results, table);
    return cw_test_sql(query);
}

Test(run, ranks_the_week_and_reports_it_identically)
{
    fixture f;
    setup(&f, "3000");
    cw_test_output r, rep;
    run(&r, &f, NULL, "--week", WEEK, "--format", "json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert(strstr(r.out, "\"week\":\"2026-W31\"") != NULL, "json: %.400s", r.out);
    char *classified = count(&f, "classified");
    cr_assert_str_eq(classified, "3000");
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT kind || ':' || area_id || ':' || rank FROM %s.rankings"
             " WHERE kind = 'area' ORDER BY rank",
             f.results);
    char *ranks = cw_test_sql(query);
    /* per 7 complaints, severity-weighted: people 7.8, process 4.2, tech 2 */
    cr_assert(strncmp(ranks, "area:people:1", 13) == 0, "ranking: %s", ranks);

    /* The same configuration: the report cuts the snippets from the same source. */
    const char *argv[] = {"causeway", "report", "-d", cw_test_dsn(), "-c",   f.config, "--schema",
                          f.results,  "--week", WEEK, "--format",    "json", NULL};
    cr_assert_eq(cw_test_run(&rep, NULL, NULL, argv), 0);
    cr_assert_eq(rep.status, 0, "stderr: %s", rep.err);
    cr_assert_str_eq(rep.out, r.out, "report differs from the run's output");
    free(ranks);
    free(classified);
    cw_test_output_fini(&r);
    cw_test_output_fini(&rep);
    teardown(&f);
}

/* Before fds 0-2 were reserved, the database socket became fd 1 and the report went
 * into the protocol stream, with exit 0. */
Test(run, closed_stdout_is_a_write_error_not_the_database_socket)
{
    fixture f;
    setup(&f, "300");
    cw_test_output r;
    const char *argv[] = {"/bin/sh",     "-c",      "exec \"$CW_BIN\" \"$@\" >&-",
                          "sh",          "run",     "-d",
                          cw_test_dsn(), "-c",      f.config,
                          "--schema",    f.results, "-r",
                          RULES,         "--week",  WEEK,
                          NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 74, "status %d, stderr: %s", r.status, r.err);
    cr_assert(strstr(r.err, "Bad file descriptor") != NULL, "stderr: %s", r.err);
    char *stored = count(&f, "rankings");
    cr_assert_neq(strcmp(stored, "0"), 0, "the run's results were not committed");
    free(stored);
    cw_test_output_fini(&r);
    teardown(&f);
}

Test(run, rerun_is_byte_identical_and_classifies_nothing_new)
{
    fixture f;
    setup(&f, "1500");
    cw_test_output a, b;
    run(&a, &f, NULL, "--week", WEEK, "--format", "csv");
    cr_assert_eq(a.status, 0, "stderr: %s", a.err);
    char *before = count(&f, "classified");
    run(&b, &f, NULL, "--week", WEEK, "--format", "csv");
    cr_assert_eq(b.status, 0, "stderr: %s", b.err);
    cr_assert_str_eq(a.out, b.out);
    char *after = count(&f, "classified");
    cr_assert_str_eq(before, after);
    char query[256];
    snprintf(query, sizeof(query), "SELECT classified FROM %s.runs ORDER BY id DESC LIMIT 1",
             f.results);
    char *last = cw_test_sql(query);
    cr_assert_str_eq(last, "0", "the second run classified %s again", last);
    free(last);
    free(before);
    free(after);
    cw_test_output_fini(&a);
    cw_test_output_fini(&b);
    teardown(&f);
}

Test(run, result_does_not_depend_on_the_machine_tz)
{
    fixture f;
    setup(&f, "900");
    cw_test_output a, b;
    const char *utc[] = {"TZ=UTC", NULL};
    const char *nz[] = {"TZ=Pacific/Auckland", NULL};
    run(&a, &f, utc, "--week", WEEK, "--format", "json");
    run(&b, &f, nz, "--week", WEEK, "--format", "json");
    cr_assert_eq(a.status, 0, "stderr: %s", a.err);
    cr_assert_eq(b.status, 0, "stderr: %s", b.err);
    cr_assert_str_eq(a.out, b.out);
    cw_test_output_fini(&a);
    cw_test_output_fini(&b);
    teardown(&f);
}

/*
 * Weeks are ISO weeks in the configured zone, DST included: Sunday 23:30 UTC is
 * already Monday in London in summer (BST), and still Sunday in winter (GMT).
 */
Test(run, weeks_follow_the_configured_time_zone_across_dst)
{
    fixture f;
    setup(&f, NULL);
    cw_test_sqlf("INSERT INTO %s.complaints (id, received_at, site, body) VALUES"
                 " (1, '2026-03-29 23:30+00', 'north', 'the cashier was rude'),"
                 " (2, '2026-10-25 23:30+00', 'north', 'the cashier was rude'),"
                 " (3, '2026-03-29 22:59+00', 'north', 'the cashier was rude')",
                 f.src);
    char text[256];
    snprintf(text, sizeof(text), "source:\n  table: %s.complaints\ntimezone: Europe/London\n",
             f.src);
    unlink(f.config);
    free(f.config);
    f.config = cw_test_write_temp(text, strlen(text));
    cw_test_output r;
    run(&r, &f, NULL, "--week", "2026-W44", NULL, NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cw_test_output_fini(&r);
    char query[256];
    snprintf(query, sizeof(query),
             "SELECT string_agg(complaint_id || '=' || week, ' ' ORDER BY complaint_id)"
             " FROM %s.classified",
             f.results);
    char *weeks = cw_test_sql(query);
    /* 1: Monday 00:30 BST -> W14 (starts 2026-03-30); 3: Sunday 23:59 BST -> W13;
     * 2: Sunday 23:30 GMT -> W43 (starts 2026-10-19). */
    cr_assert_str_eq(weeks, "1=2026-03-30 2=2026-10-19 3=2026-03-23");
    free(weeks);
    teardown(&f);
}

/*
 * The severity floor holds up an item for a severe symptom that is rare there, not for
 * one it sees every week (that already weighs in its volume): a data leak every week in
 * the north lifts nothing, a first one in the south lifts the south.
 */
Test(run, severity_floor_lifts_a_rare_severe_symptom_not_a_routine_one)
{
    fixture f;
    setup(&f, NULL);
    cw_test_sqlf(
        "INSERT INTO %s.complaints (id, received_at, site, body)"
        " SELECT row_number() OVER (), timestamptz '2026-01-05 10:00+00' + w * interval '7 days',"
        " site, body FROM generate_series(0, 29) w,"
        " (VALUES ('north', 'a data leak again'), ('north', 'a data leak again'),"
        " ('north', 'wrong order'), ('north', 'wrong order'), ('north', 'the app crashed'),"
        " ('south', 'the app crashed')) v (site, body);"
        /* Many wrong orders in the south: the top score, and so the floor, is high. */
        " INSERT INTO %s.complaints (id, received_at, site, body)"
        " SELECT 10000 + row_number() OVER (), timestamptz '2026-01-05 11:00+00'"
        " + w * interval '7 days', 'south', 'wrong order'"
        " FROM generate_series(0, 29) w, generate_series(1, 20) k;"
        " INSERT INTO %s.complaints (id, received_at, site, body)"
        " VALUES (100000, '2026-07-28 10:00+00', 'south', 'my data leaked')",
        f.src, f.src, f.src);
    cw_test_output r;
    run(&r, &f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cw_test_output_fini(&r);
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT string_agg(site || ':' || max_severity || ':' || (severity_floor > 0), ' '"
             " ORDER BY site) FROM %s.rankings WHERE kind = 'area_site' AND area_id = 'tech'",
             f.results);
    char *floors = cw_test_sql(query);
    cr_assert_str_eq(floors, "north:5:false south:5:true");
    free(floors);
    teardown(&f);
}

Test(run, late_rows_are_picked_up_once)
{
    fixture f;
    setup(&f, "600");
    cw_test_output a, b;
    run(&a, &f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(a.status, 0, "stderr: %s", a.err);
    /* Committed after the run, but received weeks ago: behind any time watermark. */
    cw_test_sqlf(
        "INSERT INTO %s.complaints VALUES (100001, '2026-03-03 09:00+00', 'web', 'north', 'p',"
        " 'retail', 'a late wrong order'), (100002, '2026-03-04 09:00+00', 'web', 'north', 'p',"
        " 'retail', 'rude again')",
        f.src);
    run(&b, &f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(b.status, 0, "stderr: %s", b.err);
    char *n = count(&f, "classified");
    cr_assert_str_eq(n, "602");
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT count(*) FROM %s.matches WHERE complaint_id IN ('100001', '100002')",
             f.results);
    char *m = cw_test_sql(query);
    cr_assert_str_eq(m, "2");
    free(n);
    free(m);
    cw_test_output_fini(&a);
    cw_test_output_fini(&b);
    teardown(&f);
}

Test(run, empty_source_is_not_an_error)
{
    fixture f;
    setup(&f, NULL);
    cw_test_output r;
    run(&r, &f, NULL, "--week", WEEK, "--format", "csv");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    char *n = count(&f, "classified");
    cr_assert_str_eq(n, "0");
    free(n);
    cw_test_output_fini(&r);
    teardown(&f);
}

Test(run, null_empty_and_hostile_bodies_are_classified_without_echo)
{
    fixture f;
    setup(&f, NULL);
    cw_test_sqlf("INSERT INTO %s.complaints VALUES"
                 " (1, '2026-07-28 10:00+00', 'web', 'north', 'p', 'retail', NULL),"
                 " (2, '2026-07-28 10:00+00', 'web', 'north', 'p', 'retail', ''),"
                 " (3, '2026-07-28 10:00+00', 'web', 'north', 'p', 'retail', '   '),"
                 " (4, '2026-07-28 10:00+00', NULL, NULL, NULL, NULL,"
                 "  E'CANARY-7731 \\u202e rude \\x01 wrong order \\U0001F600')",
                 f.src);
    cw_test_output r;
    run(&r, &f, NULL, "--week", WEEK, "--format", "csv");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_null(strstr(r.err, "CANARY"), "complaint text in the log: %s", r.err);
    char *n = count(&f, "classified");
    cr_assert_str_eq(n, "4");
    char *m = count(&f, "matches");
    cr_assert_str_eq(m, "2");
    free(n);
    free(m);
    cw_test_output_fini(&r);
    teardown(&f);
}

Test(run, duplicate_ids_from_a_view_count_once)
{
    fixture f;
    setup(&f, "300");
    char query[512];
    snprintf(query, sizeof(query),
             "CREATE VIEW %s.doubled AS SELECT * FROM %s.complaints UNION ALL"
             " SELECT * FROM %s.complaints WHERE id %% 3 = 0",
             f.src, f.src, f.src);
    free(cw_test_sql(query));
    char text[256];
    snprintf(text, sizeof(text), "source:\n  table: %s.doubled\n", f.src);
    char *view = cw_test_write_temp(text, strlen(text));
    cw_test_output r;
    const char *argv[] = {"causeway", "run", "-d",  cw_test_dsn(), "-c", view, "--schema",
                          f.results,  "-r",  RULES, "--week",      WEEK, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    char *n = count(&f, "classified");
    cr_assert_str_eq(n, "300");
    unlink(view);
    free(view);
    free(n);
    cw_test_output_fini(&r);
    teardown(&f);
}

Test(run, missing_source_column_is_a_config_error_and_writes_nothing)
{
    fixture f;
    setup(&f, "300");
    char text[256];
    snprintf(text, sizeof(text),
             "source:\n  table: %s.complaints\n  columns: { body: complaint_text }\n", f.src);
    char *bad = cw_test_write_temp(text, strlen(text));
    char *before = checksum(&f);
    cw_test_output r;
    const char *argv[] = {"causeway", "run",     "-d", cw_test_dsn(), "-c", bad,
                          "--schema", f.results, "-r", RULES,         NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 78, "status %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "complaint_text") != NULL, "stderr: %s", r.err);
    char *after = checksum(&f);
    cr_assert_str_eq(before, after);
    unlink(bad);
    free(bad);
    free(before);
    free(after);
    cw_test_output_fini(&r);
    teardown(&f);
}

Test(run, missing_results_schema_is_a_config_error)
{
    fixture f;
    setup(&f, "30");
    cw_test_output r;
    const char *argv[] = {"causeway", "run",    "-d",       cw_test_dsn(),
                          "-c",       f.config, "--schema", "no_such_results",
                          "-r",       RULES,    NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 78, "status %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "migrate") != NULL || strstr(r.err, "init") != NULL, "stderr: %s",
              r.err);
    cw_test_output_fini(&r);
    teardown(&f);
}

Test(run, changed_rules_reclassify_without_mixing)
{
    fixture f;
    setup(&f, "600");
    cw_test_output a, b;
    run(&a, &f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(a.status, 0, "stderr: %s", a.err);
    /* The same rules with one more phrase: a new hash. */
    char *text = cw_test_read_file(RULES, NULL);
    cr_assert_not_null(text);
    char *changed = malloc(strlen(text) + 64);
    strcpy(changed, text);
    char *at = strstr(changed, "[\"rude\"]");
    cr_assert_not_null(at);
    memmove(at + 18, at + 8, strlen(at + 8) + 1);
    memcpy(at, "[\"rude\", \"thanks\"]", 18);
    char *path = cw_test_write_temp(changed, strlen(changed));
    const char *argv[] = {"causeway", "run", "-d", cw_test_dsn(), "-c", f.config, "--schema",
                          f.results,  "-r",  path, "--week",      WEEK, NULL};
    cr_assert_eq(cw_test_run(&b, NULL, NULL, argv), 0);
    cr_assert_eq(b.status, 0, "stderr: %s", b.err);
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT count(DISTINCT ruleset_id) || '/' || count(*) FROM %s.classified", f.results);
    char *hashes = cw_test_sql(query);
    cr_assert_str_eq(hashes, "2/1200", "classified per rule set: %s", hashes);
    snprintf(query, sizeof(query),
             "SELECT count(DISTINCT ruleset_hash) FROM %s.rankings WHERE target_week ="
             " '2026-07-27'",
             f.results);
    char *ranked = cw_test_sql(query);
    cr_assert_str_eq(ranked, "1", "a week's ranking mixes rule sets");
    unlink(path);
    free(path);
    free(changed);
    free(text);
    free(hashes);
    free(ranked);
    cw_test_output_fini(&a);
    cw_test_output_fini(&b);
    teardown(&f);
}

/* ---- faults ---- */

/* Fault points exist in the sanitizer build (the one CI runs), not in release. */
static void require_fault_hooks(void)
{
#ifndef CW_FAULT_HOOKS
    cr_skip_test("fault points are compiled into the asan build only (make test)");
#endif
}

typedef struct child {
    pid_t pid;
    char err_path[64];
} child;

/* Start the run in the background with CW_FAULT_AT=`fault`; wait until it stops there. */
static void start_paused(child *c, const fixture *f, const char *fault)
{
    snprintf(c->err_path, sizeof(c->err_path), "/tmp/cw-run-err-XXXXXX");
    int fd = mkstemp(c->err_path);
    cr_assert(fd >= 0);
    c->pid = fork();
    cr_assert(c->pid >= 0);
    if (c->pid == 0) {
        dup2(fd, 2);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        setenv("CW_FAULT_AT", fault, 1);
        execl(cw_test_bin(), "causeway", "run", "-d", cw_test_dsn(), "-c", f->config, "--schema",
              f->results, "-r", RULES, "--week", WEEK, (char *)NULL);
        _exit(127);
    }
    close(fd);
    int status;
    cr_assert_eq(waitpid(c->pid, &status, WUNTRACED), c->pid);
    cr_assert(WIFSTOPPED(status), "the run did not reach fault point %s (status %d)", fault,
              status);
}

/* Let it go on; returns its exit status and stderr (caller frees). */
static int finish(child *c, char **err)
{
    kill(c->pid, SIGCONT);
    int status;
    cr_assert_eq(waitpid(c->pid, &status, 0), c->pid);
    *err = cw_test_read_file(c->err_path, NULL);
    unlink(c->err_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void assert_next_run_completes(const fixture *f, const char *expected_classified)
{
    cw_test_output r;
    run(&r, f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(r.status, 0, "the next run failed: %s", r.err);
    char *n = count(f, "classified");
    cr_assert_str_eq(n, expected_classified);
    free(n);
    cw_test_output_fini(&r);
}

Test(run, second_concurrent_run_exits_75_at_once)
{
    require_fault_hooks();
    fixture f;
    setup(&f, "300");
    char *before = checksum(&f);
    child c;
    start_paused(&c, &f, "ingest-first-row:pause");
    cw_test_output r;
    run(&r, &f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(r.status, 75, "status %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "lock") != NULL, "stderr: %s", r.err);
    char *err = NULL;
    cr_assert_eq(finish(&c, &err), 0, "the first run: %s", err);
    free(err);
    free(before);
    cw_test_output_fini(&r);
    teardown(&f);
}

Test(run, sigterm_mid_run_rolls_back_and_releases_the_lock)
{
    require_fault_hooks();
    fixture f;
    setup(&f, "600");
    char *before = checksum(&f);
    child c;
    start_paused(&c, &f, "ingest-first-row:pause");
    kill(c.pid, SIGTERM);
    char *err = NULL;
    int status = finish(&c, &err);
    cr_assert_eq(status, 75, "status %d: %s", status, err);
    cr_assert(strstr(err, "interrupted by SIGTERM") != NULL, "stderr: %s", err);
    char *after = checksum(&f);
    cr_assert_str_eq(before, after, "the interrupted run left rows behind");
    assert_next_run_completes(&f, "600");
    free(err);
    free(before);
    free(after);
    teardown(&f);
}

/*
 * Pause the run at `fault`, terminate the one causeway backend matching `which`
 * (a pg_stat_activity condition), let the run go on: it must exit 75, leave the
 * results checksum unchanged, and the next run must classify all `rows`. Only this
 * fixture's backends are candidates (they hold locks in its schemas): the suite runs
 * tests in parallel, and another test's paused run looks the same in pg_stat_activity.
 */
static void assert_killed_backend_leaves_nothing(fixture *f, const char *rows, const char *fault,
                                                 const char *which)
{
    char *before = checksum(f);
    child c;
    start_paused(&c, f, fault);
    char query[1024];
    snprintf(query, sizeof(query),
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE"
             " application_name = 'causeway' AND pid <> pg_backend_pid() AND %s"
             " AND pid IN (SELECT l.pid FROM pg_catalog.pg_locks l"
             "  JOIN pg_catalog.pg_class c ON c.oid = l.relation"
             "  WHERE c.relnamespace IN ('%s'::regnamespace, '%s'::regnamespace))",
             which, f->src, f->results);
    char *killed = cw_test_sql(query);
    cr_assert_str_eq(killed, "1", "backends terminated: %s", killed);
    char *err = NULL;
    int status = finish(&c, &err);
    cr_assert_eq(status, 75, "status %d: %s", status, err);
    char *after = checksum(f);
    cr_assert_str_eq(before, after, "the run left rows behind");
    assert_next_run_completes(f, rows);
    free(killed);
    free(err);
    free(before);
    free(after);
}

Test(run, backend_killed_mid_read_leaves_nothing)
{
    require_fault_hooks();
    fixture f;
    /* Long bodies: the server is still sending when its backend is killed. */
    setup(&f, "20000");
    cw_test_sqlf("UPDATE %s.complaints SET body = body || repeat(' and so on', 300)", f.src);
    char which[256];
    snprintf(which, sizeof(which), "query LIKE 'COPY (SELECT%%' AND query LIKE '%%%s%%'", f.src);
    assert_killed_backend_leaves_nothing(&f, "20000", "ingest-first-row:pause", which);
    teardown(&f);
}

Test(run, writer_killed_mid_copy_leaves_nothing)
{
    require_fault_hooks();
    fixture f;
    setup(&f, "600");
    assert_killed_backend_leaves_nothing(&f, "600", "ingest-first-row:pause",
                                         "query LIKE 'COPY %classified%FROM STDIN'");
    teardown(&f);
}

/* A new rule set's partition is loaded but not attached yet: rolled back with the rest. */
Test(run, writer_killed_before_attaching_a_new_partition_leaves_nothing)
{
    require_fault_hooks();
    fixture f;
    setup(&f, "600");
    /* The writer: the reader is idle in its transaction too, but has written nothing. */
    assert_killed_backend_leaves_nothing(
        &f, "600", "ingest-before-attach:pause",
        "state = 'idle in transaction' AND backend_xid IS NOT NULL");
    char query[256];
    snprintf(
        query, sizeof(query),
        "SELECT count(*) FROM pg_catalog.pg_inherits WHERE inhparent = '%s.classified'::regclass",
        f.results);
    char *partitions = cw_test_sql(query);
    cr_assert_str_eq(partitions, "1", "partitions attached after the next run: %s", partitions);
    free(partitions);
    teardown(&f);
}

Test(run, writer_killed_before_commit_leaves_nothing)
{
    require_fault_hooks();
    fixture f;
    setup(&f, "600");
    /* The writer: the reader may still hold its snapshot, but has written nothing. */
    assert_killed_backend_leaves_nothing(
        &f, "600", "before-commit:pause",
        "state = 'idle in transaction' AND backend_xid IS NOT NULL");
    teardown(&f);
}

Test(run, process_killed_before_commit_leaves_nothing)
{
    require_fault_hooks();
    fixture f;
    setup(&f, "600");
    char *before = checksum(&f);
    cw_test_output r;
    const char *env[] = {"CW_FAULT_AT=before-commit:kill", NULL};
    run(&r, &f, env, "--week", WEEK, NULL, NULL);
    cr_assert_eq(r.status, 128 + SIGKILL, "status %d: %s", r.status, r.err);
    char *after = checksum(&f);
    cr_assert_str_eq(before, after);
    assert_next_run_completes(&f, "600");
    free(before);
    free(after);
    cw_test_output_fini(&r);
    teardown(&f);
}

/*
 * Example snippets are cut from the source body when the ranking is made (the
 * results keep offsets only): they show the matched text, and a complaint erased
 * from the source leaves no text in the next ranking.
 */
Test(run, example_snippets_come_from_the_source_and_go_with_it)
{
    fixture f;
    setup(&f, "300");
    cw_test_output r;
    run(&r, &f, NULL, "--week", WEEK, "--format", "json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    const char *snippet = strstr(r.out, "\"snippet\":\"");
    cr_assert_not_null(snippet, "json: %.400s", r.out);
    snippet += strlen("\"snippet\":\"");
    static const char *const bodies[] = {"they sent the wrong order again\"",
                                         "the cashier was rude\"", "the app crashed twice\"",
                                         "the wrong order and a rude reply\""};
    bool whole_body = false;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        whole_body = whole_body || strncmp(snippet, bodies[i], strlen(bodies[i])) == 0;
    cr_assert(whole_body, "snippet: %.80s", snippet);
    cw_test_output_fini(&r);
    /* The results keep ids and offsets, never the text (issue 17 item 5). */
    char query[512];
    snprintf(
        query, sizeof(query),
        "SELECT count(*) FILTER (WHERE examples::text ~ '(snippet|cashier|crashed|wrong order)'),"
        " count(*) FILTER (WHERE examples::text ~ 'span_start') FROM %s.rankings",
        f.results);
    char *counts = cw_test_sql(query);
    cr_assert(strncmp(counts, "0|", 2) == 0 && strcmp(counts, "0|0") != 0, "examples: %s", counts);
    free(counts);

    /* Erased from the source: the stored ranking, reported again, shows ids only. */
    cw_test_sqlf("DELETE FROM %s.complaints", f.src);
    const char *report[] = {"causeway", "report", "-d", cw_test_dsn(), "-c",   f.config, "--schema",
                            f.results,  "--week", WEEK, "--format",    "json", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, report), 0);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_not_null(strstr(r.out, "\"complaint_id\":"), "examples kept: %.400s", r.out);
    cr_assert_null(strstr(r.out, "cashier"), "text left: %.400s", r.out);
    cr_assert_null(strstr(r.out, "wrong order"), "text left: %.400s", r.out);
    cw_test_output_fini(&r);
    run(&r, &f, NULL, "--week", WEEK, "--format", "json");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_not_null(strstr(r.out, "\"complaint_id\":"), "examples kept: %.400s", r.out);
    cr_assert_null(strstr(r.out, "\"snippet\":\"t"), "text left: %.400s", r.out);
    cr_assert_null(strstr(r.out, "cashier"), "text left: %.400s", r.out);
    cr_assert_null(strstr(r.out, "crashed twice"), "text left: %.400s", r.out);
    cw_test_output_fini(&r);
    run(&r, &f, NULL, "--week", WEEK, "--snippets", NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert_not_null(strstr(r.out, "(text no longer in the source)"), "table: %.600s", r.out);
    cw_test_output_fini(&r);
    teardown(&f);
}

/* A small file system for one tablespace (root only: it mounts a tmpfs). */
typedef struct small_disk {
    char dir[64];
    char tablespace[64];
    bool mounted;
} small_disk;

static bool small_disk_mount(small_disk *d)
{
    if (geteuid() != 0 || getenv("CW_PG_DATADIR") == NULL)
        return false;
    snprintf(d->dir, sizeof(d->dir), "/tmp/causeway-disk.XXXXXX");
    cr_assert_not_null(mkdtemp(d->dir));
    cw_test_output r;
    const char *mount[] = {"mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", d->dir, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, mount), 0);
    d->mounted = r.status == 0;
    cw_test_output_fini(&r);
    if (!d->mounted) {
        rmdir(d->dir);
        return false;
    }
    /* The tablespace directory must belong to the server's user. */
    struct stat data;
    cr_assert_eq(stat(getenv("CW_PG_DATADIR"), &data), 0);
    cr_assert_eq(chown(d->dir, data.st_uid, data.st_gid), 0);
    cr_assert_eq(chmod(d->dir, 0700), 0);
    cw_test_unique_name(d->tablespace, sizeof(d->tablespace), "small");
    cw_test_sqlf("CREATE TABLESPACE %s LOCATION '%s'", d->tablespace, d->dir);
    return true;
}

static void small_disk_unmount(small_disk *d)
{
    cw_test_sqlf("DROP TABLESPACE %s", d->tablespace);
    cw_test_output r;
    const char *umount[] = {"umount", d->dir, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, umount), 0);
    cr_assert_eq(r.status, 0, "umount: %s", r.err);
    cw_test_output_fini(&r);
    rmdir(d->dir);
}

/*
 * The server's disk fills while the run writes (its rule set's new partition lives on
 * a 4 MB tmpfs): one clear line with the SQLSTATE, exit 75, nothing written, and the
 * next run, with room again, completes.
 */
Test(run, server_disk_full_mid_write_is_tempfail_and_leaves_nothing)
{
    small_disk d = {0};
    if (!small_disk_mount(&d))
        cr_skip_test("needs root and a tmpfs mount for a small tablespace");
    fixture f;
    setup(&f, "40000");
    char *before = checksum(&f);
    char options[128];
    snprintf(options, sizeof(options), "PGOPTIONS=-c default_tablespace=%s", d.tablespace);
    const char *env[] = {options, NULL};
    cw_test_output r;
    run(&r, &f, env, "--week", WEEK, NULL, NULL);
    cr_assert_eq(r.status, 75, "status %d: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.err, "SQLSTATE 53100"), "stderr: %s", r.err);
    cr_assert_eq(strchr(r.err, '\n'), r.err + r.err_len - 1, "one line: %s", r.err);
    cw_test_output_fini(&r);
    char *after = checksum(&f);
    cr_assert_str_eq(before, after, "the failed run left rows behind");
    small_disk_unmount(&d);
    assert_next_run_completes(&f, "40000");
    free(before);
    free(after);
    teardown(&f);
}

/* The server restarts mid-run: on its own server, since restarting ours would cut the
 * connections of the tests running next to this one. */
Test(run, server_restart_mid_run_is_tempfail_and_leaves_nothing, .timeout = 180)
{
    require_fault_hooks();
    cw_test_output r;
    const char *argv[] = {"tests/tools/pgtmp.sh", "tests/tools/restart-mid-run.sh", NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "restart-mid-run: ok"), "stdout: %s", r.out);
    cw_test_output_fini(&r);
}

/* The run needs SELECT on the source and its own schema, nothing more. */
Test(run, works_with_a_least_privilege_role_that_can_do_no_more)
{
    fixture f;
    setup(&f, "300");
    char role[64], schema[64], query[1024];
    cw_test_unique_name(role, sizeof(role), "lp");
    cw_test_unique_name(schema, sizeof(schema), "lpres");
    snprintf(query, sizeof(query),
             "CREATE ROLE %s LOGIN; CREATE SCHEMA %s AUTHORIZATION %s;"
             " GRANT USAGE ON SCHEMA %s TO %s; GRANT SELECT ON %s.complaints TO %s",
             role, schema, role, f.src, role, f.src, role);
    free(cw_test_sql(query));
    const char *host = getenv("PGHOST"), *port = getenv("PGPORT");
    char dsn[256];
    snprintf(dsn, sizeof(dsn), "host=%s port=%s dbname=causeway user=%s", host, port, role);

    cw_test_output r;
    const char *init[] = {"causeway", "db", "init", "-d", dsn, "--schema", schema, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, init), 0);
    cr_assert_eq(r.status, 0, "db init as %s: %s", role, r.err);
    cw_test_output_fini(&r);
    const char *run_argv[] = {"causeway", "run", "-d",  dsn,      "-c", f.config, "--schema",
                              schema,     "-r",  RULES, "--week", WEEK, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, run_argv), 0);
    cr_assert_eq(r.status, 0, "run as %s: %s", role, r.err);
    cw_test_output_fini(&r);

    /* ... and cannot touch the source or anyone else's schema. */
    snprintf(query, sizeof(query), "DELETE FROM %s.complaints", f.src);
    const char *write_src[] = {"psql", "-XAtq", "-d", dsn, "-c", query, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, write_src), 0);
    cr_assert_neq(r.status, 0, "the role could delete complaints");
    cr_assert_not_null(strstr(r.err, "permission denied"), "psql: %s", r.err);
    cw_test_output_fini(&r);
    snprintf(query, sizeof(query), "CREATE TABLE %s.intruder (x int)", f.results);
    const char *write_other[] = {"psql", "-XAtq", "-d", dsn, "-c", query, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, write_other), 0);
    cr_assert_neq(r.status, 0, "the role could write into another schema");
    cw_test_output_fini(&r);
    teardown(&f);
}

/*
 * A duplicate key is a concurrent writer, never bad data: another client holds an
 * uncommitted row with a key the run is about to write, then commits it. The run
 * exits 75 as "another run", the SQLSTATE printed once, and writes nothing.
 */
Test(run, a_duplicate_key_from_a_concurrent_writer_is_another_run_not_bad_data)
{
    fixture f;
    setup(&f, "300");
    cw_test_output r;
    run(&r, &f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(r.status, 0, "the first run: %s", r.err);
    cw_test_output_fini(&r);
    cw_test_sqlf(
        "INSERT INTO %s.complaints VALUES (100001, '2026-07-30 10:00+00', 'web', 'north', 'p',"
        " 'retail', 'the cashier was rude')",
        f.src);
    char *runs_before = count(&f, "runs");
    char query[1024];
    snprintf(query, sizeof(query),
             "BEGIN; INSERT INTO %s.classified (ruleset_id, complaint_id, received_at, week,"
             " run_id, symptom_count, symptoms, span_starts, span_ends)"
             " SELECT ruleset_id, '100001', received_at, week, run_id, 0, '{}', '{}', '{}'"
             " FROM %s.classified LIMIT 1; SELECT pg_sleep(4); COMMIT",
             f.results, f.results);
    pid_t writer = fork();
    cr_assert(writer >= 0);
    if (writer == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execlp("psql", "psql", "-XAtq", "-d", cw_test_dsn(), "-c", query, (char *)NULL);
        _exit(127);
    }
    char *holding = NULL;
    for (int i = 0; i < 50; i++) {
        free(holding);
        holding = cw_test_sql("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                              " AND query LIKE '%pg_sleep(4)%' AND pid <> pg_backend_pid()");
        if (strcmp(holding, "0") != 0)
            break;
        nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
    }
    cr_assert_str_neq(holding, "0", "the other writer never held its row");
    run(&r, &f, NULL, "--week", WEEK, NULL, NULL);
    int status;
    cr_assert_eq(waitpid(writer, &status, 0), writer);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the other writer failed");
    cr_assert_eq(r.status, 75, "status %d: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.err, "another run or writer stored the same results"), "%s", r.err);
    const char *first = strstr(r.err, "SQLSTATE 23505");
    cr_assert_not_null(first, "%s", r.err);
    cr_assert_null(strstr(first + 1, "SQLSTATE"), "the SQLSTATE is printed once: %s", r.err);
    cw_test_output_fini(&r);
    char *runs_after = count(&f, "runs");
    cr_assert_str_eq(runs_before, runs_after, "the failed run stored a run");
    /* The other writer's row now stands for complaint 100001: the next run goes on. */
    run(&r, &f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(r.status, 0, "the next run: %s", r.err);
    cw_test_output_fini(&r);
    free(holding);
    free(runs_before);
    free(runs_after);
    teardown(&f);
}

/* A postgres_fdw source whose user mapping has no password: permission (77), not a bug. */
Test(run, a_foreign_source_without_a_password_in_its_user_mapping_is_permission)
{
    fixture f;
    setup(&f, "100");
    char role[64], server[64], schema[64], query[2048];
    cw_test_unique_name(role, sizeof(role), "fdwlp");
    cw_test_unique_name(server, sizeof(server), "fdwsrv");
    cw_test_unique_name(schema, sizeof(schema), "fdwres");
    const char *host = getenv("PGHOST"), *port = getenv("PGPORT");
    snprintf(query, sizeof(query),
             "CREATE EXTENSION IF NOT EXISTS postgres_fdw;"
             " CREATE ROLE %s LOGIN; CREATE SCHEMA %s AUTHORIZATION %s;"
             " CREATE SERVER %s FOREIGN DATA WRAPPER postgres_fdw"
             " OPTIONS (host '%s', port '%s', dbname 'causeway');"
             " GRANT USAGE ON FOREIGN SERVER %s TO %s;"
             " CREATE USER MAPPING FOR %s SERVER %s OPTIONS (user '%s');"
             " CREATE FOREIGN TABLE %s.remote (id bigint, received_at timestamptz, channel text,"
             " site text, product text, segment text, body text) SERVER %s"
             " OPTIONS (schema_name '%s', table_name 'complaints');"
             " GRANT USAGE ON SCHEMA %s TO %s; GRANT SELECT ON %s.remote TO %s",
             role, schema, role, server, host, port, server, role, role, server, role, schema,
             server, f.src, schema, role, schema, role);
    free(cw_test_sql(query));
    char dsn[256];
    snprintf(dsn, sizeof(dsn), "host=%s port=%s dbname=causeway user=%s", host, port, role);
    const char *init[] = {"causeway", "db", "init", "-d", dsn, "--schema", schema, NULL};
    cw_test_output r;
    cr_assert_eq(cw_test_run(&r, NULL, NULL, init), 0);
    cr_assert_eq(r.status, 0, "db init as %s: %s", role, r.err);
    cw_test_output_fini(&r);
    char text[256];
    snprintf(text, sizeof(text), "source:\n  table: %s.remote\n", schema);
    char *config = cw_test_write_temp(text, strlen(text));
    const char *argv[] = {"causeway", "run", "-d",  dsn,      "-c", config, "--schema",
                          schema,     "-r",  RULES, "--week", WEEK, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 77, "status %d: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.err, "a foreign server refused this role"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "user mapping with a password"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "(SQLSTATE 2F003)"), "%s", r.err);
    cw_test_output_fini(&r);
    unlink(config);
    free(config);
    teardown(&f);
}

/* causeway run of WEEK on the fixture with its source's orders table as the exposure
 * (orders per week and store); the run must succeed. */
static void run_with_orders(const fixture *f)
{
    char text[512];
    snprintf(text, sizeof(text),
             "source:\n  table: %s.complaints\n"
             "exposure:\n  table: %s.orders\n"
             "  columns: { week: week_start, site: store, volume: orders }\n",
             f->src, f->src);
    char *config = cw_test_write_temp(text, strlen(text));
    cr_assert_not_null(config);
    cw_test_output r;
    const char *argv[] = {"causeway", "run", "-d",  cw_test_dsn(), "-c", config, "--schema",
                          f->results, "-r",  RULES, "--week",      WEEK, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cw_test_output_fini(&r);
    unlink(config);
    free(config);
}

/* An exposure source (orders per week and site) turns counts into rates. */
Test(run, exposure_turns_volumes_into_rates)
{
    fixture f;
    setup(&f, "1500");
    cw_test_sqlf("CREATE TABLE %s.orders (week_start date, store text, orders double precision);"
                 " INSERT INTO %s.orders SELECT d::date, s, 1000"
                 " FROM generate_series(date '2026-01-05', date '2026-07-27', interval '7 days') d,"
                 " unnest(ARRAY['north', 'south']) s",
                 f.src, f.src);
    run_with_orders(&f);
    /* 50 complaints a week over 2,000 orders a week: 25 per 1,000, people ~ 3/7 of them. */
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT round(rate::numeric, 1) FROM %s.rankings WHERE kind = 'area'"
             " AND area_id = 'people'",
             f.results);
    char *rate = cw_test_sql(query);
    double v = strtod(rate, NULL);
    cr_assert(v > 8 && v < 14, "people complaints per 1,000 orders: %s", rate);
    snprintf(query, sizeof(query),
             "SELECT count(*) FROM %s.rankings WHERE kind = 'area_site' AND rate = 'NaN'",
             f.results);
    char *missing = cw_test_sql(query);
    cr_assert_str_eq(missing, "0", "area x site items without a rate");
    free(rate);
    free(missing);
    teardown(&f);
}

/* Invalid rules stop the run before it connects: every error once, exit 65, nothing written. */
Test(run, invalid_rules_are_reported_once_and_write_nothing)
{
    fixture f;
    setup(&f, "30");
    char *before = checksum(&f);
    const char *bad = "version: 1\ncause_areas: []\nsymptoms: [{id: x}]\n";
    char *path = cw_test_write_temp(bad, strlen(bad));
    cw_test_output r;
    const char *argv[] = {"causeway", "run", "-d", cw_test_dsn(), "-c", f.config, "--schema",
                          f.results,  "-r",  path, "--week",      WEEK, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 65, "status %d: %s", r.status, r.err);
    const char *first = strstr(r.err, ":3:");
    cr_assert_not_null(first, "no file:line:col in %s", r.err);
    char *after = checksum(&f);
    cr_assert_str_eq(before, after);
    /* No line is printed twice. */
    char *copy = strdup(r.err);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        const char *again = strstr(strstr(r.err, line) + strlen(line), line);
        cr_assert_null(again, "printed twice: %s", line);
    }
    free(copy);
    unlink(path);
    free(path);
    free(before);
    free(after);
    cw_test_output_fini(&r);
    teardown(&f);
}

/*
 * A site's level is sharpened by its siblings (detect.h, cw_detect_estimate_priors):
 * four sites with the same orders, one with a third of the others' rude complaints
 * in every baseline week. The others' level pulls the small site's frozen level
 * (what the detector expects) up from its own 2 a week (a little: its own 26 weeks weigh far more),
 * and a site like its siblings keeps its own level.
 */
Test(run, a_small_site_borrows_its_baseline_from_its_siblings)
{
    fixture f;
    setup(&f, NULL);
    cw_test_sqlf(
        "INSERT INTO %s.complaints SELECT row_number() OVER (), timestamptz '2026-01-05 10:00+00'"
        " + w * interval '7 days', 'web', s, 'p', 'retail', b"
        " FROM generate_series(0, 29) w, unnest(ARRAY['north', 'south', 'west', 'east']) s,"
        " LATERAL (SELECT 'the cashier was rude' b FROM generate_series(1,"
        " CASE s WHEN 'east' THEN 2 ELSE 6 END) UNION ALL"
        " SELECT 'the app crashed' FROM generate_series(1, 4)) x;"
        " CREATE TABLE %s.orders (week_start date, store text, orders double precision);"
        " INSERT INTO %s.orders SELECT d::date, s, 1000"
        " FROM generate_series(date '2026-01-05', date '2026-07-27', interval '7 days') d,"
        " unnest(ARRAY['north', 'south', 'west', 'east']) s",
        f.src, f.src, f.src);
    run_with_orders(&f);
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT string_agg(site || '=' || round(excess::numeric, 3), ' ' ORDER BY site)"
             " FROM %s.rankings WHERE kind = 'area_site' AND area_id = 'people'",
             f.results);
    char *levels = cw_test_sql(query);
    double east = NAN, north = NAN;
    const char *at = strstr(levels, "east=");
    if (at != NULL)
        east = strtod(at + 5, NULL);
    if ((at = strstr(levels, "north=")) != NULL)
        north = strtod(at + 6, NULL);
    /* excess = recent - what the frozen level expects: below 0 when the level is pulled up. */
    cr_assert(east < -0.01 && east > -4, "east's level is its own 2 a week, unsharpened: %s",
              levels);
    cr_assert(fabs(north) < 0.2, "north's level left its own: %s", levels);
    free(levels);
    teardown(&f);
}

/*
 * Complaints without a site do not replace the all-sites denominator: with a few
 * site-less complaints every week, a surge of other complaints at one site still
 * raises what the people area is compared with, so its steady count is now below
 * what the frozen rate expects. (The site-less count was once read as the
 * all-sites total, and the area compared with a constant 1.)
 */
Test(run, complaints_without_a_site_count_in_the_all_sites_total)
{
    fixture f;
    setup(&f, NULL);
    cw_test_sqlf(
        "INSERT INTO %s.complaints SELECT row_number() OVER (), timestamptz '2026-01-05 10:00+00'"
        " + w * interval '7 days', 'web', s, 'p', 'retail', b FROM generate_series(0, 29) w,"
        " LATERAL (SELECT s, 'the cashier was rude' b FROM unnest(ARRAY['north', 'south']) s,"
        " generate_series(1, 10) UNION ALL SELECT NULL, 'thanks, all good' FROM generate_series(1, "
        "2)"
        " UNION ALL SELECT 'north', 'thanks, all good' FROM generate_series(1, 40) WHERE w = 29) x",
        f.src);
    cw_test_output r;
    run(&r, &f, NULL, "--week", WEEK, NULL, NULL);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cw_test_output_fini(&r);
    char query[256];
    snprintf(query, sizeof(query),
             "SELECT round(excess::numeric, 3) FROM %s.rankings WHERE kind = 'area'"
             " AND area_id = 'people'",
             f.results);
    char *excess = cw_test_sql(query);
    cr_assert(strtod(excess, NULL) < -0.5, "people's excess: %s", excess);
    free(excess);
    teardown(&f);
}

/* ---- incremental runs (source.columns.updated_at) and source data problems ---- */

/* Replace the fixture's configuration file with `text`. */
static void rewrite_config(const fixture *f, const char *text)
{
    FILE *out = fopen(f->config, "w");
    cr_assert_not_null(out);
    fputs(text, out);
    cr_assert_eq(fclose(out), 0);
}

/* The fixture's source with an updated_at column the configuration maps. */
static void setup_tracked(fixture *f, const char *rows)
{
    setup(f, NULL);
    cw_test_sqlf(
        "ALTER TABLE %s.complaints ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();"
        " CREATE INDEX ON %s.complaints (updated_at)",
        f->src, f->src);
    if (rows != NULL)
        fill(f, rows);
    char text[256];
    snprintf(text, sizeof(text),
             "source:\n  table: %s.complaints\n  columns: { updated_at: updated_at }\n", f->src);
    rewrite_config(f, text);
}

/* Everything a run derives, in one text: classified rows, weekly rows, examples, and
 * the stored rankings (run ids and times left out: they differ between schemas). */
static char *derived(const char *schema)
{
    char query[2048];
    snprintf(query, sizeof(query),
             "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM ("
             " SELECT 'c' || concat_ws(',', complaint_id, week, site, symptoms::text,"
             " span_starts::text, span_ends::text) t FROM %s.classified UNION ALL"
             " SELECT 'w' || concat_ws(',', series, area_id, site, symptom_id, week, complaints,"
             " round(attributed::numeric, 9), round(weighted::numeric, 9)) FROM %s.weekly UNION ALL"
             " SELECT 'x' || concat_ws(',', week, site, symptom_id, complaint_id, span_start,"
             " span_end) FROM %s.examples UNION ALL"
             " SELECT 'k' || concat_ws(',', target_week, kind, area_id, site, rank,"
             " round(score::numeric, 9), status, examples::text, drivers::text) FROM %s.rankings"
             " UNION ALL SELECT 'empty') s",
             schema, schema, schema, schema);
    return cw_test_sql(query);
}

/* A full run of WEEK over the fixture's source as it is now, into a fresh schema. */
static char *reference(const fixture *f, char *out_report, size_t size)
{
    char schema[64];
    cw_test_unique_name(schema, sizeof(schema), "ref");
    cw_test_output r;
    const char *init[] = {"causeway", "db", "init", "-d", cw_test_dsn(), "--schema", schema, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, init), 0);
    cr_assert_eq(r.status, 0, "db init: %s", r.err);
    cw_test_output_fini(&r);
    const char *argv[] = {"causeway", "run",      "-d",       cw_test_dsn(), "-c",
                          f->config,  "--schema", schema,     "-r",          RULES,
                          "--week",   WEEK,       "--format", "csv",         NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "reference run: %s", r.err);
    if (out_report != NULL)
        snprintf(out_report, size, "%s", r.out);
    cw_test_output_fini(&r);
    return derived(schema);
}

/* New rows, rows received weeks ago but committed now, and edited rows. */
static void change_source(const fixture *f)
{
    cw_test_sqlf(
        "INSERT INTO %s.complaints (id, received_at, channel, site, product, segment, body)"
        " VALUES (100001, '2026-03-03 09:00+00', 'web', 'north', 'p', 'retail', 'a late wrong "
        "order'),"
        " (100002, '2026-07-28 09:00+00', 'web', 'south', 'p', 'retail', 'rude again'),"
        " (100003, '2026-07-29 09:00+00', 'web', 'north', 'p', 'retail', 'the app crashed')",
        f->src);
    /* 'thanks, all good' (g %% 7 = 4) becomes a rude reply; a wrong order becomes thanks. */
    cw_test_sqlf(
        "UPDATE %s.complaints SET body = 'the cashier was rude', updated_at = now()"
        " WHERE id IN (4, 11);"
        " UPDATE %s.complaints SET body = 'thanks, all good', updated_at = now() WHERE id = 7",
        f->src, f->src);
}

Test(run, incremental_runs_match_a_full_run_with_late_and_edited_rows)
{
    fixture f;
    setup_tracked(&f, "3000");
    cw_test_output a, b, c;
    run(&a, &f, NULL, "--week", WEEK, "--format", "csv");
    cr_assert_eq(a.status, 0, "stderr: %s", a.err);
    change_source(&f);
    run(&b, &f, NULL, "--week", WEEK, "--format", "csv");
    cr_assert_eq(b.status, 0, "stderr: %s", b.err);
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT classified || '/' || reclassified FROM %s.runs ORDER BY id DESC LIMIT 1",
             f.results);
    char *counts = cw_test_sql(query);
    cr_assert_str_eq(counts, "6/3", "classified/reclassified: %s", counts);
    snprintf(query, sizeof(query),
             "SELECT string_agg(complaint_id || ':' || symptoms::text, ' ' ORDER BY complaint_id)"
             " FROM %s.classified WHERE complaint_id IN ('4', '7', '100001')",
             f.results);
    char *edited = cw_test_sql(query);
    cr_assert_str_eq(edited, "100001:{wrong_order} 4:{rude} 7:{}", "%s", edited);

    char report[65536];
    char *want = reference(&f, report, sizeof(report));
    char *got = derived(f.results);
    cr_assert_str_eq(got, want, "incremental results differ from a full run");
    cr_assert_str_eq(b.out, report, "the printed ranking differs from a full run's");
    /* Nothing new: nothing classified, the same bytes. */
    run(&c, &f, NULL, "--week", WEEK, "--format", "csv");
    cr_assert_eq(c.status, 0, "stderr: %s", c.err);
    cr_assert_str_eq(c.out, b.out);
    free(counts);
    counts = cw_test_sql(query);
    cr_assert_str_eq(counts, edited);
    char *again = derived(f.results);
    cr_assert_str_eq(again, want);
    free(again);
    free(counts);
    free(edited);
    free(want);
    free(got);
    cw_test_output_fini(&a);
    cw_test_output_fini(&b);
    cw_test_output_fini(&c);
    teardown(&f);
}

/* Killed at each fault point of the incremental run, then rerun: as if never killed. */
Test(run, an_incremental_run_killed_anywhere_then_rerun_matches_an_uninterrupted_one,
     .timeout = 240)
{
    require_fault_hooks();
    static const char *const points[] = {"run-locked", "ingest-after-edits", "ingest-first-row",
                                         "before-commit"};
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        fixture f;
        setup_tracked(&f, "1500");
        cw_test_output a, k, b;
        run(&a, &f, NULL, "--week", WEEK, "--format", "csv");
        cr_assert_eq(a.status, 0, "stderr: %s", a.err);
        change_source(&f);
        char *before = checksum(&f);
        char fault[96];
        snprintf(fault, sizeof(fault), "CW_FAULT_AT=%s:kill", points[i]);
        const char *env[] = {fault, NULL};
        run(&k, &f, env, "--week", WEEK, "--format", "csv");
        cr_assert_eq(k.status, 128 + SIGKILL, "%s: status %d: %s", points[i], k.status, k.err);
        char *after = checksum(&f);
        cr_assert_str_eq(before, after, "%s: the killed run wrote", points[i]);
        run(&b, &f, NULL, "--week", WEEK, "--format", "csv");
        cr_assert_eq(b.status, 0, "%s: stderr: %s", points[i], b.err);
        char *want = reference(&f, NULL, 0);
        char *got = derived(f.results);
        cr_assert_str_eq(got, want, "%s: the rerun differs from an uninterrupted run", points[i]);
        free(before);
        free(after);
        free(want);
        free(got);
        cw_test_output_fini(&a);
        cw_test_output_fini(&k);
        cw_test_output_fini(&b);
        teardown(&f);
    }
}

/* One row per kind of source problem; each is counted, skipped and reported once. */
static const struct {
    const char *rows; /* VALUES of the bad rows */
    const char *line; /* the warning on stderr */
    const char *column;
} problems[] = {
    {"(NULL, '2026-07-28 10:00+00', 'the cashier was rude')",
     "source: 1 row skipped with a NULL id", "null_ids"},
    {"(9001, NULL, 'the cashier was rude')", "source: 1 row skipped with a NULL received_at",
     "null_received_at"},
    {"(5, '2026-07-20 10:00+00', 'the cashier was rude'),"
     " (5, '2026-07-21 10:00+00', 'the app crashed twice')",
     "source: 2 rows skipped repeating an id already read (the latest received is kept)",
     "duplicate_ids"},
    {"(9002, now() + interval '3 days', 'the cashier was rude')",
     "source: 1 row skipped received in the future (read again by later runs)", "future_rows"},
};

Test(run, source_data_problems_are_counted_skipped_reported_and_strict_fails)
{
    for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++) {
        fixture f;
        setup(&f, "60");
        /* A view: the source may have no key at all. */
        cw_test_sqlf(
            "CREATE TABLE %s.extra (id bigint, received_at timestamptz, body text);"
            " INSERT INTO %s.extra VALUES %s;"
            " CREATE VIEW %s.messy AS SELECT id, received_at, channel, site, product, segment,"
            " body FROM %s.complaints UNION ALL SELECT id, received_at, 'web', 'north', 'p',"
            " 'retail', body FROM %s.extra",
            f.src, f.src, problems[i].rows, f.src, f.src, f.src);
        char text[256];
        snprintf(text, sizeof(text), "source:\n  table: %s.messy\n", f.src);
        rewrite_config(&f, text);

        char *before = checksum(&f);
        cw_test_output s;
        run(&s, &f, NULL, "--week", WEEK, "--strict", NULL);
        cr_assert_eq(s.status, 65, "%s: --strict status %d: %s", problems[i].column, s.status,
                     s.err);
        cr_assert(strstr(s.err, "with data problems (--strict): nothing written") != NULL,
                  "stderr: %s", s.err);
        char *after = checksum(&f);
        cr_assert_str_eq(before, after, "%s: --strict wrote", problems[i].column);

        cw_test_output r;
        run(&r, &f, NULL, "--week", WEEK, "--format", "csv");
        cr_assert_eq(r.status, 0, "%s: stderr: %s", problems[i].column, r.err);
        cr_assert(strstr(r.err, problems[i].line) != NULL, "%s: stderr: %s", problems[i].column,
                  r.err);
        cr_assert_null(strstr(r.err, "rude"), "complaint text in the log: %s", r.err);
        char query[256];
        snprintf(query, sizeof(query),
                 "SELECT %s || '/' || classified FROM %s.runs ORDER BY id DESC LIMIT 1",
                 problems[i].column, f.results);
        char *stored = cw_test_sql(query);
        /* Duplicates: id 5 three times (the fixture's and two more), one kept. */
        const char *want = i == 2 ? "2/60" : "1/60";
        cr_assert_str_eq(stored, want, "%s: stored %s", problems[i].column, stored);
        free(stored);
        free(before);
        free(after);
        cw_test_output_fini(&s);
        cw_test_output_fini(&r);
        teardown(&f);
    }
}
