/*
 * db.c - the PostgreSQL data layer (see db.h). The only file that includes
 * <libpq-fe.h>: the rest of causeway sees rows as (values, lens) arrays and
 * failures as cw_error values with an exit code derived from the SQLSTATE.
 */
#include "causeway/db.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* COPY FROM rows are sent in chunks of about this size: few round trips, bounded memory. */
#define CW_DB_COPY_CHUNK (64u * 1024u)

/* First key of the two-key advisory lock: "CWAY", so our locks never collide with others'. */
#define CW_DB_LOCK_CLASS 0x43574159

struct cw_db {
    PGconn *conn;
    PGcancel *cancel; /* made at connect so cw_db_cancel needs no libpq state of conn */
    const cw_log *log;
    char *buf; /* COPY FROM buffer, or the unescape scratch of COPY TO */
    size_t buf_len;
    size_t buf_cap;
    bool copy_in;        /* between copy_in_begin and copy_in_end */
    bool copy_in_failed; /* a row could not be sent: end aborts the COPY */
};

/* Set err with a SQLSTATE unless an error is already set (the first one wins). */
__attribute__((format(printf, 4, 5))) static int db_fail(cw_error *err, int code,
                                                         const char *sqlstate, const char *fmt, ...)
{
    if (err->code != 0)
        return -1;
    char msg[sizeof(err->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cw_error_set(err, code, "%s", msg);
    if (sqlstate != NULL && strlen(sqlstate) == 5)
        memcpy(err->sqlstate, sqlstate, 6);
    return -1;
}

/* Copy the first line of a libpq message (which may span lines and end in \n). */
static void first_line(char *dst, size_t size, const char *src)
{
    if (src == NULL)
        src = "";
    size_t n = strcspn(src, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '\r'))
        dst[--n] = '\0';
}

/* Whether a connection-level message is about authentication or TLS (exit 77). */
static bool is_auth_message(const char *m)
{
    static const char *const needles[] = {"password authentication failed",
                                          "authentication failed",
                                          "no password supplied",
                                          "SSL",
                                          "certificate",
                                          "GSSAPI",
                                          "pg_hba.conf rejects",
                                          "permission denied"};
    for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
        if (strstr(m, needles[i]) != NULL)
            return true;
    return false;
}

/* Exit code for a SQLSTATE (see db.h). */
static int code_for_sqlstate(const char *s)
{
    if (strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0 || strcmp(s, "57P02") == 0 ||
        strcmp(s, "57P03") == 0 || strcmp(s, "55P03") == 0 || strcmp(s, "57014") == 0 ||
        strncmp(s, "53", 2) == 0 || strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0 ||
        strcmp(s, "25P03") == 0)
        return CW_EXIT_TEMPFAIL;
    if (strncmp(s, "28", 2) == 0 || strcmp(s, "42501") == 0)
        return CW_EXIT_NOPERM;
    if (strcmp(s, "3F000") == 0 || strcmp(s, "42P01") == 0 || strcmp(s, "42703") == 0)
        return CW_EXIT_CONFIG;
    if (strncmp(s, "22", 2) == 0 || strncmp(s, "23", 2) == 0)
        return CW_EXIT_DATAERR;
    return CW_EXIT_SOFTWARE;
}

/*
 * The connection is gone (or never came up): one line naming the server. 75, except
 * an authentication or TLS refusal while connecting (77); a session lost later is
 * always 75, even when its message mentions SSL ("SSL SYSCALL error: EOF detected").
 */
static int fail_connection(cw_db *db, const char *what, bool at_connect, cw_error *err)
{
    char line[400];
    first_line(line, sizeof(line), db->conn != NULL ? PQerrorMessage(db->conn) : "out of memory");
    if (line[0] == '\0')
        snprintf(line, sizeof(line), "connection lost");
    int code = at_connect && is_auth_message(line) ? CW_EXIT_NOPERM : CW_EXIT_TEMPFAIL;
    return db_fail(err, code, NULL, "database error: %s: %s", what, line);
}

/*
 * Turn a failed result (or NULL) into err. Data exceptions and constraint
 * violations get a message built from names only: their primary message can
 * quote the offending value (22P02 "invalid input syntax ...: "<value>"").
 */
static int fail_result(cw_db *db, const PGresult *res, cw_error *err)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state == NULL || PQstatus(db->conn) == CONNECTION_BAD) {
        if (PQstatus(db->conn) == CONNECTION_BAD || res == NULL)
            return fail_connection(db, "connection lost", false, err);
        char line[400];
        first_line(line, sizeof(line), PQresultErrorMessage(res));
        return db_fail(err, CW_EXIT_SOFTWARE, NULL, "database error: %s",
                       line[0] ? line : "unexpected result");
    }
    if (db->log != NULL) {
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        if (detail != NULL)
            cw_log_debug_text(db->log, "server detail", detail, strlen(detail));
    }
    int code = code_for_sqlstate(state);
    const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
    const char *column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    if (strncmp(state, "23", 2) == 0) {
        return db_fail(err, code, state, "database error: a row violates %s%s%s%s%s",
                       constraint ? "constraint \"" : "a constraint", constraint ? constraint : "",
                       constraint ? "\"" : "", table ? " of table " : "", table ? table : "");
    }
    if (strncmp(state, "22", 2) == 0) {
        return db_fail(err, code, state, "database error: invalid data value%s%s%s%s",
                       column ? " in column " : "", column ? column : "", table ? " of table " : "",
                       table ? table : "");
    }
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    db_fail(err, code, state, "database error: %s", primary ? primary : "unknown error");
    if (code == CW_EXIT_CONFIG)
        cw_error_hint(err, "if this is causeway's results schema, run: causeway db migrate");
    return -1;
}

/* Server notices go to the debug log only: they can quote data. */
static void notice_to_log(void *arg, const char *message)
{
    const cw_db *db = arg;
    if (db->log != NULL)
        cw_log_debug_text(db->log, "server notice", message, strlen(message));
}

int cw_db_connect(cw_db **out, const char *conninfo, const cw_log *log, cw_error *err)
{
    *out = NULL;
    cw_db *db = calloc(1, sizeof(*db));
    if (db == NULL)
        return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory connecting to the database");
    db->log = log;

    /* Our defaults first; the expanded conninfo (dbname, last) overrides them. */
    const char *keys[10];
    const char *vals[10];
    int n = 0;
    keys[n] = "fallback_application_name", vals[n++] = "causeway";
    const char *env_timeout = getenv("PGCONNECT_TIMEOUT");
    if (env_timeout == NULL || env_timeout[0] == '\0')
        keys[n] = "connect_timeout", vals[n++] = "10";
    keys[n] = "keepalives", vals[n++] = "1";
    keys[n] = "keepalives_idle", vals[n++] = "60";
    keys[n] = "keepalives_interval", vals[n++] = "10";
    keys[n] = "keepalives_count", vals[n++] = "6";
    keys[n] = "client_encoding", vals[n++] = "UTF8";
    if (conninfo != NULL && conninfo[0] != '\0')
        keys[n] = "dbname", vals[n++] = conninfo;
    keys[n] = NULL, vals[n] = NULL;

    db->conn = PQconnectdbParams(keys, vals, 1);
    if (db->conn == NULL) {
        free(db);
        return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory connecting to the database");
    }
    if (PQstatus(db->conn) != CONNECTION_OK) {
        char what[300];
        snprintf(what, sizeof(what), "cannot connect to database '%s'",
                 PQdb(db->conn) ? PQdb(db->conn) : "");
        fail_connection(db, what, true, err);
        cw_db_free(db);
        return -1;
    }
    /* libpq would print NOTICEs ("schema exists, skipping") on stderr; log them at -vv. */
    PQsetNoticeProcessor(db->conn, notice_to_log, db);
    db->cancel = PQgetCancel(db->conn);
    if (db->cancel == NULL) {
        cw_db_free(db);
        return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory connecting to the database");
    }
    /* A hostile search_path in the role or database settings cannot redirect our names. */
    if (cw_db_exec(db, "SET search_path = pg_catalog; SET TimeZone = 'UTC'", err) != 0) {
        cw_db_free(db);
        return -1;
    }
    if (log != NULL)
        cw_log_debug(log, "connected to database '%s' on %s port %s (server %d)", PQdb(db->conn),
                     PQhost(db->conn) ? PQhost(db->conn) : "", PQport(db->conn),
                     PQserverVersion(db->conn));
    *out = db;
    return 0;
}

void cw_db_free(cw_db *db)
{
    if (db == NULL)
        return;
    if (db->cancel != NULL)
        PQfreeCancel(db->cancel);
    if (db->conn != NULL)
        PQfinish(db->conn);
    free(db->buf);
    free(db);
}

/* Whether a result status is a success for a statement that returns no COPY. */
static bool result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/* Leave COPY mode a statement put us in unexpectedly, so the handle stays usable. */
static void abandon_copy(cw_db *db, ExecStatusType st)
{
    if (st == PGRES_COPY_IN) {
        PQputCopyEnd(db->conn, "causeway: unexpected COPY FROM");
    } else if (st == PGRES_COPY_OUT) {
        char *line = NULL;
        while (PQgetCopyData(db->conn, &line, 0) > 0)
            PQfreemem(line);
    }
    PGresult *r;
    while ((r = PQgetResult(db->conn)) != NULL)
        PQclear(r);
}

int cw_db_exec(cw_db *db, const char *sql, cw_error *err)
{
    PGresult *res = PQexec(db->conn, sql);
    if (res != NULL && result_ok(res)) {
        PQclear(res);
        return 0;
    }
    ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
        PQclear(res);
        abandon_copy(db, st);
        return db_fail(err, CW_EXIT_SOFTWARE, NULL,
                       "database error: COPY statement passed to cw_db_exec");
    }
    fail_result(db, res, err);
    PQclear(res);
    return -1;
}

int cw_db_query(cw_db *db, const char *sql, int nparams, const char *const *params, cw_db_row_fn fn,
                void *user, cw_error *err)
{
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (res == NULL || !result_ok(res)) {
        ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
            PQclear(res);
            abandon_copy(db, st);
            return db_fail(err, CW_EXIT_SOFTWARE, NULL,
                           "database error: COPY statement passed to cw_db_query");
        }
        fail_result(db, res, err);
        PQclear(res);
        return -1;
    }
    int rc = 0;
    int ncols = PQnfields(res);
    int nrows = PQntuples(res);
    if (fn != NULL && nrows > 0) {
        size_t nc = ncols > 0 ? (size_t)ncols : 1;
        const char **values = calloc(nc, sizeof(*values));
        size_t *lens = calloc(nc, sizeof(*lens));
        if (values == NULL || lens == NULL) {
            rc = db_fail(err, CW_EXIT_OSERR, NULL, "out of memory reading query results");
        } else {
            for (int r = 0; r < nrows && rc == 0; r++) {
                for (int c = 0; c < ncols; c++) {
                    bool null = PQgetisnull(res, r, c);
                    values[c] = null ? NULL : PQgetvalue(res, r, c);
                    lens[c] = null ? 0 : (size_t)PQgetlength(res, r, c);
                }
                if (fn(user, ncols, values, lens, err) != 0) {
                    if (err->code == 0)
                        cw_error_set(err, CW_EXIT_SOFTWARE, "row callback failed without error");
                    rc = -1;
                }
            }
        }
        free(values);
        free(lens);
    }
    PQclear(res);
    return rc;
}

/* Value of a hex digit, or -1. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Growable field arrays of COPY TO parsing. */
typedef struct copy_fields {
    const char **values;
    size_t *lens;
    size_t cap;
} copy_fields;

static int fields_reserve(copy_fields *f, size_t n, cw_error *err)
{
    if (n <= f->cap)
        return 0;
    size_t cap = f->cap ? f->cap * 2 : 16;
    while (cap < n)
        cap *= 2;
    const char **v = realloc(f->values, cap * sizeof(*v));
    if (v == NULL)
        return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory reading COPY data");
    f->values = v;
    size_t *l = realloc(f->lens, cap * sizeof(*l));
    if (l == NULL)
        return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory reading COPY data");
    f->lens = l;
    f->cap = cap;
    return 0;
}

/*
 * Split one text-format COPY line (len bytes, possibly ending in \n) into fields,
 * unescaping in place: an escape never produces more bytes than it takes, and
 * each field's terminating NUL overwrites its delimiter.
 */
static int parse_copy_line(char *line, size_t len, copy_fields *f, int *ncols, cw_error *err)
{
    if (len > 0 && line[len - 1] == '\n')
        len--;
    size_t n = 0;
    size_t i = 0;
    for (;;) {
        if (fields_reserve(f, n + 1, err) != 0)
            return -1;
        /* \N alone is NULL; test it before unescaping overwrites it. */
        bool is_null = i + 1 < len && line[i] == '\\' && line[i + 1] == 'N' &&
                       (i + 2 == len || line[i + 2] == '\t');
        char *dst = line + i;
        char *field = dst;
        while (i < len && line[i] != '\t') {
            char c = line[i++];
            if (c != '\\' || i >= len) {
                *dst++ = c;
                continue;
            }
            c = line[i++];
            switch (c) {
            case 'b':
                *dst++ = '\b';
                break;
            case 'f':
                *dst++ = '\f';
                break;
            case 'n':
                *dst++ = '\n';
                break;
            case 'r':
                *dst++ = '\r';
                break;
            case 't':
                *dst++ = '\t';
                break;
            case 'v':
                *dst++ = '\v';
                break;
            case 'x':
                if (i < len && hexval(line[i]) >= 0) {
                    int v = hexval(line[i++]);
                    if (i < len && hexval(line[i]) >= 0)
                        v = v * 16 + hexval(line[i++]);
                    *dst++ = (char)v;
                } else {
                    *dst++ = 'x';
                }
                break;
            case '0':
            case '1':
            case '2':
            case '3':
            case '4':
            case '5':
            case '6':
            case '7': {
                int v = c - '0';
                for (int k = 0; k < 2 && i < len && line[i] >= '0' && line[i] <= '7'; k++)
                    v = v * 8 + (line[i++] - '0');
                *dst++ = (char)(v & 0xFF);
                break;
            }
            default:
                *dst++ = c;
                break;
            }
        }
        bool more = i < len;
        *dst = '\0';
        f->values[n] = is_null ? NULL : field;
        f->lens[n] = is_null ? 0 : (size_t)(dst - field);
        n++;
        if (!more)
            break;
        i++; /* the tab */
    }
    if (n > (size_t)2147483647)
        return db_fail(err, CW_EXIT_SOFTWARE, NULL, "database error: too many COPY columns");
    *ncols = (int)n;
    return 0;
}

/* Read results until libpq has none left; returns the last one (caller clears) or NULL. */
static PGresult *last_result(cw_db *db)
{
    PGresult *last = NULL;
    PGresult *r;
    while ((r = PQgetResult(db->conn)) != NULL) {
        PQclear(last);
        last = r;
        /* A COPY state here would loop forever; PQgetResult never returns one after the end. */
        if (PQresultStatus(r) == PGRES_COPY_IN || PQresultStatus(r) == PGRES_COPY_OUT)
            break;
    }
    return last;
}

int cw_db_copy_out(cw_db *db, const char *copy_sql, cw_db_row_fn fn, void *user, cw_error *err)
{
    PGresult *res = PQexec(db->conn, copy_sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_OUT) {
        if (res != NULL && result_ok(res)) {
            PQclear(res);
            return db_fail(err, CW_EXIT_SOFTWARE, NULL,
                           "database error: cw_db_copy_out needs a COPY ... TO STDOUT statement");
        }
        if (res != NULL && PQresultStatus(res) == PGRES_COPY_IN) {
            PQclear(res);
            abandon_copy(db, PGRES_COPY_IN);
            return db_fail(err, CW_EXIT_SOFTWARE, NULL,
                           "database error: cw_db_copy_out needs a COPY ... TO STDOUT statement");
        }
        fail_result(db, res, err);
        PQclear(res);
        return -1;
    }
    PQclear(res);

    copy_fields f = {0};
    int rc = 0;
    bool stopped = false; /* the callback or parsing failed: cancel and drain */
    for (;;) {
        char *line = NULL;
        int n = PQgetCopyData(db->conn, &line, 0);
        if (n < 0)
            break; /* -1: done, -2: error; the final result below tells which */
        if (!stopped) {
            int ncols = 0;
            if (parse_copy_line(line, (size_t)n, &f, &ncols, err) != 0 ||
                fn(user, ncols, f.values, f.lens, err) != 0) {
                if (err->code == 0)
                    cw_error_set(err, CW_EXIT_SOFTWARE, "row callback failed without error");
                stopped = true;
                rc = -1;
                /* Stop the server producing rows nobody reads; the drain below ends quickly. */
                cw_db_cancel(db);
            }
        }
        PQfreemem(line);
    }
    free(f.values);
    free(f.lens);
    res = last_result(db);
    if (!stopped && (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)) {
        fail_result(db, res, err);
        rc = -1;
    }
    PQclear(res);
    return rc;
}

int cw_db_copy_in_begin(cw_db *db, const char *copy_sql, cw_error *err)
{
    if (db->copy_in)
        return db_fail(err, CW_EXIT_SOFTWARE, NULL, "database error: a COPY is already open");
    PGresult *res = PQexec(db->conn, copy_sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        if (res != NULL && (result_ok(res) || PQresultStatus(res) == PGRES_COPY_OUT)) {
            ExecStatusType st = PQresultStatus(res);
            PQclear(res);
            abandon_copy(db, st);
            return db_fail(err, CW_EXIT_SOFTWARE, NULL,
                           "database error: cw_db_copy_in_begin needs a COPY ... FROM STDIN");
        }
        fail_result(db, res, err);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    db->copy_in = true;
    db->copy_in_failed = false;
    db->buf_len = 0;
    return 0;
}

/* Make room for `more` bytes in the COPY buffer. */
static int buf_reserve(cw_db *db, size_t more, cw_error *err)
{
    if (db->buf_len + more <= db->buf_cap)
        return 0;
    size_t cap = db->buf_cap ? db->buf_cap : CW_DB_COPY_CHUNK + 1024;
    while (cap < db->buf_len + more) {
        if (cap > SIZE_MAX / 2)
            return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory buffering COPY data");
        cap *= 2;
    }
    char *b = realloc(db->buf, cap);
    if (b == NULL)
        return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory buffering COPY data");
    db->buf = b;
    db->buf_cap = cap;
    return 0;
}

static int copy_flush(cw_db *db, cw_error *err)
{
    if (db->buf_len == 0)
        return 0;
    if (db->buf_len > (size_t)2147483647 || PQputCopyData(db->conn, db->buf, (int)db->buf_len) != 1)
        return fail_connection(db, "sending COPY data", false, err);
    db->buf_len = 0;
    return 0;
}

int cw_db_copy_in_row(cw_db *db, int ncols, const char *const *values, const size_t *lens,
                      cw_error *err)
{
    if (!db->copy_in)
        return db_fail(err, CW_EXIT_SOFTWARE, NULL, "database error: no COPY is open");
    if (db->copy_in_failed)
        return -1;
    for (int c = 0; c < ncols; c++) {
        const char *v = values[c];
        size_t len = v == NULL ? 0 : lens != NULL ? lens[c] : strlen(v);
        /* Worst case every byte doubles, plus the delimiter and \N. */
        if (len > (SIZE_MAX - 4) / 2 || buf_reserve(db, 2 * len + 4, err) != 0) {
            db->copy_in_failed = true;
            return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory buffering COPY data");
        }
        char *p = db->buf + db->buf_len;
        if (c > 0)
            *p++ = '\t';
        if (v == NULL) {
            *p++ = '\\';
            *p++ = 'N';
        } else {
            for (size_t i = 0; i < len; i++) {
                char e = 0;
                switch (v[i]) {
                case '\\':
                    e = '\\';
                    break;
                case '\t':
                    e = 't';
                    break;
                case '\n':
                    e = 'n';
                    break;
                case '\r':
                    e = 'r';
                    break;
                case '\b':
                    e = 'b';
                    break;
                case '\f':
                    e = 'f';
                    break;
                case '\v':
                    e = 'v';
                    break;
                default:
                    break;
                }
                if (e != 0) {
                    *p++ = '\\';
                    *p++ = e;
                } else {
                    *p++ = v[i];
                }
            }
        }
        db->buf_len = (size_t)(p - db->buf);
    }
    if (buf_reserve(db, 1, err) != 0) {
        db->copy_in_failed = true;
        return -1;
    }
    db->buf[db->buf_len++] = '\n';
    if (db->buf_len >= CW_DB_COPY_CHUNK && copy_flush(db, err) != 0) {
        db->copy_in_failed = true;
        return -1;
    }
    return 0;
}

int cw_db_copy_in_end(cw_db *db, cw_error *err)
{
    if (!db->copy_in)
        return db_fail(err, CW_EXIT_SOFTWARE, NULL, "database error: no COPY is open");
    db->copy_in = false;
    int rc = 0;
    if (db->copy_in_failed) {
        db->buf_len = 0;
        PQputCopyEnd(db->conn, "causeway: COPY aborted by the client");
        rc = db_fail(err, CW_EXIT_SOFTWARE, NULL, "database error: COPY aborted");
    } else if (copy_flush(db, err) != 0) {
        rc = -1;
    } else if (PQputCopyEnd(db->conn, NULL) != 1) {
        rc = fail_connection(db, "ending COPY", false, err);
    }
    /* Only the final result says whether the server accepted the rows. */
    PGresult *res = last_result(db);
    if (rc == 0 && (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK))
        rc = fail_result(db, res, err);
    PQclear(res);
    db->buf_len = 0;
    return rc;
}

int cw_db_begin(cw_db *db, cw_error *err)
{
    return cw_db_exec(db, "BEGIN", err);
}

int cw_db_commit(cw_db *db, cw_error *err)
{
    PGresult *res = PQexec(db->conn, "COMMIT");
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        fail_result(db, res, err);
        PQclear(res);
        return -1;
    }
    /* COMMIT of a failed transaction "succeeds" with the tag ROLLBACK. */
    bool rolled_back = strcmp(PQcmdStatus(res), "ROLLBACK") == 0;
    PQclear(res);
    if (rolled_back)
        return db_fail(err, CW_EXIT_SOFTWARE, NULL,
                       "database error: the transaction failed and was rolled back");
    return 0;
}

int cw_db_rollback(cw_db *db, cw_error *err)
{
    cw_error scratch;
    cw_error_clear(&scratch);
    if (cw_db_exec(db, "ROLLBACK", &scratch) == 0)
        return 0;
    if (err->code == 0)
        *err = scratch;
    return -1;
}

/* Row callback of cw_db_lock: the single boolean. */
static int lock_row(void *user, int ncols, const char *const *values, const size_t *lens,
                    cw_error *err)
{
    (void)lens;
    (void)err;
    *(bool *)user = ncols == 1 && values[0] != NULL && values[0][0] == 't';
    return 0;
}

int cw_db_lock(cw_db *db, const char *schema, cw_error *err)
{
    char key[40];
    snprintf(key, sizeof(key), "%d", CW_DB_LOCK_CLASS);
    const char *params[] = {key, schema};
    bool got = false;
    if (cw_db_query(db,
                    "SELECT pg_catalog.pg_try_advisory_lock($1::pg_catalog.int4, "
                    "pg_catalog.hashtext('causeway:' OPERATOR(pg_catalog.||) $2))",
                    2, params, lock_row, &got, err) != 0)
        return -1;
    if (!got) {
        db_fail(err, CW_EXIT_TEMPFAIL, NULL, "another causeway run holds the lock on schema '%s'",
                schema);
        cw_error_hint(err, "wait for it to finish, or find it in pg_stat_activity "
                           "(application_name causeway)");
        return -1;
    }
    return 0;
}

int cw_db_unlock(cw_db *db, const char *schema, cw_error *err)
{
    char key[40];
    snprintf(key, sizeof(key), "%d", CW_DB_LOCK_CLASS);
    const char *params[] = {key, schema};
    return cw_db_query(db,
                       "SELECT pg_catalog.pg_advisory_unlock($1::pg_catalog.int4, "
                       "pg_catalog.hashtext('causeway:' OPERATOR(pg_catalog.||) $2))",
                       2, params, NULL, NULL, err);
}

/* Copy a libpq-allocated string into malloc'd memory so callers can free() it. */
static int take_pq_string(char **out, char *pq, cw_db *db, cw_error *err)
{
    if (pq == NULL) {
        char line[300];
        first_line(line, sizeof(line), PQerrorMessage(db->conn));
        return db_fail(err, CW_EXIT_DATAERR, NULL, "cannot quote for SQL: %s", line);
    }
    *out = strdup(pq);
    PQfreemem(pq);
    if (*out == NULL)
        return db_fail(err, CW_EXIT_OSERR, NULL, "out of memory quoting for SQL");
    return 0;
}

int cw_db_quote_ident(char **out, cw_db *db, const char *ident, cw_error *err)
{
    *out = NULL;
    return take_pq_string(out, PQescapeIdentifier(db->conn, ident, strlen(ident)), db, err);
}

int cw_db_quote_literal(char **out, cw_db *db, const char *value, cw_error *err)
{
    *out = NULL;
    return take_pq_string(out, PQescapeLiteral(db->conn, value, strlen(value)), db, err);
}

void cw_db_cancel(cw_db *db)
{
    if (db == NULL || db->cancel == NULL)
        return;
    char buf[256];
    (void)PQcancel(db->cancel, buf, (int)sizeof(buf));
}

int cw_db_server_version(const cw_db *db)
{
    return db != NULL && db->conn != NULL ? PQserverVersion(db->conn) : 0;
}
