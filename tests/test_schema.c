/*
 * test_schema.c - the results schema in a database other roles share: a schema on
 * which other roles may CREATE is refused (77) unless --allow-shared-schema, and
 * when it is allowed, the shadowing functions and operators a hostile role plants in
 * it and in public never run during db init, db migrate, run, report or a SELECT
 * from any of the schema's views. Against the throwaway PostgreSQL, through the
 * real binary.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define RULES "tests/data/run/rules.yaml"
#define WEEK  "2026-W31"

/* psql as `user` (NULL: the test DSN's superuser) with extra arguments (at most 8). */
static char *psql_as(const char *const *env, const char *user, const char *const *args)
{
    /* The DSN's own user beats psql's -U: the role goes into the DSN itself. */
    char dsn[512];
    const char *base = cw_test_dsn();
    if (user != NULL)
        snprintf(dsn, sizeof(dsn), "%s%cuser=%s", base, strchr(base, '?') != NULL ? '&' : '?',
                 user);
    else
        snprintf(dsn, sizeof(dsn), "%s", base);
    return cw_test_psql(env, dsn, args);
}

/* A source table of `rows` complaints over 30 weeks and a config file naming it. */
static char *make_source(char *src, size_t size, const char *rows)
{
    cw_test_unique_name(src, size, "ssrc");
    cw_test_sqlf("CREATE SCHEMA %s; CREATE TABLE %s.complaints (id bigint PRIMARY KEY,"
                 " received_at timestamptz NOT NULL, channel text, site text, product text,"
                 " segment text, body text);"
                 " INSERT INTO %s.complaints SELECT g,"
                 " timestamptz '2026-01-05 10:00+00' + (g %% 30) * interval '7 days', 'web',"
                 " CASE WHEN g %% 2 = 0 THEN 'north' ELSE 'south' END, 'p', 'retail',"
                 " CASE g %% 3 WHEN 0 THEN 'they sent the wrong order again'"
                 " WHEN 1 THEN 'the cashier was rude' ELSE 'the app crashed twice' END"
                 " FROM generate_series(1, %s) g",
                 src, src, src, rows);
    char text[256];
    snprintf(text, sizeof(text), "source:\n  table: %s.complaints\n", src);
    char *config = cw_test_write_temp(text, strlen(text));
    cr_assert_not_null(config);
    return config;
}

/* Run the binary with up to 10 arguments after argv[0]; env as cw_test_run. */
static void causeway(cw_test_output *r, const char *const *env, const char *const *args)
{
    const char *argv[16] = {"causeway"};
    int n = 1;
    for (; *args != NULL && n < 15; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    cr_assert_eq(cw_test_run(r, env, NULL, argv), 0);
}

Test(schema, a_schema_others_may_create_in_is_refused_unless_allowed)
{
    char results[64], src[64];
    cw_test_unique_name(results, sizeof(results), "shared");
    char *config = make_source(src, sizeof(src), "200");
    cw_test_sqlf("CREATE SCHEMA %s; GRANT CREATE ON SCHEMA %s TO PUBLIC", results, results);

    cw_test_output r;
    const char *init[] = {"db", "init", "-d", cw_test_dsn(), "--schema", results, NULL};
    causeway(&r, NULL, init);
    cr_assert_eq(r.status, 77, "status %d: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.err, "is shared: every role (PUBLIC) may create objects in it"),
                       "%s", r.err);
    char fix[160];
    snprintf(fix, sizeof(fix), "hint: REVOKE CREATE ON SCHEMA %s FROM PUBLIC", results);
    cr_assert_not_null(strstr(r.err, fix), "the fix is in the message: %s", r.err);
    cw_test_output_fini(&r);
    char query[256];
    snprintf(query, sizeof(query), "SELECT to_regclass('%s.schema_migrations') IS NULL", results);
    char *untouched = cw_test_sql(query);
    cr_assert_str_eq(untouched, "t", "the refused init created tables");
    free(untouched);

    /* Allowed: it is initialised, and a run is refused the same way unless allowed. */
    const char *init_shared[] = {
        "db", "init", "-d", cw_test_dsn(), "--schema", results, "--allow-shared-schema", NULL};
    causeway(&r, NULL, init_shared);
    cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
    cw_test_output_fini(&r);
    const char *run[] = {"run",   "-d", cw_test_dsn(), "-c",     config, "--schema",
                         results, "-r", RULES,         "--week", WEEK,   NULL};
    causeway(&r, NULL, run);
    cr_assert_eq(r.status, 77, "status %d: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.err, fix), "%s", r.err);
    cw_test_output_fini(&r);
    const char *run_shared[] = {
        "run",    "-d", cw_test_dsn(),           "-c", config, "--schema", results, "-r", RULES,
        "--week", WEEK, "--allow-shared-schema", NULL};
    causeway(&r, NULL, run_shared);
    cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
    cw_test_output_fini(&r);

    /* A named role, and the fix applied: no flag needed any more. */
    char role[64];
    cw_test_unique_name(role, sizeof(role), "other");
    cw_test_sqlf(
        "CREATE ROLE %s; REVOKE CREATE ON SCHEMA %s FROM PUBLIC; GRANT CREATE ON SCHEMA %s TO %s",
        role, results, results, role);
    causeway(&r, NULL, run);
    cr_assert_eq(r.status, 77, "status %d: %s", r.status, r.err);
    char named[160];
    snprintf(named, sizeof(named), "role '%s' may create objects in it", role);
    cr_assert_not_null(strstr(r.err, named), "%s", r.err);
    cw_test_output_fini(&r);
    cw_test_sqlf("REVOKE CREATE ON SCHEMA %s FROM %s", results, role);
    causeway(&r, NULL, run);
    cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
    cw_test_output_fini(&r);
    causeway(&r, NULL, init);
    cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
    cw_test_output_fini(&r);
    unlink(config);
    free(config);
}

/* Plant the shadowing functions and operators of tests/data/hostile/plant.sql in `schema`. */
static void plant(const char *role, const char *schema)
{
    char var[96];
    snprintf(var, sizeof(var), "schema=%s", schema);
    const char *args[] = {"-v", var, "-f", "tests/data/hostile/plant.sql", NULL};
    free(psql_as(NULL, role, args));
}

/*
 * The calls of planted code logged so far by clients named `app` (NULL: any), ""
 * when none. The log names the client: the test's own psql is not the victim.
 */
static char *planted_calls(const char *app)
{
    char query[256];
    snprintf(query, sizeof(query),
             "SELECT coalesce(string_agg(DISTINCT fn || ' by ' || app, ', '"
             " ORDER BY fn || ' by ' || app), '')"
             " FROM public.planted_calls WHERE %s%s%s",
             app != NULL ? "app LIKE '" : "true", app != NULL ? app : "", app != NULL ? "'" : "");
    return cw_test_sql(query);
}

/* SELECT every row of every view of `schema`, found in pg_catalog, as a superuser
 * whose search_path is `path` (its client is named causeway-view-reader). */
static void select_every_view(const char *schema, const char *path, int *views)
{
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT format('SELECT count(*) FROM (SELECT * FROM %%I.%%I) v;', n.nspname,"
             " c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
             " WHERE n.nspname = '%s' AND c.relkind IN ('v', 'm') ORDER BY c.relname",
             schema);
    char *selects = cw_test_sql(query);
    *views = 0;
    for (const char *p = selects; (p = strstr(p, "SELECT count(*)")) != NULL; p++)
        (*views)++;
    char set[300];
    snprintf(set, sizeof(set), "SET search_path = %s", path);
    const char *env[] = {"PGAPPNAME=causeway-view-reader", NULL};
    const char *args[] = {"-c", set, "-c", selects, NULL};
    if (*views > 0)
        free(psql_as(env, NULL, args));
    free(selects);
}

/*
 * Version 1 results with rows in `schema`, as an older causeway left them: the
 * version 2 migration then moves them (its data path runs, not only its DDL).
 */
static void make_version_1(const char *schema)
{
    char setup[512], rows[1024];
    snprintf(setup, sizeof(setup),
             "CREATE SCHEMA %s; SET search_path = %s, pg_catalog;"
             " CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
             " applied_at timestamptz NOT NULL);"
             " INSERT INTO schema_migrations VALUES (1, '0001_init.sql', now());",
             schema, schema);
    snprintf(rows, sizeof(rows),
             "SET search_path = %s, pg_catalog;"
             " INSERT INTO rulesets VALUES (1, 'h1', now(), 'a.yaml', 2, 1);"
             " INSERT INTO classified VALUES (1, 'c1', now(), '2026-11-16', 'app', 'leeds', NULL,"
             " NULL, 1, 2), (1, 'c2', now(), '2026-11-16', NULL, NULL, NULL, NULL, 1, 0);"
             " INSERT INTO matches VALUES (1, 'c1', 'rude', 4, 8, 'was rude'),"
             " (1, 'c1', 'late', 20, 24, 'late')",
             schema);
    const char *args[] = {"-c", setup, "-f", "sql/migrations/0001_init.sql", "-c", rows, NULL};
    free(psql_as(NULL, NULL, args));
}

Test(schema, code_a_hostile_role_plants_never_runs, .timeout = 240)
{
    char evil[64], results[64], old[64], src[64];
    cw_test_unique_name(evil, sizeof(evil), "evil");
    cw_test_unique_name(results, sizeof(results), "hres");
    cw_test_unique_name(old, sizeof(old), "hold");
    char *config = make_source(src, sizeof(src), "600");
    make_version_1(old);
    /* The log is filled by whoever runs planted code, named by its application_name. */
    cw_test_sqlf("CREATE TABLE public.planted_calls (fn text,"
                 " app text DEFAULT current_setting('application_name'));"
                 " GRANT INSERT, SELECT ON public.planted_calls TO PUBLIC;"
                 " CREATE ROLE %s LOGIN; CREATE SCHEMA %s; GRANT USAGE, CREATE ON SCHEMA %s TO %s;"
                 " GRANT CREATE ON SCHEMA public TO %s;"
                 " GRANT USAGE, CREATE ON SCHEMA %s TO %s; GRANT USAGE, CREATE ON SCHEMA %s TO %s",
                 evil, results, src, evil, evil, results, evil, old, evil);
    /* The plants belong to the hostile role (psql_as connects as it), so the DROP OWNED
     * at the end removes them from public too, before other suites run. */
    plant(evil, results);
    plant(evil, old);
    plant(evil, src);
    plant(evil, "public");

    /* Controls: the plants work. A naive query with the hostile search_path runs them. */
    char path[200], query[768];
    snprintf(path, sizeof(path), "%s, %s, public, pg_catalog", results, src);
    snprintf(query, sizeof(query),
             "SET search_path = %s; SELECT unnest(ARRAY['a']), 'x'::text = 'x'::text,"
             " 'a'::text || 'b'::text, lower('A'::text), date_trunc('week', now()),"
             " to_char(current_date, 'IYYY')",
             path);
    free(cw_test_sql(query));
    char *calls = planted_calls(NULL);
    cr_assert_not_null(strstr(calls, "unnest(text[])"), "control: %s", calls);
    cr_assert_not_null(strstr(calls, "=(text)"), "control: %s", calls);
    cr_assert_not_null(strstr(calls, "date_trunc(timestamptz)"), "control: %s", calls);
    cr_assert_not_null(strstr(calls, "to_char(date, text)"), "control: %s", calls);
    free(calls);

    /* The victim (a superuser) connects with that hostile search_path. */
    char options[300];
    snprintf(options, sizeof(options), "PGOPTIONS=-c search_path=%s,%s,public,pg_catalog", results,
             src);
    const char *env[] = {options, NULL};
    cw_test_output r;
    const char *init[] = {
        "db", "init", "-d", cw_test_dsn(), "--schema", results, "--allow-shared-schema", NULL};
    causeway(&r, env, init);
    cr_assert_eq(r.status, 0, "db init: %s", r.err);
    cw_test_output_fini(&r);
    const char *migrate[] = {
        "db", "migrate", "-d", cw_test_dsn(), "--schema", old, "--allow-shared-schema", NULL};
    causeway(&r, env, migrate);
    cr_assert_eq(r.status, 0, "db migrate from version 1: %s", r.err);
    cw_test_output_fini(&r);
    for (int i = 0; i < 2; i++) { /* the first classifies, the second finds nothing new */
        const char *run[] = {
            "run",    "-d", cw_test_dsn(),           "-c", config, "--schema", results, "-r", RULES,
            "--week", WEEK, "--allow-shared-schema", NULL};
        causeway(&r, env, run);
        cr_assert_eq(r.status, 0, "run: %s", r.err);
        cw_test_output_fini(&r);
    }
    const char *report[] = {"report", "-d", cw_test_dsn(), "--schema", results,
                            "--week", WEEK, "--format",    "json",     NULL};
    causeway(&r, env, report);
    cr_assert_eq(r.status, 0, "report: %s", r.err);
    cr_assert_not_null(strstr(r.out, "\"rank\""), "report: %s", r.out);
    cw_test_output_fini(&r);

    int views = 0, old_views = 0;
    select_every_view(results, path, &views);
    select_every_view(old, path, &old_views);
    cr_assert_geq(views, 1, "no view found in %s", results);
    cr_assert_eq(views, old_views, "a migrated schema has the views of a new one");
    snprintf(query, sizeof(query), "SELECT count(*) FROM %s.matches", old);
    char *moved = cw_test_sql(query);
    cr_assert_str_eq(moved, "2", "version 1 evidence moved through the planted schema");
    free(moved);

    calls = planted_calls("causeway%");
    /* The plants go before any assertion on them: public is the other tests' too. */
    cw_test_sqlf("DROP OWNED BY %s CASCADE; DROP ROLE %s; DROP TABLE public.planted_calls", evil,
                 evil);
    cr_assert_str_eq(calls, "", "planted code ran: %s", calls);
    free(calls);
    unlink(config);
    free(config);
}
