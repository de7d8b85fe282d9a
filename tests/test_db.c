/*
 * test_db.c - the data layer against the throwaway PostgreSQL: COPY round trips,
 * parameters, quoting, transactions, migrations, and the connection faults of
 * RELIABILITY.md through the real binary (one clear line, the documented exit
 * code, nothing changed).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "causeway/store/db.h"
#include "causeway/store/schema.h"
#include "support.h"

static cw_log quiet_log(void)
{
    cw_log log;
    cw_log_init(&log, stderr, "test", CW_LOG_WARN);
    return log;
}

static cw_db *connect_test(const cw_log *log)
{
    cw_db *db = NULL;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_db_connect(&db, cw_test_dsn(), log, &err), 0, "%s", err.message);
    return db;
}

typedef struct rows {
    int count;
    char text[8][256];
    bool null[8];
} rows;

static int keep_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)err;
    rows *r = user;
    if (r->count < 8 && ncols >= 1) {
        r->null[r->count] = v[0] == NULL;
        if (v[0] != NULL)
            snprintf(r->text[r->count], sizeof(r->text[0]), "%.*s", (int)lens[0], v[0]);
        r->count++;
    }
    return 0;
}

Test(db, copy_round_trips_tabs_newlines_backslashes_nulls_and_utf8)
{
    cw_log log = quiet_log();
    cw_db *db = connect_test(&log);
    cw_error err;
    cw_error_clear(&err);
    char table[64], sql[256];
    cw_test_unique_name(table, sizeof(table), "rt");
    snprintf(sql, sizeof(sql), "CREATE TEMP TABLE %s (n int, t text)", table);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);
    const char *values[] = {"tab\there", "line\nbreak\r\n", "back\\slash \\N", NULL,
                            "caf\xc3\xa9 \xe2\x80\xae \xf0\x9f\x98\x80"};
    snprintf(sql, sizeof(sql), "COPY %s (n, t) FROM STDIN", table);
    cr_assert_eq(cw_db_copy_in_begin(db, sql, &err), 0, "%s", err.message);
    for (int i = 0; i < 5; i++) {
        char n[16];
        snprintf(n, sizeof(n), "%d", i);
        const char *row[] = {n, values[i]};
        cr_assert_eq(cw_db_copy_in_row(db, 2, row, NULL, &err), 0, "%s", err.message);
    }
    cr_assert_eq(cw_db_copy_in_end(db, &err), 0, "%s", err.message);
    rows r = {0};
    snprintf(sql, sizeof(sql), "COPY (SELECT t FROM %s ORDER BY n) TO STDOUT", table);
    cr_assert_eq(cw_db_copy_out(db, sql, keep_row, &r, &err), 0, "%s", err.message);
    cr_assert_eq(r.count, 5);
    for (int i = 0; i < 5; i++) {
        if (values[i] == NULL)
            cr_assert(r.null[i], "row %d should be NULL", i);
        else
            cr_assert_str_eq(r.text[i], values[i], "row %d", i);
    }
    cw_db_free(db);
}

/* One value per row: "ab..." of every length up to 17 bytes, and every escaped byte at every
 * position of it. */
#define ESC_PLAIN  "abcdefghijklmnopq"
#define ESC_VALUES (18 + 4 * 17 + 2)

/* Value i of the escaping round trip, into buf (NUL-terminated); returns its length. */
static size_t escape_value(char *buf, int i)
{
    const char specials[] = "\\\n\r\t";
    if (i < 18) { /* no escapes: every tail length of the 8-byte words */
        memcpy(buf, ESC_PLAIN, (size_t)i);
        buf[i] = '\0';
        return (size_t)i;
    }
    if (i < 18 + 4 * 17) { /* one special byte at each position, inside and across words */
        int k = i - 18;
        strcpy(buf, ESC_PLAIN);
        buf[k % 17] = specials[k / 17];
        return 17;
    }
    /* All four at the start, middle and end with runs between, or nothing but them. */
    const char *v = i == 18 + 4 * 17 ? "\\\n\r\tabcdefghij\t\r\n\\klmnopqrstuvwxyz01234\n\\\t\r"
                                     : "\\\\\n\n\r\r\t\t\\\n\r\t\t\r\n\\";
    strcpy(buf, v);
    return strlen(v);
}

Test(db, copy_in_escapes_every_special_byte_at_every_position)
{
    cw_log log = quiet_log();
    cw_db *db = connect_test(&log);
    cw_error err;
    cw_error_clear(&err);
    char table[64], sql[256];
    cw_test_unique_name(table, sizeof(table), "esc");
    snprintf(sql, sizeof(sql), "CREATE TEMP TABLE %s (n int, t text, u text)", table);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);
    snprintf(sql, sizeof(sql), "COPY %s (n, t, u) FROM STDIN", table);
    cr_assert_eq(cw_db_copy_in_begin(db, sql, &err), 0, "%s", err.message);
    for (int i = 0; i < ESC_VALUES; i++) {
        char n[16], v[64], longer[80];
        size_t len = escape_value(v, i);
        /* u: the same bytes given by length, with more after them that must not be sent. */
        snprintf(longer, sizeof(longer), "%s\t\\tail", v);
        snprintf(n, sizeof(n), "%d", i);
        const char *row[] = {n, v, longer};
        const size_t lens[] = {strlen(n), len, len};
        cr_assert_eq(cw_db_copy_in_row(db, 3, row, i % 2 == 0 ? lens : NULL, &err), 0, "%s",
                     err.message);
    }
    cr_assert_eq(cw_db_copy_in_end(db, &err), 0, "%s", err.message);
    /* Compared by the server against the value sent as a parameter, not by our COPY parser. */
    snprintf(sql, sizeof(sql),
             "SELECT t = $2 AND (u = $2) = ($1::int %% 2 = 0) FROM %s WHERE n = $1::int", table);
    for (int i = 0; i < ESC_VALUES; i++) {
        char n[16], v[64];
        escape_value(v, i);
        snprintf(n, sizeof(n), "%d", i);
        const char *params[] = {n, v};
        bool same = false;
        cr_assert_eq(cw_db_query(db, sql, 2, params, cw_db_bool_row, &same, &err), 0, "%s",
                     err.message);
        cr_assert(same, "value %d changed on its way through COPY", i);
    }
    cw_db_free(db);
}

static int fail_on_second(void *user, int ncols, const char *const *v, const size_t *lens,
                          cw_error *err)
{
    (void)ncols;
    (void)v;
    (void)lens;
    return ++*(int *)user == 2 ? cw_error_set(err, CW_EXIT_DATAERR, "stop here") : 0;
}

Test(db, a_failing_callback_stops_the_copy_and_the_connection_stays_usable)
{
    cw_log log = quiet_log();
    cw_db *db = connect_test(&log);
    cw_error err;
    cw_error_clear(&err);
    int seen = 0;
    cr_assert_eq(cw_db_copy_out(db, "COPY (SELECT g FROM generate_series(1, 100000) g) TO STDOUT",
                                fail_on_second, &seen, &err),
                 -1);
    cr_assert_str_eq(err.message, "stop here");
    cr_assert_eq(seen, 2);
    cw_error_clear(&err);
    rows r = {0};
    cr_assert_eq(cw_db_query(db, "SELECT 'still here'", 0, NULL, keep_row, &r, &err), 0, "%s",
                 err.message);
    cr_assert_str_eq(r.text[0], "still here");
    cw_db_free(db);
}

Test(db, parameters_are_values_never_sql)
{
    cw_log log = quiet_log();
    cw_db *db = connect_test(&log);
    cw_error err;
    cw_error_clear(&err);
    const char *params[] = {"'); DROP TABLE x; --", NULL};
    rows r = {0};
    cr_assert_eq(
        cw_db_query(db, "SELECT $1::text UNION ALL SELECT $2::text", 2, params, keep_row, &r, &err),
        0, "%s", err.message);
    cr_assert_str_eq(r.text[0], params[0]);
    cr_assert(r.null[1]);
    char *q = NULL;
    cr_assert_eq(cw_db_quote_ident(&q, db, "evil\"; DROP SCHEMA public; --", &err), 0);
    cr_assert_str_eq(q, "\"evil\"\"; DROP SCHEMA public; --\"");
    free(q);
    cw_db_free(db);
}

Test(db, rollback_leaves_nothing_and_a_failed_commit_is_an_error)
{
    cw_log log = quiet_log();
    cw_db *db = connect_test(&log);
    cw_error err;
    cw_error_clear(&err);
    char table[64], sql[256];
    cw_test_unique_name(table, sizeof(table), "tx");
    snprintf(sql, sizeof(sql), "CREATE TABLE public.%s (n int)", table);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);
    snprintf(sql, sizeof(sql), "INSERT INTO public.%s VALUES (1)", table);
    cr_assert_eq(cw_db_begin(db, &err), 0);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0);
    cr_assert_eq(cw_db_rollback(db, &err), 0);
    rows r = {0};
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM public.%s", table);
    cr_assert_eq(cw_db_query(db, sql, 0, NULL, keep_row, &r, &err), 0);
    cr_assert_str_eq(r.text[0], "0");
    /* A statement fails inside the transaction: COMMIT becomes ROLLBACK, and says so. */
    cr_assert_eq(cw_db_begin(db, &err), 0);
    cw_error ignored;
    cw_error_clear(&ignored);
    cr_assert_eq(cw_db_exec(db, "SELECT 1/0", &ignored), -1);
    cr_assert_str_eq(ignored.sqlstate, "22012");
    cr_assert_eq(cw_db_commit(db, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_TEMPFAIL);
    snprintf(sql, sizeof(sql), "DROP TABLE public.%s", table);
    cw_error_clear(&err);
    cr_assert_eq(cw_db_exec(db, sql, &err), 0, "%s", err.message);
    cw_db_free(db);
}

Test(db, rejected_values_are_never_echoed)
{
    cw_log log = quiet_log();
    cw_db *db = connect_test(&log);
    cw_error err;
    cw_error_clear(&err);
    const char *params[] = {"CANARY-4411 my card number"};
    cr_assert_eq(cw_db_query(db, "SELECT $1::int", 1, params, NULL, NULL, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_DATAERR);
    cr_assert_str_eq(err.sqlstate, "22P02");
    cr_assert_null(strstr(err.message, "CANARY"), "message: %s", err.message);
    cr_assert_null(strstr(err.detail, "CANARY"));
    cw_db_free(db);
}

/* The run lock belongs to a transaction: exclusive while it is open, gone at its end. */
Test(db, the_lock_is_exclusive_per_schema_and_ends_with_the_transaction)
{
    cw_log log = quiet_log();
    cw_db *a = connect_test(&log), *b = connect_test(&log);
    cw_error err;
    cw_error_clear(&err);
    char schema[64];
    cw_test_unique_name(schema, sizeof(schema), "lock");
    cr_assert_eq(cw_db_begin(a, &err), 0, "%s", err.message);
    cr_assert_eq(cw_db_lock(a, schema, &err), 0, "%s", err.message);
    cr_assert_eq(cw_db_begin(b, &err), 0, "%s", err.message);
    cr_assert_eq(cw_db_lock(b, schema, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_TEMPFAIL);
    cr_assert(strstr(err.message, "another causeway run holds the lock") != NULL);
    cr_assert_eq(cw_db_rollback(b, &err), 0);
    cw_error_clear(&err);
    cr_assert_eq(cw_db_begin(b, &err), 0, "%s", err.message);
    cr_assert_eq(cw_db_lock(b, "some_other_schema_x", &err), 0, "%s", err.message);
    cr_assert_eq(cw_db_rollback(b, &err), 0);
    /* a's COMMIT releases it at once: no waiting for a backend to go away. */
    cr_assert_eq(cw_db_commit(a, &err), 0, "%s", err.message);
    cr_assert_eq(cw_db_begin(b, &err), 0, "%s", err.message);
    cr_assert_eq(cw_db_lock(b, schema, &err), 0, "%s", err.message);
    /* ... and the session keeps no lock once b's transaction is over. */
    cr_assert_eq(cw_db_rollback(b, &err), 0);
    bool held = true;
    const char *params[] = {schema};
    cr_assert_eq(cw_db_query(a,
                             "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                             " AND objid = (hashtext('causeway:' || $1)::bigint & 4294967295)::oid"
                             " AND objsubid = 1)",
                             1, params, cw_db_bool_row, &held, &err),
                 0, "%s", err.message);
    cr_assert(!held, "an advisory lock outlived its transaction");
    cw_db_free(a);
    cw_db_free(b);
}

static char *psql(const char *query)
{
    cw_test_output r;
    const char *argv[] = {"psql", "-XAtq", "-d", cw_test_dsn(), "-c", query, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "psql: %s", r.err);
    char *out = r.out;
    r.out = NULL;
    cw_test_output_fini(&r);
    return out;
}

Test(db, migrate_is_idempotent_and_refuses_a_newer_schema)
{
    char schema[64], query[256];
    cw_test_unique_name(schema, sizeof(schema), "mig");
    cw_test_output r;
    const char *argv[] = {"causeway", "db", "init", "-d", cw_test_dsn(), "--schema", schema, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "migration") != NULL, "stdout: %s", r.out);
    cw_test_output_fini(&r);
    const char *again[] = {"causeway",    "db",       "migrate", "-d",
                           cw_test_dsn(), "--schema", schema,    NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, again), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "(0 migrations applied)") != NULL, "stdout: %s", r.out);
    cw_test_output_fini(&r);

    snprintf(query, sizeof(query), "INSERT INTO %s.schema_migrations VALUES (999, 'future', now())",
             schema);
    free(psql(query));
    cr_assert_eq(cw_test_run(&r, NULL, NULL, again), 0);
    cr_assert_eq(r.status, 78, "status %d: %s", r.status, r.err);
    cr_assert(strstr(r.err, "newer than this causeway") != NULL, "stderr: %s", r.err);
    cw_test_output_fini(&r);
}

/* Version 1 results (two tables, a row per match) move into version 2 with nothing lost. */
Test(db, migrate_from_version_1_keeps_every_classification_and_its_evidence)
{
    char schema[64], setup[1024], query[1024];
    cw_test_unique_name(schema, sizeof(schema), "mig1");
    snprintf(setup, sizeof(setup),
             "CREATE SCHEMA %s; SET search_path = %s, pg_catalog;"
             " CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
             " applied_at timestamptz NOT NULL);"
             " INSERT INTO schema_migrations VALUES (1, '0001_init.sql', now());",
             schema, schema);
    snprintf(query, sizeof(query),
             "SET search_path = %s, pg_catalog;"
             " INSERT INTO rulesets VALUES (1, 'h1', now(), 'a.yaml', 2, 1), (2, 'h2', now(),"
             " 'b.yaml', 2, 1);"
             " INSERT INTO classified VALUES (1, 'c1', now(), '2026-11-16', 'app', 'leeds', NULL,"
             " NULL, 1, 2), (1, 'c2', now(), '2026-11-16', NULL, NULL, NULL, NULL, 1, 0),"
             " (2, 'c1', now(), '2026-11-16', 'app', 'leeds', NULL, NULL, 2, 1);"
             " INSERT INTO matches VALUES (1, 'c1', 'rude', 4, 8, 'was rude'),"
             " (1, 'c1', 'late', 20, 24, 'late'), (2, 'c1', 'late', 20, 24, 'late')",
             schema);
    cw_test_output r;
    const char *v1[] = {"psql", "-XAtq",
                        "-v",   "ON_ERROR_STOP=1",
                        "-d",   cw_test_dsn(),
                        "-c",   setup,
                        "-f",   "sql/migrations/0001_init.sql",
                        "-c",   query,
                        NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, v1), 0);
    cr_assert_eq(r.status, 0, "psql: %s", r.err);
    cw_test_output_fini(&r);

    const char *migrate[] = {"causeway",    "db",       "migrate", "-d",
                             cw_test_dsn(), "--schema", schema,    NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, migrate), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cw_test_output_fini(&r);

    snprintf(query, sizeof(query),
             "SELECT string_agg(concat_ws(':', ruleset_id, complaint_id, symptom_id, span_start,"
             " span_end), ' ' ORDER BY ruleset_id, complaint_id, symptom_id) FROM %s.matches",
             schema);
    char *evidence = psql(query);
    cr_assert_str_eq(evidence, "1:c1:late:20:24 1:c1:rude:4:8 2:c1:late:20:24\n");
    free(evidence);
    snprintf(query, sizeof(query),
             "SELECT string_agg(concat_ws(':', ruleset_id, complaint_id, site, symptom_count),"
             " ' ' ORDER BY ruleset_id, complaint_id) || ' ' || (SELECT count(*) FROM"
             " pg_catalog.pg_inherits WHERE inhparent = '%s.classified'::regclass)"
             " FROM %s.classified",
             schema, schema);
    char *classified = psql(query);
    cr_assert_str_eq(classified, "1:c1:leeds:2 1:c2:0 2:c1:leeds:1 2\n"); /* two partitions */
    free(classified);
}

Test(db, missing_results_schema_is_reported_before_any_work)
{
    cw_log log = quiet_log();
    cw_db *db = connect_test(&log);
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_schema_check(db, "no_such_schema_here", &err), -1);
    cr_assert_eq(err.code, CW_EXIT_CONFIG);
    cr_assert(strstr(err.hint, "causeway db init") != NULL, "hint: %s", err.hint);
    cw_db_free(db);
}

/* causeway db migrate against `dsn`: the status, stderr must be one clear error line. */
static int migrate_against(const char *dsn, char **err_text)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "db", "migrate", "-d", dsn, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    int status = r.status;
    cr_assert_eq(r.out_len, 0, "stdout: %s", r.out);
    *err_text = r.err;
    r.err = NULL;
    cw_test_output_fini(&r);
    return status;
}

static int free_port(int *fd_out, bool listen_too)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    if (listen_too)
        cr_assert_eq(listen(fd, 8), 0);
    *fd_out = fd;
    return ntohs(a.sin_port);
}

Test(db, unreachable_server_exits_75_with_one_line)
{
    int fd;
    int port = free_port(&fd, false);
    close(fd); /* nothing listens there now */
    char dsn[128];
    snprintf(dsn, sizeof(dsn), "postgresql://causeway@127.0.0.1:%d/causeway", port);
    char *err = NULL;
    int status = migrate_against(dsn, &err);
    cr_assert_eq(status, 75, "status %d: %s", status, err);
    cr_assert(strstr(err, "could not connect to the database") != NULL, "stderr: %s", err);
    free(err);
}

Test(db, server_that_never_answers_times_out_with_75)
{
    int fd;
    int port = free_port(&fd, true); /* accepts (backlog) but never speaks */
    char dsn[160];
    snprintf(dsn, sizeof(dsn), "postgresql://causeway@127.0.0.1:%d/causeway?connect_timeout=2",
             port);
    char *err = NULL;
    int status = migrate_against(dsn, &err);
    close(fd);
    cr_assert_eq(status, 75, "status %d: %s", status, err);
    cr_assert(strstr(err, "timeout") != NULL || strstr(err, "could not connect") != NULL,
              "stderr: %s", err);
    free(err);
}

Test(db, wrong_password_exits_77_without_echoing_it)
{
    free(psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cw_password_test')"
              " THEN CREATE ROLE cw_password_test LOGIN PASSWORD 'right-one'; END IF; END $$"));
    const char *host = getenv("PGHOST"), *port = getenv("PGPORT");
    cr_assert(host != NULL && port != NULL);
    char dsn[256];
    snprintf(dsn, sizeof(dsn),
             "host=%s port=%s dbname=causeway user=cw_password_test "
             "password=WRONG-S3CRET",
             host, port);
    char *err = NULL;
    int status = migrate_against(dsn, &err);
    cr_assert_eq(status, 77, "status %d: %s", status, err);
    cr_assert(strstr(err, "password authentication failed") != NULL, "stderr: %s", err);
    cr_assert_null(strstr(err, "WRONG-S3CRET"), "the password was printed");
    free(err);
}

/* Seconds on the monotonic clock, for "failed at once" and "retried for N s". */
static double monotonic(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Issue 17: only a server that is not there (refused, reset, timed out) is temporary.
 * A connection string that can never work exits 77 or 78 at once, even with a long
 * --connect-retry, so a scheduler that treats 75 as "retry next time" still alerts.
 */
Test(db, permanent_connection_errors_fail_at_once_and_are_not_75, .timeout = 60)
{
    const char *host = getenv("PGHOST"), *port = getenv("PGPORT");
    cr_assert(host != NULL && port != NULL);
    static const struct {
        const char *dsn; /* %1$s host, %2$s port */
        int status;
        const char *says;
    } cases[] = {
        {"postgresql://causeway@%1$s:%2$s/no_such_database", 78, "does not exist"},
        {"postgresql://no_such_role@%1$s:%2$s/causeway", 77, "role \"no_such_role\""},
        {"host=%1$s port=%2$s dbname=causeway sslmode=bogus", 78, "invalid sslmode value"},
        {"postgresql://causeway@%1$s:%2$s/causeway?bogus_option=1", 78, "invalid URI query"},
        {"postgresql://causeway@[::1:%2$s/causeway", 78, "IPv6 host address"},
        {"host=%1$s port=%2$s dbname", 78, "missing \"=\""},
        {"host=no-such-host.invalid port=%2$s dbname=causeway", 78, "could not translate"},
        {"host=%1$s port=%2$s dbname=causeway sslmode=require", 77, "SSL"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char dsn[256];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* the table's templates */
        snprintf(dsn, sizeof(dsn), cases[i].dsn, host, port);
#pragma GCC diagnostic pop
        cw_test_output r;
        const char *argv[] = {"causeway", "db", "migrate", "--connect-retry",
                              "30",       "-d", dsn,       NULL};
        double t0 = monotonic();
        cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
        double took = monotonic() - t0;
        cr_assert_eq(r.status, cases[i].status, "%s: status %d: %s", dsn, r.status, r.err);
        cr_assert_not_null(strstr(r.err, cases[i].says), "%s: %s", dsn, r.err);
        cr_assert_null(strstr(r.err, "server may be down"), "%s: %s", dsn, r.err);
        cr_assert_lt(took, 5.0, "%s: %.1f s: a permanent error was retried", dsn, took);
        cw_test_output_fini(&r);
    }
}

/* A refused connection is retried with backoff for --connect-retry seconds, then 75. */
Test(db, refused_connection_is_retried_for_the_given_time_then_75, .timeout = 60)
{
    int fd;
    int port = free_port(&fd, false);
    close(fd); /* nothing listens there */
    char dsn[128];
    snprintf(dsn, sizeof(dsn), "postgresql://causeway@127.0.0.1:%d/causeway", port);
    cw_test_output r;
    const char *argv[] = {"causeway", "db", "migrate", "--connect-retry", "2", "-d", dsn, NULL};
    double t0 = monotonic();
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    double took = monotonic() - t0;
    cr_assert_eq(r.status, 75, "status %d: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.err, "Connection refused"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "gave up after"), "%s", r.err);
    const char *warning = strstr(r.err, "warning: ");
    cr_assert_not_null(warning, "the wait is not said at default verbosity: %s", r.err);
    cr_assert_null(strstr(warning + 1, "warning: "), "one warning, not one per attempt: %s", r.err);
    cr_assert(took >= 1.9 && took < 6.0, "retried for %.1f s, not about 2", took);
    cw_test_output_fini(&r);

    const char *bad[] = {"causeway", "db", "migrate", "--connect-retry", "soon", "-d", dsn, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, bad), 0);
    cr_assert_eq(r.status, 64, "status %d: %s", r.status, r.err);
    cw_test_output_fini(&r);
}

/* The server comes up while run and db init wait for it (their own server: ours stops).
 * No .timeout: Criterion 2.4.1 leaks its watchdog's 48 bytes when a timed test runs this
 * long beside another; the script bounds itself (every wait in it is a --connect-retry). */
Test(db, a_server_started_late_is_waited_for)
{
    cw_test_output r;
    const char *argv[] = {"tests/tools/pgtmp.sh", "tests/tools/connect-late.sh", NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "connect-late.sh failed (%d): %s\n%s", r.status, r.out, r.err);
    cr_assert_not_null(strstr(r.out, "connect-late: ok"), "stdout: %s", r.out);
    cw_test_output_fini(&r);
}
