/* side.h - what bench_json's library halves share (see tests/bench/bench_json.c). */
#ifndef CW_BENCH_JSON_SIDE_H
#define CW_BENCH_JSON_SIDE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_NUMBERS 11

extern const char *const bench_number_names[BENCH_NUMBERS];

typedef struct bench_ranking {
    size_t items, weeks;
    const char *const *names;
    size_t name_count;
    const double *values;
    size_t value_count;
} bench_ranking;

/* Parse each line of data as one object and fold its id/text/channel/site into *sum. */
int jsonc_parse_lines(const char *data, size_t len, uint64_t *sum);
int jansson_parse_lines(const char *data, size_t len, uint64_t *sum);

/* Write one ranking-shaped document; returns the bytes written. */
size_t jsonc_write_ranking(FILE *out, const bench_ranking *r);
size_t jansson_write_ranking(FILE *out, const bench_ranking *r);
size_t printf_write_ranking(FILE *out, const bench_ranking *r);

#endif
