/*
 * fuzz_rules.c - libFuzzer harness over the rule loader (`make fuzz-rules`).
 *
 * Any input must end in success or a clean error (65, 70 or 71) without a
 * crash, hang, sanitizer report or leak. Seeds: the files in tests/data/rules.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "causeway/rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_rules *rules = NULL;
    cw_error err;
    cw_error_clear(&err);
    int rc = cw_rules_parse(&rules, "fuzz.yaml", (const char *)data, size, NULL, &err);
    if (rc == 0 && (rules == NULL || err.code != 0))
        abort();
    if (rc != 0 && (rules != NULL || (err.code != CW_EXIT_DATAERR && err.code != CW_EXIT_OSERR &&
                                      err.code != CW_EXIT_SOFTWARE)))
        abort();
    cw_rules_free(rules);
    return 0;
}
