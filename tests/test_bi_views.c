/*
 * test_bi_views.c - the BI views of migration 7 (docs/bi-views.md) against a real run:
 * bi_ranking gives the numbers `causeway report` prints, and the per-complaint view
 * bi_complaint_causes adds up to the weekly series bi_weekly (and so to what the
 * ranking was computed from). Uses its own source table and results schema.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static void causeway_ok(const char *const *argv, char **out)
{
    cw_test_output r;
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "%s %s: %s", argv[1], argv[2] != NULL ? argv[2] : "", r.err);
    if (out != NULL) {
        *out = r.out;
        r.out = NULL;
    }
    cw_test_output_fini(&r);
}

/* 40 weeks of generated complaints into SRC.complaints, ranked into RESULTS. */
static void load_and_run(const char *src, const char *results, char *config_path, size_t size)
{
    free(cw_test_queryf("CREATE SCHEMA %s; CREATE TABLE %s.complaints (id bigint PRIMARY KEY,"
                        " received_at timestamptz NOT NULL, channel text, site text, product text,"
                        " segment text, body text)",
                        src, src));
    const char *tools = getenv("CW_TOOLS");
    cr_assert_not_null(tools, "CW_TOOLS is not set: run under tests/tools/run-tests.sh");
    char load[1024];
    snprintf(load, sizeof(load),
             "set -o pipefail; '%s/gen_complaints' --weeks 40 --per-week 300 --format copy |"
             " psql -XAtq -v ON_ERROR_STOP=1 -d '%s' -c '\\copy %s.complaints (id, received_at,"
             " channel, site, product, segment, body) from stdin'",
             tools, cw_test_dsn(), src);
    cw_test_output r;
    const char *argv[] = {"bash", "-c", load, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "loading the sample: %s", r.err);
    cw_test_output_fini(&r);

    char config[256];
    snprintf(config, sizeof(config), "source:\n  table: %s.complaints\n", src);
    char *path = cw_test_write_temp(config, strlen(config));
    snprintf(config_path, size, "%s", path);
    free(path);
    const char *init[] = {"causeway", "db", "init", "-d", cw_test_dsn(), "--schema", results, NULL};
    causeway_ok(init, NULL);
    /* 2025-01-06 + 40 weeks: the last complete week is 2025-W40. */
    const char *run[] = {"causeway",  "run",      "-d",    cw_test_dsn(), "-c",
                         config_path, "--schema", results, "--week",      "2025-W37..2025-W40",
                         "--format",  "csv",      NULL};
    causeway_ok(run, NULL);
}

/* The first `n` fields of a CSV line (quotes honoured), copied into fields[i]. */
static void csv_fields(char fields[][128], size_t n, const char *line)
{
    const char *p = line;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        bool quoted = *p == '"';
        p += quoted;
        while (*p != '\0' && (quoted ? !(p[0] == '"' && p[1] != '"') : *p != ',')) {
            if (quoted && p[0] == '"')
                p++;
            if (len < 127)
                fields[i][len++] = *p;
            p++;
        }
        fields[i][len] = '\0';
        p += quoted;
        cr_assert(i + 1 == n || *p == ',', "short CSV line: %s", line);
        p += *p == ',';
    }
}

static bool close_to(double a, double b)
{
    return fabs(a - b) <= 1e-5 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

Test(bi_views, ranking_view_gives_the_numbers_of_the_report, .timeout = 300)
{
    char src[64], results[64], config[256];
    cw_test_unique_name(src, sizeof(src), "bisrc");
    cw_test_unique_name(results, sizeof(results), "bi");
    load_and_run(src, results, config, sizeof(config));

    char *csv = NULL;
    const char *report[] = {"causeway", "report",   "-d",  cw_test_dsn(), "--schema",
                            results,    "--format", "csv", NULL};
    causeway_ok(report, &csv);
    size_t compared = 0;
    char *save = NULL;
    char *line = strtok_r(csv, "\n", &save); /* the header */
    cr_assert(line != NULL && strncmp(line, "week,kind,rank,area_id,", 23) == 0, "%s", csv);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL && strncmp(line, "2025-W40,", 9) == 0) {
        char f[12][128];
        csv_fields(f, 12, line);
        char where[512];
        snprintf(where, sizeof(where),
                 "latest AND iso_week = '2025-W40' AND kind = '%s' AND area_id = '%s'"
                 " AND site = '%s'",
                 f[1], f[3], f[5]);
        char *row = cw_test_queryf("SELECT rank, status, score, volume FROM %s.bi_ranking WHERE %s",
                                   results, where);
        char rank[16], status[32];
        double score = 0, volume = 0;
        cr_assert_eq(sscanf(row, "%15[^|]|%31[^|]|%lf|%lf", rank, status, &score, &volume), 4,
                     "bi_ranking has no row for %s: '%s'", where, row);
        cr_assert_str_eq(rank, f[2], "%s: rank", where);
        cr_assert_str_eq(status, f[6], "%s: status", where);
        cr_assert(close_to(score, strtod(f[10], NULL)), "%s: score %g vs %s", where, score, f[10]);
        cr_assert(close_to(volume, strtod(f[11], NULL)), "%s: volume %g vs %s", where, volume,
                  f[11]);
        free(row);
        compared++;
    }
    free(csv);
    cr_assert_gt(compared, 10, "only %zu ranked items compared", compared);
    char *count = cw_test_queryf("SELECT count(*) FROM %s.bi_ranking WHERE latest%s", results, "");
    cr_assert_eq(strtoul(count, NULL, 10), compared, "bi_ranking has %s items, the report %zu",
                 count, compared);
    free(count);

    /* Per complaint and cause area, the weights add up to the weekly series. */
    char *mismatch = cw_test_queryf(
        "WITH per AS (SELECT area_id, week, count(DISTINCT complaint_id) AS n,"
        "  sum(weight) AS attributed, sum(weight * severity) AS weighted"
        "  FROM %s.bi_complaint_causes WHERE area_id IS NOT NULL GROUP BY 1, 2),"
        " w AS (SELECT area_id, week, complaints, attributed, weighted FROM %s.bi_weekly"
        "  WHERE series = 'area')"
        " SELECT count(*) FILTER (WHERE per.n IS DISTINCT FROM w.complaints"
        "   OR abs(per.attributed - w.attributed) > 1e-9 OR abs(per.weighted - w.weighted) > 1e-9),"
        "  count(*) FROM per FULL JOIN w USING (area_id, week)",
        results, results);
    unsigned long bad = 0, cells = 0;
    cr_assert_eq(sscanf(mismatch, "%lu|%lu", &bad, &cells), 2, "%s", mismatch);
    cr_assert_gt(cells, 100, "only %lu area-weeks", cells);
    cr_assert_eq(bad, 0, "%lu of %lu area-weeks differ between the views", bad, cells);
    free(mismatch);

    unlink(config);
}
