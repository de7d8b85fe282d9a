/*
 * schema.c - migrations of the results schema (see schema.h). All SQL here
 * names the schema explicitly (quoted): the session's search_path is pg_catalog.
 */
#include "causeway/schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/embed.h"

/* Version of a migration from its file name "NNNN_name.sql", or -1. */
static int migration_version(const char *name, const char **label, size_t *label_len)
{
    int v = 0;
    size_t i = 0;
    while (name[i] >= '0' && name[i] <= '9' && i < 9)
        v = v * 10 + (name[i++] - '0');
    if (i == 0 || name[i] != '_')
        return -1;
    const char *l = name + i + 1;
    const char *dot = strrchr(l, '.');
    *label = l;
    *label_len = dot != NULL ? (size_t)(dot - l) : strlen(l);
    return v;
}

int cw_schema_latest(void)
{
    int latest = 0;
    for (size_t i = 0; i < cw_embedded_migrations_count; i++) {
        const char *label;
        size_t len;
        int v = migration_version(cw_embedded_migrations[i].name, &label, &len);
        if (v > latest)
            latest = v;
    }
    return latest;
}

/* Row callback: one integer column. */
static int int_row(void *user, int ncols, const char *const *values, const size_t *lens,
                   cw_error *err)
{
    (void)lens;
    (void)err;
    *(int *)user = ncols >= 1 && values[0] != NULL ? atoi(values[0]) : 0;
    return 0;
}

/* Row callback: one short text column into a 128-byte buffer. */
static int text_row(void *user, int ncols, const char *const *values, const size_t *lens,
                    cw_error *err)
{
    (void)lens;
    (void)err;
    if (ncols >= 1 && values[0] != NULL)
        snprintf(user, 128, "%s", values[0]);
    return 0;
}

int cw_schema_version(cw_db *db, const char *schema, int *version, cw_error *err)
{
    *version = 0;
    int exists = 0;
    const char *params[] = {schema};
    if (cw_db_query(db,
                    "SELECT (pg_catalog.to_regclass(pg_catalog.quote_ident($1) "
                    "OPERATOR(pg_catalog.||) '.schema_migrations') IS NOT NULL)::pg_catalog.int4",
                    1, params, int_row, &exists, err) != 0)
        return -1;
    if (!exists)
        return 0;
    char *qs = NULL;
    if (cw_db_quote_ident(&qs, db, schema, err) != 0)
        return -1;
    char sql[600];
    snprintf(sql, sizeof(sql),
             "SELECT COALESCE(pg_catalog.max(version), 0) FROM %s.schema_migrations", qs);
    free(qs);
    return cw_db_query(db, sql, 0, NULL, int_row, version, err);
}

/* The schema is newer than this binary: refuse to touch it. */
static int fail_newer(const char *schema, int version, cw_error *err)
{
    cw_error_set(err, CW_EXIT_CONFIG,
                 "results schema '%s' is at version %d, newer than this causeway (%d)", schema,
                 version, cw_schema_latest());
    cw_error_hint(err, "upgrade causeway, or use another --schema");
    return -1;
}

int cw_schema_check(cw_db *db, const char *schema, cw_error *err)
{
    int version = 0;
    if (cw_schema_version(db, schema, &version, err) != 0)
        return -1;
    int latest = cw_schema_latest();
    if (version > latest)
        return fail_newer(schema, version, err);
    if (version == 0) {
        cw_error_set(err, CW_EXIT_CONFIG, "results schema '%s' does not exist", schema);
        cw_error_hint(err, "run: causeway db migrate");
        return -1;
    }
    if (version < latest) {
        cw_error_set(err, CW_EXIT_CONFIG,
                     "results schema '%s' is at version %d, this causeway needs %d", schema,
                     version, latest);
        cw_error_hint(err, "run: causeway db migrate");
        return -1;
    }
    /* Drift: a table dropped by hand would otherwise fail mid-run, after work was done. */
    char missing[128] = "";
    const char *params[] = {schema};
    if (cw_db_query(db,
                    "SELECT t FROM pg_catalog.unnest(ARRAY['runs', 'rulesets', 'classified', "
                    "'matches', 'weekly', 'rankings', 'remediations']) AS t WHERE "
                    "pg_catalog.to_regclass(pg_catalog.quote_ident($1) OPERATOR(pg_catalog.||) '.' "
                    "OPERATOR(pg_catalog.||) t) IS NULL LIMIT 1",
                    1, params, text_row, missing, err) != 0)
        return -1;
    if (missing[0] != '\0') {
        cw_error_set(err, CW_EXIT_CONFIG, "results schema '%s' has no table '%s'", schema, missing);
        cw_error_hint(err, "the schema was changed by hand: restore it, or run "
                           "'causeway db migrate --schema NEW' and use the new schema");
        return -1;
    }
    return 0;
}

/* Apply one migration in its own transaction. */
static int apply_one(cw_db *db, const char *qs, const cw_embedded_file *m, int version,
                     const char *label, size_t label_len, cw_error *err)
{
    char sql[600];
    if (cw_db_begin(db, err) != 0)
        return -1;
    snprintf(sql, sizeof(sql), "SET LOCAL search_path = %s, pg_catalog", qs);
    if (cw_db_exec(db, sql, err) != 0 || cw_db_exec(db, m->data, err) != 0)
        goto fail;
    char vbuf[16];
    snprintf(vbuf, sizeof(vbuf), "%d", version);
    char name[128];
    snprintf(name, sizeof(name), "%.*s", (int)(label_len < 127 ? label_len : 127), label);
    const char *params[] = {vbuf, name};
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s.schema_migrations (version, name, applied_at) "
             "VALUES ($1::pg_catalog.int4, $2, pg_catalog.now())",
             qs);
    if (cw_db_query(db, sql, 2, params, NULL, NULL, err) != 0 || cw_db_commit(db, err) != 0)
        goto fail;
    return 0;
fail:
    cw_db_rollback(db, err);
    return -1;
}

int cw_schema_migrate(cw_db *db, const char *schema, const cw_log *log, int *applied, cw_error *err)
{
    *applied = 0;
    char *qs = NULL;
    int rc = -1;
    bool locked = false;
    if (schema[0] == '\0') {
        cw_error_set(err, CW_EXIT_CONFIG, "the results schema name is empty");
        return -1;
    }
    if (cw_db_quote_ident(&qs, db, schema, err) != 0)
        return -1;
    if (cw_db_lock(db, schema, err) != 0)
        goto done;
    locked = true;
    char sql[1200];
    snprintf(sql, sizeof(sql),
             "CREATE SCHEMA IF NOT EXISTS %s; "
             "CREATE TABLE IF NOT EXISTS %s.schema_migrations ("
             "version pg_catalog.int4 PRIMARY KEY, name pg_catalog.text NOT NULL, "
             "applied_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now())",
             qs, qs);
    if (cw_db_exec(db, sql, err) != 0)
        goto done;
    int version = 0;
    if (cw_schema_version(db, schema, &version, err) != 0)
        goto done;
    if (version > cw_schema_latest()) {
        fail_newer(schema, version, err);
        goto done;
    }
    /* The Makefile embeds migrations in name order, i.e. version order. */
    for (size_t i = 0; i < cw_embedded_migrations_count; i++) {
        const cw_embedded_file *m = &cw_embedded_migrations[i];
        const char *label;
        size_t label_len;
        int v = migration_version(m->name, &label, &label_len);
        if (v < 0) {
            cw_error_set(err, CW_EXIT_SOFTWARE, "embedded migration '%s' has no NNNN_ version",
                         m->name);
            goto done;
        }
        if (v <= version)
            continue;
        if (log != NULL)
            cw_log_info(log, "applying migration %s to schema '%s'", m->name, schema);
        if (apply_one(db, qs, m, v, label, label_len, err) != 0) {
            cw_error_detail(err, "while applying migration %s", m->name);
            goto done;
        }
        (*applied)++;
    }
    rc = 0;
done:
    if (locked) {
        /* Release our hold (session locks stack): a caller's own hold stays. */
        cw_error scratch;
        cw_error_clear(&scratch);
        (void)cw_db_unlock(db, schema, &scratch);
    }
    free(qs);
    return rc;
}
