/* schema.c - results schema migrations and the version check; see schema.h. */
#include "causeway/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/embed.h"
#include "causeway/text.h"

static int migration_version(const cw_embedded_file *f)
{
    return atoi(f->name); /* "0001_init.sql" -> 1 */
}

int cw_schema_version(void)
{
    int v = 0;
    for (size_t i = 0; i < cw_embedded_migrations_count; i++)
        if (migration_version(&cw_embedded_migrations[i]) > v)
            v = migration_version(&cw_embedded_migrations[i]);
    return v;
}

static int int_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    (void)err;
    *(int *)user = ncols > 0 && v[0] != NULL ? atoi(v[0]) : -1;
    return 0;
}

/* The schema's version: -1 when the schema or its version table does not exist. */
static int current_version(cw_db *db, const char *quoted, int *version, cw_error *err)
{
    char *table = cw_text_printf("%s.schema_migrations", quoted);
    char *sql = NULL;
    int present = -1, rc = -1;
    *version = -1;
    if (table == NULL)
        goto oom;
    const char *params[] = {table};
    if (cw_db_query(db, "SELECT (pg_catalog.to_regclass($1) IS NOT NULL)::int", 1, params, int_row,
                    &present, err) != 0)
        goto done;
    if (present != 1) {
        rc = 0;
        goto done;
    }
    sql = cw_text_printf("SELECT coalesce(max(version), 0) FROM %s", table);
    if (sql == NULL)
        goto oom;
    rc = cw_db_query(db, sql, 0, NULL, int_row, version, err);
    goto done;
oom:
    cw_error_set(err, CW_EXIT_OSERR, "out of memory");
done:
    free(table);
    free(sql);
    return rc;
}

static int apply(cw_db *db, const char *quoted, const cw_embedded_file *f, cw_error *err)
{
    char version[16];
    snprintf(version, sizeof(version), "%d", migration_version(f));
    char *scope = cw_text_printf("SET LOCAL search_path = %s, pg_catalog", quoted);
    char *record = cw_text_printf("INSERT INTO %s.schema_migrations (version, name, applied_at)"
                                  " VALUES ($1::int, $2, pg_catalog.now())",
                                  quoted);
    int rc = -1;
    const char *params[] = {version, f->name};
    if (scope == NULL || record == NULL)
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    else if (cw_db_begin(db, err) == 0 && cw_db_exec(db, scope, err) == 0 &&
             cw_db_exec(db, f->data, err) == 0 &&
             cw_db_query(db, record, 2, params, NULL, NULL, err) == 0 && cw_db_commit(db, err) == 0)
        rc = 0;
    if (rc != 0)
        cw_db_rollback(db, err);
    free(scope);
    free(record);
    return rc;
}

int cw_schema_migrate(cw_db *db, const char *schema, int *applied, cw_error *err)
{
    char *quoted = NULL, *create = NULL;
    int rc = -1, version, count = 0;
    if (applied != NULL)
        *applied = 0;
    if (cw_db_lock(db, schema, err) != 0 || cw_db_quote_ident(&quoted, db, schema, err) != 0)
        goto done;
    /* A schema created beforehand for a least-privilege owner needs no CREATE on the
     * database: only create it when it is missing. */
    int exists = 0;
    const char *params[] = {schema};
    if (cw_db_query(db, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1", 1,
                    params, int_row, &exists, err) != 0)
        goto done;
    create = cw_text_printf("%s%s%s CREATE TABLE IF NOT EXISTS %s.schema_migrations ("
                            " version integer PRIMARY KEY, name text NOT NULL,"
                            " applied_at timestamptz NOT NULL)",
                            exists ? "" : "CREATE SCHEMA ", exists ? "" : quoted, exists ? "" : ";",
                            quoted);
    if (create == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        goto done;
    }
    if (cw_db_exec(db, create, err) != 0 || current_version(db, quoted, &version, err) != 0)
        goto done;
    if (version > cw_schema_version()) {
        cw_error_set(err, CW_EXIT_CONFIG,
                     "results schema '%s' is at version %d, newer than this causeway (%d)", schema,
                     version, cw_schema_version());
        cw_error_hint(err, "upgrade causeway; it does not downgrade a schema");
        goto done;
    }
    /* Embedded migrations are in name order, which is version order. */
    for (size_t i = 0; i < cw_embedded_migrations_count; i++) {
        const cw_embedded_file *f = &cw_embedded_migrations[i];
        if (migration_version(f) <= version)
            continue;
        if (apply(db, quoted, f, err) != 0)
            goto done;
        count++;
    }
    if (applied != NULL)
        *applied = count;
    rc = 0;
done:
    free(quoted);
    free(create);
    return rc;
}

/* Row callback: the first column as text, into a 64-byte buffer ("" for none). */
static int name_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    (void)err;
    if (ncols > 0 && v[0] != NULL)
        snprintf(user, 64, "%s", v[0]);
    return 0;
}

/*
 * Drift: the version says "current" but a table was dropped or renamed by hand.
 * Caught here, before any work, rather than as a 42P01 in the middle of a run.
 * The list follows sql/migrations (tests/test_db_faults.c checks each one).
 */
static int check_tables(cw_db *db, const char *schema, cw_error *err)
{
    char missing[64] = "";
    const char *params[] = {schema};
    if (cw_db_query(db,
                    "SELECT t FROM pg_catalog.unnest(ARRAY['runs', 'rulesets', 'classified', "
                    "'matches', 'weekly', 'rankings', 'remediations', 'fix_verdicts']) AS t "
                    "WHERE "
                    "pg_catalog.to_regclass(pg_catalog.quote_ident($1) OPERATOR(pg_catalog.||) "
                    "'.' OPERATOR(pg_catalog.||) t) IS NULL LIMIT 1",
                    1, params, name_row, missing, err) != 0)
        return -1;
    if (missing[0] == '\0')
        return 0;
    cw_error_set(err, CW_EXIT_CONFIG, "results schema '%s' has no table '%s'", schema, missing);
    cw_error_hint(err, "the schema was changed by hand: restore the table, or migrate a new "
                       "schema (causeway db migrate --schema NEW)");
    return -1;
}

int cw_schema_check(cw_db *db, const char *schema, cw_error *err)
{
    char *quoted = NULL;
    int version;
    if (cw_db_quote_ident(&quoted, db, schema, err) != 0)
        return -1;
    int rc = current_version(db, quoted, &version, err);
    free(quoted);
    if (rc != 0)
        return -1;
    int want = cw_schema_version();
    if (version < 0) {
        cw_error_set(err, CW_EXIT_CONFIG, "results schema '%s' does not exist", schema);
        cw_error_hint(err, "create it: causeway db init --schema %s", schema);
    } else if (version < want) {
        cw_error_set(err, CW_EXIT_CONFIG,
                     "results schema '%s' is at version %d; this causeway needs %d", schema,
                     version, want);
        cw_error_hint(err, "upgrade it: causeway db migrate --schema %s", schema);
    } else if (version > want) {
        cw_error_set(err, CW_EXIT_CONFIG,
                     "results schema '%s' is at version %d, newer than this causeway (%d)", schema,
                     version, want);
    } else {
        return check_tables(db, schema, err);
    }
    return -1;
}
