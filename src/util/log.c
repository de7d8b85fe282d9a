/* log.c - diagnostics on stderr; see log.h. */
#include "causeway/util/log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

void cw_log_init(cw_log *log, FILE *stream, const char *prog, cw_log_level level)
{
    const char *no_color = getenv("NO_COLOR");
    bool tty = isatty(fileno(stream)) == 1;
    log->stream = stream;
    log->level = level;
    log->prog = prog;
    log->progress = tty;
    log->color = tty && (no_color == NULL || no_color[0] == '\0');
}

static void vlog(const cw_log *log, cw_log_level level, const char *tag, const char *color,
                 const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void vlog(const cw_log *log, cw_log_level level, const char *tag, const char *color,
                 const char *fmt, va_list ap)
{
    if (level > log->level)
        return;
    if (log->color)
        fprintf(log->stream, "%s: \033[%sm%s:\033[0m ", log->prog, color, tag);
    else
        fprintf(log->stream, "%s: %s: ", log->prog, tag);
    vfprintf(log->stream, fmt, ap);
    fputc('\n', log->stream);
}

void cw_log_warn(const cw_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(log, CW_LOG_WARN, "warning", "1;35", fmt, ap);
    va_end(ap);
}

void cw_log_info(const cw_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(log, CW_LOG_INFO, "info", "1;36", fmt, ap);
    va_end(ap);
}

void cw_log_debug(const cw_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(log, CW_LOG_DEBUG, "debug", "2", fmt, ap);
    va_end(ap);
}

void cw_log_error(const cw_log *log, const cw_error *err)
{
    cw_error_write(log->stream, log->prog, err);
}

void cw_log_debug_text(const cw_log *log, const char *label, const char *text, size_t len)
{
    if (log->level < CW_LOG_DEBUG)
        return;
    fprintf(log->stream, "%s: debug: %s: \"", log->prog, label);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        /* U+202A..U+202E and U+2066..U+2069 reorder terminal text: escape them. */
        if (c == 0xE2 && i + 2 < len && (unsigned char)text[i + 1] == 0x80 &&
            (unsigned char)text[i + 2] >= 0xAA && (unsigned char)text[i + 2] <= 0xAE) {
            fprintf(log->stream, "\\u%04x", 0x2000u + (unsigned char)text[i + 2] - 0x80u);
            i += 2;
        } else if (c == 0xE2 && i + 2 < len && (unsigned char)text[i + 1] == 0x81 &&
                   (unsigned char)text[i + 2] >= 0xA6 && (unsigned char)text[i + 2] <= 0xA9) {
            fprintf(log->stream, "\\u%04x", 0x2040u + (unsigned char)text[i + 2] - 0x80u);
            i += 2;
        } else if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') {
            fprintf(log->stream, "\\x%02x", c);
        } else {
            fputc(c, log->stream);
        }
    }
    fputs("\"\n", log->stream);
}

void cw_log_progress(const cw_log *log, const char *fmt, ...)
{
    if (!log->progress || log->level < CW_LOG_WARN)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("\r\033[K", log->stream);
    vfprintf(log->stream, fmt, ap);
    va_end(ap);
    fflush(log->stream);
}

void cw_log_progress_done(const cw_log *log)
{
    if (log->progress && log->level >= CW_LOG_WARN)
        fputs("\r\033[K", log->stream);
}
