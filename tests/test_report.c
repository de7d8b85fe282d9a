/* test_report.c - the ranking writers against golden files (tests/data/report/). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causeway/report/output.h"
#include "causeway/report/report.h"
#include "causeway/util/week.h"
#include "support.h"

static void add_share(cw_ranking_share *s, size_t *n, const char *id, double v)
{
    s[*n].id = strdup(id);
    s[*n].value = v;
    (*n)++;
}

static cw_ranking_entry *entry(cw_ranking *r, const char *kind, unsigned rank, const char *area,
                               const char *name, const char *site, const char *status)
{
    cw_ranking_entry *e = cw_ranking_add(r);
    cr_assert_not_null(e);
    e->rank = rank;
    e->kind = strdup(kind);
    e->area_id = strdup(area);
    e->area_name = strdup(name);
    e->site = strdup(site);
    e->status = strdup(status);
    e->since_week = strdup("");
    e->owner = strdup("");
    e->remediation = strdup("");
    e->change = strdup("");
    return e;
}

static void add_driver(cw_ranking_entry *e, const char *kind, const char *symptom,
                       const char *value, const char *status, const char *since, const char *change,
                       double slope, double excess, double share)
{
    cw_ranking_driver *d = cw_ranking_add_driver(e);
    cr_assert_not_null(d);
    d->kind = strdup(kind);
    d->symptom_id = strdup(symptom);
    d->value = strdup(value);
    d->status = strdup(status);
    d->since_week = strdup(since);
    d->change = strdup(change);
    d->slope_pct = slope;
    d->excess = excess;
    d->share = share;
    d->baseline = 6.5;
    d->recent = 6.5 + excess;
    d->series = calloc(3, sizeof(double));
    d->series[0] = 6;
    d->series[1] = 8;
    d->series[2] = 16;
    d->series_len = 3;
    d->series_since = 1;
}

/* A fixed ranking that exercises every field and the escaping of each format. */
static void fixture(cw_ranking *r)
{
    memset(r, 0, sizeof(*r));
    r->target_week = strdup("2026-W46");
    r->week_monday = strdup("2026-11-09");
    r->ruleset_hash = strdup("3fa2c1d9e8b7a6554433221100ffeeddccbbaa99887766554433221100ffeedd");
    /* Three weeks ending at the target week: 2026-W44 (Monday 2026-10-26) .. 2026-W46. */
    r->series_first = cw_week_from_days(cw_week_days_from_civil(2026, 10, 26));

    cw_ranking_entry *e = entry(r, "area", 1, "process", "Process friendliness", "", "drift");
    free(e->since_week);
    e->since_week = strdup("2026-W31");
    e->slope_pct = 3.14159;
    e->strength = 17.5;
    e->score = 142.25;
    e->volume = 98.2;
    e->trend_factor = 1.448;
    e->baseline = 30.5;
    e->recent = 44.25;
    e->max_severity = 3;
    add_share(e->top_symptoms, &e->top_symptom_count, "order_mixup", 61);
    add_share(e->top_symptoms, &e->top_symptom_count, "billing_error", 22);
    add_share(e->top_sites, &e->top_site_count, "leeds", 48);
    add_share(e->top_sites, &e->top_site_count, "york", 10);
    e->examples[0].complaint_id = strdup("1042");
    e->examples[0].symptom_id = strdup("order_mixup");
    e->examples[0].snippet = strdup("got someone else's \"order\" again\tand again");
    e->example_count = 1;
    free(e->owner);
    e->owner = strdup("Operations");
    free(e->remediation);
    e->remediation = strdup("Map the order hand-off, add a pick-list check | audit weekly");
    e->series = calloc(3, sizeof(double));
    e->series[0] = 30;
    e->series[1] = 31;
    e->series[2] = 44;
    e->series_len = 3;
    e->baseline_from = 0;
    e->series_since = 2;
    free(e->change);
    e->change = strdup("worsening");
    e->excess = 13.75;
    e->driver_factor = 1.31;
    add_driver(e, "symptom_site", "order_mixup", "leeds", "drift", "2026-W45", "new", 4.5, 9.5,
               0.69);
    add_driver(e, "symptom_channel", "billing_error", "web, \"app\"", "shift", "2026-W44",
               "resolved", NAN, 2.25, 0.16);
    r->previous_week = strdup("2026-W45");

    e = entry(r, "area", 2, "standards", "Service-standards compliance", "", "stable");
    e->score = 50;
    e->volume = 4;
    e->trend_factor = 1;
    e->severity_floor = 50;
    e->max_severity = 5;

    e = entry(r, "area_site", 1, "process", "Process friendliness", "leeds", "drift");
    free(e->since_week);
    e->since_week = strdup("2026-W30");
    e->slope_pct = 5.2;
    e->score = 80.5;
    e->volume = 55;
    e->trend_factor = 1.46;
    e->rate = 2.5;
}

static void check_golden(cw_report_format format, const char *golden)
{
    cw_ranking r;
    fixture(&r);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cw_report_options opts = {.format = format};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_report_write(out, &r, &opts, &err), 0, "%s", err.message);
    fclose(out);
    cw_ranking_fini(&r);
    if (getenv("CW_UPDATE_GOLDEN") != NULL) {
        FILE *f = fopen(golden, "wb");
        fwrite(buf, 1, len, f);
        fclose(f);
    }
    size_t want_len = 0;
    char *want = cw_test_read_file(golden, &want_len);
    cr_assert_not_null(want, "missing golden file %s", golden);
    cr_assert_eq(len, want_len, "%s: length %zu, golden %zu:\n%s", golden, len, want_len, buf);
    cr_assert(memcmp(buf, want, len) == 0, "%s differs:\n%s", golden, buf);
    free(want);
    free(buf);
}

Test(report, table_matches_golden)
{
    check_golden(CW_REPORT_TABLE, "tests/data/report/ranking.txt");
}

Test(report, markdown_matches_golden)
{
    check_golden(CW_REPORT_MARKDOWN, "tests/data/report/ranking.md");
}

Test(report, csv_matches_golden)
{
    check_golden(CW_REPORT_CSV, "tests/data/report/ranking.csv");
}

Test(report, json_matches_golden)
{
    check_golden(CW_REPORT_JSON, "tests/data/report/ranking.json");
}

Test(report, table_hides_snippets_unless_asked)
{
    cw_ranking r;
    fixture(&r);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cw_report_options opts = {.format = CW_REPORT_TABLE};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_report_write(out, &r, &opts, &err), 0);
    fflush(out);
    cr_assert_null(strstr(buf, "someone else"), "snippet leaked into the default table");
    cr_assert_not_null(strstr(buf, "#1042"));
    opts.snippets = true;
    cr_assert_eq(cw_report_write(out, &r, &opts, &err), 0);
    fclose(out);
    cr_assert_not_null(strstr(buf, "someone else"));
    free(buf);
    cw_ranking_fini(&r);
}

Test(report, write_error_is_reported_as_74)
{
    cw_ranking r;
    fixture(&r);
    FILE *full = fopen("/dev/full", "w");
    cr_assert_not_null(full);
    cw_report_options opts = {.format = CW_REPORT_JSON};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_report_write(full, &r, &opts, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_IOERR);
    fclose(full);
    cw_ranking_fini(&r);
}

Test(report, parses_format_names)
{
    cr_assert_eq(cw_report_parse_format("table"), CW_REPORT_TABLE);
    cr_assert_eq(cw_report_parse_format("json"), CW_REPORT_JSON);
    cr_assert_eq(cw_report_parse_format("yaml"), -1);
}

Test(report, output_file_is_replaced_whole)
{
    cw_ranking r;
    fixture(&r);
    char dir[] = "/tmp/causeway-out.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/ranking.json", dir);
    FILE *old = fopen(path, "w");
    fputs("old", old);
    fclose(old);
    cw_report_options opts = {.format = CW_REPORT_JSON};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_output_write(path, stdout, &r, &opts, &err), 0, "%s", err.message);
    size_t len = 0;
    char *got = cw_test_read_file(path, &len);
    cr_assert_not_null(strstr(got, "\"schema\":\"causeway.ranking/3\""));
    free(got);
    unlink(path);
    rmdir(dir);
    cw_ranking_fini(&r);
}

/* Write a JSON report to `path` and return the resulting file's permission bits. */
static mode_t write_and_stat(const char *path)
{
    cw_ranking r;
    fixture(&r);
    cw_report_options opts = {.format = CW_REPORT_JSON};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_output_write(path, stdout, &r, &opts, &err), 0, "%s", err.message);
    cw_ranking_fini(&r);
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0);
    cr_assert(S_ISREG(st.st_mode), "%s is not a regular file", path);
    return st.st_mode & 07777;
}

Test(report, output_file_keeps_its_mode_or_follows_the_umask)
{
    char dir[] = "/tmp/causeway-mode.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/ranking.json", dir);

    mode_t old = umask(022);
    cr_assert_eq(write_and_stat(path), 0644, "a new file follows the umask 022");
    cr_assert_eq(chmod(path, 0640), 0);
    umask(077);
    cr_assert_eq(write_and_stat(path), 0640, "an existing file keeps its mode");
    unlink(path);
    cr_assert_eq(write_and_stat(path), 0600, "a new file follows the umask 077");
    umask(old);
    unlink(path);
    rmdir(dir);
}

Test(report, output_replaces_a_symlink_and_leaves_its_target_alone)
{
    char dir[] = "/tmp/causeway-link.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256], target[256];
    snprintf(path, sizeof(path), "%s/ranking.json", dir);
    snprintf(target, sizeof(target), "%s/target", dir);
    FILE *t = fopen(target, "w");
    fputs("keep", t);
    fclose(t);
    cr_assert_eq(symlink(target, path), 0);
    write_and_stat(path); /* asserts a regular file now stands at path */
    size_t len = 0;
    char *kept = cw_test_read_file(target, &len);
    cr_assert_str_eq(kept, "keep");
    free(kept);
    unlink(path);
    unlink(target);
    rmdir(dir);
}

Test(report, output_into_a_missing_directory_fails_with_74)
{
    cw_ranking r;
    fixture(&r);
    cw_report_options opts = {.format = CW_REPORT_CSV};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_output_write("/nonexistent-dir/x.csv", stdout, &r, &opts, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_IOERR);
    cr_assert_not_null(strstr(err.message, "/nonexistent-dir/x.csv"));
    cw_ranking_fini(&r);
}

Test(report, html_matches_golden)
{
    check_golden(CW_REPORT_HTML, "tests/data/report/ranking.html");
}

static char *render_html(cw_ranking *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cw_report_options opts = {.format = CW_REPORT_HTML};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_report_write(out, r, &opts, &err), 0, "%s", err.message);
    fclose(out);
    return buf;
}

Test(report, html_escapes_everything_from_data)
{
    cw_ranking r;
    fixture(&r);
    cw_ranking_entry *e = &r.entries[0];
    free(e->area_name);
    e->area_name = strdup("<script>alert(1)</script>");
    free(e->examples[0].snippet);
    e->examples[0].snippet = strdup("\"><img src=x onerror=alert(2)> & 'quoted'");
    free(e->remediation);
    e->remediation = strdup("<b>bold</b>");
    free(e->owner);
    e->owner = strdup("O'Brien & \"Sons\"");
    free(e->status);
    e->status = strdup("drift\" onmouseover=\"alert(3)");
    free(e->examples[0].complaint_id);
    e->examples[0].complaint_id = strdup("<i>7</i>");
    free(r.entries[2].site);
    r.entries[2].site = strdup("<script>x</script>");
    free(r.ruleset_hash);
    r.ruleset_hash = strdup("<svg onload=1>");
    char *html = render_html(&r);
    cr_assert_null(strstr(html, "<script>"), "unescaped script tag");
    cr_assert_null(strstr(html, "<img"), "unescaped img tag");
    cr_assert_null(strstr(html, "<b>bold"), "unescaped remediation markup");
    cr_assert_not_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    cr_assert_not_null(
        strstr(html, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &#39;quoted&#39;"));
    cr_assert_not_null(strstr(html, "O&#39;Brien &amp; &quot;Sons&quot;"), "owner not escaped");
    cr_assert_null(strstr(html, "onmouseover=\""), "status injected an attribute");
    cr_assert_not_null(strstr(html, "class=\"badge unknown\">drift&quot; onmouseover"));
    cr_assert_null(strstr(html, "<i>7"), "unescaped complaint id");
    cr_assert_null(strstr(html, "<svg onload"), "unescaped rule-set hash");
    cr_assert_not_null(strstr(html, "&lt;script&gt;x&lt;/script&gt;"), "site not escaped");
    cr_assert_null(strstr(html, "http"), "the report must not load anything");
    cr_assert_null(strstr(html, "<script"), "no scripts at all");
    free(html);
    cw_ranking_fini(&r);
}

Test(report, html_draws_each_series_with_baseline_and_onset)
{
    cw_ranking r;
    fixture(&r);
    r.series_first = 2900;
    cw_ranking_entry *e = &r.entries[0];
    e->series_since = 1;
    e->baseline_from = 0;
    char *html = render_html(&r);
    const char *poly = strstr(html, "<polyline class=\"series\"");
    cr_assert_not_null(poly, "no chart");
    const char *points = strstr(poly, "points=\"");
    cr_assert_not_null(points);
    size_t n = 1;
    for (const char *p = points + 8; *p != '"'; p++)
        n += *p == ' ';
    cr_assert_eq(n, e->series_len, "%zu points for %zu weeks", n, e->series_len);
    cr_assert_not_null(strstr(html, "class=\"baseline\""));
    cr_assert_not_null(strstr(html, "class=\"onset\""));
    /* The baseline window's start is marked and named by its ISO week (week.h). */
    char first[16], label[64];
    cw_week_format_iso(first, sizeof(first), r.series_first);
    snprintf(label, sizeof(label), "<title>baseline from %s</title>", first);
    cr_assert_not_null(strstr(html, label), "no baseline-window marker for %s", first);
    /* No onset, no window start: no markers, and the chart still has every point. */
    free(html);
    e->series_since = -1;
    e->baseline_from = -1;
    html = render_html(&r);
    cr_assert_null(strstr(html, "class=\"onset\""));
    cr_assert_null(strstr(html, "class=\"baseline-from\""));
    free(html);
    cw_ranking_fini(&r);
}

Test(report, html_shows_unknown_numbers_as_a_dash_and_slope_without_onset)
{
    cw_ranking r;
    fixture(&r);
    cw_ranking_entry *e = &r.entries[1];
    e->score = NAN;
    e->slope_pct = -2.5;
    e->top_symptoms[0].id = strdup("late");
    e->top_symptoms[0].value = NAN;
    e->top_symptom_count = 1;
    char *html = render_html(&r);
    cr_assert_null(strstr(html, "nan"), "NaN printed as a number");
    cr_assert_null(strstr(html, "inf"), "infinity printed as a number");
    cr_assert_not_null(strstr(html, "late (&ndash;)"));
    cr_assert_not_null(strstr(html, "<b>&ndash;</b>"), "NaN score not shown as a dash");
    cr_assert_not_null(strstr(html, "-2.5 % a week"), "slope without an onset week hidden");
    free(html);
    cw_ranking_fini(&r);
}

Test(report, html_labels_a_long_series_with_its_iso_weeks)
{
    cw_ranking r;
    fixture(&r);
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_week_parse(&r.series_first, "2025-W40", &err), 0);
    cw_ranking_entry *e = &r.entries[0];
    free(e->series);
    e->series_len = 60;
    e->series = calloc(e->series_len, sizeof(double));
    for (size_t i = 0; i < e->series_len; i++)
        e->series[i] = i < 40 ? 20 : 20 + (double)(i - 40) * 2;
    e->baseline_from = 8;
    e->series_since = 41;
    char *html = render_html(&r);
    /* 2025 has 52 ISO weeks: 2025-W40 + 59 = 2026-W47; a label every 13 weeks between. */
    cr_assert_not_null(strstr(html, ">2025-W40</text>"));
    cr_assert_not_null(strstr(html, ">2026-W47</text>"));
    cr_assert_not_null(strstr(html, ">2026-W01</text>"), "no label 13 weeks in");
    cr_assert_not_null(strstr(html, "<title>baseline from 2025-W48</title>"));
    const char *points = strstr(strstr(html, "<polyline"), "points=\"");
    size_t n = 1;
    for (const char *p = points + 8; *p != '"'; p++)
        n += *p == ' ';
    cr_assert_eq(n, 60);
    free(html);
    cw_ranking_fini(&r);
}

/*
 * The golden HTML report in a real browser (Debian's chromium, headless): it
 * parses, the chart survives into the DOM, and it renders to a PNG. Missing
 * chromium is a failure, not a skip: the report is only checked here.
 */
static void chromium(cw_test_output *res, const char *const *argv)
{
    cr_assert_eq(cw_test_run_program(res, NULL, NULL, argv), 0);
    cr_assert_neq(res->status, 127,
                  "chromium is not installed (apt-get install chromium, see "
                  "tests/tools/ensure-deps.sh): the HTML report cannot be checked");
    cr_assert_eq(res->status, 0, "chromium failed (%d): %s", res->status, res->err);
}

Test(report, html_renders_in_headless_chromium, .timeout = 120)
{
    char cwd[2048], golden[2200];
    cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
    snprintf(golden, sizeof(golden), "%s/tests/data/report/ranking.html", cwd);
    cr_assert_eq(access(golden, R_OK), 0, "%s missing", golden);
    char dir[] = "/tmp/causeway-html.XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char shot[256], url[4200], shot_arg[300], profile[300];
    snprintf(shot, sizeof(shot), "%s/report.png", dir);
    snprintf(url, sizeof(url), "file://%s", golden);
    snprintf(shot_arg, sizeof(shot_arg), "--screenshot=%s", shot);
    snprintf(profile, sizeof(profile), "--user-data-dir=%s/profile", dir);

    cw_test_output dom;
    const char *dump[] = {
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", profile, "--dump-dom",
        url,        NULL};
    chromium(&dom, dump);
    const char *poly = strstr(dom.out, "<polyline class=\"series\"");
    cr_assert_not_null(poly, "no chart in the DOM: %s", dom.out);
    const char *points = strstr(poly, "points=\"");
    cr_assert_not_null(points);
    size_t n = 1;
    for (const char *p = points + 8; *p != '"' && *p != '\0'; p++)
        n += *p == ' ';
    cr_assert_eq(n, 3, "the fixture's 3 weeks, %zu points in the DOM", n);
    cr_assert_not_null(strstr(dom.out, "What to fix first"));
    cr_assert_null(strstr(dom.out, "<parsererror"));
    cw_test_output_fini(&dom);

    cw_test_output png;
    const char *screenshot[] = {"chromium",      "--headless", "--no-sandbox",
                                "--disable-gpu", profile,      "--window-size=1200,1600",
                                shot_arg,        url,          NULL};
    chromium(&png, screenshot);
    size_t len = 0;
    char *bytes = cw_test_read_file(shot, &len);
    cr_assert(bytes != NULL && len > 1000 && memcmp(bytes, "\x89PNG\r\n\x1a\n", 8) == 0,
              "no screenshot written (%zu bytes)", len);
    /* IHDR: width and height, big-endian, right after the 8-byte signature + 8. */
    const unsigned char *u = (const unsigned char *)bytes;
    unsigned w = (unsigned)u[16] << 24 | (unsigned)u[17] << 16 | (unsigned)u[18] << 8 | u[19];
    cr_assert_eq(w, 1200, "screenshot %u px wide", w);
    free(bytes);
    cw_test_output_fini(&png);
    cw_test_output run_rm;
    const char *rm[] = {"rm", "-rf", dir, NULL};
    cw_test_run_program(&run_rm, NULL, NULL, rm);
    cw_test_output_fini(&run_rm);
}

/* The json output against docs/ranking.schema.json, validated by the real PostgreSQL. */
Test(report, json_validates_against_its_schema)
{
    cw_ranking r;
    fixture(&r);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cw_report_options opts = {.format = CW_REPORT_JSON};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_report_write(out, &r, &opts, &err), 0);
    fclose(out);
    cw_ranking_fini(&r);
    cw_test_check_json_schema(buf, "{items,0,status}", "\"unknown\"", "status");
    free(buf);
}

/* The opening section alone: new, worsening, easing, resolved are listed, ongoing counted. */
static char *render(cw_report_format format, bool changes_only)
{
    cw_ranking r;
    fixture(&r);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cw_report_options opts = {.format = format, .changes_only = changes_only};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_report_write(out, &r, &opts, &err), 0, "%s", err.message);
    fclose(out);
    cw_ranking_fini(&r);
    return buf;
}

Test(report, changes_only_prints_the_opening_section_alone)
{
    char *t = render(CW_REPORT_TABLE, true);
    cr_assert_not_null(strstr(t, "Changed since 2026-W45:"), "%s", t);
    cr_assert_not_null(strstr(t, "worsening  Process friendliness: drift"), "%s", t);
    cr_assert_not_null(strstr(t, "new        Process friendliness, driver order_mixup @ leeds"),
                       "%s", t);
    cr_assert_not_null(strstr(t, "resolved   Process friendliness, driver billing_error, "
                                 "channel: web, \"app\""),
                       "%s", t);
    cr_assert_null(strstr(t, "Service-standards compliance"), "%s", t);
    cr_assert_null(strstr(t, "score"), "the ranking itself is not printed:\n%s", t);
    free(t);
    char *j = render(CW_REPORT_JSON, true);
    cr_assert_not_null(strstr(j, "\"previous_week\":\"2026-W45\""), "%s", j);
    cr_assert_not_null(strstr(j, "\"change\":\"new\""), "%s", j);
    cr_assert_null(strstr(j, "\"items\""), "%s", j);
    free(j);
    char *c = render(CW_REPORT_CSV, true);
    cr_assert_eq(strncmp(c, "week,previous_week,change,", 26), 0, "%s", c);
    cr_assert_not_null(strstr(c, "2026-W46,2026-W45,new,area,process,,symptom_site,order_mixup,"
                                 "leeds,drift,2026-W45,4.5,9.5\r\n"),
                       "%s", c);
    free(c);
}

Test(report, every_format_opens_with_the_changes_and_shows_drivers)
{
    const cw_report_format formats[] = {CW_REPORT_TABLE, CW_REPORT_MARKDOWN, CW_REPORT_HTML};
    for (size_t i = 0; i < 3; i++) {
        char *t = render(formats[i], false);
        char *changes = strstr(t, "Changed since");
        char *ranked = strstr(t, "Service-standards compliance");
        cr_assert(changes != NULL && ranked != NULL && changes < ranked, "format %zu:\n%s", i, t);
        cr_assert_not_null(strstr(t, "mixup @ leeds"), "format %zu:\n%s", i, t);
        cr_assert_not_null(strstr(t, "69 %"), "the driver's share, format %zu:\n%s", i, t);
        free(t);
    }
    char *h = render(CW_REPORT_HTML, false);
    size_t sparks = 0;
    for (const char *p = h; (p = strstr(p, "<svg class=\"spark\"")) != NULL; p++)
        sparks++;
    cr_assert_eq(sparks, 2, "one small chart per driver:\n%s", h);
    free(h);
}
