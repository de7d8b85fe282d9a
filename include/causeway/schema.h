/*
 * schema.h - the results schema: versioned migrations compiled into the binary
 * (sql/migrations/NNNN_name.sql, see embed.h) and the check a run makes first.
 */
#ifndef CAUSEWAY_SCHEMA_H
#define CAUSEWAY_SCHEMA_H

#include "causeway/db.h"
#include "causeway/error.h"
#include "causeway/log.h"

/* Highest migration version compiled into this binary. */
int cw_schema_latest(void);

/*
 * Create `schema` if needed and apply the missing migrations, each in its own
 * transaction (search_path = schema, pg_catalog), under the schema's advisory
 * lock (taken and released here; re-entrant if the session already holds it).
 * *applied = number applied (0 when up to date). A schema newer than the
 * binary -> 78. On failure the failing migration left nothing behind; earlier
 * ones stay applied. `log` may be NULL.
 */
int cw_schema_migrate(cw_db *db, const char *schema, const cw_log *log, int *applied,
                      cw_error *err);

/*
 * Verify `schema` exists at exactly cw_schema_latest(): missing or behind -> 78
 * with hint "run: causeway db migrate"; newer -> 78; a results table missing
 * (dropped or renamed by hand) -> 78. Changes nothing.
 */
int cw_schema_check(cw_db *db, const char *schema, cw_error *err);

/* The schema's current version (0 when the schema or its version table is missing). */
int cw_schema_version(cw_db *db, const char *schema, int *version, cw_error *err);

#endif
