/*
 * test_db.c - the data layer against a real PostgreSQL (CW_TEST_DSN): COPY
 * round trips, parameters, quoting, transactions, error mapping without data
 * leaks, and the failure rows of RELIABILITY.md through the real binary.
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

#include "causeway/db.h"
#include "causeway/schema.h"
#include "support.h"

static cw_db *connect_or_fail(void)
{
    cw_error err;
    cw_error_clear(&err);
    cw_db *db = NULL;
    cr_assert_eq(cw_db_connect(&db, cw_test_dsn(), NULL, &err), 0, "connect: %s", err.message);
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

static const char *const hostile_values[] = {
    "plain",
    "tab\there",
    "new\nline and \r\n crlf",
    "back\\slash \\N \\. \\x41",
    NULL,
    "",
    "\\N",
    "\b\f\v control",
    "UTF-8: \xc3\xbc\xc3\xb1\xc3\xaf \xe2\x9c\x93 \xf0\x9f\x98\x80 \xe2\x80\xae rtl",
    "\\.",
};
#define NHOSTILE (sizeof(hostile_values) / sizeof(hostile_values[0]))

Test(db, copy_in_and_copy_out_round_trip_every_byte_class)
{
    cw_db *db = connect_or_fail();
    char name[80];
    char *q = fresh_schema(db, name, sizeof(name));
    exec_or_fail(db, "CREATE TABLE %s.t (id int PRIMARY KEY, v text)", q);
    cw_error err;
    cw_error_clear(&err);
    char sql[300];
    snprintf(sql, sizeof(sql), "COPY %s.t (id, v) FROM STDIN", q);
    cr_assert_eq(cw_db_copy_in_begin(db, sql, &err), 0, "%s", err.message);
    for (size_t i = 0; i < NHOSTILE; i++) {
        char id[16];
        snprintf(id, sizeof(id), "%zu", i);
        const char *vals[] = {id, hostile_values[i]};
        cr_assert_eq(cw_db_copy_in_row(db, 2, vals, NULL, &err), 0, "%s", err.message);
    }
    cr_assert_eq(cw_db_copy_in_end(db, &err), 0, "%s", err.message);

    rows r = {0};
    snprintf(sql, sizeof(sql), "COPY (SELECT id, v FROM %s.t ORDER BY id) TO STDOUT", q);
    cr_assert_eq(cw_db_copy_out(db, sql, collect, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.n, (int)NHOSTILE);
    cr_assert_eq(r.ncols, 2);
    for (size_t i = 0; i < NHOSTILE; i++) {
        if (hostile_values[i] == NULL) {
            cr_assert_null(r.v[i][1], "row %zu should be NULL", i);
        } else {
            cr_assert_not_null(r.v[i][1], "row %zu", i);
            cr_assert_eq(r.len[i][1], strlen(hostile_values[i]), "row %zu length", i);
            cr_assert_str_eq(r.v[i][1], hostile_values[i], "row %zu", i);
        }
    }
    rows_fini(&r);

    /* The same values through a parameterised query (text results). */
    rows p = {0};
    snprintf(sql, sizeof(sql), "SELECT id::text, v FROM %s.t WHERE v IS NOT DISTINCT FROM $1", q);
    for (size_t i = 0; i < NHOSTILE; i++) {
        const char *params[] = {hostile_values[i]};
        p.n = 0;
        cr_assert_eq(cw_db_query(db, sql, 1, params, collect, &p, &err), 0, "%s", err.message);
        cr_assert_eq(p.n, 1, "value %zu matched %d rows", i, p.n);
        cr_assert_eq(atoi(p.v[0][0]), (int)i);
        rows_fini(&p);
    }
    free(q);
    cw_db_free(db);
}

/* Binary bytes 1..255 through \ooo-free text escapes, and embedded octal/hex from the server. */
Test(db, copy_out_unescapes_octal_and_hex_and_large_streams)
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

Test(db, failing_copy_callback_cancels_and_leaves_the_connection_usable)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    rows r = {.stop_after = 5};
    time_t t0 = time(NULL);
    int rc = cw_db_copy_out(db,
                            "COPY (SELECT g, 'x' FROM pg_catalog.generate_series(1, 50000000) g) "
                            "TO STDOUT",
                            collect, &r, &err);
    cr_assert_eq(rc, -1);
    cr_assert_eq(err.code, 65, "the callback's error must win, got %d %s", err.code, err.message);
    cr_assert_str_eq(err.message, "stop requested by the test");
    cr_assert_lt(time(NULL) - t0, 20, "cancel did not stop the COPY");
    rows_fini(&r);
    rows one = {0};
    cw_error_clear(&err);
    cr_assert_eq(cw_db_query(db, "SELECT 1, 2", 0, NULL, collect, &one, &err), 0, "%s",
                 err.message);
    cr_assert_eq(one.n, 1);
    rows_fini(&one);
    cw_db_free(db);
}

Test(db, hostile_identifiers_and_literals_are_quoted)
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

Test(db, rollback_leaves_nothing_and_keeps_the_first_error)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    char *q = fresh_schema(db, name, sizeof(name));
    cr_assert_eq(cw_db_begin(db, &err), 0);
    exec_or_fail(db, "CREATE TABLE %s.t (v int)", q);
    char sql[300];
    snprintf(sql, sizeof(sql), "INSERT INTO %s.t VALUES (1)", q);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0);
    /* A failing statement, then rollback: err keeps the statement's error. */
    snprintf(sql, sizeof(sql), "SELECT * FROM %s.missing", q);
    cr_assert_eq(cw_db_exec(db, sql, &err), -1);
    cr_assert_eq(err.code, 78);
    cr_assert_str_eq(err.sqlstate, "42P01");
    cr_assert_eq(cw_db_commit(db, &err), -1, "commit of a failed transaction must fail");
    cr_assert_str_eq(err.sqlstate, "42P01");
    cw_db_rollback(db, &err); /* harmless: nothing open; must not replace err */
    cr_assert_str_eq(err.sqlstate, "42P01");

    cw_error_clear(&err);
    cr_assert_eq(cw_db_begin(db, &err), 0);
    exec_or_fail(db, "CREATE TABLE %s.u (v int)", q);
    cr_assert_eq(cw_db_rollback(db, &err), 0, "%s", err.message);
    rows r = {0};
    const char *params[] = {name};
    cr_assert_eq(cw_db_query(db,
                             "SELECT pg_catalog.count(*)::text, '' FROM pg_catalog.pg_tables "
                             "WHERE schemaname = $1",
                             1, params, collect, &r, &err),
                 0);
    cr_assert_str_eq(r.v[0][0], "0");
    rows_fini(&r);
    free(q);
    cw_db_free(db);
}

Test(db, constraint_and_data_errors_never_echo_row_data)
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
    /* Unique violation: the server's DETAIL quotes the key. */
    cr_assert_eq(cw_db_query(db, sql, 1, p1, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, 65);
    cr_assert_str_eq(err.sqlstate, "23505");
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

Test(schema, migrate_is_idempotent_and_refuses_a_newer_schema)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    cw_test_unique_name(name, sizeof(name), "t_schema");
    cr_assert_eq(cw_schema_check(db, name, &err), -1);
    cr_assert_eq(err.code, 78);
    cr_assert(strstr(err.hint, "causeway db migrate") != NULL, "hint: %s", err.hint);

    int applied = -1;
    cw_error_clear(&err);
    cr_assert_eq(cw_schema_migrate(db, name, NULL, &applied, &err), 0, "%s", err.message);
    cr_assert_eq(applied, cw_schema_latest());
    cr_assert_gt(applied, 0);
    cr_assert_eq(cw_schema_check(db, name, &err), 0, "%s", err.message);
    cr_assert_eq(cw_schema_migrate(db, name, NULL, &applied, &err), 0, "%s", err.message);
    cr_assert_eq(applied, 0);

    /* The tables landed in the schema, not in public. */
    char *q = NULL;
    cr_assert_eq(cw_db_quote_ident(&q, db, name, &err), 0);
    char sql[400];
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s.weekly (ruleset_hash, series, week) VALUES ('h', 'area', "
             "'2026-01-05')",
             q);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);

    /* Drift: a dropped table is caught by the check, before any work. */
    snprintf(sql, sizeof(sql), "ALTER TABLE %s.matches RENAME TO matches_old", q);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);
    cr_assert_eq(cw_schema_check(db, name, &err), -1);
    cr_assert_eq(err.code, 78);
    cr_assert(strstr(err.message, "no table 'matches'") != NULL, "%s", err.message);
    cw_error_clear(&err);
    snprintf(sql, sizeof(sql), "ALTER TABLE %s.matches_old RENAME TO matches", q);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);
    cr_assert_eq(cw_schema_check(db, name, &err), 0, "%s", err.message);

    snprintf(sql, sizeof(sql), "UPDATE %s.schema_migrations SET version = 999", q);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0);
    cr_assert_eq(cw_schema_migrate(db, name, NULL, &applied, &err), -1);
    cr_assert_eq(err.code, 78);
    cr_assert(strstr(err.message, "newer than this causeway") != NULL, "%s", err.message);
    cw_error_clear(&err);
    cr_assert_eq(cw_schema_check(db, name, &err), -1);
    cr_assert_eq(err.code, 78);
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

Test(db_bin, unreachable_server_is_tempfail_in_one_line)
{
    cw_db *db = connect_or_fail();
    int before = schema_count(db);
    int port;
    int fd = local_socket(&port, 0); /* bound, not listening: connections are refused */
    char conninfo[128];
    snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%d dbname=causeway", port);
    cw_test_output r;
    run_migrate(&r, conninfo, "causeway");
    close(fd);
    cr_assert_eq(r.status, 75, "stderr: %s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "127.0.0.1") != NULL && strstr(r.err, "refused") != NULL, "%s", r.err);
    cr_assert_eq(r.out_len, 0);
    cr_assert_eq(schema_count(db), before);
    cw_test_output_fini(&r);
    cw_db_free(db);
}

Test(db_bin, silent_server_times_out_as_tempfail)
{
    int port;
    int fd = local_socket(&port, 1); /* the kernel accepts; nobody ever answers */
    char conninfo[128];
    snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%d connect_timeout=2", port);
    cw_test_output r;
    time_t t0 = time(NULL);
    run_migrate(&r, conninfo, "causeway");
    time_t took = time(NULL) - t0;
    close(fd);
    cr_assert_eq(r.status, 75, "stderr: %s", r.err);
    cr_assert_leq(took, 8, "took %lds", (long)took);
    cr_assert_eq(count_lines(r.err), 1, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "timeout") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(db_bin, wrong_password_is_noperm_and_never_echoes_it)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    /* pg_hba makes this role use scram; other tests may create it concurrently. */
    cw_db_exec(db,
               "DO $$BEGIN CREATE ROLE cw_password_test LOGIN PASSWORD 'right-pw'; "
               "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$",
               &err);
    int before = schema_count(db);
    const char *host = getenv("PGHOST");
    const char *port = getenv("PGPORT");
    cr_assert(host != NULL && port != NULL);
    char conninfo[256];
    snprintf(conninfo, sizeof(conninfo),
             "host=%s port=%s dbname=causeway user=cw_password_test password=Wr0ngSecret", host,
             port);
    cw_test_output r;
    run_migrate(&r, conninfo, "causeway");
    cr_assert_eq(r.status, 77, "stderr: %s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "password authentication failed") != NULL, "%s", r.err);
    cr_assert_null(strstr(r.err, "Wr0ngSecret"));
    cr_assert_eq(schema_count(db), before);
    cw_test_output_fini(&r);
    cw_db_free(db);
}

Test(db_bin, second_concurrent_run_is_refused_at_once)
{
    cw_db *db = connect_or_fail();
    cw_error err;
    cw_error_clear(&err);
    char name[80];
    cw_test_unique_name(name, sizeof(name), "t_lock");
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
    cr_assert_eq(cw_db_unlock(db, name, &err), 0);
    run_migrate(&r, cw_test_dsn(), name);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_assert(strstr(r.out, "at version") != NULL, "%s", r.out);
    cw_test_output_fini(&r);
    cw_db_free(db);
}

Test(db_bin, init_then_migrate_report_the_version)
{
    char name[80];
    cw_test_unique_name(name, sizeof(name), "t_init");
    const char *argv[] = {"causeway", "db", "init", "-d", cw_test_dsn(), "--schema", name, NULL};
    cw_test_output r;
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    char want[160];
    snprintf(want, sizeof(want), "results schema '%s' at version %d (applied %d)\n", name,
             cw_schema_latest(), cw_schema_latest());
    cr_assert(strstr(r.out, want) != NULL, "stdout: %s", r.out);
    cr_assert(strstr(r.out, "created") != NULL, "stdout: %s", r.out);
    cr_assert_eq(r.err_len, 0, "stderr: %s", r.err);
    cw_test_output_fini(&r);
    run_migrate(&r, cw_test_dsn(), name);
    cr_assert_eq(r.status, 0);
    snprintf(want, sizeof(want), "(applied 0)\n");
    cr_assert(strstr(r.out, want) != NULL, "stdout: %s", r.out);
    cw_test_output_fini(&r);

    const char *bad[] = {"causeway", "db", "frob", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, bad), 0);
    cr_assert_eq(r.status, 64);
    cw_test_output_fini(&r);
}

/* The killed-COPY trap: only the final result of COPY FROM decides, and a dead backend is 75. */
Test(db, copy_in_into_a_terminated_backend_is_tempfail)
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
Test(db, statement_lock_and_idle_timeouts_are_tempfail)
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

Test(db, backend_killed_mid_copy_out_is_tempfail)
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
Test(db, insufficient_privilege_is_noperm)
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
Test(db, connect_pins_search_path_and_utc)
{
    char conninfo[600];
    snprintf(conninfo, sizeof(conninfo),
             "%s?options=-csearch_path%%3Devil,public%%20-cTimeZone%%3DAsia/Kolkata",
             cw_test_dsn());
    cw_error err;
    cw_error_clear(&err);
    cw_db *db = NULL;
    cr_assert_eq(cw_db_connect(&db, conninfo, NULL, &err), 0, "%s", err.message);
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
Test(db, cancel_from_another_thread_stops_the_statement)
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

Test(db_bin, pgconnect_timeout_from_the_environment_is_honoured)
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
