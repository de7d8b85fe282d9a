/*
 * test_pooler.c - causeway behind PgBouncer in transaction pooling mode (Debian's
 * pgbouncer, started by tests/tools/pgbouncer.sh in front of the throwaway
 * PostgreSQL; `make test` does both): concurrent runs, one winner per round and the
 * same results as a direct run; no lock left by a finished or a killed run; no
 * session setting left on the pool's server connections; a pool too small for a
 * run fails fast and clearly.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#define RULES  "tests/data/run/rules.yaml"
#define WEEK   "2026-W31"
#define ROUNDS 20
#define RUNS   3 /* concurrent runs per round */

/* A PgBouncer DSN from pgbouncer.sh ($CW_POOLER_DSN, ...); skips the test without one. */
static const char *pooler(const char *var)
{
    const char *dsn = getenv(var);
    if (dsn == NULL || dsn[0] == '\0')
        cr_skip_test("%s is not set: run under tests/tools/pgbouncer.sh (make test does)", var);
    return dsn;
}

static void require_fault_hooks(void)
{
#ifndef CW_FAULT_HOOKS
    cr_skip_test("fault points are compiled into the asan build only (make test)");
#endif
}

typedef struct fixture {
    char src[64], results[64];
    char *config;
    char *reference; /* the JSON a direct run printed */
} fixture;

static void db_init(const char *dsn, const char *schema)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "db", "init", "-d", dsn, "--schema", schema, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "db init: %s", r.err);
    cw_test_output_fini(&r);
}

/* causeway run on the fixture through `dsn`, printing JSON. */
static void run(cw_test_output *r, const fixture *f, const char *dsn, const char *schema)
{
    const char *argv[] = {"causeway", "run",      "-d",       dsn,    "-c",
                          f->config,  "--schema", schema,     "-r",   RULES,
                          "--week",   WEEK,       "--format", "json", NULL};
    cr_assert_eq(cw_test_run(r, NULL, NULL, argv), 0);
}

/* A source of `rows` complaints, the results schema, and a direct run's output. */
static void setup(fixture *f, const char *rows)
{
    cw_test_unique_name(f->src, sizeof(f->src), "psrc");
    cw_test_unique_name(f->results, sizeof(f->results), "pres");
    cw_test_sqlf("CREATE SCHEMA %s; CREATE TABLE %s.complaints (id bigint PRIMARY KEY,"
                 " received_at timestamptz NOT NULL, channel text, site text, product text,"
                 " segment text, body text);"
                 " INSERT INTO %s.complaints SELECT g,"
                 " timestamptz '2026-01-05 10:00+00' + (g %% 30) * interval '7 days', 'web',"
                 " CASE WHEN g %% 2 = 0 THEN 'north' ELSE 'south' END, 'p', 'retail',"
                 " CASE g %% 4 WHEN 0 THEN 'they sent the wrong order again'"
                 " WHEN 1 THEN 'the cashier was rude' WHEN 2 THEN 'the app crashed twice'"
                 " ELSE 'thanks, all good' END FROM generate_series(1, %s) g",
                 f->src, f->src, f->src, rows);
    char text[256];
    snprintf(text, sizeof(text), "source:\n  table: %s.complaints\n", f->src);
    f->config = cw_test_write_temp(text, strlen(text));
    cr_assert_not_null(f->config);
    db_init(cw_test_dsn(), f->results);
    char direct[64];
    cw_test_unique_name(direct, sizeof(direct), "pdirect");
    db_init(cw_test_dsn(), direct);
    cw_test_output r;
    run(&r, f, cw_test_dsn(), direct);
    cr_assert_eq(r.status, 0, "the direct run: %s", r.err);
    f->reference = r.out;
    r.out = NULL;
    cw_test_output_fini(&r);
}

static void teardown(fixture *f)
{
    unlink(f->config);
    free(f->config);
    free(f->reference);
}

/* Whether the server holds the run lock of `schema` (any transaction, any session). */
static bool lock_held(const char *schema)
{
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
             " AND objid = (hashtext('causeway:' || '%s')::bigint & 4294967295)::oid"
             " AND objsubid = 1)",
             schema);
    char *held = cw_test_sql(query);
    bool yes = strcmp(held, "t") == 0;
    free(held);
    return yes;
}

typedef struct child {
    pid_t pid;
    char out_path[64], err_path[64];
} child;

/* Start a run through `dsn` that stops (SIGSTOP) once it holds the lock. */
static void start(child *c, const fixture *f, const char *dsn)
{
    snprintf(c->out_path, sizeof(c->out_path), "/tmp/cw-pool-out-XXXXXX");
    snprintf(c->err_path, sizeof(c->err_path), "/tmp/cw-pool-err-XXXXXX");
    int out = mkstemp(c->out_path), err = mkstemp(c->err_path);
    cr_assert(out >= 0 && err >= 0);
    c->pid = fork();
    cr_assert(c->pid >= 0);
    if (c->pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        setenv("CW_FAULT_AT", "run-locked:pause", 1);
        execl(cw_test_bin(), "causeway", "run", "-d", dsn, "-c", f->config, "--schema", f->results,
              "-r", RULES, "--week", WEEK, "--format", "json", (char *)NULL);
        _exit(127);
    }
    close(out);
    close(err);
}

/* Wait for the child to stop or end: -1 when stopped, else its exit status. */
static int wait_child(const child *c)
{
    int status;
    cr_assert_eq(waitpid(c->pid, &status, WUNTRACED), c->pid);
    if (WIFSTOPPED(status))
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void child_files(child *c, char **out, char **err)
{
    *out = cw_test_read_file(c->out_path, NULL);
    *err = cw_test_read_file(c->err_path, NULL);
    unlink(c->out_path);
    unlink(c->err_path);
}

Test(pooler, concurrent_runs_one_wins_each_round_with_the_results_of_a_direct_run, .timeout = 400)
{
    require_fault_hooks();
    const char *dsn = pooler("CW_POOLER_DSN");
    fixture f;
    setup(&f, "400");
    for (int round = 0; round < ROUNDS; round++) {
        child c[RUNS];
        for (int i = 0; i < RUNS; i++)
            start(&c[i], &f, dsn);
        int winner = -1, refused = 0;
        for (int i = 0; i < RUNS; i++) {
            int status = wait_child(&c[i]);
            if (status == -1) {
                cr_assert_eq(winner, -1, "round %d: two runs held the lock at once", round);
                winner = i;
                continue;
            }
            char *out, *err;
            child_files(&c[i], &out, &err);
            cr_assert_eq(status, 75, "round %d: a refused run exited %d: %s", round, status, err);
            cr_assert_not_null(strstr(err, "another causeway run holds the lock"), "%s", err);
            cr_assert_str_eq(out, "", "a refused run printed a ranking");
            refused++;
            free(out);
            free(err);
        }
        cr_assert_neq(winner, -1, "round %d: no run got the lock", round);
        cr_assert_eq(refused, RUNS - 1);
        kill(c[winner].pid, SIGCONT);
        int status = wait_child(&c[winner]);
        char *out, *err;
        child_files(&c[winner], &out, &err);
        cr_assert_eq(status, 0, "round %d: the winner exited %d: %s", round, status, err);
        cr_assert_str_eq(out, f.reference, "round %d: results differ from a direct run", round);
        free(out);
        free(err);
    }
    /* Nothing holds the lock any more, and a later run is not refused. */
    cr_assert(!lock_held(f.results), "the run lock outlived the runs");
    cw_test_output r;
    run(&r, &f, dsn, f.results);
    cr_assert_eq(r.status, 0, "a run after the rounds: %s", r.err);
    cr_assert_str_eq(r.out, f.reference);
    cw_test_output_fini(&r);
    char query[256];
    snprintf(query, sizeof(query),
             "SELECT count(*) FILTER (WHERE status = 'ok') || '/' || count(*) FROM %s.runs",
             f.results);
    char *runs = cw_test_sql(query);
    cr_assert_str_eq(runs, "21/21", "one stored run per round and one after: %s", runs);
    free(runs);
    teardown(&f);
}

Test(pooler, a_killed_run_leaves_no_lock_behind)
{
    require_fault_hooks();
    const char *dsn = pooler("CW_POOLER_DSN");
    fixture f;
    setup(&f, "200");
    child c;
    start(&c, &f, dsn);
    cr_assert_eq(wait_child(&c), -1, "the run did not stop holding the lock");
    cr_assert(lock_held(f.results));
    kill(c.pid, SIGKILL);
    int status;
    cr_assert_eq(waitpid(c.pid, &status, 0), c.pid);
    char *out, *err;
    child_files(&c, &out, &err);
    free(out);
    free(err);
    /* PgBouncer closes the server connection of a client gone mid-transaction; the
     * server rolls back and the lock goes with it. */
    bool held = true;
    for (int i = 0; i < 50 && held; i++) {
        held = lock_held(f.results);
        if (held)
            nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
    }
    cr_assert(!held, "the killed run's lock is still held after 5 s");
    cw_test_output r;
    run(&r, &f, dsn, f.results);
    cr_assert_eq(r.status, 0, "the next run: %s", r.err);
    cr_assert_str_eq(r.out, f.reference);
    cw_test_output_fini(&r);
    teardown(&f);
}

/* search_path, TimeZone, DateStyle and extra_float_digits as a new client sees them. */
#define SETTINGS                                                                                   \
    "SELECT current_setting('search_path') || ' | ' || current_setting('TimeZone') || ' | ' ||"    \
    " current_setting('DateStyle') || ' | ' || current_setting('extra_float_digits')"

Test(pooler, a_run_leaves_no_setting_on_the_pools_connections)
{
    const char *two = pooler("CW_POOLER_TWO_DSN");
    fixture f;
    setup(&f, "200");
    const char *fresh_args[] = {"-c", SETTINGS, NULL};
    char *fresh = cw_test_psql(NULL, cw_test_dsn(), fresh_args);
    /* The pool has two server connections, and a run uses both at once. */
    cw_test_output r;
    run(&r, &f, two, f.results);
    cr_assert_eq(r.status, 0, "run through a pool of two: %s", r.err);
    cr_assert_str_eq(r.out, f.reference);
    cw_test_output_fini(&r);
    /* Two clients' statements at once hold the two server connections. */
    char script[1024];
    snprintf(script, sizeof(script),
             "q() { psql -XAtq -d '%s' -c \"%s FROM pg_sleep(1)\"; }; q & q; wait", two, SETTINGS);
    const char *argv[] = {"bash", "-c", script, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char want[512];
    snprintf(want, sizeof(want), "%s\n%s\n", fresh, fresh);
    cr_assert_str_eq(r.out, want, "another client saw the run's settings: %s (new client: %s)",
                     r.out, fresh);
    cr_assert_null(strstr(r.out, "pg_catalog"));
    cw_test_output_fini(&r);
    free(fresh);
    teardown(&f);
}

Test(pooler, a_pool_of_one_connection_fails_fast_and_clearly, .timeout = 120)
{
    const char *one = pooler("CW_POOLER_ONE_DSN");
    const char *dsn = pooler("CW_POOLER_DSN");
    fixture f;
    setup(&f, "200");
    time_t t0 = time(NULL);
    cw_test_output r;
    run(&r, &f, one, f.results);
    time_t took = time(NULL) - t0;
    cr_assert_eq(r.status, 75, "status %d: %s", r.status, r.err);
    cr_assert_leq(took, 30, "took %ld s: it waited for the pooler's query_wait_timeout",
                  (long)took);
    cr_assert_not_null(strstr(r.err, "gave no second connection within 10 s: a run needs two"),
                       "%s", r.err);
    cr_assert_not_null(strstr(r.err, "pool_size >= 2"), "%s", r.err);
    cr_assert_str_eq(r.out, "");
    cw_test_output_fini(&r);
    char query[256];
    snprintf(query, sizeof(query), "SELECT count(*) FROM %s.runs", f.results);
    char *runs = cw_test_sql(query);
    cr_assert_str_eq(runs, "0", "the refused run wrote");
    free(runs);
    cr_assert(!lock_held(f.results));
    /* db init and report need one connection: the small pool serves them. */
    const char *report[] = {"causeway", "db", "migrate", "-d", one, "--schema", f.results, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, report), 0);
    cr_assert_eq(r.status, 0, "db migrate through a pool of one: %s", r.err);
    cw_test_output_fini(&r);
    run(&r, &f, dsn, f.results);
    cr_assert_eq(r.status, 0, "then through a pool of 20: %s", r.err);
    cw_test_output_fini(&r);
    /* With the run's configuration: the report cuts the snippets from the same source. */
    const char *rep[] = {"causeway", "report", "-d", one,        "-c",   f.config, "--schema",
                         f.results,  "--week", WEEK, "--format", "json", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, rep), 0);
    cr_assert_eq(r.status, 0, "report through a pool of one: %s", r.err);
    cr_assert_str_eq(r.out, f.reference);
    cw_test_output_fini(&r);
    teardown(&f);
}
