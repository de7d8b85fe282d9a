/*
 * fuzz_input.c - libFuzzer harness over the complaint readers (input.h).
 *
 * The first byte picks the format (lines, CSV, JSON Lines) and whether a field
 * column is read; the rest is the input. Every input must end in records and a
 * clean end or a clean error (65, 71, 74), never a crash, hang or leak; every
 * record must be well formed. Seeds: tests/fuzz/corpus/input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/corpus/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    cw_input_options opt = {.format = (cw_input_format)(data[0] % 3)};
    if (data[0] & 4)
        opt.field_columns[CW_FIELD_SITE] = "site";
    if (opt.format == CW_INPUT_LINES)
        opt.field_columns[CW_FIELD_SITE] = NULL;
    FILE *f = fmemopen((void *)(data + 1), size - 1, "r");
    if (f == NULL)
        return 0;
    cw_input *in = NULL;
    cw_error err;
    cw_error_clear(&err);
    if (cw_input_new(&in, f, "fuzz", &opt, &err) == 0) {
        cw_record rec;
        int rc;
        while ((rc = cw_input_next(&rec, in, &err)) == 1) {
            if (rec.id == NULL || rec.text == NULL || rec.text[rec.text_len] != '\0' ||
                rec.line == 0)
                abort();
        }
        if (rc != 0 && err.code != CW_EXIT_DATAERR && err.code != CW_EXIT_OSERR &&
            err.code != CW_EXIT_IOERR)
            abort();
    } else if ((in != NULL || err.code == 0)) {
        abort();
    }
    cw_input_free(in);
    fclose(f);
    return 0;
}
