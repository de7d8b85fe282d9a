/* report.c - render a week's ranking as table, markdown, csv, json or html; see report.h. */
#include "causeway/report/report.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/ranking_json.h"
#include "causeway/report/report_fixes.h"
#include "causeway/report/report_html.h"
#include "causeway/util/text.h"

static const char *const format_names[] = {"table", "markdown", "csv", "json", "html"};

int cw_report_parse_format(const char *name)
{
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
        if (strcmp(name, format_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- shared helpers ---------------------------------------------------- */

/*
 * Names and values from the results (sites, ids, snippets) are data: each format writes
 * them through cw_text_write_escaped, made safe for the terminal and escaped for its
 * medium (plain for the table, cw_text_markdown_escape for markdown).
 */
static void text(FILE *out, const char *s, cw_text_escape_fn escape)
{
    cw_text_write_escaped(out, s != NULL ? s : "", escape);
}

/* s in at least `width` terminal columns: padded, never cut (as printf's %-*s). */
static void text_padded(FILE *out, const char *s, size_t width)
{
    size_t w = cw_text_width(s != NULL ? s : "");
    cw_text_write_cell(out, s != NULL ? s : "", w > width ? w : width, false);
}

/* "order_mixup 61, billing_error 22": attributed complaints in the recent window. */
static void write_shares(FILE *out, const cw_ranking_share *s, size_t n, cw_text_escape_fn escape)
{
    for (size_t i = 0; i < n; i++) {
        fputs(i > 0 ? ", " : "", out);
        text(out, s[i].id, escape);
        char count[32];
        cw_ranking_format_count(count, sizeof(count), s[i].value);
        fprintf(out, " %s", count);
    }
}

/* Text for a slope: "+3.1%/wk", or "" when none was estimated. */
static void format_slope(char *buf, size_t size, double slope)
{
    if (isnan(slope))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%+.1f%%/wk", slope);
}

static size_t section_end(const cw_ranking *r, size_t from, const char *kind)
{
    size_t i = from;
    while (i < r->count && strcmp(r->entries[i].kind, kind) == 0)
        i++;
    return i;
}

static size_t limit(size_t from, size_t to, unsigned top)
{
    return top > 0 && to - from > top ? from + top : to;
}

/* A driver's name: "delay_wait @ leeds", "delay_wait" (all sites), "delay_wait, channel: web". */
static void driver_label(char *buf, size_t size, const cw_ranking_driver *d)
{
    if (strcmp(d->kind, "symptom") == 0)
        snprintf(buf, size, "%s", d->symptom_id);
    else if (strcmp(d->kind, "symptom_site") == 0)
        snprintf(buf, size, "%s @ %s", d->symptom_id, d->value);
    else
        snprintf(buf, size, "%s, %s: %s", d->symptom_id,
                 strncmp(d->kind, "symptom_", 8) == 0 ? d->kind + 8 : d->kind, d->value);
}

static void item_label(char *buf, size_t size, const cw_ranking_entry *e)
{
    if (e->site[0] != '\0')
        snprintf(buf, size, "%s @ %s", e->area_name, e->site);
    else
        snprintf(buf, size, "%s", e->area_name);
}

static const char *text_or(const char *s, const char *none)
{
    return s != NULL && s[0] != '\0' ? s : none;
}

/* "drift since 2026-W40, +4.1%/wk, +3.2 a week over 6.5 (64 % of the item's rise)". */
static void driver_facts(FILE *out, const cw_ranking_driver *d, cw_text_escape_fn escape)
{
    text(out, d->status, escape);
    if (d->since_week[0] != '\0') {
        fputs(" since ", out);
        text(out, d->since_week, escape);
    }
    if (isfinite(d->slope_pct))
        fprintf(out, ", %+.1f%%/wk", d->slope_pct);
    if (isfinite(d->excess) && isfinite(d->baseline))
        fprintf(out, ", %+.1f a week over %.1f", d->excess, d->baseline);
    if (isfinite(d->share))
        fprintf(out, " (%.0f %% of the rise)", 100 * d->share);
}

static const char *status_color(const char *status)
{
    if (strcmp(status, "drift") == 0 || strcmp(status, "shift") == 0)
        return "1;31";
    if (strcmp(status, "spike") == 0)
        return "1;33";
    return "32";
}

/* ---- table -------------------------------------------------------------- */

static void table_entry(FILE *out, const cw_ranking_entry *e, const cw_report_options *o)
{
    char slope[32];
    format_slope(slope, sizeof(slope), e->slope_pct);
    char label[640];
    item_label(label, sizeof(label), e);
    fprintf(out, "%3u  ", e->rank);
    cw_text_write_cell(out, label, 34, false);
    fputc(' ', out);
    if (o->color)
        fprintf(out, "\033[%sm", status_color(e->status));
    text_padded(out, e->status, 12);
    if (o->color)
        fputs("\033[0m", out);
    fprintf(out, " %-8s %-10s %8.1f %8.1f  x%.2f%s\n",
            e->since_week[0] != '\0' ? e->since_week : "-", slope, e->score, e->volume,
            e->trend_factor, e->severity_floor > 0 ? "  (severity floor)" : "");
    if (e->top_symptom_count > 0) {
        fputs("     symptoms: ", out);
        write_shares(out, e->top_symptoms, e->top_symptom_count, NULL);
        fputc('\n', out);
    }
    if (e->top_site_count > 0) {
        fputs("     sites:    ", out);
        write_shares(out, e->top_sites, e->top_site_count, NULL);
        fputc('\n', out);
    }
    for (size_t i = 0; i < e->driver_count; i++) {
        char name[640];
        driver_label(name, sizeof(name), &e->drivers[i]);
        fprintf(out, "     %s ", i == 0 ? "driver:" : "       ");
        text_padded(out, name, 24);
        fputc(' ', out);
        driver_facts(out, &e->drivers[i], NULL);
        if (e->drivers[i].change[0] != '\0') {
            fputs(" [", out);
            text(out, e->drivers[i].change, NULL);
            fputc(']', out);
        }
        fputc('\n', out);
    }
    if (e->driver_factor > 1)
        fprintf(out, "     trend:    x%.2f from its drivers\n", e->driver_factor);
    if (e->example_count > 0) {
        fputs("     examples:", out);
        for (size_t i = 0; i < e->example_count; i++) {
            const cw_ranking_example *x = &e->examples[i];
            fputs(o->snippets ? "\n       #" : " #", out);
            text(out, x->complaint_id, NULL);
            if (!o->snippets)
                continue;
            fputs(" (", out);
            text(out, x->symptom_id, NULL);
            fputs("): ", out);
            if (x->snippet == NULL || x->snippet[0] == '\0') {
                fputs(CW_REPORT_NO_TEXT, out);
            } else {
                fputc('"', out);
                text(out, x->snippet, NULL);
                fputc('"', out);
            }
        }
        fputc('\n', out);
    }
    if (e->owner[0] != '\0') {
        fputs("     owner:    ", out);
        text(out, e->owner, NULL);
        fputc('\n', out);
    }
    if (e->remediation[0] != '\0') {
        fputs("     fix:      ", out);
        text(out, e->remediation, NULL);
        fputc('\n', out);
    }
}

static void table_section(FILE *out, const cw_ranking *r, size_t from, size_t to,
                          const cw_report_options *o)
{
    fprintf(out, "%3s  %-34s %-12s %-8s %-10s %8s %8s  %s\n", "#", "cause", "status", "since",
            "slope", "score", "volume", "trend");
    for (size_t i = from; i < to; i++) {
        table_entry(out, &r->entries[i], o);
        cw_report_fixes_mark_table(out, r, &r->entries[i]);
    }
}

static void table_changes(FILE *out, const cw_ranking *r)
{
    cw_ranking_change_counts c = cw_ranking_count_changes(r);
    if (text_or(r->previous_week, NULL) == NULL)
        fputs("Changed since last week (no earlier week is stored: every alarm is new):", out);
    else
        fprintf(out, "Changed since %s:", r->previous_week);
    if (c.listed == 0)
        fputs(" nothing", out);
    fputc('\n', out);
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        char label[640];
        item_label(label, sizeof(label), e);
        if (cw_ranking_change_listed(r, i, 0)) {
            fputs("  ", out);
            text_padded(out, e->change, 10);
            fputc(' ', out);
            text(out, label, NULL);
            fputs(": ", out);
            text(out, e->status, NULL);
            fputc('\n', out);
        }
        for (size_t k = 0; k < e->driver_count; k++) {
            const cw_ranking_driver *d = &e->drivers[k];
            if (!cw_ranking_change_listed(r, i, k + 1))
                continue;
            char name[640];
            driver_label(name, sizeof(name), d);
            fputs("  ", out);
            text_padded(out, d->change, 10);
            fputc(' ', out);
            text(out, label, NULL);
            fputs(", driver ", out);
            text(out, name, NULL);
            fputs(": ", out);
            driver_facts(out, d, NULL);
            fputc('\n', out);
        }
    }
    if (c.ongoing > 0)
        fprintf(out, "  (%zu ongoing)\n", c.ongoing);
}

static void write_table(FILE *out, const cw_ranking *r, const cw_report_options *o)
{
    fprintf(out, "causeway remediation ranking, week %s (from %s), rule set %.12s\n\n",
            r->target_week, r->week_monday, r->ruleset_hash);
    table_changes(out, r);
    fputc('\n', out);
    if (o->changes_only)
        return;
    size_t areas_end = section_end(r, 0, "area");
    if (cw_ranking_nothing_attributed(r))
        fprintf(out, "%s\n\n", CW_REPORT_NOTHING_RANKED);
    if (areas_end > 0)
        table_section(out, r, 0, limit(0, areas_end, o->top), o);
    size_t sites_end = section_end(r, areas_end, "area_site");
    if (sites_end > areas_end) {
        fputs("\nCause area x site\n", out);
        table_section(out, r, areas_end, limit(areas_end, sites_end, o->top), o);
    }
    cw_report_fixes_table(out, r);
    fputs("\nscore = max(volume x trend, severity floor); volume = severity-weighted complaints\n"
          "per week over the recent window; symptoms and sites: attributed complaints in it;\n"
          "trend = the larger of the item's own rise and its drivers' (the symptom series\n"
          "inside it that are flagged).\n",
          out);
}

/* ---- markdown ----------------------------------------------------------- */

static void md_text(FILE *out, const char *s)
{
    text(out, s, cw_text_markdown_escape);
}

static void md_driver(FILE *out, const cw_ranking_driver *d)
{
    char name[640];
    driver_label(name, sizeof(name), d);
    md_text(out, name);
    fputs(": ", out);
    driver_facts(out, d, cw_text_markdown_escape);
}

void cw_report_md_escape(FILE *out, const char *s)
{
    md_text(out, s);
}

static void md_section(FILE *out, const cw_ranking *r, size_t from, size_t to,
                       const cw_report_options *o)
{
    fputs("| # | cause | status | since | slope | score | volume | trend | floor | owner |\n"
          "|--:|---|---|---|--:|--:|--:|--:|--:|---|\n",
          out);
    for (size_t i = from; i < to; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        char slope[32];
        format_slope(slope, sizeof(slope), e->slope_pct);
        fprintf(out, "| %u | ", e->rank);
        md_text(out, e->area_name);
        if (e->site[0] != '\0') {
            fputs(" @ ", out);
            md_text(out, e->site);
        }
        fputs(" | ", out);
        md_text(out, e->status);
        fprintf(out, " | %s | %s | %.1f | %.1f | %.2f | %.1f | ",
                e->since_week[0] != '\0' ? e->since_week : "-", slope, e->score, e->volume,
                e->trend_factor, e->severity_floor);
        md_text(out, e->owner);
        fputs(" |\n", out);
    }
    fputc('\n', out);
    for (size_t i = from; i < to; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        if (strcmp(e->kind, "area") != 0 && e->driver_count == 0)
            continue;
        char label[640];
        item_label(label, sizeof(label), e);
        fprintf(out, "**%u. ", e->rank);
        md_text(out, label);
        fputs("**", out);
        if (e->top_symptom_count > 0) {
            fputs(" — symptoms: ", out);
            write_shares(out, e->top_symptoms, e->top_symptom_count, cw_text_markdown_escape);
        }
        if (e->remediation[0] != '\0') {
            fputs(". Fix: ", out);
            md_text(out, e->remediation);
        }
        for (size_t k = 0; k < e->driver_count; k++) {
            fputs(k == 0 ? "\n  - driver " : "\n  - driver ", out);
            md_driver(out, &e->drivers[k]);
            if (e->drivers[k].change[0] != '\0') {
                fputs(" — ", out);
                md_text(out, e->drivers[k].change);
            }
        }
        if (o->snippets)
            for (size_t k = 0; k < e->example_count; k++) {
                fputs("\n  - #", out);
                md_text(out, e->examples[k].complaint_id);
                fputs(": ", out);
                md_text(out, e->examples[k].snippet[0] != '\0' ? e->examples[k].snippet
                                                               : CW_REPORT_NO_TEXT);
            }
        fputs("\n\n", out);
    }
}

static void md_changes(FILE *out, const cw_ranking *r)
{
    cw_ranking_change_counts c = cw_ranking_count_changes(r);
    if (text_or(r->previous_week, NULL) == NULL)
        fputs("## Changed since last week\n\nNo earlier week is stored: every alarm is new.\n\n",
              out);
    else
        fprintf(out, "## Changed since %s\n\n", r->previous_week);
    if (c.listed == 0)
        fputs("Nothing changed.\n", out);
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        char label[640];
        item_label(label, sizeof(label), e);
        if (cw_ranking_change_listed(r, i, 0)) {
            fputs("- **", out);
            md_text(out, e->change);
            fputs("** ", out);
            md_text(out, label);
            fputs(" (", out);
            md_text(out, e->status);
            fputs(")\n", out);
        }
        for (size_t k = 0; k < e->driver_count; k++)
            if (cw_ranking_change_listed(r, i, k + 1)) {
                fputs("- **", out);
                md_text(out, e->drivers[k].change);
                fputs("** ", out);
                md_text(out, label);
                fputs(", driver ", out);
                md_driver(out, &e->drivers[k]);
                fputc('\n', out);
            }
    }
    if (c.ongoing > 0)
        fprintf(out, "- %zu ongoing\n", c.ongoing);
    fputc('\n', out);
}

static void write_markdown(FILE *out, const cw_ranking *r, const cw_report_options *o)
{
    fprintf(out, "# Remediation ranking, week %s\n\nWeek starting %s; rule set `%.12s`.\n\n",
            r->target_week, r->week_monday, r->ruleset_hash);
    md_changes(out, r);
    if (o->changes_only)
        return;
    size_t areas_end = section_end(r, 0, "area");
    if (cw_ranking_nothing_attributed(r))
        fprintf(out, "**%s**\n\n", CW_REPORT_NOTHING_RANKED);
    fputs("## Cause areas\n\n", out);
    md_section(out, r, 0, limit(0, areas_end, o->top), o);
    size_t sites_end = section_end(r, areas_end, "area_site");
    if (sites_end > areas_end) {
        fputs("## Cause area × site\n\n", out);
        md_section(out, r, areas_end, limit(areas_end, sites_end, o->top), o);
    }
    cw_report_fixes_markdown(out, r);
}

/* ---- csv ------------------------------------------------------------------ */

static void csv_field(FILE *out, const char *s)
{
    cw_text_csv_field(out, s != NULL ? s : "");
}

void cw_report_csv_field(FILE *out, const char *s)
{
    csv_field(out, s);
}

static void csv_number(FILE *out, double v)
{
    if (!isnan(v))
        fprintf(out, "%.6g", v);
}

static void csv_shares(FILE *out, const cw_ranking_share *s, size_t n)
{
    char buf[512];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof(buf); i++)
        used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s:%.6g", i > 0 ? ";" : "",
                                 s[i].id, s[i].value);
    csv_field(out, buf);
}

/* One CSV field holding several values: `join` writes them, then they are quoted as one. */
static void csv_joined(FILE *out, const cw_ranking_entry *e,
                       void (*join)(FILE *, const cw_ranking_entry *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return;
    join(f, e);
    if (fclose(f) == 0)
        csv_field(out, buf);
    free(buf);
}

/* "kind:symptom_id:value:status:since:slope:excess:share:change" per driver, ';'-joined. */
static void join_drivers(FILE *f, const cw_ranking_entry *e)
{
    for (size_t k = 0; k < e->driver_count; k++) {
        const cw_ranking_driver *d = &e->drivers[k];
        fprintf(f, "%s%s:%s:%s:%s:%s:", k > 0 ? ";" : "", d->kind, d->symptom_id, d->value,
                d->status, d->since_week);
        const double nums[] = {d->slope_pct, d->excess, d->share};
        for (size_t i = 0; i < 3; i++) {
            csv_number(f, nums[i]);
            fputc(':', f);
        }
        fputs(d->change, f);
    }
}

/* "id1;id2": the examples' complaint ids. */
static void join_example_ids(FILE *f, const cw_ranking_entry *e)
{
    for (size_t k = 0; k < e->example_count; k++)
        fprintf(f, "%s%s", k > 0 ? ";" : "", e->examples[k].complaint_id);
}

static void csv_changes(FILE *out, const cw_ranking *r)
{
    fputs("week,previous_week,change,kind,area_id,site,driver_kind,symptom_id,value,status,"
          "since_week,slope_pct,excess\r\n",
          out);
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        for (size_t k = 0; k <= e->driver_count; k++) {
            const cw_ranking_driver *d;
            const char *change = cw_ranking_listed_change(r, i, k, &d);
            if (change == NULL)
                continue;
            fprintf(out, "%s,%s,", r->target_week, text_or(r->previous_week, ""));
            csv_field(out, change);
            fputc(',', out);
            csv_field(out, e->kind);
            fputc(',', out);
            csv_field(out, e->area_id);
            fputc(',', out);
            csv_field(out, e->site);
            fputc(',', out);
            csv_field(out, d != NULL ? d->kind : "");
            fputc(',', out);
            csv_field(out, d != NULL ? d->symptom_id : "");
            fputc(',', out);
            csv_field(out, d != NULL ? d->value : "");
            fputc(',', out);
            csv_field(out, d != NULL ? d->status : e->status);
            fputc(',', out);
            csv_field(out, d != NULL ? d->since_week : e->since_week);
            fputc(',', out);
            csv_number(out, d != NULL ? d->slope_pct : e->slope_pct);
            fputc(',', out);
            csv_number(out, d != NULL ? d->excess : e->excess);
            fputs("\r\n", out);
        }
    }
}

static void write_csv(FILE *out, const cw_ranking *r, const cw_report_options *o)
{
    if (o->changes_only) {
        csv_changes(out, r);
        return;
    }
    fputs("week,kind,rank,area_id,area_name,site,status,since_week,slope_pct,strength,score,"
          "volume,rate,trend_factor,severity_floor,max_severity,baseline,recent,top_symptoms,"
          "top_sites,example_ids,owner,remediation,change,excess,driver_factor,drivers,"
          "previous_week\r\n",
          out);
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        fprintf(out, "%s,", r->target_week);
        csv_field(out, e->kind);
        fprintf(out, ",%u,", e->rank);
        csv_field(out, e->area_id);
        fputc(',', out);
        csv_field(out, e->area_name);
        fputc(',', out);
        csv_field(out, e->site);
        fputc(',', out);
        csv_field(out, e->status);
        fputc(',', out);
        csv_field(out, e->since_week);
        fputc(',', out);
        const double nums[] = {e->slope_pct, e->strength,     e->score,         e->volume,
                               e->rate,      e->trend_factor, e->severity_floor};
        for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
            csv_number(out, nums[k]);
            fputc(',', out);
        }
        fprintf(out, "%d,", e->max_severity);
        csv_number(out, e->baseline);
        fputc(',', out);
        csv_number(out, e->recent);
        fputc(',', out);
        csv_shares(out, e->top_symptoms, e->top_symptom_count);
        fputc(',', out);
        csv_shares(out, e->top_sites, e->top_site_count);
        fputc(',', out);
        csv_joined(out, e, join_example_ids);
        fputc(',', out);
        csv_field(out, e->owner);
        fputc(',', out);
        csv_field(out, e->remediation);
        fputc(',', out);
        csv_field(out, text_or(e->change, ""));
        fputc(',', out);
        csv_number(out, e->excess);
        fputc(',', out);
        csv_number(out, e->driver_factor);
        fputc(',', out);
        csv_joined(out, e, join_drivers);
        fprintf(out, ",%s\r\n", text_or(r->previous_week, ""));
    }
    cw_report_fixes_csv(out, r);
}

int cw_report_write(FILE *out, const cw_ranking *r, const cw_report_options *opts, cw_error *err)
{
    switch (opts->format) {
    case CW_REPORT_TABLE:
        write_table(out, r, opts);
        break;
    case CW_REPORT_MARKDOWN:
        write_markdown(out, r, opts);
        break;
    case CW_REPORT_CSV:
        write_csv(out, r, opts);
        break;
    case CW_REPORT_JSON:
        if (cw_ranking_json_write(out, r, opts->changes_only, err) != 0)
            return -1;
        break;
    case CW_REPORT_HTML:
        cw_report_write_html(out, r, opts);
        break;
    }
    if (fflush(out) != 0 || ferror(out))
        return cw_error_set(err, CW_EXIT_IOERR, "could not write the report: %s",
                            strerror(errno != 0 ? errno : EIO));
    return 0;
}
