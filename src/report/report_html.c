/* report_html.c - the self-contained HTML report; see report_html.h. */
#include "causeway/report/report_html.h"

#include <math.h>
#include <string.h>

#include "causeway/report/report_fixes.h"
#include "causeway/util/text.h"
#include "causeway/util/week.h"

#define CHART_W 560
#define CHART_H 150
#define PAD_L   36
#define PAD_B   22
#define PAD_T   10

/* Data as HTML text: made safe (no controls, no bidi overrides) and entity-escaped. */
static void esc(FILE *out, const char *s)
{
    cw_text_write_escaped(out, s != NULL ? s : "", cw_text_html_escape);
}

void cw_report_html_escape(FILE *out, const char *s)
{
    esc(out, s);
}

/*
 * The CSS class of a word from the results (a status, a change): only the known words
 * become classes, so a value from a tampered results table cannot inject attributes.
 */
static const char *known_class(const char *word, const char *const *known, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (word != NULL && strcmp(word, known[i]) == 0)
            return known[i];
    return "unknown";
}

static const char *status_class(const char *status)
{
    static const char *const known[] = {"drift", "shift", "spike", "stable", "insufficient"};
    return known_class(status, known, sizeof(known) / sizeof(known[0]));
}

static void badge(FILE *out, const char *status)
{
    fprintf(out, "<span class=\"badge %s\">", status_class(status));
    esc(out, status);
    fputs("</span>", out);
}

static void number(FILE *out, int decimals, double v)
{
    if (isfinite(v))
        fprintf(out, "%.*f", decimals, v);
    else
        fputs("&ndash;", out);
}

static const char *const css =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232b;"
    "max-width:980px;margin:2em auto;padding:0 1em}"
    "h1{font-size:1.6em;margin:.2em 0}h2{margin-top:2em;border-bottom:2px solid #d8dde3}"
    ".meta{color:#5b6571}.summary{background:#f4f6f8;border-radius:8px;padding:.8em 1.2em}"
    ".item{border:1px solid #d8dde3;border-radius:8px;padding:.8em 1.2em;margin:1.2em 0;"
    "break-inside:avoid}.item h3{margin:.1em 0 .4em;font-size:1.15em}"
    ".rank{display:inline-block;min-width:1.8em;font-weight:700}"
    ".badge{display:inline-block;font-size:.8em;font-weight:700;text-transform:uppercase;"
    "letter-spacing:.04em;padding:.1em .55em;border-radius:4px;border:1px solid;margin-left:.5em}"
    /* Hue plus a border style and weight each, so the badges differ in greyscale too. */
    ".drift{color:#9b1c1c;background:#fde8e8;border:2px solid}"
    ".shift{color:#8a3b00;background:#feecdc;border:3px double}"
    ".spike{color:#6b4e00;background:#fdf6b2;border:2px dashed}"
    ".stable{color:#1f5130;background:#fff;border-style:dotted;font-weight:400}"
    ".insufficient,.unknown{color:#4b5563;background:#f3f4f6;border-style:dotted;"
    "font-weight:400;font-style:italic}"
    "table.score{border-collapse:collapse;margin:.4em 0}"
    "table.score td{padding:.1em .9em .1em 0}table.score td:first-child{color:#5b6571}"
    ".cols{display:flex;gap:2em;flex-wrap:wrap}.cols>div{flex:1;min-width:260px}"
    "svg{max-width:100%;height:auto}svg text{font-size:10px;fill:#5b6571}"
    "blockquote{margin:.3em 0;padding:.2em .8em;border-left:3px solid #c3cad2;color:#333}"
    ".fix{background:#eef6ff;border-radius:6px;padding:.5em .9em}"
    ".changes{border:1px solid #d8dde3;border-radius:8px;padding:.6em 1.2em;margin:1em 0}"
    "table.drivers{border-collapse:collapse;margin:.6em 0;font-size:.92em}"
    "table.drivers th{text-align:left;color:#5b6571;font-weight:600;padding:.1em .7em .1em 0}"
    "table.drivers td{padding:.15em .7em .15em 0;vertical-align:middle}"
    ".chg{font-size:.78em;font-weight:700;padding:.05em .45em;border-radius:4px;"
    "border:1px solid}.chg.new,.chg.worsening{color:#9b1c1c}.chg.easing,.chg.resolved"
    "{color:#1f5130}.chg.ongoing,.chg.unknown{color:#4b5563}"
    "@media print{body{margin:0;max-width:none;font-size:11pt}.item{border-color:#999}"
    "h2{break-after:avoid}.summary,.fix,.badge{print-color-adjust:exact;"
    "-webkit-print-color-adjust:exact}}";

/* An inline chart: the weekly series, its frozen baseline and the detected onset. */
static void chart(FILE *out, const cw_ranking *r, const cw_ranking_entry *e)
{
    if (e->series == NULL || e->series_len < 2)
        return;
    double top = isfinite(e->baseline) ? e->baseline : 0;
    for (size_t i = 0; i < e->series_len; i++)
        if (isfinite(e->series[i]) && e->series[i] > top)
            top = e->series[i];
    top = top > 0 ? top * 1.1 : 1;
    const double w = CHART_W - PAD_L - 6, h = CHART_H - PAD_T - PAD_B;
    const double step = w / (double)(e->series_len - 1);
#define X(i) (PAD_L + step * (double)(i))
#define Y(v) (PAD_T + h - h * (v) / top)
    fprintf(out,
            "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"weekly complaints\">\n",
            CHART_W, CHART_H, CHART_W, CHART_H);
    fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c3cad2\"/>\n", PAD_L,
            Y(0), CHART_W - 6, Y(0));
    fprintf(out, "<text x=\"2\" y=\"%.1f\">%.0f</text><text x=\"2\" y=\"%.1f\">0</text>\n",
            PAD_T + 8.0, top, Y(0));
    char label[16];
    if (e->baseline_from >= 0 && (size_t)e->baseline_from < e->series_len) {
        /* Where the frozen baseline window starts: its length is configuration. */
        cw_week_format_iso(label, sizeof(label), r->series_first + e->baseline_from);
        fprintf(out,
                "<line class=\"baseline-from\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#3b6ea5\" stroke-dasharray=\"2 3\"><title>baseline from %s</title>"
                "</line><text x=\"%.1f\" y=\"%d\" fill=\"#3b6ea5\">baseline</text>\n",
                X(e->baseline_from), PAD_T, X(e->baseline_from), PAD_T + h, label,
                X(e->baseline_from) + 3, PAD_T + 20);
    }
    if (isfinite(e->baseline))
        fprintf(out,
                "<line class=\"baseline\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                "stroke=\"#3b6ea5\" stroke-dasharray=\"5 4\"><title>frozen baseline %.1f a "
                "week</title></line>\n",
                PAD_L, Y(e->baseline), CHART_W - 6, Y(e->baseline), e->baseline);
    if (e->series_since >= 0 && (size_t)e->series_since < e->series_len) {
        /* The label goes left of a marker near the right edge so it is not clipped. */
        const double x = X(e->series_since);
        const int left = x > CHART_W - 50;
        fprintf(out,
                "<line class=\"onset\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#9b1c1c\" stroke-width=\"1.5\"/><text x=\"%.1f\" y=\"%d\" "
                "fill=\"#9b1c1c\"%s>onset</text>\n",
                x, PAD_T, x, PAD_T + h, left ? x - 3 : x + 3, PAD_T + 9,
                left ? " text-anchor=\"end\"" : "");
    }
    fputs("<polyline class=\"series\" fill=\"none\" stroke=\"#1d232b\" stroke-width=\"1.5\" "
          "points=\"",
          out);
    for (size_t i = 0; i < e->series_len; i++)
        fprintf(out, "%s%.1f,%.1f", i > 0 ? " " : "", X(i),
                Y(isfinite(e->series[i]) ? e->series[i] : 0));
    fputs("\"/>\n", out);
    char first[16], last[16];
    cw_week_format_iso(first, sizeof(first), r->series_first);
    cw_week_format_iso(last, sizeof(last), r->series_first + (cw_week)e->series_len - 1);
    /* Week labels: both ends, and about every quarter in between when they fit. */
    fprintf(out,
            "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" "
            "text-anchor=\"end\">%s</text>\n",
            PAD_L, CHART_H - 6, first, CHART_W - 6, CHART_H - 6, last);
    for (size_t i = 13; i + 13 < e->series_len && step * 13 >= 60; i += 13) {
        cw_week_format_iso(label, sizeof(label), r->series_first + (cw_week)i);
        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c3cad2\"/>"
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                X(i), Y(0), X(i), Y(0) + 3, X(i), CHART_H - 6, label);
    }
    fputs("</svg>\n", out);
#undef X
#undef Y
}

static void shares(FILE *out, const char *title, const cw_ranking_share *s, size_t n)
{
    if (n == 0)
        return;
    fprintf(out, "<p><b>%s:</b> ", title);
    for (size_t i = 0; i < n; i++) {
        fputs(i > 0 ? ", " : "", out);
        esc(out, s[i].id);
        char count[32];
        cw_ranking_format_count(count, sizeof(count), s[i].value);
        fputs(" (", out);
        if (isfinite(s[i].value))
            fputs(count, out);
        else
            number(out, 0, s[i].value); /* a dash */
        fputc(')', out);
    }
    fputs("</p>\n", out);
}

/* A driver's name: "delay_wait @ leeds", "delay_wait" (all sites), "delay_wait, channel: web". */
static void driver_name(FILE *out, const cw_ranking_driver *d)
{
    esc(out, d->symptom_id);
    if (strcmp(d->kind, "symptom") == 0)
        return;
    if (strcmp(d->kind, "symptom_site") == 0) {
        fputs(" @ ", out);
    } else {
        fputs(", ", out);
        esc(out, strncmp(d->kind, "symptom_", 8) == 0 ? d->kind + 8 : d->kind);
        fputs(": ", out);
    }
    esc(out, d->value);
}

/* A small chart per driver: its weekly series, its expected level and its onset. */
static void sparkline(FILE *out, const cw_ranking_driver *d)
{
    enum { W = 160, H = 34 };
    if (d->series == NULL || d->series_len < 2)
        return;
    double top = isfinite(d->baseline) ? d->baseline : 0;
    for (size_t i = 0; i < d->series_len; i++)
        if (isfinite(d->series[i]) && d->series[i] > top)
            top = d->series[i];
    top = top > 0 ? top * 1.1 : 1;
    const double step = (W - 2) / (double)(d->series_len - 1);
    fprintf(out,
            "<svg class=\"spark\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"weekly complaints of this driver\">",
            W, H, W, H);
    if (isfinite(d->baseline))
        fprintf(out,
                "<line x1=\"1\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#3b6ea5\" "
                "stroke-dasharray=\"4 3\"/>",
                H - 2 - (H - 4) * d->baseline / top, W - 1, H - 2 - (H - 4) * d->baseline / top);
    if (d->series_since >= 0 && (size_t)d->series_since < d->series_len)
        fprintf(out, "<line x1=\"%.1f\" y1=\"1\" x2=\"%.1f\" y2=\"%d\" stroke=\"#9b1c1c\"/>",
                1 + step * (double)d->series_since, 1 + step * (double)d->series_since, H - 1);
    fputs("<polyline fill=\"none\" stroke=\"#1d232b\" stroke-width=\"1.2\" points=\"", out);
    for (size_t i = 0; i < d->series_len; i++)
        fprintf(out, "%s%.1f,%.1f", i > 0 ? " " : "", 1 + step * (double)i,
                H - 2 - (H - 4) * (isfinite(d->series[i]) ? d->series[i] : 0) / top);
    fputs("\"/></svg>", out);
}

static const char *change_class(const char *change)
{
    static const char *const known[] = {"new", "worsening", "ongoing", "easing", "resolved"};
    return known_class(change, known, sizeof(known) / sizeof(known[0]));
}

static void change_badge(FILE *out, const char *change)
{
    if (change == NULL || change[0] == '\0')
        return;
    fprintf(out, " <span class=\"chg %s\">", change_class(change));
    esc(out, change);
    fputs("</span>", out);
}

static void drivers(FILE *out, const cw_ranking_entry *e)
{
    if (e->driver_count == 0)
        return;
    fputs("<table class=\"drivers\"><tr><th>driver</th><th>status</th><th>since</th>"
          "<th>slope</th><th>excess / week</th><th>share of the rise</th><th>weekly</th></tr>\n",
          out);
    for (size_t i = 0; i < e->driver_count; i++) {
        const cw_ranking_driver *d = &e->drivers[i];
        fputs("<tr><td>", out);
        driver_name(out, d);
        change_badge(out, d->change);
        fputs("</td><td>", out);
        badge(out, d->status);
        fputs("</td><td>", out);
        esc(out, d->since_week[0] != '\0' ? d->since_week : "-");
        fputs("</td><td>", out);
        if (isfinite(d->slope_pct))
            fprintf(out, "%+.1f %%", d->slope_pct);
        else
            fputs("&ndash;", out);
        fputs("</td><td>", out);
        if (isfinite(d->excess))
            fprintf(out, "%+.1f", d->excess);
        else
            fputs("&ndash;", out);
        fputs(" over ", out);
        number(out, 1, d->baseline);
        fputs("</td><td>", out);
        if (isfinite(d->share))
            fprintf(out, "%.0f %%", 100 * d->share);
        else
            fputs("&ndash;", out);
        fputs("</td><td>", out);
        sparkline(out, d);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void item(FILE *out, const cw_ranking *r, const cw_ranking_entry *e)
{
    fprintf(out, "<div class=\"item\">\n<h3><span class=\"rank\">%u</span> ", e->rank);
    esc(out, e->area_name);
    if (e->site[0] != '\0') {
        fputs(" &middot; ", out);
        esc(out, e->site);
    }
    badge(out, e->status);
    change_badge(out, e->change);
    fputs("</h3>\n<p class=\"meta\">", out);
    if (e->since_week[0] != '\0') {
        fputs("since ", out);
        esc(out, e->since_week);
        fputs(" &middot; ", out);
    }
    if (isfinite(e->slope_pct))
        fprintf(out, "%+.1f %% a week &middot; ", e->slope_pct);
    fputs("owner: ", out);
    esc(out, e->owner[0] != '\0' ? e->owner : "not set");
    fputs("</p>\n<div class=\"cols\"><div>\n<table class=\"score\">", out);
    fputs("<tr><td>score</td><td><b>", out);
    number(out, 1, e->score);
    fputs("</b></td></tr><tr><td>volume (severity-weighted / week)</td><td>", out);
    number(out, 1, e->volume);
    fputs("</td></tr><tr><td>trend factor</td><td>&times;", out);
    number(out, 2, e->trend_factor);
    if (e->driver_factor > 1) {
        fputs(" (from its drivers: &times;", out);
        number(out, 2, e->driver_factor);
        fputc(')', out);
    }
    fputs("</td></tr><tr><td>severity floor</td><td>", out);
    number(out, 1, e->severity_floor);
    fprintf(out, "</td></tr><tr><td>worst severity</td><td>%d</td></tr>", e->max_severity);
    fputs("<tr><td>complaints / week: recent, baseline</td><td>", out);
    number(out, 1, e->recent);
    fputs(", ", out);
    number(out, 1, e->baseline);
    fputs("</td></tr></table>\n", out);
    shares(out, "Top symptoms", e->top_symptoms, e->top_symptom_count);
    shares(out, "Top sites", e->top_sites, e->top_site_count);
    fputs("</div><div>\n", out);
    chart(out, r, e);
    fputs("</div></div>\n", out);
    drivers(out, e);
    for (size_t i = 0; i < e->example_count; i++) {
        fputs("<blockquote>#", out);
        esc(out, e->examples[i].complaint_id);
        fputs(" (", out);
        esc(out, e->examples[i].symptom_id);
        if (e->examples[i].snippet[0] == '\0') {
            fputs("): " CW_REPORT_NO_TEXT "</blockquote>\n", out);
            continue;
        }
        fputs("): &ldquo;", out);
        esc(out, e->examples[i].snippet);
        fputs("&rdquo;</blockquote>\n", out);
    }
    if (e->remediation[0] != '\0') {
        fputs("<p class=\"fix\"><b>What to do:</b> ", out);
        esc(out, e->remediation);
        fputs("</p>\n", out);
    }
    cw_report_fixes_mark_html(out, r, e);
    fputs("</div>\n", out);
}

static size_t section_end(const cw_ranking *r, size_t from)
{
    size_t i = from;
    while (i < r->count && strcmp(r->entries[i].kind, r->entries[from].kind) == 0)
        i++;
    return i;
}

static void section(FILE *out, const cw_ranking *r, size_t from, size_t to, unsigned top,
                    const char *title)
{
    if (from == to)
        return;
    fprintf(out, "<h2>%s</h2>\n", title);
    size_t end = top > 0 && to - from > top ? from + top : to;
    for (size_t i = from; i < end; i++)
        item(out, r, &r->entries[i]);
    if (end < to)
        fprintf(out, "<p class=\"meta\">%zu more in the CSV and JSON outputs.</p>\n", to - end);
}

static void summary(FILE *out, const cw_ranking *r, size_t areas)
{
    fputs("<div class=\"summary\"><b>Fix first:</b><ol>\n", out);
    for (size_t i = 0; i < areas && i < 3; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        fputs("<li>", out);
        esc(out, e->area_name);
        fputc(' ', out);
        badge(out, e->status);
        if (e->driver_count > 0 && cw_ranking_flagged(e->drivers[0].status)) {
            fputs(" &mdash; driven by ", out);
            driver_name(out, &e->drivers[0]);
        } else if (e->top_symptom_count > 0) {
            fputs(" &mdash; mostly ", out);
            esc(out, e->top_symptoms[0].id);
        }
        if (e->owner[0] != '\0') {
            fputs(" &mdash; ", out);
            esc(out, e->owner);
        }
        fputs("</li>\n", out);
    }
    fputs("</ol></div>\n", out);
}

static void changes(FILE *out, const cw_ranking *r)
{
    size_t listed = 0, ongoing = 0;
    fputs("<div class=\"changes\"><b>", out);
    if (r->previous_week != NULL && r->previous_week[0] != '\0') {
        fputs("Changed since ", out);
        esc(out, r->previous_week);
    } else {
        fputs("Changed since last week</b> (no earlier week is stored: every alarm is new)<b>",
              out);
    }
    fputs(":</b><ul>\n", out);
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        ongoing += e->change != NULL && strcmp(e->change, "ongoing") == 0;
        for (size_t k = 0; k <= e->driver_count; k++) {
            const cw_ranking_driver *d = k > 0 ? &e->drivers[k - 1] : NULL;
            const char *c = d != NULL ? d->change : e->change;
            if (!cw_ranking_change_listed(r, i, k))
                continue;
            listed++;
            fputs("<li>", out);
            change_badge(out, c);
            fputc(' ', out);
            esc(out, e->area_name);
            if (e->site[0] != '\0') {
                fputs(" &middot; ", out);
                esc(out, e->site);
            }
            if (d != NULL) {
                fputs(", driver ", out);
                driver_name(out, d);
                fputc(' ', out);
                badge(out, d->status);
            } else {
                badge(out, e->status);
            }
            fputs("</li>\n", out);
        }
    }
    if (listed == 0)
        fputs("<li>nothing</li>\n", out);
    if (ongoing > 0)
        fprintf(out, "<li>%zu ongoing</li>\n", ongoing);
    fputs("</ul></div>\n", out);
}

static const char *const how_to_read =
    "<h2>How to read this</h2>\n"
    "<p>Each complaint is matched against the rule set; its symptoms point at internal "
    "cause areas with weights. A cause area's <b>score</b> is its recent severity-weighted "
    "attributed complaints per week (<b>volume</b>), multiplied by the <b>trend factor</b> "
    "when it is rising, and never below the <b>severity floor</b> that keeps rare but "
    "severe symptoms visible.</p>\n"
    "<p><b>drift</b>: a slow sustained rise, with its slope; <b>shift</b>: a persistent "
    "step; <b>spike</b>: one bad week; <b>stable</b>: nothing beyond the usual; "
    "<b>insufficient</b>: too little history to judge. Each is "
    "judged against a baseline frozen over a window of weeks that starts at the dotted "
    "blue line of the chart (its level is the dashed line), so a slow decline is not "
    "absorbed; the red line marks the estimated onset.</p>\n"
    "<p><b>Drivers</b> are the symptom series inside an item (the symptom at all sites, at "
    "one site, or in one channel, product or segment) that are flagged themselves: their "
    "excess is complaints a week above what the frozen baseline expects, and their share is "
    "that excess over the item's. A flagged driver lifts its item's trend factor even when "
    "the item as a whole looks stable. Every series in the report is tested against limits "
    "that grow with the number of series, so the whole report raises at most half a false "
    "alarm a week on stable data.</p>\n"
    "<p><b>new</b>, <b>worsening</b>, <b>ongoing</b>, <b>easing</b>, <b>resolved</b>: an "
    "item's or driver's alarm against the previous stored week.</p>\n"
    "<p>Quoted snippets are complaint text: handle this file as personal data.</p>\n";

void cw_report_write_html(FILE *out, const cw_ranking *r, const cw_report_options *opts)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>causeway: what to fix first, ",
          out);
    esc(out, r->target_week);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
    fputs("<h1>What to fix first</h1>\n<p class=\"meta\">Week ", out);
    esc(out, r->target_week);
    fputs(" (from ", out);
    esc(out, r->week_monday);
    fputs(") &middot; rule set ", out);
    char hash[13] = "";
    if (r->ruleset_hash != NULL)
        snprintf(hash, sizeof(hash), "%s", r->ruleset_hash);
    esc(out, hash);
    fputs("</p>\n", out);
    changes(out, r);
    if (opts->changes_only) {
        fputs("</body>\n</html>\n", out);
        return;
    }
    size_t areas = r->count > 0 ? section_end(r, 0) : 0;
    if (areas > 0 && cw_ranking_nothing_attributed(r))
        fprintf(out, "<p class=\"summary\">%s</p>\n", CW_REPORT_NOTHING_RANKED);
    else if (areas > 0)
        summary(out, r, areas);
    else
        fputs("<p>No complaints were ranked for this week.</p>\n", out);
    section(out, r, 0, areas, opts->top, "Cause areas");
    section(out, r, areas, r->count, opts->top, "Cause area by site");
    cw_report_fixes_html(out, r);
    fputs(how_to_read, out);
    fputs("</body>\n</html>\n", out);
}
