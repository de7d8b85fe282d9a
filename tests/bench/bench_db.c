/*
 * bench_db.c - the data layer's two bulk paths against a baseline in the same run.
 *   1. COPY FROM (cw_db_copy_in_row, 64 KiB chunks) vs one parameterised INSERT
 *      per row inside one transaction: rows per second, ratio.
 *   2. COPY TO streaming (cw_db_copy_out): peak RSS growth reading N rows vs 10 N
 *      rows; a ratio near 1 means memory does not depend on the row count.
 * Usage: tests/tools/pgtmp.sh build/release/bench/bench_db [ROWS]   (needs CW_TEST_DSN)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "causeway/store/db.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Current resident set in KiB (from /proc/self/statm). */
static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

typedef struct peak {
    long base;
    long max;
    long rows;
} peak;

static int track(void *user, int ncols, const char *const *values, const size_t *lens,
                 cw_error *err)
{
    (void)ncols;
    (void)values;
    (void)lens;
    (void)err;
    peak *p = user;
    if (++p->rows % 4096 == 0) {
        long r = rss_kib();
        if (r > p->max)
            p->max = r;
    }
    return 0;
}

static int fail(const cw_error *err)
{
    fprintf(stderr, "bench_db: %s (SQLSTATE %s)\n", err->message, err->sqlstate);
    return 1;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    const char *dsn = getenv("CW_TEST_DSN");
    cw_error err;
    cw_error_clear(&err);
    cw_db *db = NULL;
    cw_log log;
    cw_log_init(&log, stderr, "bench_db", CW_LOG_WARN);
    if (cw_db_connect(&db, dsn, &log, &err) != 0)
        return fail(&err);
    if (cw_db_exec(db,
                   "DROP SCHEMA IF EXISTS bench_db CASCADE; CREATE SCHEMA bench_db; "
                   "CREATE TABLE bench_db.a (id text, body text); "
                   "CREATE TABLE bench_db.b (id text, body text)",
                   &err) != 0)
        return fail(&err);
    static const char body[] = "the courier left the parcel\tat the wrong door \\ again";
    char id[32];
    const char *vals[] = {id, body};

    long ins = n / 10 > 0 ? n / 10 : 1;
    double t0 = now();
    if (cw_db_begin(db, &err) != 0)
        return fail(&err);
    for (long i = 0; i < ins; i++) {
        snprintf(id, sizeof(id), "%ld", i);
        if (cw_db_query(db, "INSERT INTO bench_db.a VALUES ($1, $2)", 2, vals, NULL, NULL, &err) !=
            0)
            return fail(&err);
    }
    if (cw_db_commit(db, &err) != 0)
        return fail(&err);
    double t_ins = now() - t0;

    t0 = now();
    if (cw_db_copy_in_begin(db, "COPY bench_db.b (id, body) FROM STDIN", &err) != 0)
        return fail(&err);
    for (long i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "%ld", i);
        if (cw_db_copy_in_row(db, 2, vals, NULL, &err) != 0)
            break;
    }
    if (cw_db_copy_in_end(db, &err) != 0)
        return fail(&err);
    double t_copy = now() - t0;
    double r_ins = (double)ins / t_ins, r_copy = (double)n / t_copy;
    printf("insert baseline: %ld rows in %.3f s = %.0f rows/s\n", ins, t_ins, r_ins);
    printf("copy_in:         %ld rows in %.3f s = %.0f rows/s  (ratio %.1fx)\n", n, t_copy, r_copy,
           r_copy / r_ins);

    char sql[300];
    long growth[2];
    long counts[2] = {n, 10 * n};
    for (int k = 0; k < 2; k++) {
        snprintf(sql, sizeof(sql),
                 "COPY (SELECT g, b.body FROM pg_catalog.generate_series(1, %ld) g, "
                 "(SELECT body FROM bench_db.b LIMIT 1) b) TO STDOUT",
                 counts[k]);
        peak p = {.base = rss_kib()};
        p.max = p.base;
        t0 = now();
        if (cw_db_copy_out(db, sql, track, &p, &err) != 0)
            return fail(&err);
        growth[k] = p.max - p.base;
        printf("copy_out:        %ld rows in %.3f s, RSS growth %ld KiB\n", p.rows, now() - t0,
               growth[k]);
    }
    printf("copy_out RSS growth, 10x rows vs 1x: %ld KiB vs %ld KiB\n", growth[1], growth[0]);
    cw_db_exec(db, "DROP SCHEMA bench_db CASCADE", &err);
    cw_db_free(db);
    return 0;
}
