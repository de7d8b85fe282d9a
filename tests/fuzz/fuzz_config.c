/*
 * fuzz_config.c - libFuzzer harness over the configuration loader.
 *
 * Any input must end in success or a clean error (65 or 71) without a crash,
 * hang, sanitizer report or leak, and a loaded configuration must still be
 * finalisable. Seeds: the files in tests/data/config.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "causeway/store/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_config c;
    cw_error err;
    cw_error_clear(&err);
    if (cw_config_init(&c, &err) != 0)
        return 0;
    int rc = cw_config_parse(&c, "dir/fuzz.yaml", (const char *)data, size, NULL, &err);
    if (rc == 0 && err.code != 0)
        abort();
    if (rc != 0 && err.code != CW_EXIT_DATAERR && err.code != CW_EXIT_OSERR)
        abort();
    cw_config_fini(&c);
    return 0;
}
