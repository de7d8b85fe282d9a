/*
 * test_db_faults.c - more fault rows of RELIABILITY.md for the data layer, against
 * a real PostgreSQL (CW_TEST_DSN): backends killed mid-COPY in and out, statement/
 * lock/idle timeouts, cancel from another thread, insufficient privilege, hostile
 * identifiers and search_path, octal/hex COPY escapes and a 300k-row stream,
 * PGCONNECT_TIMEOUT, and a concurrent run refused through the real binary with
 * nothing changed. test_db.c has the basic round trips and connection rows.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "causeway/store/db.h"
#include "causeway/store/schema.h"
#include "support.h"

static const cw_log *test_log(void)
{
    static cw_log l;
    cw_log_init(&l, stderr, "test", CW_LOG_QUIET);
    return &l;
}

static cw_db *connect_or_fail(void)
{
    cw_error err;
    cw_error_clear(&err);
    cw_db *db = NULL;
    cr_assert_eq(cw_db_connect(&db, cw_test_dsn(), test_log(), &err), 0, "connect: %s",
                 err.message);
    return db;
}

/* Create a fresh schema; returns its quoted name (free()). */
static char *fresh_schema(cw_db *db, char *name, size_t size)
{
    cw_error err;
    cw_error_clear(&err);
    cw_test_unique_name(name, size, "t_db");
    char *q = NULL;
    cr_assert_eq(cw_db_quote_ident(&q, db, name, &err), 0);
    char sql[300];
    snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", q);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);
    return q;
}

__attribute__((format(printf, 2, 3))) static void exec_or_fail(cw_db *db, const char *fmt, ...)
{
    char sql[1000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s: %s", sql, err.message);
}

/* Collected rows: up to 64 rows of 2 columns. */
typedef struct rows {
    int n;
    int ncols;
    char *v[64][2];
    size_t len[64][2];
    int stop_after; /* 0: never */
} rows;

static int collect(void *user, int ncols, const char *const *values, const size_t *lens,
                   cw_error *err)
{
    rows *r = user;
    if (r->stop_after > 0 && r->n >= r->stop_after)
        return cw_error_set(err, 65, "stop requested by the test");
    if (r->n < 64) {
        r->ncols = ncols;
        for (int c = 0; c < ncols && c < 2; c++) {
            r->v[r->n][c] = NULL;
            r->len[r->n][c] = lens[c];
            if (values[c] != NULL) {
                r->v[r->n][c] = malloc(lens[c] + 1);
                memcpy(r->v[r->n][c], values[c], lens[c] + 1);
            }
        }
    }
    r->n++;
    return 0;
}

static void rows_fini(rows *r)
{
    for (int i = 0; i < r->n && i < 64; i++)
        for (int c = 0; c < 2; c++)
            free(r->v[i][c]);
}

/* Binary bytes 1..255 through \ooo-free text escapes, and embedded octal/hex from the server. */
Test(db_faults, copy_out_unescapes_octal_and_hex_and_large_streams)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    rows r = {0};
    /* E'' strings with every control byte make the server emit backslash escapes. */
    cr_assert_eq(cw_db_copy_out(db, "COPY (SELECT E'\\x01\\x02\\x1f\\x7f', NULL::text) TO STDOUT",
                                collect, &r, &err),
                 0, "%s", err.message);
    cr_assert_eq(r.n, 1);
    cr_assert_eq(r.len[0][0], 4);
    cr_assert_eq(memcmp(r.v[0][0], "\x01\x02\x1f\x7f", 4), 0);
    cr_assert_null(r.v[0][1]);
    rows_fini(&r);

    /* 300k rows stream through the callback (the collector keeps only 64). */
    rows big = {0};
    cr_assert_eq(cw_db_copy_out(db,
                                "COPY (SELECT g, pg_catalog.repeat('x', 50) FROM "
                                "pg_catalog.generate_series(1, 300000) g) TO STDOUT",
                                collect, &big, &err),
                 0, "%s", err.message);
    cr_assert_eq(big.n, 300000);
    rows_fini(&big);
    cw_db_free(db);
}

Test(db_faults, hostile_identifiers_and_literals_are_quoted)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    char *base = fresh_schema(db, name, sizeof(name));
    char hostile[400];
    snprintf(hostile, sizeof(hostile), "%s\"; DROP SCHEMA %s CASCADE; --", name, name);
    char *q = NULL;
    cr_assert_eq(cw_db_quote_ident(&q, db, hostile, &err), 0);
    exec_or_fail(db, "CREATE SCHEMA %s", q);
    char *lit = NULL;
    cr_assert_eq(cw_db_quote_literal(&lit, db, "it's \\ a'); DROP TABLE x; --", &err), 0);
    char sql[600];
    snprintf(sql, sizeof(sql), "CREATE TABLE %s.t AS SELECT %s::text AS v", q, lit);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);
    rows r = {0};
    snprintf(sql, sizeof(sql), "SELECT v, current_schema() FROM %s.t", q);
    cr_assert_eq(cw_db_query(db, sql, 0, NULL, collect, &r, &err), 0, "%s", err.message);
    cr_assert_str_eq(r.v[0][0], "it's \\ a'); DROP TABLE x; --");
    /* The session's search_path is pg_catalog: unqualified names cannot be redirected. */
    cr_assert_str_eq(r.v[0][1], "pg_catalog");
    rows_fini(&r);
    /* Both schemas still exist. */
    const char *params[] = {name, hostile};
    rows c = {0};
    cr_assert_eq(cw_db_query(db,
                             "SELECT pg_catalog.count(*)::text, '' FROM pg_catalog.pg_namespace "
                             "WHERE nspname IN ($1, $2)",
                             2, params, collect, &c, &err),
                 0);
    cr_assert_str_eq(c.v[0][0], "2");
    rows_fini(&c);
    free(q);
    free(lit);
    free(base);
    cw_db_free(db);
}

Test(db_faults, constraint_and_data_errors_never_echo_row_data)
{
    static const char canary[] = "CANARY_7f3a_complaint_text";
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    char *q = fresh_schema(db, name, sizeof(name));
    exec_or_fail(db, "CREATE TABLE %s.t (id text PRIMARY KEY, n int CHECK (n > 0))", q);
    char sql[300];
    snprintf(sql, sizeof(sql), "INSERT INTO %s.t VALUES ($1, 1)", q);
    const char *p1[] = {canary};
    cr_assert_eq(cw_db_query(db, sql, 1, p1, NULL, NULL, &err), 0);
    /* Unique violation: the server's DETAIL quotes the key. causeway writes only keys it
     * found absent, so it is a concurrent writer: temporary (75), not bad input. */
    cr_assert_eq(cw_db_query(db, sql, 1, p1, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, 75);
    cr_assert_str_eq(err.sqlstate, "23505");
    cr_assert(strstr(err.message, "another run or writer") != NULL, "message: %s", err.message);
    cr_assert_null(strstr(err.message, "SQLSTATE"), "printed once, by cw_error_write: %s",
                   err.message);
    cr_assert_null(strstr(err.message, canary), "message: %s", err.message);
    cr_assert_null(strstr(err.detail, canary), "detail: %s", err.detail);
    cr_assert_null(strstr(err.hint, canary));
    /* Invalid input: the server's PRIMARY message quotes the value. */
    cw_error_clear(&err);
    snprintf(sql, sizeof(sql), "COPY %s.t (id, n) FROM STDIN", q);
    cr_assert_eq(cw_db_copy_in_begin(db, sql, &err), 0);
    const char *row[] = {"x", canary};
    cw_db_copy_in_row(db, 2, row, NULL, &err);
    cr_assert_eq(cw_db_copy_in_end(db, &err), -1);
    cr_assert_eq(err.code, 65, "%d %s", err.code, err.message);
    cr_assert_str_eq(err.sqlstate, "22P02");
    cr_assert_null(strstr(err.message, canary), "message: %s", err.message);
    cr_assert_null(strstr(err.detail, canary), "detail: %s", err.detail);
    free(q);
    cw_db_free(db);
}

/* ---- failure rows through the real binary ---- */

/* Number of schemas: nothing a failed run did may change it. */
static int schema_count(cw_db *db)
{
    cw_error err;
    cw_error_clear(&err);
    rows r = {0};
    cr_assert_eq(cw_db_query(db,
                             "SELECT pg_catalog.count(*)::text, '' FROM pg_catalog.pg_namespace", 0,
                             NULL, collect, &r, &err),
                 0, "%s", err.message);
    int n = atoi(r.v[0][0]);
    rows_fini(&r);
    return n;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A bound socket: with listen, a server that accepts and never answers; without, nothing. */
static int local_socket(int *port, int do_listen)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    if (do_listen)
        cr_assert_eq(listen(fd, 8), 0);
    return fd;
}

static void run_migrate(cw_test_output *r, const char *conninfo, const char *schema)
{
    const char *argv[] = {"causeway", "db", "migrate", "-d", conninfo, "--schema", schema, NULL};
    cr_assert_eq(cw_test_run(r, NULL, NULL, argv), 0);
}

Test(db_faults_bin, second_concurrent_run_is_refused_at_once)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    cw_test_unique_name(name, sizeof(name), "t_lock");
    cr_assert_eq(cw_db_begin(db, &err), 0, "%s", err.message);
    cr_assert_eq(cw_db_lock(db, name, &err), 0, "%s", err.message);
    int before = schema_count(db);
    cw_test_output r;
    time_t t0 = time(NULL);
    run_migrate(&r, cw_test_dsn(), name);
    cr_assert_eq(r.status, 75, "stderr: %s", r.err);
    cr_assert_leq(time(NULL) - t0, 5);
    cr_assert(strstr(r.err, "another causeway run holds the lock") != NULL, "%s", r.err);
    cr_assert_eq(count_lines(r.err), 2, "error and hint only: %s", r.err);
    cr_assert_eq(schema_count(db), before, "the refused run created its schema");
    cw_test_output_fini(&r);

    /* Once released, the same command succeeds. */
    cw_db_free(db);
    db = connect_or_fail();
    run_migrate(&r, cw_test_dsn(), name);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert(strstr(r.out, "at version") != NULL, "%s", r.out);
    cw_test_output_fini(&r);
    cw_db_free(db);
}

/* The killed-COPY trap: only the final result of COPY FROM decides, and a dead backend is 75. */
Test(db_faults, copy_in_into_a_terminated_backend_is_tempfail)
{
    cw_db *db = connect_or_fail();
    cw_db *killer = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    char *q = fresh_schema(db, name, sizeof(name));
    exec_or_fail(db, "CREATE TABLE %s.t (v text)", q);
    rows pid = {0};
    cr_assert_eq(cw_db_query(db, "SELECT pg_catalog.pg_backend_pid()::text, ''", 0, NULL, collect,
                             &pid, &err),
                 0);
    char sql[300];
    snprintf(sql, sizeof(sql), "COPY %s.t (v) FROM STDIN", q);
    cr_assert_eq(cw_db_copy_in_begin(db, sql, &err), 0, "%s", err.message);
    const char *row[] = {"before the kill"};
    cr_assert_eq(cw_db_copy_in_row(db, 1, row, NULL, &err), 0);
    const char *params[] = {pid.v[0][0]};
    cr_assert_eq(cw_db_query(killer, "SELECT pg_catalog.pg_terminate_backend($1::pg_catalog.int4)",
                             1, params, NULL, NULL, &err),
                 0, "%s", err.message);
    nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
    for (int i = 0; i < 2000 && err.code == 0; i++)
        cw_db_copy_in_row(db, 1, row, NULL, &err); /* may or may not notice the death */
    int rc = cw_db_copy_in_end(db, &err);
    cr_assert_eq(rc, -1);
    cr_assert_eq(err.code, 75, "%d %s", err.code, err.message);
    rows n = {0};
    snprintf(sql, sizeof(sql), "SELECT pg_catalog.count(*)::text, '' FROM %s.t", q);
    cw_error_clear(&err);
    cr_assert_eq(cw_db_query(killer, sql, 0, NULL, collect, &n, &err), 0, "%s", err.message);
    cr_assert_str_eq(n.v[0][0], "0", "a killed COPY must leave no rows");
    rows_fini(&n);
    rows_fini(&pid);
    free(q);
    cw_db_free(killer);
    cw_db_free(db);
}

/* Each server-side timeout maps to 75 with its SQLSTATE; the handle or the error says why. */
Test(db_faults, statement_lock_and_idle_timeouts_are_tempfail)
{
    cw_db *db = connect_or_fail();
    cw_db *other = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_db_exec(db, "SET statement_timeout = 100", &err), 0);
    cr_assert_eq(cw_db_exec(db, "SELECT pg_catalog.pg_sleep(5)", &err), -1);
    cr_assert_eq(err.code, 75);
    cr_assert_str_eq(err.sqlstate, "57014");
    cw_error_clear(&err);
    cr_assert_eq(cw_db_exec(db, "SET statement_timeout = 0; SET lock_timeout = 100", &err), 0);

    char name[80];
    char *q = fresh_schema(db, name, sizeof(name));
    exec_or_fail(db, "CREATE TABLE %s.t (v int)", q);
    char sql[300];
    snprintf(sql, sizeof(sql), "LOCK TABLE %s.t IN ACCESS EXCLUSIVE MODE", q);
    cr_assert_eq(cw_db_begin(other, &err), 0);
    cr_assert_eq(cw_db_exec(other, sql, &err), 0, "%s", err.message);
    snprintf(sql, sizeof(sql), "SELECT * FROM %s.t", q);
    cr_assert_eq(cw_db_exec(db, sql, &err), -1);
    cr_assert_eq(err.code, 75);
    cr_assert_str_eq(err.sqlstate, "55P03");
    cw_error_clear(&err);
    cr_assert_eq(cw_db_rollback(other, &err), 0);

    /* The server ends a session idle in a transaction; the next statement reports it. */
    cr_assert_eq(cw_db_exec(db, "SET idle_in_transaction_session_timeout = 200", &err), 0);
    cr_assert_eq(cw_db_begin(db, &err), 0);
    nanosleep(&(struct timespec){.tv_sec = 1}, NULL);
    cr_assert_eq(cw_db_exec(db, "SELECT 1", &err), -1);
    cr_assert_eq(err.code, 75, "%d %s", err.code, err.message);
    free(q);
    cw_db_free(other);
    cw_db_free(db);
}

/* Kill our backend from inside the COPY TO callback: the read fails as 75. */
typedef struct killer_ctx {
    cw_db *killer;
    const char *pid;
    int seen;
} killer_ctx;

static int kill_midway(void *user, int ncols, const char *const *values, const size_t *lens,
                       cw_error *err)
{
    (void)ncols;
    (void)values;
    (void)lens;
    killer_ctx *k = user;
    if (++k->seen == 1000) {
        const char *params[] = {k->pid};
        if (cw_db_query(k->killer, "SELECT pg_catalog.pg_terminate_backend($1::pg_catalog.int4)", 1,
                        params, NULL, NULL, err) != 0)
            return -1;
    }
    return 0;
}

Test(db_faults, backend_killed_mid_copy_out_is_tempfail)
{
    cw_db *db = connect_or_fail();
    killer_ctx k = {.killer = connect_or_fail()};
    cw_error err;
    cw_error_clear(&err);
    rows pid = {0};
    cr_assert_eq(cw_db_query(db, "SELECT pg_catalog.pg_backend_pid()::text, ''", 0, NULL, collect,
                             &pid, &err),
                 0);
    k.pid = pid.v[0][0];
    int rc = cw_db_copy_out(db,
                            "COPY (SELECT g FROM pg_catalog.generate_series(1, 100000000) g) "
                            "TO STDOUT",
                            kill_midway, &k, &err);
    cr_assert_eq(rc, -1);
    cr_assert_eq(err.code, 75, "%d %s", err.code, err.message);
    cr_assert_lt(k.seen, 100000000);
    rows_fini(&pid);
    cw_db_free(k.killer);
    cw_db_free(db);
}

/* A role without privileges gets 77, never 70. */
Test(db_faults, insufficient_privilege_is_noperm)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    char *q = fresh_schema(db, name, sizeof(name));
    exec_or_fail(db, "CREATE TABLE %s.t (v int)", q);
    char role[80];
    cw_test_unique_name(role, sizeof(role), "t_role");
    exec_or_fail(db, "CREATE ROLE %s NOLOGIN", role);
    cr_assert_eq(cw_db_begin(db, &err), 0);
    exec_or_fail(db, "SET LOCAL ROLE %s", role);
    char sql[300];
    snprintf(sql, sizeof(sql), "SELECT * FROM %s.t", q);
    cr_assert_eq(cw_db_exec(db, sql, &err), -1);
    cr_assert_eq(err.code, 77, "%d %s", err.code, err.message);
    cr_assert_str_eq(err.sqlstate, "42501");
    cw_db_rollback(db, &err);
    exec_or_fail(db, "DROP ROLE %s", role);
    free(q);
    cw_db_free(db);
}

/* A user-supplied search_path (options in the conninfo) cannot redirect our names. */
Test(db_faults, connect_pins_search_path_and_utc)
{
    char conninfo[600];
    snprintf(conninfo, sizeof(conninfo),
             "%s?options=-csearch_path%%3Devil,public%%20-cTimeZone%%3DAsia/Kolkata",
             cw_test_dsn());
    cw_error err;
    cw_error_clear(&err);
    cw_db *db = NULL;
    cr_assert_eq(cw_db_connect(&db, conninfo, test_log(), &err), 0, "%s", err.message);
    rows r = {0};
    cr_assert_eq(cw_db_query(db,
                             "SELECT pg_catalog.current_setting('search_path'), "
                             "pg_catalog.current_setting('TimeZone')",
                             0, NULL, collect, &r, &err),
                 0, "%s", err.message);
    cr_assert_str_eq(r.v[0][0], "pg_catalog");
    cr_assert_str_eq(r.v[0][1], "UTC");
    cr_assert_geq(cw_db_server_version(db), 100000);
    rows_fini(&r);
    cw_db_free(db);
}

typedef struct cancel_arg {
    cw_db *db;
} cancel_arg;

static void *cancel_later(void *p)
{
    cancel_arg *a = p;
    nanosleep(&(struct timespec){.tv_nsec = 300000000}, NULL);
    cw_db_cancel(a->db);
    return NULL;
}

/* The signal-handling thread's cancel stops a long statement: 75 with 57014, handle reusable. */
Test(db_faults, cancel_from_another_thread_stops_the_statement)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    cancel_arg a = {db};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, cancel_later, &a), 0);
    time_t t0 = time(NULL);
    int rc = cw_db_exec(db, "SELECT pg_catalog.pg_sleep(30)", &err);
    pthread_join(t, NULL);
    cr_assert_eq(rc, -1);
    cr_assert_eq(err.code, 75);
    cr_assert_str_eq(err.sqlstate, "57014");
    cr_assert_lt(time(NULL) - t0, 10);
    cw_error_clear(&err);
    cr_assert_eq(cw_db_exec(db, "SELECT 1", &err), 0, "%s", err.message);
    cw_db_cancel(NULL); /* no-op */
    cw_db_free(db);
}

Test(db_faults_bin, pgconnect_timeout_from_the_environment_is_honoured)
{
    int port;
    int fd = local_socket(&port, 1);
    char conninfo[128];
    snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%d", port);
    const char *env[] = {"PGCONNECT_TIMEOUT=2", NULL};
    const char *argv[] = {"causeway", "db", "migrate", "-d", conninfo, NULL};
    cw_test_output r;
    time_t t0 = time(NULL);
    cr_assert_eq(cw_test_run(&r, env, NULL, argv), 0);
    time_t took = time(NULL) - t0;
    close(fd);
    cr_assert_eq(r.status, 75, "stderr: %s", r.err);
    cr_assert_leq(took, 8, "took %lds: the 10 s default overrode PGCONNECT_TIMEOUT", (long)took);
    cw_test_output_fini(&r);
}

/* Drift: every results table dropped (renamed) by hand is caught by the check, before work. */
Test(db_faults, schema_check_catches_a_table_changed_by_hand)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    cw_test_unique_name(name, sizeof(name), "t_drift");
    int applied = 0;
    cr_assert_eq(cw_schema_migrate(db, name, false, &applied, &err), 0, "%s", err.message);
    cr_assert_eq(cw_schema_check(db, name, &err), 0, "%s", err.message);
    char *q = NULL;
    cr_assert_eq(cw_db_quote_ident(&q, db, name, &err), 0);
    static const char *const tables[] = {"runs",   "rulesets", "classified",   "matches",
                                         "weekly", "rankings", "remediations", "fix_verdicts"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        exec_or_fail(db, "ALTER TABLE %s.%s RENAME TO old_%s", q, tables[i], tables[i]);
        cr_assert_eq(cw_schema_check(db, name, &err), -1, "%s not noticed", tables[i]);
        cr_assert_eq(err.code, 78);
        char want[80];
        snprintf(want, sizeof(want), "no table '%s'", tables[i]);
        cr_assert(strstr(err.message, want) != NULL, "%s", err.message);
        cw_error_clear(&err);
        exec_or_fail(db, "ALTER TABLE %s.old_%s RENAME TO %s", q, tables[i], tables[i]);
        cr_assert_eq(cw_schema_check(db, name, &err), 0, "%s", err.message);
    }
    free(q);
    cw_db_free(db);
}
