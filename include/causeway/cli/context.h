/*
 * context.h - the run state passed down from main to every command.
 * No module keeps mutable global state; what a command needs lives here.
 */
#ifndef CAUSEWAY_CONTEXT_H
#define CAUSEWAY_CONTEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "causeway/util/log.h"

typedef struct cw_ctx {
    const char *prog;   /* program name for messages ("causeway") */
    cw_log log;         /* diagnostics (stderr) */
    FILE *out;          /* results (stdout); borrowed */
    bool stdout_closed; /* fd 1 was closed at start-up (it now holds /dev/null, read-only) */
} cw_ctx;

#endif
