/*
 * source.h - the complaint source as SQL: the configured table or view and its
 * columns, quoted for the server, checked to exist before any work.
 *
 * causeway does not own the source. Identifiers come from configuration, so
 * they are validated (config.c) and quoted (PQescapeIdentifier) here; nothing
 * from configuration reaches SQL any other way.
 */
#ifndef CAUSEWAY_SOURCE_H
#define CAUSEWAY_SOURCE_H

#include <stdbool.h>

#include "causeway/store/config.h"
#include "causeway/store/db.h"

typedef struct cw_source {
    char *relation;              /* "schema"."table", quoted */
    char *columns[CW_COL_COUNT]; /* quoted column names; NULL for an absent optional column */
    char *timezone;              /* quoted literal of the IANA zone */
    bool unique_ids;             /* a single-column unique index covers id (no DISTINCT needed) */
    char *id_type;               /* the id column's type as SQL ("bigint"): ids as text cast
                                    back to it find rows by the source's own index */
    char *exposure_relation;     /* NULL: no exposure source */
    char *exposure_columns[CW_EXP_COUNT];
} cw_source;

/*
 * Quote the configured source and exposure, and check them against the server:
 * the relation and every mapped column exist (78 naming the setting otherwise),
 * the time zone is known to PostgreSQL (78), whether ids are unique, and their type.
 * On failure s is finalised.
 */
int cw_source_prepare(cw_source *s, cw_db *db, const cw_config *c, cw_error *err);

void cw_source_fini(cw_source *s);

/* The SQL expression of column `col` for row alias `s` ("s.\"body\"" or "NULL::text"); caller
 * frees. */
char *cw_source_column_sql(const cw_source *s, cw_source_column col);

/*
 * A further column of the source named on the command line (`coverage --label-column`):
 * checked to exist (78 naming `option` otherwise) and quoted; *out is its SQL expression
 * as text for row alias `s`, as cw_source_column_sql (caller frees).
 */
int cw_source_extra_column(char **out, cw_db *db, const cw_source *s, const char *column,
                           const char *option, cw_error *err);

#endif
