/*
 * log.h - the one diagnostics channel (stderr), with levels.
 *
 * Results never go through the logger: they go to the FILE * handed to a writer.
 * Complaint text is personal data: it may be logged only at CW_LOG_DEBUG, and
 * only through cw_log_debug_text(), which escapes control characters.
 */
#ifndef CAUSEWAY_LOG_H
#define CAUSEWAY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "causeway/util/error.h"

typedef enum cw_log_level {
    CW_LOG_QUIET = 0, /* errors only */
    CW_LOG_WARN,      /* errors and warnings (default) */
    CW_LOG_INFO,      /* -v: what the job is doing */
    CW_LOG_DEBUG,     /* -vv: may include complaint text */
} cw_log_level;

typedef struct cw_log {
    FILE *stream;       /* borrowed; normally stderr */
    cw_log_level level; /* messages above this level are dropped */
    bool color;         /* stream is a terminal and NO_COLOR is unset */
    bool progress;      /* stream is a terminal: progress lines allowed */
    const char *prog;   /* program name prefix, borrowed */
} cw_log;

/* Initialise log for `stream`; colour and progress follow isatty() and NO_COLOR. */
void cw_log_init(cw_log *log, FILE *stream, const char *prog, cw_log_level level);

void cw_log_warn(const cw_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_log_info(const cw_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_log_debug(const cw_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write an error (always shown, whatever the level). */
void cw_log_error(const cw_log *log, const cw_error *err);

/*
 * Debug-level only: log `len` bytes of complaint text, escaping control and
 * bidirectional-override characters so they never reach a terminal raw.
 */
void cw_log_debug_text(const cw_log *log, const char *label, const char *text, size_t len);

/* Transient progress line on a terminal ("\r...", cleared by cw_log_progress_done). */
void cw_log_progress(const cw_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_log_progress_done(const cw_log *log);

#endif
