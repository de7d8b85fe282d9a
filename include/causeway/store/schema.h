/*
 * schema.h - causeway's results schema: versioned migrations (the embedded
 * sql/migrations/NNNN_name.sql files) applied by `causeway db init|migrate`,
 * and the check every run makes before any work.
 */
#ifndef CAUSEWAY_SCHEMA_H
#define CAUSEWAY_SCHEMA_H

#include <stdbool.h>

#include "causeway/store/db.h"

/* The schema version this binary writes (its newest migration). */
int cw_schema_version(void);

/*
 * Create results schema `schema` if needed and apply the migrations it lacks, in
 * one transaction that holds the run lock: a failure leaves the schema as it was.
 * Idempotent. Migrations run with search_path = pg_catalog, <schema> (see
 * schema.c), and every function the schema's owner has there is given that
 * search_path. An existing schema on which other roles may CREATE is refused
 * (77, cw_schema_check_private) unless `allow_shared`. *applied (may be NULL)
 * receives the number applied. A schema newer than this binary: 78.
 */
int cw_schema_migrate(cw_db *db, const char *schema, bool allow_shared, int *applied,
                      cw_error *err);

/*
 * The results schema is causeway's alone: no role but its owner and the
 * connected role holds CREATE on it. Otherwise 77, naming one such role, with
 * the REVOKE that fixes it as the hint. A missing schema passes (nothing to share).
 */
int cw_schema_check_private(cw_db *db, const char *schema, cw_error *err);

/* The schema exists at exactly this binary's version; otherwise 78 with a hint. */
int cw_schema_check(cw_db *db, const char *schema, cw_error *err);

#endif
