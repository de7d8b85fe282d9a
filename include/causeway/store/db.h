/*
 * db.h - PostgreSQL access for causeway: connect with libpq conventions, run
 * parameterised statements, stream COPY out and in, transactions, the run lock.
 * Only src/store/db.c includes <libpq-fe.h>.
 *
 * Safe behind a transaction pooler (PgBouncer pool_mode=transaction): nothing
 * here sets session state. Every statement runs inside a transaction that made
 * its own settings with SET LOCAL: search_path pg_catalog, TimeZone UTC,
 * DateStyle ISO, extra_float_digits 3. cw_db_begin opens such a transaction;
 * a statement sent outside one gets a transaction of its own (BEGIN, the
 * settings, the statement, COMMIT), so nothing leaks into the server
 * connection the pool hands to the next client, and the settings hold whichever
 * server connection answers.
 *
 * Errors carry the SQLSTATE and an exit code (error.h):
 *   75  connection refused, reset or timed out (see cw_db_connect), lost, admin shutdown, query
 * cancelled, lock not available, out of resources, serialization failure, another run holds the
 * lock, a duplicate key (23505: a concurrent writer) 77  authentication, permission (42501) or TLS
 * failure, a foreign server refusing the user mapping (2F003) 78  a missing schema, table or column
 * (3F000, 42P01, 42703) 65  a value the server rejected (class 22, class 23 but 23505) 70  anything
 * else Server messages are copied only where they cannot hold row data: never the DETAIL, CONTEXT
 * or WHERE fields, and for classes 22 and 23 not even the primary message (they quote values, and
 * values are complaint text).
 */
#ifndef CAUSEWAY_DB_H
#define CAUSEWAY_DB_H

#include <stddef.h>

#include "causeway/util/error.h"
#include "causeway/util/log.h"

typedef struct cw_db cw_db;

/*
 * Called once per result row: values[i] is NULL for SQL NULL, lens[i] its
 * length in bytes. Return 0 to go on, or -1 with err set to stop.
 */
typedef int (*cw_db_row_fn)(void *user, int ncols, const char *const *values, const size_t *lens,
                            cw_error *err);

/*
 * Connect. `conninfo` is a libpq conninfo string or URI; NULL or "" uses the
 * PG* environment, the service file and ~/.pgpass, as psql does. causeway
 * adds defaults the conninfo may override: fallback_application_name
 * "causeway", client_encoding UTF8, TCP keepalives and connect_timeout 10 s
 * (unless PGCONNECT_TIMEOUT is set). No session setting is made (see above):
 * statements see search_path pg_catalog and UTC through their transaction, so a
 * hostile search_path cannot redirect a name. `log` is borrowed (notices go to its
 * debug level). On failure *out is NULL and err says why: 75 only when the server is
 * not there yet (connection refused or reset, timed out, no local socket, starting
 * up, shutting down, out of connection slots); 77 for authentication, an unknown
 * role, TLS; 78 for everything else that retrying cannot fix (a database that does
 * not exist, a malformed URI or option, a host name that does not resolve); 71 when
 * libpq ran out of memory.
 */
int cw_db_connect(cw_db **out, const char *conninfo, const cw_log *log, cw_error *err);

/*
 * Bounded waits of every transaction (SET LOCAL lock_timeout and statement_timeout, so
 * they hold behind a transaction pooler too), in seconds; cw_db_connect sets these
 * defaults. A statement that hits one fails with 75 and says which (55P03, 57014).
 */
#define CW_DB_LOCK_TIMEOUT      60
#define CW_DB_STATEMENT_TIMEOUT 3600
void cw_db_set_timeouts(cw_db *db, unsigned lock_seconds, unsigned statement_seconds);
/* Return non-zero to give up retrying (e.g. a signal arrived). */
typedef int (*cw_db_stop_fn)(void *arg);

/*
 * cw_db_connect, retrying a temporary failure (75 above) with a growing pause (0.25 s
 * doubling up to 2 s) until `retry_seconds` have passed or `stop(stop_arg)` (may be
 * NULL) returns non-zero, so that a scheduled job survives a database restart window.
 * Any other failure returns at once. 0 seconds is one attempt. Each retry is logged at
 * info level; the final error says how many attempts were made.
 */
int cw_db_connect_retry(cw_db **out, const char *conninfo, unsigned retry_seconds,
                        cw_db_stop_fn stop, void *stop_arg, const cw_log *log, cw_error *err);

/* Close the connection (the server rolls back an open transaction); NULL is a no-op. */
void cw_db_free(cw_db *db);

/* Run one or more statements without parameters or results (in a transaction of
 * their own when none is open: see above). */
int cw_db_exec(cw_db *db, const char *sql, cw_error *err);

/*
 * Run one statement with text parameters (NULL entries are SQL NULL) and pass
 * each result row, in text, to fn (may be NULL to ignore rows).
 */
int cw_db_query(cw_db *db, const char *sql, int nparams, const char *const *params, cw_db_row_fn fn,
                void *user, cw_error *err);

/* Row callback for cw_db_query: the first column as a boolean into *(bool *)user. */
int cw_db_bool_row(void *user, int ncols, const char *const *values, const size_t *lens,
                   cw_error *err);

/*
 * Run `COPY (...) TO STDOUT` (text format) and pass each row, unescaped, to
 * fn as it arrives: memory does not depend on the number of rows. When fn
 * fails the COPY is cancelled and drained, and fn's error is returned.
 */
int cw_db_copy_out(cw_db *db, const char *copy_sql, cw_db_row_fn fn, void *user, cw_error *err);

/*
 * `COPY ... FROM STDIN` (text format): begin, send rows (values NULL = SQL
 * NULL; lens NULL means strlen), end. Rows are escaped and buffered. Only the
 * final result of _end tells whether the server accepted the data (a killed
 * backend can still let PQputCopyEnd succeed). After a failure on our side,
 * _abort makes the server fail the COPY (and with it the transaction).
 */
int cw_db_copy_in_begin(cw_db *db, const char *copy_sql, cw_error *err);
int cw_db_copy_in_row(cw_db *db, int ncols, const char *const *values, const size_t *lens,
                      cw_error *err);
int cw_db_copy_in_end(cw_db *db, cw_error *err);
void cw_db_copy_in_abort(cw_db *db);

/*
 * Transactions. cw_db_begin makes the settings above with SET LOCAL. A COMMIT
 * the server turns into a rollback is an error (75).
 */
int cw_db_begin(cw_db *db, cw_error *err);

/*
 * cw_db_begin, failing with 75 when the server has not answered within `seconds`:
 * a pooler with no free server connection queues the BEGIN instead of refusing
 * it. For a second connection taken while the first holds a transaction (and so
 * a pooled server connection). The transaction is REPEATABLE READ and READ ONLY,
 * its snapshot taken before this returns: every later statement sees the database
 * as it was then (a run's reader: the source and the results it anti-joins, as of
 * one moment that precedes everything the writer does). After that failure the
 * connection is unusable: free it.
 */
int cw_db_begin_within(cw_db *db, int seconds, cw_error *err);
int cw_db_commit(cw_db *db, cw_error *err);
/* Roll back; never overwrites an error already in err. */
int cw_db_rollback(cw_db *db, cw_error *err);

/*
 * Take the run lock of results schema `schema` without waiting: a
 * transaction-level advisory lock, so it is held by the caller's transaction
 * (which must be open) and released by its COMMIT or ROLLBACK, or when the
 * server ends the transaction of a crashed client; it never stays on a pooled
 * server connection. Busy: 75, "another causeway run holds the lock on schema 'x'".
 */
int cw_db_lock(cw_db *db, const char *schema, cw_error *err);

/* Quote an identifier / a literal for this connection; *out is malloc'd (free it). */
int cw_db_quote_ident(char **out, cw_db *db, const char *ident, cw_error *err);
int cw_db_quote_literal(char **out, cw_db *db, const char *value, cw_error *err);

/*
 * Ask the server to cancel the statement in progress. Safe to call from
 * another thread while the connection is in use (not while it is freed);
 * NULL is a no-op.
 */
void cw_db_cancel(cw_db *db);

/* The server's version number (150004 for 15.4). */
int cw_db_server_version(const cw_db *db);

#endif
