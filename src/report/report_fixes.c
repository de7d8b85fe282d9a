/* report_fixes.c - the "Fixes" section of each report format; see report_fixes.h. */
#include "causeway/report/report_fixes.h"

#include <math.h>
#include <string.h>

#include "causeway/report/report.h"
#include "causeway/report/report_html.h"
#include "causeway/util/text.h"

#define CHART_W 560
#define CHART_H 150
#define PAD_L   36
#define PAD_B   22
#define PAD_T   12

/* ---- words shared by the formats ------------------------------------------- */

/* "process", "process @ leeds", "process: order_mixup @ leeds". */
static void target_label(char *buf, size_t size, const cw_fix_verdict *f)
{
    snprintf(buf, size, "%s%s%s%s%s", f->area_id, f->symptom_id[0] ? ": " : "", f->symptom_id,
             f->site[0] ? " @ " : "", f->site);
}

static const char *unit(const cw_fix_verdict *f)
{
    return f->per_exposure ? "per 1,000 exposure" : "a week";
}

static void iso(char buf[16], cw_week w)
{
    cw_week_format_iso(buf, 16, w);
}

/* "-41 % (95 %: -52 % to -28 %)", or "-" when there is no change to show. */
static void change_text(char *buf, size_t size, const cw_effect *e)
{
    if (isnan(e->change_pct))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%+.0f %% (95 %%: %+.0f %% to %+.0f %%)", e->change_pct, e->change_low,
                 e->change_high);
}

/* "19.2 -> 11.3" with the side missing shown as "-". */
static void levels_text(char *buf, size_t size, const cw_effect *e, const char *arrow)
{
    char b[32] = "-", a[32] = "-";
    if (isfinite(e->before_level))
        snprintf(b, sizeof(b), "%.1f", e->before_level);
    if (isfinite(e->after_level))
        snprintf(a, sizeof(a), "%.1f", e->after_level);
    snprintf(buf, size, "%s %s %s", b, arrow, a);
}

/* "expected cut 30 %: reached", "... not reached", "expected cut 30 %", or "". */
static void expected_text(char *buf, size_t size, const cw_fix_verdict *f)
{
    buf[0] = '\0';
    if (isnan(f->expected_cut))
        return;
    snprintf(buf, size, "expected cut %.0f %%%s", f->expected_cut,
             f->effect.expected_reached < 0   ? ""
             : f->effect.expected_reached > 0 ? ": reached"
                                              : ": not reached");
}

static const char *withheld_text(const cw_fix_verdict *f)
{
    return f->trend_withheld ? "its rise before the fix no longer raises its rank" : "";
}

/* " (ranked 2)" or " (not ranked)". */
static void rank_text(char *buf, size_t size, const cw_ranking *r, const cw_fix_verdict *f)
{
    const cw_ranking_entry *e = cw_fixes_entry(r, f);
    if (e != NULL)
        snprintf(buf, size, " (ranked %u)", e->rank);
    else /* a verdict shown alone (remediation show) has no ranking around it */
        snprintf(buf, size, "%s", r->count > 0 ? " (not ranked)" : "");
}

/* Every format's words for one fix. */
typedef struct words {
    char target[256], ranked[32], started[16], ended[16], levels[80], change[96], verdict[256],
        expected[64];
} words;

static void describe(words *w, const cw_ranking *r, const cw_fix_verdict *f, const char *arrow)
{
    target_label(w->target, sizeof(w->target), f);
    rank_text(w->ranked, sizeof(w->ranked), r, f);
    iso(w->started, f->started);
    w->ended[0] = '\0';
    if (f->has_end)
        iso(w->ended, f->ended);
    levels_text(w->levels, sizeof(w->levels), &f->effect, arrow);
    change_text(w->change, sizeof(w->change), &f->effect);
    cw_fixes_verdict_text(w->verdict, sizeof(w->verdict), f);
    expected_text(w->expected, sizeof(w->expected), f);
}

/* ---- table ------------------------------------------------------------------- */

void cw_report_fixes_table(FILE *out, const cw_ranking *r)
{
    if (r->fix_count == 0)
        return;
    fprintf(out, "\nFixes (judged at week %s)\n", r->target_week);
    for (size_t i = 0; i < r->fix_count; i++) {
        const cw_fix_verdict *f = &r->fixes[i];
        const cw_effect *e = &f->effect;
        words w;
        describe(&w, r, f, "->");
        /* Titles, owners and sites are typed by people or come from the source: data. */
        fprintf(out, "  #%lld ", f->id);
        cw_text_write_clean(out, f->title);
        fputs("\n     owner ", out);
        cw_text_write_clean(out, f->owner[0] != '\0' ? f->owner : "not set");
        fprintf(out, "; started %s%s%s, %u settling week%s; target ", w.started,
                w.ended[0] ? ", ended " : "", w.ended, f->settling_weeks,
                f->settling_weeks == 1 ? "" : "s");
        cw_text_write_clean(out, w.target);
        fprintf(out, "%s\n", w.ranked);
        fprintf(out, "     complaints %s: %s (%zu weeks before, %zu after); change %s\n", unit(f),
                w.levels, e->before_weeks, e->after_weeks, w.change);
        fprintf(out, "     verdict: %s%s%s%s%s\n", w.verdict, w.expected[0] ? "; " : "", w.expected,
                f->trend_withheld ? "; " : "", withheld_text(f));
    }
}

void cw_report_fixes_mark_table(FILE *out, const cw_ranking *r, const cw_ranking_entry *e)
{
    size_t pos = 0;
    const cw_fix_verdict *f;
    while ((f = cw_fixes_next_for(r, e, &pos)) != NULL) {
        char verdict[256];
        cw_fixes_verdict_text(verdict, sizeof(verdict), f);
        fprintf(out, "     fix #%lld:  ", f->id);
        cw_text_write_clean(out, f->title);
        fprintf(out, ": %s%s%s\n", verdict, f->trend_withheld ? "; " : "", withheld_text(f));
    }
}

/* ---- markdown -------------------------------------------------------------- */

void cw_report_fixes_markdown(FILE *out, const cw_ranking *r)
{
    if (r->fix_count == 0)
        return;
    fprintf(out,
            "## Fixes\n\nJudged at week %s.\n\n"
            "| # | fix | owner | target | started | before → after | change (95 %% "
            "interval) | verdict |\n|--:|---|---|---|---|---|---|---|\n",
            r->target_week);
    for (size_t i = 0; i < r->fix_count; i++) {
        const cw_fix_verdict *f = &r->fixes[i];
        words w;
        describe(&w, r, f, "→");
        fprintf(out, "| %lld | ", f->id);
        cw_report_md_escape(out, f->title);
        fputs(" | ", out);
        cw_report_md_escape(out, f->owner);
        fputs(" | ", out);
        cw_report_md_escape(out, w.target);
        fprintf(out, "%s | %s%s%s | %s %s | %s | **", w.ranked, w.started, w.ended[0] ? " – " : "",
                w.ended, w.levels, unit(f), w.change);
        cw_report_md_escape(out, w.verdict);
        fputs("**", out);
        if (w.expected[0] != '\0')
            fprintf(out, "; %s", w.expected);
        if (f->trend_withheld)
            fprintf(out, "; %s", withheld_text(f));
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

/* ---- csv ----------------------------------------------------------------------- */

static void csv_number(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.6g", v);
}

void cw_report_fixes_csv(FILE *out, const cw_ranking *r)
{
    if (r->fix_count == 0)
        return;
    fputs("\r\nweek,fix_id,title,owner,area_id,symptom_id,site,started,ended,settling_weeks,"
          "rank,unit,before_weeks,after_weeks,before_level,after_level,change_pct,change_low,"
          "change_high,expected_cut,expected_reached,verdict,more_weeks,declining_again,"
          "declining_since,trend_withheld\r\n",
          out);
    for (size_t i = 0; i < r->fix_count; i++) {
        const cw_fix_verdict *f = &r->fixes[i];
        const cw_effect *e = &f->effect;
        const cw_ranking_entry *item = cw_fixes_entry(r, f);
        char started[16], ended[16] = "", since[16] = "";
        iso(started, f->started);
        if (f->has_end)
            iso(ended, f->ended);
        if (e->rebound_since >= 0)
            iso(since, f->series_first + e->rebound_since);
        fprintf(out, "%s,%lld,", r->target_week, f->id);
        const char *texts[] = {f->title, f->owner, f->area_id, f->symptom_id, f->site};
        for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
            cw_report_csv_field(out, texts[k]);
            fputc(',', out);
        }
        fprintf(out, "%s,%s,%u,", started, ended, f->settling_weeks);
        if (item != NULL)
            fprintf(out, "%u", item->rank);
        fprintf(out, ",%s,%zu,%zu,", f->per_exposure ? "per_1000_exposure" : "per_week",
                e->before_weeks, e->after_weeks);
        const double nums[] = {e->before_level, e->after_level, e->change_pct,
                               e->change_low,   e->change_high, f->expected_cut};
        for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
            csv_number(out, nums[k]);
            fputc(',', out);
        }
        fprintf(out, "%s,%s,",
                e->expected_reached < 0 ? ""
                : e->expected_reached   ? "yes"
                                        : "no",
                cw_effect_verdict_id(e->verdict));
        if (e->more_weeks >= 0)
            fprintf(out, "%ld", e->more_weeks);
        fprintf(out, ",%s,%s,%s\r\n", e->declining_again ? "yes" : "no", since,
                f->trend_withheld ? "yes" : "no");
    }
}

/* ---- html ------------------------------------------------------------------------ */

/* Hue plus a border style each, so the verdicts differ in greyscale too. */
static const char *verdict_style(cw_effect_verdict v)
{
    switch (v) {
    case CW_EFFECT_WORKING:
        return "color:#1f5130;background:#e3f1e7;border:2px solid";
    case CW_EFFECT_WORSE:
        return "color:#9b1c1c;background:#fde8e8;border:3px double";
    case CW_EFFECT_NO_EFFECT:
        return "color:#8a3b00;background:#feecdc;border:2px dotted";
    default:
        return "color:#4b5563;background:#f3f4f6;border:1px dashed;font-style:italic";
    }
}

static void html_badge(FILE *out, const cw_fix_verdict *f)
{
    fprintf(out, "<span class=\"badge fix-verdict\" style=\"%s\">%s</span>",
            verdict_style(f->effect.verdict), cw_effect_verdict_name(f->effect.verdict));
}

/* Mean weekly complaints of series[from, from + weeks), NaN when empty. */
static double mean_of(const cw_fix_verdict *f, size_t from, size_t weeks)
{
    if (weeks == 0 || from + weeks > f->series_len)
        return NAN;
    double sum = 0;
    for (size_t i = from; i < from + weeks; i++)
        sum += f->series[i];
    return sum / (double)weeks;
}

/* The target's weekly complaints, the start (and end) week, and each side's mean. */
static void html_chart(FILE *out, const cw_fix_verdict *f)
{
    if (f->series == NULL || f->series_len < 2)
        return;
    const cw_effect *e = &f->effect;
    double before = mean_of(f, e->before_from, e->before_weeks);
    double after = mean_of(f, e->after_from, e->after_weeks);
    double top = 0;
    for (size_t i = 0; i < f->series_len; i++)
        if (f->series[i] > top)
            top = f->series[i];
    top = top > 0 ? top * 1.15 : 1;
    const double w = CHART_W - PAD_L - 6, h = CHART_H - PAD_T - PAD_B;
    const double step = w / (double)(f->series_len - 1);
#define X(i) (PAD_L + step * (double)(i))
#define Y(v) (PAD_T + h - h * (v) / top)
    fprintf(out,
            "<svg class=\"fix-chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
            "role=\"img\" aria-label=\"weekly complaints of the fix's target\">\n",
            CHART_W, CHART_H, CHART_W, CHART_H);
    fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c3cad2\"/>\n", PAD_L,
            Y(0), CHART_W - 6, Y(0));
    fprintf(out, "<text x=\"2\" y=\"%.1f\">%.0f</text><text x=\"2\" y=\"%.1f\">0</text>\n",
            PAD_T + 8.0, top, Y(0));
    char label[16];
    size_t start = (size_t)(f->started - f->series_first);
    iso(label, f->started);
    fprintf(out,
            "<line class=\"fix-start\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#1f5130\" stroke-width=\"1.5\"><title>fix started %s</title></line>"
            "<text x=\"%.1f\" y=\"%d\" fill=\"#1f5130\"%s>fix started %s</text>\n",
            X(start), PAD_T, X(start), PAD_T + h, label,
            X(start) > CHART_W - 120 ? X(start) - 3 : X(start) + 3, PAD_T,
            X(start) > CHART_W - 120 ? " text-anchor=\"end\"" : "", label);
    if (f->has_end && f->ended >= f->series_first &&
        (size_t)(f->ended - f->series_first) < f->series_len) {
        size_t end = (size_t)(f->ended - f->series_first);
        iso(label, f->ended);
        fprintf(out,
                "<line class=\"fix-end\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#5b6571\" stroke-dasharray=\"2 3\"><title>fix ended %s</title></line>\n",
                X(end), PAD_T, X(end), PAD_T + h, label);
    }
    if (isfinite(before))
        fprintf(out,
                "<line class=\"fix-before\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#3b6ea5\" stroke-width=\"2\" stroke-dasharray=\"5 4\"><title>before: "
                "%.1f a week</title></line><text x=\"%.1f\" y=\"%.1f\" fill=\"#3b6ea5\">before "
                "%.1f</text>\n",
                X(e->before_from), Y(before), X(e->before_from + e->before_weeks - 1), Y(before),
                before, X(e->before_from) + 2, Y(before) - 3, before);
    if (isfinite(after))
        fprintf(out,
                "<line class=\"fix-after\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#1f5130\" stroke-width=\"2\" stroke-dasharray=\"5 4\"><title>after: "
                "%.1f a week</title></line><text x=\"%.1f\" y=\"%.1f\" fill=\"#1f5130\" "
                "text-anchor=\"end\">after %.1f</text>\n",
                X(e->after_from), Y(after), X(e->after_from + e->after_weeks - 1), Y(after), after,
                X(e->after_from + e->after_weeks - 1) - 2, Y(after) - 3, after);
    fputs("<polyline class=\"fix-series\" fill=\"none\" stroke=\"#1d232b\" stroke-width=\"1.5\" "
          "points=\"",
          out);
    for (size_t i = 0; i < f->series_len; i++)
        fprintf(out, "%s%.1f,%.1f", i > 0 ? " " : "", X(i), Y(f->series[i]));
    fputs("\"/>\n", out);
    char first[16], last[16];
    iso(first, f->series_first);
    iso(last, f->series_first + (cw_week)f->series_len - 1);
    fprintf(out,
            "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" "
            "text-anchor=\"end\">%s</text>\n</svg>\n",
            PAD_L, CHART_H - 6, first, CHART_W - 6, CHART_H - 6, last);
#undef X
#undef Y
}

static void html_fix(FILE *out, const cw_ranking *r, const cw_fix_verdict *f)
{
    const cw_effect *e = &f->effect;
    words w;
    describe(&w, r, f, "&rarr;");
    fprintf(out, "<div class=\"item fix-item\">\n<h3><span class=\"rank\">#%lld</span> ", f->id);
    cw_report_html_escape(out, f->title);
    html_badge(out, f);
    fputs("</h3>\n<p class=\"meta\">owner: ", out);
    cw_report_html_escape(out, f->owner[0] != '\0' ? f->owner : "not set");
    fprintf(out, " &middot; started %s%s%s &middot; %u settling week%s &middot; target ", w.started,
            w.ended[0] ? ", ended " : "", w.ended, f->settling_weeks,
            f->settling_weeks == 1 ? "" : "s");
    cw_report_html_escape(out, w.target);
    cw_report_html_escape(out, w.ranked);
    fputs("</p>\n<div class=\"cols\"><div>\n<table class=\"score\">", out);
    fprintf(out, "<tr><td>complaints %s, before &rarr; after</td><td><b>%s</b></td></tr>", unit(f),
            w.levels);
    fprintf(out, "<tr><td>weeks before, after</td><td>%zu, %zu</td></tr>", e->before_weeks,
            e->after_weeks);
    fputs("<tr><td>change (95 % interval)</td><td>", out);
    cw_report_html_escape(out, w.change);
    fputs("</td></tr><tr><td>verdict</td><td>", out);
    cw_report_html_escape(out, w.verdict);
    fputs("</td></tr>", out);
    if (w.expected[0] != '\0') {
        fputs("<tr><td>expected</td><td>", out);
        cw_report_html_escape(out, w.expected);
        fputs("</td></tr>", out);
    }
    fputs("</table>\n", out);
    if (f->trend_withheld) {
        fputs("<p>The ranking: ", out);
        cw_report_html_escape(out, withheld_text(f));
        fputs(".</p>\n", out);
    }
    fputs("</div><div>\n", out);
    html_chart(out, f);
    fputs("</div></div>\n</div>\n", out);
}

void cw_report_fixes_html(FILE *out, const cw_ranking *r)
{
    if (r->fix_count == 0)
        return;
    fputs("<h2>Fixes</h2>\n<p class=\"meta\">Each recorded fix, judged at this week: its "
          "target's complaints before the fix against after it (the settling weeks left out), "
          "the change with its 95 % interval, and the verdict. The chart marks the start; the "
          "dashed lines are the mean of each side.</p>\n",
          out);
    for (size_t i = 0; i < r->fix_count; i++)
        html_fix(out, r, &r->fixes[i]);
}

void cw_report_fixes_mark_html(FILE *out, const cw_ranking *r, const cw_ranking_entry *e)
{
    size_t pos = 0;
    const cw_fix_verdict *f;
    while ((f = cw_fixes_next_for(r, e, &pos)) != NULL) {
        char verdict[256];
        cw_fixes_verdict_text(verdict, sizeof(verdict), f);
        fprintf(out, "<p class=\"fix-mark\"><b>Fix #%lld</b> ", f->id);
        cw_report_html_escape(out, f->title);
        fputs(": ", out);
        cw_report_html_escape(out, verdict);
        if (f->trend_withheld) {
            fputs("; ", out);
            cw_report_html_escape(out, withheld_text(f));
        }
        fputs("</p>\n", out);
    }
}
