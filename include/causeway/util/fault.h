/*
 * fault.h - named fault points for tests (compiled only with -DCW_FAULT_HOOKS,
 * i.e. the asan test build; release builds compile them away).
 *
 * With CW_FAULT_AT=NAME:ACTION in the environment, reaching point NAME:
 *   pause  prints "causeway: fault point NAME reached" to stderr and stops
 *          the process (SIGSTOP), so a test can kill the backend or queue a
 *          SIGTERM at an exact moment, then SIGCONT it to go on from there;
 *   kill   raises SIGKILL (a crash at that point);
 *   fail   makes cw_fault_point return -1 (the caller reports an I/O error).
 */
#ifndef CAUSEWAY_FAULT_H
#define CAUSEWAY_FAULT_H

#ifdef CW_FAULT_HOOKS
int cw_fault_point(const char *name);
#else
static inline int cw_fault_point(const char *name)
{
    (void)name;
    return 0;
}
#endif

#endif
