/*
 * bench_csv.c - the CSV half of issue 19's library question: is Debian's libcsv
 * (libcsv-dev 3.0.3) a match for causeway's own RFC 4180 reader (input.c)?
 *
 *   bench_csv --csv FILE
 *
 * First the behaviours the reader must have, each checked on both (quoted newlines,
 * CRLF, a UTF-8 byte order mark, spaces kept, an unterminated quote and a stray quote
 * refused with their position), then the speed: the file parsed into records by each,
 * in memory, best CPU time of three, with the ratio to causeway's reader.
 */
#include <csv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "causeway/corpus/input.h"

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct tally {
    unsigned long records, fields;
    unsigned long long sum;
    char head[64];  /* the first field of the header */
    char first[64]; /* the first field of the first data record */
} tally;

static void on_field(void *s, size_t n, void *user)
{
    tally *t = user;
    if (t->records <= 1 && t->fields == 0)
        snprintf(t->records == 0 ? t->head : t->first, sizeof(t->first), "%.*s", (int)n,
                 s != NULL ? (const char *)s : "");
    for (size_t i = 0; i < n; i++)
        t->sum = t->sum * 31 + ((const unsigned char *)s)[i];
    t->fields++;
}

static void on_record(int c, void *user)
{
    (void)c;
    tally *t = user;
    t->records++;
    t->fields = 0;
}

/* RFC 4180: spaces are part of a field (libcsv trims them unless told otherwise). */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* Strict libcsv over data: 0, or -1 with *at the bytes it took before the error. */
static int libcsv_parse(const char *data, size_t len, tally *t, size_t *at)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return -1;
    csv_set_space_func(&p, no_space);
    memset(t, 0, sizeof(*t));
    size_t n = csv_parse(&p, data, len, on_field, on_record, t);
    int rc = n == len && csv_fini(&p, on_field, on_record, t) == 0 ? 0 : -1;
    *at = n;
    csv_free(&p);
    return rc;
}

static int causeway_parse(const char *data, size_t len, tally *t, cw_error *err)
{
    memset(t, 0, sizeof(*t));
    FILE *f = fmemopen((void *)data, len, "rb");
    cw_input_options opt = {.format = CW_INPUT_CSV, .table = true};
    cw_input *in = NULL;
    cw_error_clear(err);
    int rc = cw_input_new(&in, f, "bench.csv", &opt, err);
    cw_record rec;
    if (rc == 0) { /* the header, as libcsv reports it: the first record */
        const char *const *names;
        size_t n = cw_input_header(in, &names);
        for (size_t i = 0; i < n; i++)
            on_field((void *)names[i], strlen(names[i]), t);
        on_record(0, t);
    }
    while (rc == 0 && (rc = cw_input_next(&rec, in, err)) == 1) {
        for (size_t i = 0; i < rec.cell_count; i++)
            on_field((void *)rec.cells[i], strlen(rec.cells[i]), t);
        on_record(0, t);
        rc = 0;
    }
    cw_input_free(in);
    fclose(f);
    return rc < 0 ? -1 : 0;
}

static void behaviours(void)
{
    static const struct {
        const char *what, *csv;
    } cases[] = {
        {"quoted newline", "id,text\n\"a\nb\",x\n"},
        {"CRLF", "id,text\r\n1,x\r\n"},
        {"byte order mark (header)", "\xef\xbb\xbfid,text\n1,x\n"},
        {"spaces kept", "id,text\n  1  ,x\n"},
        {"unterminated quote (line 3)", "id,text\n1,x\n2,\"open\n"},
        {"stray quote (line 2, col 4)", "id,text\n1,a\"b\n"},
    };
    printf("behaviours (first field of the first record, or the error):\n");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tally a, b;
        size_t at;
        cw_error err;
        int ra = libcsv_parse(cases[i].csv, strlen(cases[i].csv), &a, &at);
        int rb = causeway_parse(cases[i].csv, strlen(cases[i].csv), &b, &err);
        char la[96], lb[640];
        bool bom = strncmp(cases[i].what, "byte order", 10) == 0;
        if (ra == 0)
            snprintf(la, sizeof(la), "'%s'%s", bom ? a.head : a.first,
                     bom && a.head[0] != 'i' ? " (BOM kept in the name)" : "");
        else
            snprintf(la, sizeof(la), "error after byte %zu, no line/column", at);
        if (rb == 0)
            snprintf(lb, sizeof(lb), "'%s'", bom ? b.head : b.first);
        else
            snprintf(lb, sizeof(lb), "%u:%u: %s", err.line, err.column, err.message);
        printf("  %-28s libcsv: %-40s causeway: %s\n", cases[i].what, la, lb);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--csv") != 0) {
        fprintf(stderr, "usage: bench_csv --csv FILE\n");
        return 64;
    }
    behaviours();
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL)
        return 66;
    fseek(f, 0, SEEK_END);
    size_t len = (size_t)ftell(f);
    rewind(f);
    char *data = malloc(len);
    if (data == NULL || fread(data, 1, len, f) != len)
        return 74;
    fclose(f);
    double best[2] = {1e30, 1e30};
    tally t[2];
    for (int round = 0; round < 3; round++) {
        size_t at;
        cw_error err;
        double t0 = cpu_seconds();
        if (causeway_parse(data, len, &t[0], &err) != 0)
            return fprintf(stderr, "causeway: %s\n", err.message), 65;
        double t1 = cpu_seconds();
        if (libcsv_parse(data, len, &t[1], &at) != 0)
            return fprintf(stderr, "libcsv: error after byte %zu\n", at), 65;
        double t2 = cpu_seconds();
        best[0] = t1 - t0 < best[0] ? t1 - t0 : best[0];
        best[1] = t2 - t1 < best[1] ? t2 - t1 : best[1];
    }
    printf("speed on %s (%.1f MB, %lu records):\n", argv[2], (double)len / 1e6, t[0].records);
    printf("  causeway cw_input (csv)  %6.3f s  %7.1f MB/s  x1.00  (sum %016llx)\n", best[0],
           (double)len / 1e6 / best[0], t[0].sum);
    printf("  libcsv 3.0.3 (strict)    %6.3f s  %7.1f MB/s  x%.2f  (sum %016llx)\n", best[1],
           (double)len / 1e6 / best[1], best[1] / best[0], t[1].sum);
    free(data);
    return 0;
}
