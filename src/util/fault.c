/* fault.c - named fault points for tests; see fault.h. */
#include "causeway/util/fault.h"

#ifdef CW_FAULT_HOOKS
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cw_fault_point(const char *name)
{
    const char *spec = getenv("CW_FAULT_AT");
    size_t len = strlen(name);
    if (spec == NULL || strncmp(spec, name, len) != 0 || spec[len] != ':')
        return 0;
    const char *action = spec + len + 1;
    if (strcmp(action, "kill") == 0)
        raise(SIGKILL);
    if (strcmp(action, "fail") == 0)
        return -1;
    /* Stop rather than block: a stopped process keeps its signals pending, so a
     * test can kill the backend or send SIGTERM and then SIGCONT, and the run
     * meets the fault exactly where it would in production. */
    fprintf(stderr, "causeway: fault point %s reached\n", name);
    fflush(stderr);
    raise(SIGSTOP);
    return 0;
}
#else
/* ISO C forbids an empty translation unit. */
typedef int cw_fault_unused;
#endif
