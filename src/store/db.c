/* db.c - PostgreSQL access through libpq; see db.h. */
#include "causeway/store/db.h"

#include <assert.h>
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COPY_FLUSH_BYTES (64u * 1024u)

/*
 * The settings every statement of causeway relies on, made for one transaction
 * only (set_config(..., true) is SET LOCAL). Never for the session: behind a
 * transaction pooler the session is a server connection other clients get next,
 * and a session-level search_path would become theirs. The timeouts (in ms) are
 * filled in per connection (cw_db_set_timeouts); a stricter one the role, the
 * database or PGOPTIONS already sets is kept. JIT is off: compiling a query's
 * expressions took 40-65 ms (measured, 1 M complaints), more than the small
 * queries of an incremental run take to execute.
 */
#define BOUNDED(name)                                                                              \
    " pg_catalog.set_config('" name "', (SELECT CASE WHEN t.ms OPERATOR(pg_catalog.>) 0"           \
    " AND t.ms OPERATOR(pg_catalog.<) %lu THEN t.ms"                                               \
    " ELSE %lu END FROM (SELECT pg_catalog.date_part('epoch',"                                     \
    " pg_catalog.current_setting('" name                                                           \
    "')::pg_catalog.interval) OPERATOR(pg_catalog.*) 1000 AS ms) t)"                               \
    "::pg_catalog.int8::pg_catalog.text, true)"
#define SCOPE_FORMAT                                                                               \
    "SELECT pg_catalog.set_config('search_path', 'pg_catalog', true),"                             \
    " pg_catalog.set_config('TimeZone', 'UTC', true),"                                             \
    " pg_catalog.set_config('DateStyle', 'ISO, YMD', true),"                                       \
    " pg_catalog.set_config('extra_float_digits', '3', true),"                                     \
    " pg_catalog.set_config('jit', 'off', true)," BOUNDED("lock_timeout") "," BOUNDED(             \
        "statement_timeout")
/* The reader's: one snapshot for the whole read, taken by SCOPE_FORMAT's SELECT. */
#define SNAPSHOT_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "

struct cw_db {
    PGconn *conn;
    PGcancel *cancel;
    const cw_log *log;
    char *buf; /* COPY in: pending rows; COPY out: the unescaped row */
    size_t len, cap;
    const char **values; /* COPY out: field pointers into buf */
    size_t *lens;
    size_t nvalues;
    bool implicit; /* a transaction opened for one statement (or one COPY IN) */
    unsigned lock_timeout, statement_timeout; /* seconds */
    char begin[1024];                         /* "BEGIN; " SCOPE_FORMAT with the timeouts */
    char begin_snapshot[1024];                /* the same, one read-only snapshot */
};

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
}

/* First line of a libpq message, without the trailing newline. */
static void first_line(char *out, size_t size, const char *msg)
{
    size_t n = strcspn(msg != NULL ? msg : "", "\n");
    if (n >= size)
        n = size - 1;
    memcpy(out, msg != NULL ? msg : "", n);
    out[n] = '\0';
}

/* libpq reports its own allocation failures as text, without an SQLSTATE (a server's
 * "FATAL:  out of memory" is the server's trouble: temporary, not ours). */
static bool client_out_of_memory(const char *msg)
{
    return msg != NULL && strstr(msg, "FATAL:") == NULL &&
           (strstr(msg, "out of memory") != NULL ||
            strstr(msg, "Memory allocation failure") != NULL);
}

static int code_for_sqlstate(const char *s)
{
    if (strncmp(s, "08", 2) == 0 || strncmp(s, "53", 2) == 0 || strncmp(s, "57P0", 4) == 0 ||
        strcmp(s, "55P03") == 0 || strcmp(s, "57014") == 0 || strcmp(s, "40001") == 0 ||
        strcmp(s, "40P01") == 0 || strcmp(s, "25P03") == 0)
        return CW_EXIT_TEMPFAIL;
    /* 2F003: postgres_fdw refusing a user mapping without a password. */
    if (strncmp(s, "28", 2) == 0 || strcmp(s, "42501") == 0 || strcmp(s, "2F003") == 0)
        return CW_EXIT_NOPERM;
    if (strcmp(s, "3F000") == 0 || strcmp(s, "42P01") == 0 || strcmp(s, "42703") == 0)
        return CW_EXIT_CONFIG;
    if (strncmp(s, "22", 2) == 0 || strncmp(s, "23", 2) == 0)
        return CW_EXIT_DATAERR;
    return CW_EXIT_SOFTWARE;
}

/* Turn a failed result (or a dead connection) into err, never echoing row data. */
static int result_error(cw_db *db, const PGresult *res, cw_error *err)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char line[400];
    if (state == NULL && client_out_of_memory(PQerrorMessage(db->conn))) {
        first_line(line, sizeof(line), PQerrorMessage(db->conn));
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory talking to the database: %s", line);
    }
    if (state == NULL || PQstatus(db->conn) == CONNECTION_BAD) {
        first_line(line, sizeof(line), PQerrorMessage(db->conn));
        cw_error_set(err, CW_EXIT_TEMPFAIL, "connection to the database lost: %s",
                     line[0] != '\0' ? line : "no response");
        if (state != NULL)
            snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
        return -1;
    }
    int code = code_for_sqlstate(state);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    first_line(line, sizeof(line), PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    if (strcmp(state, "23505") == 0) {
        /* causeway writes only its own schema, under the run lock, and never inserts a
         * key it did not first find absent: a duplicate key is a concurrent writer
         * (a run that did not take the lock, or a hand-made row), not bad input. */
        cw_error_set(err, CW_EXIT_TEMPFAIL,
                     "another run or writer stored the same results at the same time%s%s%s",
                     constraint != NULL ? " (constraint \"" : "",
                     constraint != NULL ? constraint : "", constraint != NULL ? "\")" : "");
        cw_error_hint(err, "nothing was written; run again once the other writer has finished");
    } else if (strcmp(state, "55P03") == 0) {
        cw_error_set(err, code, "waited more than %u s for a lock another session holds: %s",
                     db->lock_timeout, line);
        cw_error_hint(err, "nothing was written; find the holder in pg_stat_activity, or raise "
                           "lock_timeout in the configuration file");
    } else if (strcmp(state, "57014") == 0 && strstr(line, "statement timeout") != NULL) {
        cw_error_set(err, code, "a statement ran longer than %u s (statement_timeout): %s",
                     db->statement_timeout, line);
        cw_error_hint(err, "nothing was written; raise statement_timeout in the configuration "
                           "file if the source is that slow");
    } else if (code == CW_EXIT_DATAERR) {
        cw_error_set(err, code, "the database rejected a value%s%s%s",
                     constraint != NULL ? " (constraint \"" : "",
                     constraint != NULL ? constraint : "", constraint != NULL ? "\")" : "");
    } else if (strcmp(state, "2F003") == 0 ||
               (strcmp(state, "42704") == 0 && strstr(line, "user mapping") != NULL)) {
        cw_error_set(err, CW_EXIT_NOPERM, "a foreign server refused this role: %s", line);
        cw_error_hint(err, "the source is a foreign table: give this role a user mapping with a "
                           "password (CREATE USER MAPPING FOR ... SERVER ... OPTIONS (user '...', "
                           "password '...'))");
    } else {
        cw_error_set(err, code, "database error: %s", line);
    }
    snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
    return -1;
}

static void on_notice(void *arg, const char *message)
{
    char line[400];
    first_line(line, sizeof(line), message);
    cw_log_debug(arg, "server: %s", line);
}

/*
 * What a failed connection attempt means, from libpq's message (causeway never calls
 * setlocale, so libpq's own text is English; the server's FATAL lines are too unless
 * its lc_messages says otherwise). Only a server that is not there yet is temporary:
 * refused, reset or timed out, a local socket that does not exist, a server starting
 * up, shutting down or out of connection slots. Everything else - a database or role
 * that does not exist, a bad option, a host name that does not resolve - stays wrong
 * until someone changes the settings: retrying hides it, so it is 77 or 78.
 */
static bool temporary_failure(const char *msg)
{
    static const char *const temporary[] = {
        "Connection refused",
        "Connection reset",
        "server closed the connection unexpectedly",
        "timeout expired",
        "timed out",
        "No such file or directory", /* a Unix socket: no server listens there */
        "Temporary failure in name resolution",
        "the database system is starting up",
        "the database system is shutting down",
        "the database system is in recovery mode",
        "the database system is not yet accepting connections",
        "the database system is not accepting connections",
        "too many clients already",
        "remaining connection slots are reserved",
    };
    for (size_t i = 0; i < sizeof(temporary) / sizeof(temporary[0]); i++)
        if (strstr(msg, temporary[i]) != NULL)
            return true;
    return false;
}

static bool auth_failure(const char *msg)
{
    return strstr(msg, "password authentication failed") != NULL ||
           strstr(msg, "no password supplied") != NULL ||
           strstr(msg, "authentication failed") != NULL || strstr(msg, "SSL") != NULL ||
           strstr(msg, "certificate") != NULL || strstr(msg, "pg_hba.conf") != NULL ||
           (strstr(msg, "role \"") != NULL && strstr(msg, "does not exist") != NULL) ||
           strstr(msg, "permission denied") != NULL;
}

static int connect_error(PGconn *conn, cw_error *err)
{
    char line[400];
    const char *msg = conn != NULL ? PQerrorMessage(conn) : "out of memory";
    first_line(line, sizeof(line), msg);
    /* "invalid sslmode value" names SSL but is a setting: options are checked first. */
    bool bad_option = strstr(msg, "invalid ") != NULL && strstr(msg, " value") != NULL;
    int code = client_out_of_memory(msg)          ? CW_EXIT_OSERR
               : temporary_failure(msg)           ? CW_EXIT_TEMPFAIL
               : !bad_option && auth_failure(msg) ? CW_EXIT_NOPERM
                                                  : CW_EXIT_CONFIG;
    cw_error_set(err, code, "could not connect to the database: %s", line);
    if (code == CW_EXIT_TEMPFAIL)
        cw_error_hint(err, "the server is down or not accepting connections yet; a later run "
                           "may succeed");
    else if (code == CW_EXIT_CONFIG)
        cw_error_hint(err, "check -d/--dbname, the configuration's 'database' or the PG* "
                           "environment; retrying will not help");
    return -1;
}

static PGconn *connect_once(const char *conninfo)
{
    /* Defaults first: with expand_dbname, the user's conninfo overrides them. */
    const char *keys[12], *vals[12];
    int n = 0;
    keys[n] = "fallback_application_name", vals[n++] = "causeway";
    keys[n] = "client_encoding", vals[n++] = "UTF8";
    keys[n] = "keepalives", vals[n++] = "1";
    keys[n] = "keepalives_idle", vals[n++] = "30";
    keys[n] = "keepalives_interval", vals[n++] = "10";
    keys[n] = "keepalives_count", vals[n++] = "3";
    if (getenv("PGCONNECT_TIMEOUT") == NULL)
        keys[n] = "connect_timeout", vals[n++] = "10";
    if (conninfo != NULL && conninfo[0] != '\0')
        keys[n] = "dbname", vals[n++] = conninfo;
    keys[n] = NULL, vals[n] = NULL;
    return PQconnectdbParams(keys, vals, 1);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
    struct timespec t = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

int cw_db_connect_retry(cw_db **out, const char *conninfo, unsigned retry_seconds,
                        cw_db_stop_fn stop, void *stop_arg, const cw_log *log, cw_error *err)
{
    *out = NULL;
    const double deadline = now_seconds() + retry_seconds;
    double pause = 0.25; /* doubles after every attempt, up to 2 s */
    unsigned attempts = 1;
    PGconn *conn = connect_once(conninfo);
    for (;;) {
        if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
            break;
        cw_error attempt;
        cw_error_clear(&attempt);
        connect_error(conn, &attempt);
        double left = deadline - now_seconds();
        if (attempt.code != CW_EXIT_TEMPFAIL || left <= 0 || (stop != NULL && stop(stop_arg))) {
            connect_error(conn, err);
            if (attempts > 1)
                cw_error_hint(err, "gave up after %u attempts in %u s (--connect-retry)", attempts,
                              retry_seconds);
            PQfinish(conn);
            return -1;
        }
        /* Once at default verbosity: a scheduled job's log shows that it waited. */
        if (attempts == 1)
            cw_log_warn(log, "%s; retrying for up to %u s", attempt.message, retry_seconds);
        else
            cw_log_info(log, "database not reachable yet; retrying for %.0f s more", left);
        PQfinish(conn);
        sleep_seconds(pause < left ? pause : left);
        pause = pause * 2 < 2.0 ? pause * 2 : 2.0;
        attempts++;
        conn = connect_once(conninfo);
    }
    cw_db *db = calloc(1, sizeof(*db));
    if (db == NULL) {
        PQfinish(conn);
        return oom(err);
    }
    db->conn = conn;
    db->log = log;
    cw_db_set_timeouts(db, CW_DB_LOCK_TIMEOUT, CW_DB_STATEMENT_TIMEOUT);
    PQsetNoticeProcessor(conn, on_notice, (void *)log);
    if ((db->cancel = PQgetCancel(conn)) == NULL) {
        cw_db_free(db);
        return oom(err);
    }
    cw_log_debug(log, "connected to %s:%s/%s (server %d)", PQhost(conn), PQport(conn), PQdb(conn),
                 PQserverVersion(conn));
    *out = db;
    return 0;
}

void cw_db_set_timeouts(cw_db *db, unsigned lock_seconds, unsigned statement_seconds)
{
    db->lock_timeout = lock_seconds;
    db->statement_timeout = statement_seconds;
    unsigned long lock_ms = lock_seconds * 1000ul, statement_ms = statement_seconds * 1000ul;
    int n = snprintf(db->begin, sizeof(db->begin), "BEGIN; " SCOPE_FORMAT, lock_ms, lock_ms,
                     statement_ms, statement_ms);
    assert(n > 0 && (size_t)n < sizeof(db->begin));
    n = snprintf(db->begin_snapshot, sizeof(db->begin_snapshot), SNAPSHOT_BEGIN SCOPE_FORMAT,
                 lock_ms, lock_ms, statement_ms, statement_ms);
    assert(n > 0 && (size_t)n < sizeof(db->begin_snapshot));
    (void)n;
}

int cw_db_connect(cw_db **out, const char *conninfo, const cw_log *log, cw_error *err)
{
    return cw_db_connect_retry(out, conninfo, 0, NULL, NULL, log, err);
}

void cw_db_free(cw_db *db)
{
    if (db == NULL)
        return;
    PQfreeCancel(db->cancel);
    PQfinish(db->conn);
    free(db->buf);
    free(db->values);
    free(db->lens);
    free(db);
}

int cw_db_server_version(const cw_db *db)
{
    return PQserverVersion(db->conn);
}

void cw_db_cancel(cw_db *db)
{
    char msg[256];
    if (db != NULL && db->cancel != NULL)
        (void)PQcancel(db->cancel, msg, sizeof(msg));
}

/* Consume results until NULL; the first failure (if any) goes to err. */
static int finish_results(cw_db *db, ExecStatusType expect, cw_error *err)
{
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != expect)
            rc = result_error(db, res, err);
        PQclear(res);
    }
    return rc;
}

/* Consume the results of a query string's statements; the first failure goes to err. */
static int statements_results(cw_db *db, cw_error *err)
{
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (rc == 0 && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
            rc = result_error(db, res, err);
        PQclear(res);
    }
    return rc;
}

/* One simple-protocol query string (may hold several statements), as it is. */
static int exec_raw(cw_db *db, const char *sql, cw_error *err)
{
    cw_log_debug(db->log, "sql: %.200s", sql);
    if (!PQsendQuery(db->conn, sql))
        return result_error(db, NULL, err);
    return statements_results(db, err);
}

/*
 * Outside a transaction, open one for the next statement with the settings of
 * the scope settings; *opened tells scope_close to end it. Inside one (cw_db_begin's, which
 * made the same settings) nothing is needed. This is what lets every statement
 * assume search_path pg_catalog and UTC without a session-level SET.
 */
static int scope_open(cw_db *db, bool *opened, cw_error *err)
{
    *opened = false;
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        return 0;
    if (exec_raw(db, db->begin, err) != 0) {
        if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
            PQclear(PQexec(db->conn, "ROLLBACK"));
        return -1;
    }
    *opened = true;
    return 0;
}

/* End the transaction scope_open opened: commit after success, else roll back. */
static int scope_close(cw_db *db, bool opened, int rc, cw_error *err)
{
    if (!opened)
        return rc;
    if (rc == 0)
        return cw_db_commit(db, err);
    (void)cw_db_rollback(db, err);
    return rc;
}

int cw_db_exec(cw_db *db, const char *sql, cw_error *err)
{
    bool opened;
    if (scope_open(db, &opened, err) != 0)
        return -1;
    return scope_close(db, opened, exec_raw(db, sql, err), err);
}

static int ensure_fields(cw_db *db, size_t n, cw_error *err)
{
    if (n <= db->nvalues)
        return 0;
    const char **v = realloc(db->values, n * sizeof(*v));
    if (v == NULL)
        return oom(err);
    db->values = v;
    size_t *l = realloc(db->lens, n * sizeof(*l));
    if (l == NULL)
        return oom(err);
    db->lens = l;
    db->nvalues = n;
    return 0;
}

int cw_db_query(cw_db *db, const char *sql, int nparams, const char *const *params, cw_db_row_fn fn,
                void *user, cw_error *err)
{
    bool opened;
    if (scope_open(db, &opened, err) != 0)
        return -1;
    cw_log_debug(db->log, "sql: %.200s", sql);
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (res == NULL || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
        rc = result_error(db, res, err);
    } else if (fn != NULL && st == PGRES_TUPLES_OK) {
        int rows = PQntuples(res), cols = PQnfields(res);
        rc = ensure_fields(db, (size_t)(cols > 0 ? cols : 1), err);
        for (int r = 0; r < rows && rc == 0; r++) {
            for (int c = 0; c < cols; c++) {
                db->values[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
                db->lens[c] = (size_t)PQgetlength(res, r, c);
            }
            rc = fn(user, cols, db->values, db->lens, err);
        }
    }
    PQclear(res);
    return scope_close(db, opened, rc, err);
}

static int reserve(cw_db *db, size_t extra, cw_error *err)
{
    if (db->len + extra <= db->cap)
        return 0;
    size_t cap = db->cap == 0 ? 4096 : db->cap;
    while (cap < db->len + extra)
        cap *= 2;
    char *bigger = realloc(db->buf, cap);
    if (bigger == NULL)
        return oom(err);
    db->buf = bigger;
    db->cap = cap;
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * The byte an escape sequence at line[*i] (just after its backslash) stands for;
 * *i is left on its last byte. Sets *null_field for \N.
 */
static char unescape(const char *line, size_t len, size_t *i, bool *null_field)
{
    char e = line[*i];
    switch (e) {
    case 'N':
        *null_field = true;
        return 0;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'v':
        return '\v';
    case 'x':
        if (*i + 1 < len && hex_value(line[*i + 1]) >= 0) {
            int v = hex_value(line[++*i]);
            if (*i + 1 < len && hex_value(line[*i + 1]) >= 0)
                v = v * 16 + hex_value(line[++*i]);
            return (char)v;
        }
        return 'x';
    default:
        if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int k = 0; k < 2 && *i + 1 < len && line[*i + 1] >= '0' && line[*i + 1] <= '7';
                 k++)
                v = v * 8 + (line[++*i] - '0');
            return (char)v;
        }
        return e; /* \\ and any other escaped byte stand for themselves */
    }
}

/* Offset of the next c in line[from, len), or len. */
static size_t next_of(const char *line, size_t len, size_t from, char c)
{
    const char *p = from < len ? memchr(line + from, c, len - from) : NULL;
    return p != NULL ? (size_t)(p - line) : len;
}

/*
 * Unescape one COPY text-format line into db->buf and split it into fields.
 * Runs without a backslash or tab are copied whole (memchr finds the next one):
 * the bodies are long and escapes rare, and this runs once per complaint.
 */
static int parse_copy_line(cw_db *db, const char *line, size_t len, size_t *nfields, cw_error *err)
{
    if (len > 0 && line[len - 1] == '\n')
        len--;
    db->len = 0;
    /* Unescaping never lengthens, and each tab becomes a NUL: buf cannot move below. */
    if (reserve(db, len + 1, err) != 0)
        return -1;
    size_t n = 0, start = 0, i = 0;
    size_t tab = next_of(line, len, 0, '\t'), slash = next_of(line, len, 0, '\\');
    bool null_field = false;
    for (;;) {
        size_t stop = tab < slash ? tab : slash;
        memcpy(db->buf + db->len, line + i, stop - i);
        db->len += stop - i;
        i = stop;
        if (i < len && line[i] == '\\' && i + 1 < len) {
            i++;
            char c = unescape(line, len, &i, &null_field);
            if (!null_field)
                db->buf[db->len++] = c;
            i++;
            if (tab < i) /* "\<tab>": the escaped tab was data, not a delimiter */
                tab = next_of(line, len, i, '\t');
            slash = next_of(line, len, i, '\\');
            continue;
        }
        if (i < len && line[i] == '\\') { /* a backslash ending the line stands for itself */
            db->buf[db->len++] = '\\';
            i++;
            slash = len;
            continue;
        }
        if (ensure_fields(db, n + 1, err) != 0)
            return -1;
        db->lens[n] = db->len - start;
        db->values[n] = null_field ? NULL : db->buf + start;
        db->buf[db->len++] = '\0';
        n++;
        start = db->len;
        null_field = false;
        if (i >= len)
            break;
        i++; /* past the tab */
        tab = next_of(line, len, i, '\t');
    }
    *nfields = n;
    return 0;
}

/* After a failed callback: stop the COPY and read what is still coming. */
static void drain_copy(cw_db *db)
{
    cw_db_cancel(db);
    char *row;
    while (PQgetCopyData(db->conn, &row, 0) >= 0)
        PQfreemem(row);
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL)
        PQclear(res);
}

static int copy_out(cw_db *db, const char *copy_sql, cw_db_row_fn fn, void *user, cw_error *err)
{
    cw_log_debug(db->log, "sql: %.200s", copy_sql);
    PGresult *res = PQexec(db->conn, copy_sql);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        int rc = result_error(db, res, err);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    for (;;) {
        char *row = NULL;
        int len = PQgetCopyData(db->conn, &row, 0);
        if (len == -1)
            break;
        if (len < 0)
            return finish_results(db, PGRES_COMMAND_OK, err) != 0 ? -1
                                                                  : result_error(db, NULL, err);
        size_t nfields = 0;
        int rc = parse_copy_line(db, row, (size_t)len, &nfields, err);
        PQfreemem(row);
        if (rc == 0)
            rc = fn(user, (int)nfields, db->values, db->lens, err);
        if (rc != 0) {
            drain_copy(db);
            return -1;
        }
    }
    return statements_results(db, err);
}

int cw_db_copy_out(cw_db *db, const char *copy_sql, cw_db_row_fn fn, void *user, cw_error *err)
{
    bool opened;
    if (scope_open(db, &opened, err) != 0)
        return -1;
    return scope_close(db, opened, copy_out(db, copy_sql, fn, user, err), err);
}

int cw_db_copy_in_begin(cw_db *db, const char *copy_sql, cw_error *err)
{
    bool opened;
    if (scope_open(db, &opened, err) != 0)
        return -1;
    cw_log_debug(db->log, "sql: %.200s", copy_sql);
    PGresult *res = PQexec(db->conn, copy_sql);
    int rc = PQresultStatus(res) == PGRES_COPY_IN ? 0 : result_error(db, res, err);
    PQclear(res);
    db->len = 0;
    if (rc != 0)
        return scope_close(db, opened, rc, err);
    db->implicit = opened; /* _end or _abort closes it */
    return 0;
}

static int flush_copy(cw_db *db, cw_error *err)
{
    if (db->len > 0 && PQputCopyData(db->conn, db->buf, (int)db->len) != 1)
        return result_error(db, NULL, err);
    db->len = 0;
    return 0;
}

/* COPY text format: the letter after the backslash for each byte that needs one, else 0. */
static const char copy_escape[256] = {['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};

/* Whether any byte of w is c (the has-zero-byte test on w ^ cc..c; exact, never a false hit). */
static uint64_t has_byte(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (0x0101010101010101ull * c);
    return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

/* Append v[0, n) escaped at o, one byte at a time; returns the new end. */
static char *put_escaped_bytes(char *o, const char *v, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char e = copy_escape[(unsigned char)v[k]];
        if (e != 0) {
            *o++ = '\\';
            *o++ = e;
        } else {
            *o++ = v[k];
        }
    }
    return o;
}

/*
 * Append v[0, n) escaped at o (room for 2n bytes); returns the new end. This runs
 * for ~13 fields per complaint, nearly all short and none needing escapes: 8-byte
 * words without a special byte are copied whole, the rest byte by byte. Measured
 * on a typical result row this cuts the escaping by ~40 %, where finding runs (a
 * table scan or memchr per special byte) and memcpy'ing them was no faster than
 * the per-byte loop: the fields average 8 bytes, less than a call costs.
 */
static char *put_escaped(char *o, const char *v, size_t n)
{
    size_t k = 0;
    for (; n - k >= 8; k += 8) {
        uint64_t w;
        memcpy(&w, v + k, sizeof(w));
        if ((has_byte(w, '\\') | has_byte(w, '\n') | has_byte(w, '\r') | has_byte(w, '\t')) != 0) {
            o = put_escaped_bytes(o, v + k, sizeof(w));
        } else {
            memcpy(o, &w, sizeof(w));
            o += sizeof(w);
        }
    }
    return put_escaped_bytes(o, v + k, n - k);
}

int cw_db_copy_in_row(cw_db *db, int ncols, const char *const *values, const size_t *lens,
                      cw_error *err)
{
    for (int i = 0; i < ncols; i++) {
        const char *v = values[i];
        size_t n = v == NULL ? 0 : lens != NULL ? lens[i] : strlen(v);
        if (reserve(db, 2 * n + 4, err) != 0)
            return -1;
        /* A local end pointer: stores through db->buf would make the compiler reload db. */
        char *o = db->buf + db->len;
        if (i > 0)
            *o++ = '\t';
        if (v == NULL) {
            *o++ = '\\';
            *o++ = 'N';
        } else {
            o = put_escaped(o, v, n);
        }
        db->len = (size_t)(o - db->buf);
    }
    if (reserve(db, 1, err) != 0)
        return -1;
    db->buf[db->len++] = '\n';
    return db->len >= COPY_FLUSH_BYTES ? flush_copy(db, err) : 0;
}

int cw_db_copy_in_end(cw_db *db, cw_error *err)
{
    if (flush_copy(db, err) != 0) {
        cw_db_copy_in_abort(db);
        return -1;
    }
    int rc;
    if (PQputCopyEnd(db->conn, NULL) != 1)
        rc = result_error(db, NULL, err);
    else /* A backend killed mid-COPY may still have accepted PQputCopyEnd: the result decides. */
        rc = finish_results(db, PGRES_COMMAND_OK, err);
    bool opened = db->implicit;
    db->implicit = false;
    return scope_close(db, opened, rc, err);
}

void cw_db_copy_in_abort(cw_db *db)
{
    db->len = 0;
    (void)PQputCopyEnd(db->conn, "causeway aborted the copy");
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL)
        PQclear(res);
    if (db->implicit) {
        db->implicit = false;
        PQclear(PQexec(db->conn, "ROLLBACK"));
    }
}

int cw_db_begin(cw_db *db, cw_error *err)
{
    return exec_raw(db, db->begin, err);
}

/* Wait until the connection's socket is readable or `ms` have passed: 1, 0 or -1. */
static int wait_readable(cw_db *db, int ms)
{
    struct pollfd p = {.fd = PQsocket(db->conn), .events = POLLIN};
    int n;
    while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR)
        ;
    return n;
}

int cw_db_begin_within(cw_db *db, int seconds, cw_error *err)
{
    cw_log_debug(db->log, "sql: %s (within %d s)", db->begin_snapshot, seconds);
    if (!PQsendQuery(db->conn, db->begin_snapshot))
        return result_error(db, NULL, err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (PQflush(db->conn) < 0 || !PQconsumeInput(db->conn))
            return result_error(db, NULL, err);
        if (!PQisBusy(db->conn))
            break;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long left = (long)seconds * 1000 -
                    ((long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0 || wait_readable(db, (int)left) == 0) {
            cw_error_set(err, CW_EXIT_TEMPFAIL,
                         "the database gave no second connection within %d s: a run needs two "
                         "at once",
                         seconds);
            cw_error_hint(err, "behind a connection pooler, allow each causeway role two server "
                               "connections (PgBouncer: pool_size >= 2)");
            return -1;
        }
    }
    return statements_results(db, err);
}

int cw_db_commit(cw_db *db, cw_error *err)
{
    PGresult *res = PQexec(db->conn, "COMMIT");
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = result_error(db, res, err);
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = cw_error_set(err, CW_EXIT_TEMPFAIL,
                          "the database rolled the transaction back instead of committing");
    PQclear(res);
    return rc;
}

int cw_db_rollback(cw_db *db, cw_error *err)
{
    cw_error mine;
    cw_error_clear(&mine);
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        return 0; /* nothing to roll back (and no warning from the server) */
    if (exec_raw(db, "ROLLBACK", &mine) != 0 && err->code == 0)
        *err = mine;
    return mine.code != 0 ? -1 : 0;
}

int cw_db_bool_row(void *user, int ncols, const char *const *values, const size_t *lens,
                   cw_error *err)
{
    (void)lens;
    (void)err;
    *(bool *)user = ncols > 0 && values[0] != NULL && values[0][0] == 't';
    return 0;
}

int cw_db_lock(cw_db *db, const char *schema, cw_error *err)
{
    /* A lock outside a transaction would be released before the caller's next statement. */
    assert(PQtransactionStatus(db->conn) == PQTRANS_INTRANS);
    bool got = false;
    const char *params[] = {schema};
    /* Transaction-level, not session-level: behind a transaction pooler the session is
     * not ours, and a session lock stays on a pooled server connection after the run.
     * The key is the one causeway always used, so a run of an older version (session
     * lock) and of this one still exclude each other. */
    if (cw_db_query(db,
                    "SELECT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext("
                    "'causeway:' OPERATOR(pg_catalog.||) $1))",
                    1, params, cw_db_bool_row, &got, err) != 0)
        return -1;
    if (!got) {
        cw_error_set(err, CW_EXIT_TEMPFAIL, "another causeway run holds the lock on schema '%s'",
                     schema);
        cw_error_hint(err, "nothing was done; try again when it has finished");
        return -1;
    }
    return 0;
}

static int copy_escaped(char **out, char *escaped, cw_db *db, cw_error *err)
{
    if (escaped == NULL) {
        char line[400];
        first_line(line, sizeof(line), PQerrorMessage(db->conn));
        return cw_error_set(err, CW_EXIT_CONFIG, "cannot quote a name or value: %s", line);
    }
    *out = strdup(escaped);
    PQfreemem(escaped);
    return *out != NULL ? 0 : oom(err);
}

int cw_db_quote_ident(char **out, cw_db *db, const char *ident, cw_error *err)
{
    *out = NULL;
    return copy_escaped(out, PQescapeIdentifier(db->conn, ident, strlen(ident)), db, err);
}

int cw_db_quote_literal(char **out, cw_db *db, const char *value, cw_error *err)
{
    *out = NULL;
    return copy_escaped(out, PQescapeLiteral(db->conn, value, strlen(value)), db, err);
}
