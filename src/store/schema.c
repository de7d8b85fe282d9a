/* schema.c - results schema migrations and the version check; see schema.h. */
#include "causeway/store/schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/embed.h"
#include "causeway/util/text.h"

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
 * Objects a migration creates go into the results schema, and every name it uses
 * resolves in pg_catalog first: search_path is the results schema alone, before
 * which PostgreSQL searches pg_catalog implicitly (pg_catalog, <schema>). An
 * explicit "pg_catalog, <schema>" would make pg_catalog the creation schema. That
 * order stops a same-signature shadow; the migrations qualify the calls where a
 * better-matching signature could still win (pg_catalog.unnest, ...).
 */
static int apply(cw_db *db, const char *quoted, const cw_embedded_file *f, cw_error *err)
{
    char version[16];
    snprintf(version, sizeof(version), "%d", migration_version(f));
    char *scope = cw_text_printf("SET LOCAL search_path = %s", quoted);
    char *record = cw_text_printf("INSERT INTO %s.schema_migrations (version, name, applied_at)"
                                  " VALUES ($1::int, $2, pg_catalog.now())",
                                  quoted);
    int rc = -1;
    const char *params[] = {version, f->name};
    if (scope == NULL || record == NULL)
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    else if (cw_db_exec(db, scope, err) == 0 && cw_db_exec(db, f->data, err) == 0 &&
             cw_db_exec(db, "SET LOCAL search_path = pg_catalog", err) == 0 &&
             cw_db_query(db, record, 2, params, NULL, NULL, err) == 0)
        rc = 0;
    free(scope);
    free(record);
    return rc;
}

typedef struct names {
    cw_db *db;
    const char *quoted;
} names;

static int pin_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    const names *n = user;
    if (ncols < 1 || v[0] == NULL)
        return 0;
    char *sql =
        cw_text_printf("ALTER ROUTINE %s SET search_path = pg_catalog, %s", v[0], n->quoted);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    int rc = cw_db_exec(n->db, sql, err);
    free(sql);
    return rc;
}

/*
 * A function runs with the search_path of its caller unless it has its own: give
 * every function and procedure of the schema that causeway owns (those a
 * migration made) search_path = pg_catalog, <schema>, whichever migration made it.
 */
static int pin_functions(cw_db *db, const char *schema, const char *quoted, cw_error *err)
{
    names n = {db, quoted};
    const char *params[] = {schema};
    return cw_db_query(db,
                       "SELECT p.oid::regprocedure::text FROM pg_proc p"
                       " JOIN pg_namespace s ON s.oid = p.pronamespace"
                       " WHERE s.nspname = $1 AND p.prokind IN ('f', 'p')"
                       " AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                       " AND p.proconfig IS NULL",
                       1, params, pin_row, &n, err);
}

int cw_schema_check_private(cw_db *db, const char *schema, cw_error *err)
{
    char role[64] = "";
    const char *params[] = {schema};
    /* aclexplode lists explicit grants; a NULL ACL is the owner's alone. grantee 0
     * is PUBLIC. Our own role may hold a grant on a schema someone else owns. */
    if (cw_db_query(db,
                    "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END"
                    " FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a"
                    " LEFT JOIN pg_roles r ON r.oid = a.grantee"
                    " WHERE n.nspname = $1 AND a.privilege_type = 'CREATE'"
                    " AND a.grantee <> n.nspowner AND r.rolname IS DISTINCT FROM current_user"
                    " ORDER BY 1 LIMIT 1",
                    1, params, name_row, role, err) != 0)
        return -1;
    if (role[0] == '\0')
        return 0;
    bool everyone = strcmp(role, "PUBLIC") == 0;
    cw_error_set(err, CW_EXIT_NOPERM,
                 "results schema '%s' is shared: %s%s%s may create objects in it, and so plant "
                 "functions that run as whoever reads the results",
                 schema, everyone ? "every role (PUBLIC)" : "role '", everyone ? "" : role,
                 everyone ? "" : "'");
    cw_error_hint(err,
                  "REVOKE CREATE ON SCHEMA %s FROM %s; or pass --allow-shared-schema if every "
                  "such role is trusted",
                  schema, role);
    return -1;
}

int cw_schema_migrate(cw_db *db, const char *schema, bool allow_shared, int *applied, cw_error *err)
{
    char *quoted = NULL, *create = NULL;
    int rc = -1, version, count = 0;
    if (applied != NULL)
        *applied = 0;
    /* One transaction: it holds the run lock, and a failed migration leaves the schema
     * as it was. */
    if (cw_db_quote_ident(&quoted, db, schema, err) != 0 || cw_db_begin(db, err) != 0)
        goto done;
    if (cw_db_lock(db, schema, err) != 0)
        goto rollback;
    /* A schema created beforehand for a least-privilege owner needs no CREATE on the
     * database: only create it when it is missing. */
    int exists = 0;
    const char *params[] = {schema};
    if (cw_db_query(db, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1", 1,
                    params, int_row, &exists, err) != 0)
        goto rollback;
    if (exists && !allow_shared && cw_schema_check_private(db, schema, err) != 0)
        goto rollback;
    create = cw_text_printf("%s%s%s CREATE TABLE IF NOT EXISTS %s.schema_migrations ("
                            " version integer PRIMARY KEY, name text NOT NULL,"
                            " applied_at timestamptz NOT NULL)",
                            exists ? "" : "CREATE SCHEMA ", exists ? "" : quoted, exists ? "" : ";",
                            quoted);
    if (create == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        goto rollback;
    }
    if (cw_db_exec(db, create, err) != 0 || current_version(db, quoted, &version, err) != 0)
        goto rollback;
    if (version > cw_schema_version()) {
        cw_error_set(err, CW_EXIT_CONFIG,
                     "results schema '%s' is at version %d, newer than this causeway (%d)", schema,
                     version, cw_schema_version());
        cw_error_hint(err, "upgrade causeway; it does not downgrade a schema");
        goto rollback;
    }
    /* Embedded migrations are in name order, which is version order. */
    for (size_t i = 0; i < cw_embedded_migrations_count; i++) {
        const cw_embedded_file *f = &cw_embedded_migrations[i];
        if (migration_version(f) <= version)
            continue;
        if (apply(db, quoted, f, err) != 0)
            goto rollback;
        count++;
    }
    if (pin_functions(db, schema, quoted, err) != 0 || cw_db_commit(db, err) != 0)
        goto rollback;
    if (applied != NULL)
        *applied = count;
    rc = 0;
    goto done;
rollback:
    cw_db_rollback(db, err);
done:
    free(quoted);
    free(create);
    return rc;
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
