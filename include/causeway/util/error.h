/*
 * error.h - errors as values.
 *
 * Every fallible function returns 0 on success or -1 on failure and fills a
 * caller-owned cw_error. The function that detects a failure writes the message;
 * callers pass the failure up unchanged (cw_error_set never overwrites an error
 * that is already set, so the first, most precise message wins).
 *
 * The code of an error is the process exit status it maps to (sysexits.h), so
 * main() can return err.code without a translation table.
 */
#ifndef CAUSEWAY_ERROR_H
#define CAUSEWAY_ERROR_H

#include <stdio.h>

/* Exit statuses, documented in --help and causeway(1). */
enum {
    CW_EXIT_OK = 0,        /* success, including "nothing to do" */
    CW_EXIT_USAGE = 64,    /* bad command line */
    CW_EXIT_DATAERR = 65,  /* invalid rules or input data */
    CW_EXIT_NOINPUT = 66,  /* input file missing or unreadable */
    CW_EXIT_SOFTWARE = 70, /* internal error (a bug) */
    CW_EXIT_OSERR = 71,    /* out of memory or other system error */
    CW_EXIT_IOERR = 74,    /* local I/O error, e.g. stdout is /dev/full */
    CW_EXIT_TEMPFAIL = 75, /* database unreachable, connection lost, run locked */
    CW_EXIT_NOPERM = 77,   /* permission, authentication or TLS failure */
    CW_EXIT_CONFIG = 78,   /* configuration error (incl. results schema missing) */
};

typedef struct cw_error {
    int code;          /* CW_EXIT_*; 0 while no error is set */
    char message[512]; /* one line, lower case, names the object */
    char detail[512];  /* optional second line ("detail: ...") */
    char hint[256];    /* optional third line ("hint: ...") */
    char file[256];    /* input file the error is about, or "" */
    unsigned line;     /* 1-based; 0 when unknown */
    unsigned column;   /* 1-based; 0 when unknown */
    char sqlstate[6];  /* PostgreSQL SQLSTATE, or "" */
} cw_error;

/* Reset err to "no error". */
void cw_error_clear(cw_error *err);

/*
 * Record a failure with exit code `code` and a printf-style message, unless err
 * already holds one. Always returns -1 so callers can `return cw_error_set(...)`.
 */
int cw_error_set(cw_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As cw_error_set, with the position in an input file (line/column 1-based, 0 = unknown). */
int cw_error_set_at(cw_error *err, int code, const char *file, unsigned line, unsigned column,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Add a detail or hint line to the error already set (no-op when none is set). */
void cw_error_detail(cw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_error_hint(cw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Write err as diagnostics, PostgreSQL-client style:
 *   file:line:col: error: message        (positioned)
 *   PROG: error: message (SQLSTATE xxxxx) (otherwise)
 *   detail: ... / hint: ...
 * `prog` is the program name used when the error has no file.
 */
void cw_error_write(FILE *stream, const char *prog, const cw_error *err);

/* Name of an exit code for messages and docs ("usage", "tempfail", ...). */
const char *cw_error_code_name(int code);

#endif
