/*
 * test_report_fixes.c - the "Fixes" section of every report format (report_fixes.h)
 * against golden files (tests/data/report_fixes/), the marks under ranked items, the
 * escaping of what people type into titles, and the JSON against its schema.
 * CW_UPDATE_GOLDEN=1 rewrites the golden files.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "causeway/analysis/fixes.h"
#include "causeway/report/report.h"
#include "causeway/report/report_fixes.h"
#include "causeway/util/week.h"
#include "support.h"

static cw_ranking_entry *entry(cw_ranking *r, const char *kind, unsigned rank, const char *area,
                               const char *site, const char *status)
{
    cw_ranking_entry *e = cw_ranking_add(r);
    e->rank = rank;
    e->kind = strdup(kind);
    e->area_id = strdup(area);
    e->area_name = strdup(area[0] == 'p' ? "Process friendliness" : "Standards");
    e->site = strdup(site);
    e->status = strdup(status);
    e->since_week = strdup(strcmp(status, "drift") == 0 ? "2026-W30" : "");
    e->owner = strdup("Operations");
    e->remediation = strdup("");
    e->score = 10.0 * rank;
    e->volume = 9.5;
    e->trend_factor = 1;
    return e;
}

static cw_week week_of(int y, unsigned m, unsigned d)
{
    return cw_week_from_days(cw_week_days_from_civil(y, m, d));
}

static cw_fix_verdict *fix(cw_ranking *r, long long id, const char *title, const char *area,
                           const char *symptom, const char *site, cw_effect_verdict v)
{
    r->fixes = realloc(r->fixes, (r->fix_count + 1) * sizeof(cw_fix_verdict));
    cw_fix_verdict *f = &r->fixes[r->fix_count++];
    memset(f, 0, sizeof(*f));
    f->id = id;
    f->title = strdup(title);
    f->owner = strdup(id == 1 ? "Ops, north" : "");
    f->area_id = strdup(area);
    f->symptom_id = strdup(symptom);
    f->site = strdup(site);
    f->series_kind = strdup(symptom[0] ? (site[0] ? "symptom_site" : "symptom")
                                       : (site[0] ? "area_site" : "area"));
    f->expected_cut = NAN;
    f->settling_weeks = 2;
    /* Ten weeks: 2026-W37 .. 2026-W46; started W40 (index 3), after from W42 (index 5). */
    f->series_first = week_of(2026, 9, 7);
    f->started = f->series_first + 3;
    f->series_len = 10;
    f->series = calloc(10, sizeof(double));
    for (size_t i = 0; i < 10; i++)
        f->series[i] = i < 3 ? 20 : 11 + (double)(i % 2);
    cw_effect *e = &f->effect;
    e->verdict = v;
    e->before_from = 0;
    e->before_weeks = 3;
    e->after_from = 5;
    e->after_weeks = 5;
    e->before_level = 20;
    e->after_level = 11.4;
    e->change_pct = -43;
    e->change_low = -55.5;
    e->change_high = -28.25;
    e->z = -4.2;
    e->dispersion = 1.3;
    e->cut_judged = 25;
    e->expected_reached = -1;
    e->needed_weeks = 5;
    e->more_weeks = 0;
    e->rebound = CW_TREND_INSUFFICIENT;
    e->rebound_since = -1;
    return f;
}

/* Five fixes, one of each kind of verdict text, two of them on ranked items. */
static void fixture(cw_ranking *r)
{
    memset(r, 0, sizeof(*r));
    r->target_week = strdup("2026-W46");
    r->week_monday = strdup("2026-11-09");
    r->ruleset_hash = strdup("3fa2c1d9e8b7a6554433221100ffeeddccbbaa99887766554433221100ffeedd");
    r->series_first = week_of(2026, 9, 7);
    entry(r, "area", 1, "process", "", "drift");
    entry(r, "area", 2, "standards", "", "stable");
    entry(r, "area_site", 1, "process", "leeds", "drift");

    cw_fix_verdict *f = fix(r, 1, "Pick-list check <b>\"now\"</b>, | *fast*", "process",
                            "order_mixup", "leeds", CW_EFFECT_WORKING);
    f->expected_cut = 30;
    f->effect.expected_reached = 1;
    f->trend_withheld = true;
    f->effect.declining_again = true;
    f->effect.rebound_since = 9;
    f = fix(r, 2, "Checklist", "standards", "", "", CW_EFFECT_NO_EFFECT);
    f->effect.change_pct = 2;
    f->effect.change_low = -10;
    f->effect.change_high = 15;
    f->expected_cut = 40;
    f->effect.cut_judged = 40;
    f->effect.expected_reached = 0;
    f = fix(r, 3, "Rota", "process", "", "york", CW_EFFECT_UNKNOWN);
    f->effect.more_weeks = 6;
    f->effect.after_weeks = 1;
    f = fix(r, 4, "Tiny", "process", "", "", CW_EFFECT_UNKNOWN);
    f->effect.more_weeks = -1;
    f->effect.needed_weeks = -1;
    f = fix(r, 5, "Rollback", "standards", "", "", CW_EFFECT_WORSE);
    f->has_end = true;
    f->ended = f->started + 5;
    f->effect.change_pct = 35;
    f->effect.change_low = 10;
    f->effect.change_high = 65;
    f->per_exposure = true;
}

static char *render(const cw_ranking *r, cw_report_format format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cw_report_options opts = {.format = format};
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_report_write(out, r, &opts, &err), 0, "%s", err.message);
    fclose(out);
    return buf;
}

static void check_golden(cw_report_format format, const char *golden)
{
    cw_ranking r;
    fixture(&r);
    char *buf = render(&r, format);
    cw_ranking_fini(&r);
    size_t len = strlen(buf);
    if (getenv("CW_UPDATE_GOLDEN") != NULL) {
        FILE *f = fopen(golden, "wb");
        fwrite(buf, 1, len, f);
        fclose(f);
    }
    size_t want_len = 0;
    char *want = cw_test_read_file(golden, &want_len);
    cr_assert_not_null(want, "missing golden file %s", golden);
    cr_assert(len == want_len && memcmp(buf, want, len) == 0, "%s differs:\n%s", golden, buf);
    free(want);
    free(buf);
}

Test(report_fixes, table_matches_golden)
{
    check_golden(CW_REPORT_TABLE, "tests/data/report_fixes/fixes.txt");
}

Test(report_fixes, markdown_matches_golden)
{
    check_golden(CW_REPORT_MARKDOWN, "tests/data/report_fixes/fixes.md");
}

Test(report_fixes, csv_matches_golden)
{
    check_golden(CW_REPORT_CSV, "tests/data/report_fixes/fixes.csv");
}

Test(report_fixes, json_matches_golden)
{
    check_golden(CW_REPORT_JSON, "tests/data/report_fixes/fixes.json");
}

Test(report_fixes, html_matches_golden)
{
    check_golden(CW_REPORT_HTML, "tests/data/report_fixes/fixes.html");
}

Test(report_fixes, every_verdict_reads_as_words)
{
    cw_ranking r;
    fixture(&r);
    const char *want[] = {
        "working; declining again since 2026-W46",
        "no effect after 5 weeks: a cut of 40 % is ruled out",
        "not yet known: 6 more weeks at the current volume",
        "not yet known: too few complaints to tell a 25 % cut at this volume",
        "worse",
    };
    for (size_t i = 0; i < r.fix_count; i++) {
        char text[256];
        cw_fixes_verdict_text(text, sizeof(text), &r.fixes[i]);
        cr_assert_str_eq(text, want[i]);
    }
    r.fixes[3].effect.before_weeks = 0;
    char text[256];
    cw_fixes_verdict_text(text, sizeof(text), &r.fixes[3]);
    cr_assert_str_eq(text, "not yet known: no weeks before the start to compare with");
    cw_ranking_fini(&r);
}

/* The ranked item a fix belongs to carries it; an item without a fix carries none. */
Test(report_fixes, ranked_items_are_marked_with_their_fixes)
{
    cw_ranking r;
    fixture(&r);
    char *table = render(&r, CW_REPORT_TABLE);
    const char *item = strstr(table, "Process friendliness @ leeds");
    cr_assert_not_null(item);
    const char *mark = strstr(item, "     fix #1:  Pick-list check");
    cr_assert_not_null(mark, "%s", table);
    cr_assert(strstr(mark, "its rise before the fix no longer raises its rank") != NULL);
    const char *standards = strstr(table, "Standards");
    const char *no_effect = strstr(standards, "     fix #2:  Checklist: no effect after 5 weeks");
    cr_assert(no_effect != NULL && no_effect < strstr(table, "Cause area x site"),
              "the no-effect fix marks its area:\n%s", table);
    char *html = render(&r, CW_REPORT_HTML);
    cr_assert_not_null(strstr(html, "<p class=\"fix-mark\"><b>Fix #2</b> Checklist"));
    cr_assert_null(strstr(html, "<b>\"now\"</b>"), "a title reached the page unescaped");
    cr_assert_not_null(strstr(html, "Pick-list check &lt;b&gt;&quot;now&quot;&lt;/b&gt;"));
    free(table);
    free(html);
    cw_ranking_fini(&r);
}

/* The start line sits on the start week of the x axis; the levels are each side's mean. */
Test(report_fixes, html_chart_marks_the_start_and_both_levels)
{
    cw_ranking r;
    fixture(&r);
    char *html = render(&r, CW_REPORT_HTML);
    /* x = 36 + (560 - 36 - 6) / 9 x 3 for the start at index 3 of 10 weeks. */
    cr_assert_not_null(strstr(html, "<line class=\"fix-start\" x1=\"208.7\""), "%s", html);
    cr_assert_not_null(strstr(html, "fix started 2026-W40"));
    cr_assert_not_null(strstr(html, "<title>before: 20.0 a week</title>"));
    cr_assert_not_null(strstr(html, "<title>after: 11.6 a week</title>"));
    cr_assert_not_null(strstr(html, "<line class=\"fix-end\""), "the ended fix's end");
    free(html);
    cw_ranking_fini(&r);
}

Test(report_fixes, no_fixes_no_section_and_json_has_an_empty_array)
{
    cw_ranking r;
    fixture(&r);
    cw_fixes_free(r.fixes, r.fix_count);
    r.fixes = NULL;
    r.fix_count = 0;
    const cw_report_format formats[] = {CW_REPORT_TABLE, CW_REPORT_MARKDOWN, CW_REPORT_CSV,
                                        CW_REPORT_HTML};
    for (size_t i = 0; i < 4; i++) {
        char *out = render(&r, formats[i]);
        cr_assert_null(strstr(out, "Fixes"), "format %zu", i);
        cr_assert_null(strstr(out, "fix_id"), "format %zu", i);
        free(out);
    }
    char *json = render(&r, CW_REPORT_JSON);
    cr_assert_not_null(strstr(json, "],\"fixes\":[]}\n"), "%s", json);
    free(json);
    cw_ranking_fini(&r);
}

/* The JSON with fixes against docs/ranking.schema.json, validated by the real PostgreSQL. */
Test(report_fixes, json_validates_against_its_schema)
{
    cw_ranking r;
    fixture(&r);
    char *doc = render(&r, CW_REPORT_JSON);
    cw_ranking_fini(&r);
    cw_test_check_json_schema(doc, "{fixes,0,verdict}", "\"fine\"", "verdict");
    free(doc);
}
