/*
 * bench_classify.c - single-core classification throughput against a baseline
 * measured in the same process (`make bench-classify`).
 *
 *   bench_classify [--rules FILE] [--target-mb N] --lines FILE
 *   bench_classify [--rules FILE] [--target-mb N] --csv FILE [--text-column NAME]
 *
 * The corpus is loaded into memory first (one complaint per line; CSV texts
 * have their line breaks turned into spaces and are repeated until the corpus
 * reaches --target-mb), so neither measurement includes disk I/O. Then:
 *   baseline: split the corpus into lines and touch every byte (a checksum);
 *   vectorscan: split it and scan each line with the rule set's database alone,
 *             counting the reports and interpreting none (the ceiling: what
 *             classify would cost if all its own work were free);
 *   classify: split the corpus into lines and cw_matcher_classify each one;
 *   counting: the same with a scan that counts rule-entry statistics (cw_scan_stats_enable,
 *             as `causeway coverage` classifies), to show what the counting costs, and
 *             that the plain scan above does not pay it.
 * Each is run several times and the fastest run (CPU time) is reported.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "causeway/corpus/input.h"
#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"

typedef struct corpus {
    char *data;
    size_t len;
    size_t lines;
} corpus;

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int append(corpus *c, size_t *cap, const char *s, size_t n)
{
    if (c->len + n + 1 > *cap) {
        size_t want = *cap ? *cap : 1u << 20;
        while (want < c->len + n + 1)
            want *= 2;
        char *p = realloc(c->data, want);
        if (p == NULL)
            return -1;
        c->data = p;
        *cap = want;
    }
    memcpy(c->data + c->len, s, n);
    c->len += n;
    return 0;
}

/* Read complaints with the product's own readers; lines keep their bytes, CSV texts are flattened.
 */
static int load(corpus *c, const char *path, const cw_input_options *opt, size_t target)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    cw_input *in = NULL;
    cw_error err;
    cw_error_clear(&err);
    size_t cap = 0;
    int rc = cw_input_new(&in, f, path, opt, &err);
    cw_record rec;
    while (rc == 0 && (rc = cw_input_next(&rec, in, &err)) == 1) {
        size_t start = c->len;
        if (append(c, &cap, rec.text, rec.text_len) != 0 || append(c, &cap, "\n", 1) != 0) {
            rc = -1;
            break;
        }
        for (size_t i = start; i + 1 < c->len; i++)
            if (c->data[i] == '\n' || c->data[i] == '\r')
                c->data[i] = ' ';
        c->lines++;
        rc = 0;
    }
    if (rc < 0)
        cw_error_write(stderr, "bench_classify", &err);
    cw_input_free(in);
    fclose(f);
    if (rc < 0 || c->len == 0)
        return -1;
    /* Repeat a small corpus (real narratives) until it is large enough to time. */
    size_t base = c->len, base_lines = c->lines;
    if (target > base) {
        size_t copies = (target + base - 1) / base;
        char *p = realloc(c->data, base * copies + 1);
        if (p == NULL)
            return -1;
        c->data = p;
        for (size_t k = 1; k < copies; k++)
            memcpy(c->data + k * base, c->data, base);
        c->len = base * copies;
        c->lines = base_lines * copies;
    }
    return 0;
}

/* Length of the line (complaint) starting at p: up to its '\n' or the end of the corpus. */
static size_t line_len(const corpus *c, const char *p)
{
    const char *end = c->data + c->len, *nl = memchr(p, '\n', (size_t)(end - p));
    return nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
}

static uint64_t baseline(const corpus *c, size_t *lines)
{
    uint64_t sum = 0;
    size_t n = 0, len;
    for (const char *p = c->data; p < c->data + c->len; p += len + 1) {
        len = line_len(c, p);
        uint64_t s = 0;
        for (size_t i = 0; i < len; i++)
            s += (unsigned char)p[i];
        sum = sum * 31u + s;
        n++;
    }
    *lines = n;
    return sum;
}

static int scan_only(const corpus *c, cw_scan *scan, long long *reports)
{
    cw_error err;
    cw_error_clear(&err);
    *reports = 0;
    size_t len;
    for (const char *p = c->data; p < c->data + c->len; p += len + 1) {
        len = line_len(c, p);
        long long n = cw_matcher_count_reports(scan, p, len, &err);
        if (n < 0) {
            cw_error_write(stderr, "bench_classify", &err);
            return -1;
        }
        *reports += n;
    }
    return 0;
}

static int classify(const corpus *c, cw_scan *scan, size_t *lines, size_t *with_hits,
                    size_t *hits_total)
{
    cw_error err;
    cw_error_clear(&err);
    *lines = *with_hits = *hits_total = 0;
    size_t len;
    for (const char *p = c->data; p < c->data + c->len; p += len + 1) {
        len = line_len(c, p);
        cw_complaint cp = {.body = p, .body_len = len};
        const cw_hit *hits;
        size_t count;
        if (cw_matcher_classify(&hits, &count, scan, &cp, &err) != 0) {
            cw_error_write(stderr, "bench_classify", &err);
            return -1;
        }
        (*lines)++;
        *with_hits += count > 0;
        *hits_total += count;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *rules_path = NULL, *lines_path = NULL, *csv_path = NULL, *text_column = NULL;
    double target_mb = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v != NULL && strcmp(a, "--rules") == 0)
            rules_path = v;
        else if (v != NULL && strcmp(a, "--lines") == 0)
            lines_path = v;
        else if (v != NULL && strcmp(a, "--csv") == 0)
            csv_path = v;
        else if (v != NULL && strcmp(a, "--text-column") == 0)
            text_column = v;
        else if (v != NULL && strcmp(a, "--target-mb") == 0)
            target_mb = atof(v);
        else {
            fprintf(stderr, "usage: bench_classify [--rules FILE] [--target-mb N] "
                            "(--lines FILE | --csv FILE [--text-column NAME])\n");
            return 64;
        }
        i++;
    }
    if ((lines_path == NULL) == (csv_path == NULL)) {
        fprintf(stderr, "bench_classify: give exactly one of --lines and --csv\n");
        return 64;
    }
    cw_input_options opt = {.format = csv_path != NULL ? CW_INPUT_CSV : CW_INPUT_LINES,
                            .text_column = text_column};
    corpus c = {0};
    cw_rules *rules = NULL;
    cw_matcher *m = NULL;
    cw_scan *scan = NULL;
    cw_error err;
    cw_error_clear(&err);
    int status = 1;
    if (load(&c, csv_path != NULL ? csv_path : lines_path, &opt, (size_t)(target_mb * 1e6)) != 0)
        goto done;
    int rc = rules_path != NULL ? cw_rules_load(&rules, rules_path, stderr, &err)
                                : cw_rules_load_default(&rules, stderr, &err);
    if (rc != 0)
        goto done;
    double t0 = wall_seconds();
    if (cw_matcher_new(&m, rules, &err) != 0 || cw_scan_new(&scan, m, &err) != 0) {
        cw_error_write(stderr, "bench_classify", &err);
        goto done;
    }
    double compile = wall_seconds() - t0;
    size_t patterns = 0;
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_match_spec *sp = &rules->symptoms[s].match;
        patterns +=
            sp->any.count + sp->regex.count + sp->all.count + sp->unless.count + 2 * sp->near_count;
    }
    double mb = (double)c.len / 1e6;
    printf("corpus:   %s, %.1f MB, %zu complaints, mean %.0f bytes\n",
           csv_path != NULL ? csv_path : lines_path, mb, c.lines, (double)c.len / (double)c.lines);
    printf("rules:    %s, %zu symptoms, %zu patterns, %s, compiled in %.3f s\n", rules->path,
           rules->symptom_count, patterns, cw_matcher_version(), compile);

    double best_base = 1e30, best_cls = 1e30, wall_cls = 0;
    size_t lines = 0, with_hits = 0, hits_total = 0;
    uint64_t sink = 0;
    for (int run = 0; run < 3; run++) {
        double s = cpu_seconds();
        sink += baseline(&c, &lines);
        double d = cpu_seconds() - s;
        best_base = d < best_base ? d : best_base;
    }
    double best_scan = 1e30;
    long long reports = 0;
    for (int run = 0; run < 3; run++) {
        double s = cpu_seconds();
        if (scan_only(&c, scan, &reports) != 0)
            goto done;
        double d = cpu_seconds() - s;
        best_scan = d < best_scan ? d : best_scan;
    }
    for (int run = 0; run < 3; run++) {
        double s = cpu_seconds(), w = wall_seconds();
        if (classify(&c, scan, &lines, &with_hits, &hits_total) != 0)
            goto done;
        double d = cpu_seconds() - s;
        if (d < best_cls) {
            best_cls = d;
            wall_cls = wall_seconds() - w;
        }
    }
    cw_scan *counting = NULL;
    if (cw_scan_new(&counting, m, &err) != 0 || cw_scan_stats_enable(counting, &err) != 0) {
        cw_error_write(stderr, "bench_classify", &err);
        cw_scan_free(counting);
        goto done;
    }
    double best_count = 1e30;
    size_t count_hits = 0;
    for (int run = 0; run < 3; run++) {
        double s = cpu_seconds();
        if (classify(&c, counting, &lines, &with_hits, &count_hits) != 0) {
            cw_scan_free(counting);
            goto done;
        }
        double d = cpu_seconds() - s;
        best_count = d < best_count ? d : best_count;
    }
    cw_scan_free(counting);
    if (count_hits != hits_total) {
        fprintf(stderr, "bench_classify: the counting scan found %zu hits, the plain one %zu\n",
                count_hits, hits_total);
        goto done;
    }
    double base_mbs = mb / best_base, cls_mbs = mb / best_cls, scan_mbs = mb / best_scan;
    printf("baseline: %8.1f MB/s %12.0f complaints/s  (split lines + checksum of every byte; "
           "sum %llu)\n",
           base_mbs, (double)lines / best_base, (unsigned long long)(sink & 0xffff));
    printf("vectorscan: %6.1f MB/s %12.0f complaints/s  (the rule set's database alone, "
           "%lld reports ignored: the ceiling)\n",
           scan_mbs, (double)lines / best_scan, reports);
    printf("classify: %8.1f MB/s %12.0f complaints/s  (cw_matcher_classify; %.2f s CPU, %.2f s "
           "wall)\n",
           cls_mbs, (double)lines / best_cls, best_cls, wall_cls);
    printf("counting: %8.1f MB/s %12.0f complaints/s  (the same with rule-entry statistics, "
           "as coverage; %.2f of classify)\n",
           mb / best_count, (double)lines / best_count, best_cls / best_count);
    printf("          %zu complaints with symptoms (%.1f%%), %zu symptom hits\n", with_hits,
           100.0 * (double)with_hits / (double)lines, hits_total);
    printf("ratio:    classify runs at %.3f of the baseline's speed (%.1fx its cost)\n",
           cls_mbs / base_mbs, base_mbs / cls_mbs);
    printf("          and at %.2f of the ceiling's (Vectorscan is %.0f%% of its time)\n",
           cls_mbs / scan_mbs, 100.0 * best_scan / best_cls);
    printf("target:   >= 200 MB/s classify: %s\n", cls_mbs >= 200.0 ? "met" : "MISSED");
    status = 0;
done:
    cw_scan_free(scan);
    cw_matcher_free(m);
    cw_rules_free(rules);
    free(c.data);
    return status;
}
