/*
 * db.h - the PostgreSQL data layer. The only module that includes <libpq-fe.h>.
 *
 * Every failure maps to an exit code (error.h) from its SQLSTATE: connection
 * trouble, locks, cancels and serialization failures -> 75 (retry later);
 * authentication, privilege and TLS -> 77; missing schema/table/column -> 78;
 * data exceptions and constraint violations -> 65; anything else -> 70.
 * Messages read "database error: <primary message> (SQLSTATE xxxxx)". The
 * server's DETAIL/CONTEXT lines are never copied into a cw_error or logged at
 * default verbosity: they can quote row data, i.e. complaint text.
 *
 * After connecting the session runs with search_path = pg_catalog and
 * TimeZone = UTC: all SQL must schema-qualify its names.
 */
#ifndef CAUSEWAY_DB_H
#define CAUSEWAY_DB_H

#include <stddef.h>

#include "causeway/error.h"
#include "causeway/log.h"

typedef struct cw_db cw_db;

/*
 * Row callback: values[i] is NULL for SQL NULL, lens[i] its byte length (values
 * are NUL-terminated too). The arrays are valid only during the call.
 * Return 0 to go on, -1 (with err set) to stop.
 */
typedef int (*cw_db_row_fn)(void *user, int ncols, const char *const *values, const size_t *lens,
                            cw_error *err);

/*
 * Connect. conninfo is a keyword=value string or a URI; NULL or "" uses the PG*
 * environment, the service file and .pgpass. Sets fallback_application_name,
 * connect_timeout=10 (unless conninfo or PGCONNECT_TIMEOUT sets one) and TCP
 * keepalives. `log` is borrowed and must outlive the handle (may be NULL).
 * On failure *out is NULL and err names host/port/database, never the password.
 */
int cw_db_connect(cw_db **out, const char *conninfo, const cw_log *log, cw_error *err);

/* Close the connection and free the handle; NULL is a no-op. */
void cw_db_free(cw_db *db);

/* Run one or more statements without parameters, discarding any rows. */
int cw_db_exec(cw_db *db, const char *sql, cw_error *err);

/*
 * Run one statement with text parameters ($1..$n; NULL = SQL NULL) and call fn
 * for each result row (text format). fn may be NULL.
 */
int cw_db_query(cw_db *db, const char *sql, int nparams, const char *const *params, cw_db_row_fn fn,
                void *user, cw_error *err);

/*
 * Stream `COPY (...) TO STDOUT` (text format): each line is split and unescaped
 * into fields (\N -> NULL) and passed to fn; memory does not grow with the row
 * count. If fn fails the COPY is cancelled and the connection drained, so the
 * handle stays usable; err keeps fn's error.
 */
int cw_db_copy_out(cw_db *db, const char *copy_sql, cw_db_row_fn fn, void *user, cw_error *err);

/*
 * COPY FROM STDIN in three steps: begin with `COPY t (cols) FROM STDIN`, send rows
 * (values NULL = SQL NULL; lens NULL = strlen each), end. Rows are escaped and
 * buffered. Only end's final result decides success (a COPY the server killed
 * fails there). After a failing row call, call cw_db_copy_in_end anyway (it
 * aborts the COPY) or cw_db_free.
 */
int cw_db_copy_in_begin(cw_db *db, const char *copy_sql, cw_error *err);
int cw_db_copy_in_row(cw_db *db, int ncols, const char *const *values, const size_t *lens,
                      cw_error *err);
int cw_db_copy_in_end(cw_db *db, cw_error *err);

/* Transactions. Rollback never overwrites an error already in err. */
int cw_db_begin(cw_db *db, cw_error *err);
int cw_db_commit(cw_db *db, cw_error *err);
int cw_db_rollback(cw_db *db, cw_error *err);

/*
 * Take the session advisory lock for `schema` (released when the connection
 * closes). Busy -> 75 "another causeway run holds the lock on schema 'x'".
 */
int cw_db_lock(cw_db *db, const char *schema, cw_error *err);

/* Release one hold of cw_db_lock's lock for `schema` (session locks stack). */
int cw_db_unlock(cw_db *db, const char *schema, cw_error *err);

/* Quote an identifier / literal for SQL text; *out is malloc'd (free()). */
int cw_db_quote_ident(char **out, cw_db *db, const char *ident, cw_error *err);
int cw_db_quote_literal(char **out, cw_db *db, const char *value, cw_error *err);

/*
 * Ask the server to cancel the running statement. Safe from another thread
 * (e.g. the signal-handling thread); no-op on NULL.
 */
void cw_db_cancel(cw_db *db);

/* Server version as PQserverVersion (e.g. 150004). */
int cw_db_server_version(const cw_db *db);

#endif
