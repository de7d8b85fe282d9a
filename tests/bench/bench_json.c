/*
 * bench_json.c - the JSON library question of issue 19, measured on the project's
 * own work in one process (`make bench-json`):
 *
 *   bench_json --jsonl FILE [--items N --weeks N --rounds N]
 *
 * reading: each line of a JSON Lines corpus (tests/tools/bench-json.sh makes 1 M
 *   complaints of it) parsed as one object and its id/text/channel/site fetched, by
 *   jansson (JSON_REJECT_DUPLICATES, as causeway reads), by json-c (strict, UTF-8
 *   validated) and by causeway's own JSON Lines reader (cw_input, whatever it is
 *   built on), against a baseline that only splits the lines and checksums every byte;
 * writing: a ranking-shaped document (N items of 11 numbers and an N-week series,
 *   numbers as %.6g) written by jansson, by json-c (json_object_new_double_s) and by
 *   plain printf, into an in-memory stream, --rounds times.
 * Each is run three times; the fastest CPU time is reported, with its ratio to the
 * baseline (reading) or to printf (writing).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "causeway/corpus/input.h"
#include "json/side.h"

const char *const bench_number_names[BENCH_NUMBERS] = {
    "slope_pct",      "strength", "score",  "volume", "rate",         "trend_factor",
    "severity_floor", "baseline", "recent", "excess", "driver_factor"};

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fold(const char *s, size_t n, uint64_t *sum)
{
    for (size_t i = 0; i < n; i++)
        *sum = *sum * 31 + (unsigned char)s[i];
}

static int baseline_lines(const char *data, size_t len, uint64_t *sum)
{
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        fold(p, n, sum);
        p += n + 1;
    }
    return 0;
}

int jansson_parse_lines(const char *data, size_t len, uint64_t *sum)
{
    static const char *const keys[] = {"id", "text", "channel", "site"};
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        json_error_t e;
        json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
        if (o == NULL || !json_is_object(o)) {
            fprintf(stderr, "jansson: %d:%d: %s\n", e.line, e.column, e.text);
            json_decref(o);
            return -1;
        }
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            json_t *v = json_object_get(o, keys[k]);
            if (json_is_string(v))
                fold(json_string_value(v), json_string_length(v), sum);
        }
        json_decref(o);
        p += n + 1;
    }
    return 0;
}

/*
 * The same with jansson's allocator replaced by a bump arena reset per line: how much
 * of jansson's time is malloc/free (a ceiling only: the hook is process-global, which
 * causeway's no-global-state rule does not allow in the tool itself).
 */
static struct {
    char *p;
    size_t used, cap;
} arena;

static void *arena_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (arena.used + n > arena.cap)
        return NULL;
    void *p = arena.p + arena.used;
    arena.used += n;
    return p;
}

static void arena_free(void *p)
{
    (void)p;
}

static int jansson_arena_lines(const char *data, size_t len, uint64_t *sum)
{
    arena.cap = 1u << 24;
    arena.p = malloc(arena.cap);
    json_set_alloc_funcs(arena_alloc, arena_free);
    static const char *const keys[] = {"id", "text", "channel", "site"};
    const char *p = data, *end = data + len;
    int rc = 0;
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        arena.used = 0;
        json_error_t e;
        json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
        if (o == NULL)
            rc = -1;
        for (size_t k = 0; rc == 0 && k < sizeof(keys) / sizeof(keys[0]); k++) {
            json_t *v = json_object_get(o, keys[k]);
            if (json_is_string(v))
                fold(json_string_value(v), json_string_length(v), sum);
        }
        p += n + 1;
    }
    json_set_alloc_funcs(malloc, free);
    free(arena.p);
    return rc;
}

static int cw_input_lines(const char *data, size_t len, uint64_t *sum)
{
    FILE *f = fmemopen((void *)data, len, "rb");
    if (f == NULL)
        return -1;
    cw_input_options opt = {.format = CW_INPUT_JSONL};
    opt.field_columns[CW_FIELD_CHANNEL] = "channel";
    opt.field_columns[CW_FIELD_SITE] = "site";
    cw_input *in = NULL;
    cw_error err;
    cw_error_clear(&err);
    int rc = cw_input_new(&in, f, "corpus", &opt, &err);
    cw_record rec;
    while (rc == 0 && (rc = cw_input_next(&rec, in, &err)) == 1) {
        fold(rec.id, strlen(rec.id), sum);
        fold(rec.text, rec.text_len, sum);
        for (size_t k = 0; k < CW_FIELD_COUNT; k++)
            if (rec.fields[k] != NULL)
                fold(rec.fields[k], strlen(rec.fields[k]), sum);
        rc = 0;
    }
    if (rc < 0)
        fprintf(stderr, "cw_input: %s\n", err.message);
    cw_input_free(in);
    fclose(f);
    return rc < 0 ? -1 : 0;
}

size_t jansson_write_ranking(FILE *out, const bench_ranking *r)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "schema", json_string("causeway.ranking/2"));
    json_t *items = json_array();
    for (size_t i = 0; i < r->items; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "rank", json_integer((json_int_t)i + 1));
        json_object_set_new(e, "area_id", json_string(r->names[i % r->name_count]));
        for (size_t k = 0; k < BENCH_NUMBERS; k++)
            json_object_set_new(e, bench_number_names[k],
                                json_real(r->values[(i * BENCH_NUMBERS + k) % r->value_count]));
        json_t *series = json_array();
        for (size_t w = 0; w < r->weeks; w++)
            json_array_append_new(series, json_real(r->values[(i + w) % r->value_count]));
        json_object_set_new(e, "series", series);
        json_array_append_new(items, e);
    }
    json_object_set_new(doc, "items", items);
    char *s = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
    size_t n = strlen(s);
    fwrite(s, 1, n, out);
    free(s);
    json_decref(doc);
    return n;
}

size_t printf_write_ranking(FILE *out, const bench_ranking *r)
{
    long start = ftell(out);
    fputs("{\"schema\":\"causeway.ranking/2\",\"items\":[", out);
    for (size_t i = 0; i < r->items; i++) {
        fprintf(out, "%s{\"rank\":%zu,\"area_id\":\"%s\"", i > 0 ? "," : "", i + 1,
                r->names[i % r->name_count]);
        for (size_t k = 0; k < BENCH_NUMBERS; k++)
            fprintf(out, ",\"%s\":%.6g", bench_number_names[k],
                    r->values[(i * BENCH_NUMBERS + k) % r->value_count]);
        fputs(",\"series\":[", out);
        for (size_t w = 0; w < r->weeks; w++)
            fprintf(out, "%s%.6g", w > 0 ? "," : "", r->values[(i + w) % r->value_count]);
        fputs("]}", out);
    }
    fputs("]}", out);
    return (size_t)(ftell(out) - start);
}

typedef int (*reader_fn)(const char *, size_t, uint64_t *);
typedef size_t (*writer_fn)(FILE *, const bench_ranking *);

static double time_reader(reader_fn fn, const char *data, size_t len, uint64_t *sum)
{
    double best = 1e30;
    for (int round = 0; round < 3; round++) {
        *sum = 0;
        double t0 = cpu_seconds();
        if (fn(data, len, sum) != 0)
            return -1;
        double t = cpu_seconds() - t0;
        best = t < best ? t : best;
    }
    return best;
}

static double time_writer(writer_fn fn, const bench_ranking *r, int rounds, size_t *bytes)
{
    double best = 1e30;
    for (int round = 0; round < 3; round++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        double t0 = cpu_seconds();
        for (int i = 0; i < rounds; i++) {
            rewind(f);
            *bytes = fn(f, r);
        }
        double t = cpu_seconds() - t0;
        fclose(f);
        free(buf);
        best = t < best ? t : best;
    }
    return best;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *p = malloc((size_t)n + 1);
    if (p != NULL && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    size_t items = 200, weeks = 104;
    int rounds = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--jsonl") == 0)
            path = argv[i + 1];
        else if (strcmp(argv[i], "--items") == 0)
            items = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--weeks") == 0)
            weeks = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = atoi(argv[i + 1]);
    }
    size_t len = 0;
    char *data = path != NULL ? slurp(path, &len) : NULL;
    if (data == NULL) {
        fprintf(stderr, "usage: bench_json --jsonl FILE [--items N --weeks N --rounds N]\n");
        return 64;
    }
    const struct {
        const char *name;
        reader_fn fn;
    } readers[] = {{"baseline (split + checksum)", baseline_lines},
                   {"jansson json_loadb", jansson_parse_lines},
                   {"jansson, arena allocator", jansson_arena_lines},
                   {"json-c json_tokener_parse_ex", jsonc_parse_lines},
                   {"causeway cw_input (jsonl)", cw_input_lines}};
    printf("reading %s: %.1f MB\n", path, (double)len / 1e6);
    double base = 0;
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
        uint64_t sum;
        double t = time_reader(readers[i].fn, data, len, &sum);
        if (t < 0)
            return 65;
        if (i == 0)
            base = t;
        printf("  %-30s %7.3f s  %7.1f MB/s  x%.2f of baseline  (sum %016llx)\n", readers[i].name,
               t, (double)len / 1e6 / t, t / base, (unsigned long long)sum);
    }
    free(data);

    static const char *const names[] = {"process", "skills", "technology", "communication"};
    double values[997];
    for (size_t i = 0; i < 997; i++)
        values[i] = (double)((i * 7919) % 100003) / 37.0 + (i % 5 == 0 ? 0.0 : 0.125);
    bench_ranking r = {items, weeks, names, 4, values, 997};
    const struct {
        const char *name;
        writer_fn fn;
    } writers[] = {{"printf (hand-written)", printf_write_ranking},
                   {"jansson json_dumps", jansson_write_ranking},
                   {"json-c to_json_string", jsonc_write_ranking}};
    printf("writing a ranking of %zu items x %zu weeks, %d times:\n", items, weeks, rounds);
    for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
        size_t bytes = 0;
        double t = time_writer(writers[i].fn, &r, rounds, &bytes);
        if (i == 0)
            base = t;
        printf("  %-30s %7.3f s  %6zu bytes  x%.2f of printf\n", writers[i].name, t, bytes,
               t / base);
    }
    return 0;
}
