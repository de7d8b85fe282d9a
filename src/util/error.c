/* error.c - errors as values; see error.h. */
#include "causeway/util/error.h"

#include <stdarg.h>
#include <string.h>

void cw_error_clear(cw_error *err)
{
    memset(err, 0, sizeof(*err));
}

static int vset(cw_error *err, int code, const char *file, unsigned line, unsigned column,
                const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

static int vset(cw_error *err, int code, const char *file, unsigned line, unsigned column,
                const char *fmt, va_list ap)
{
    if (err == NULL || err->code != 0)
        return -1;
    cw_error_clear(err);
    err->code = code;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    if (file != NULL)
        snprintf(err->file, sizeof(err->file), "%s", file);
    err->line = line;
    err->column = column;
    return -1;
}

int cw_error_set(cw_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int cw_error_set_at(cw_error *err, int code, const char *file, unsigned line, unsigned column,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, file, line, column, fmt, ap);
    va_end(ap);
    return -1;
}

void cw_error_detail(cw_error *err, const char *fmt, ...)
{
    if (err == NULL || err->code == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
}

void cw_error_hint(cw_error *err, const char *fmt, ...)
{
    if (err == NULL || err->code == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
    va_end(ap);
}

void cw_error_write(FILE *stream, const char *prog, const cw_error *err)
{
    if (err->file[0] != '\0' && err->line > 0 && err->column > 0)
        fprintf(stream, "%s:%u:%u: error: %s", err->file, err->line, err->column, err->message);
    else if (err->file[0] != '\0' && err->line > 0)
        fprintf(stream, "%s:%u: error: %s", err->file, err->line, err->message);
    else if (err->file[0] != '\0')
        fprintf(stream, "%s: error: %s", err->file, err->message);
    else
        fprintf(stream, "%s: error: %s", prog, err->message);
    if (err->sqlstate[0] != '\0')
        fprintf(stream, " (SQLSTATE %s)", err->sqlstate);
    fputc('\n', stream);
    if (err->detail[0] != '\0')
        fprintf(stream, "detail: %s\n", err->detail);
    if (err->hint[0] != '\0')
        fprintf(stream, "hint: %s\n", err->hint);
}

const char *cw_error_code_name(int code)
{
    switch (code) {
    case CW_EXIT_OK:
        return "ok";
    case CW_EXIT_USAGE:
        return "usage";
    case CW_EXIT_DATAERR:
        return "invalid data";
    case CW_EXIT_NOINPUT:
        return "missing input";
    case CW_EXIT_SOFTWARE:
        return "internal error";
    case CW_EXIT_OSERR:
        return "out of memory";
    case CW_EXIT_IOERR:
        return "i/o error";
    case CW_EXIT_TEMPFAIL:
        return "temporary failure";
    case CW_EXIT_NOPERM:
        return "permission denied";
    case CW_EXIT_CONFIG:
        return "configuration error";
    default:
        return "error";
    }
}
