/*
 * schema.h - causeway's results schema: versioned migrations (the embedded
 * sql/migrations/NNNN_name.sql files) applied by `causeway db init|migrate`,
 * and the check every run makes before any work.
 */
#ifndef CAUSEWAY_SCHEMA_H
#define CAUSEWAY_SCHEMA_H

#include "causeway/db.h"

/* The schema version this binary writes (its newest migration). */
int cw_schema_version(void);

/*
 * Create results schema `schema` if needed and apply the migrations it lacks,
 * each in its own transaction, under the run lock. Idempotent. *applied (may be
 * NULL) receives the number applied. A schema newer than this binary: 78.
 */
int cw_schema_migrate(cw_db *db, const char *schema, int *applied, cw_error *err);

/* The schema exists at exactly this binary's version; otherwise 78 with a hint. */
int cw_schema_check(cw_db *db, const char *schema, cw_error *err);

#endif
