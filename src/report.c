/* report.c - render a week's ranking as table, markdown, csv, json or html; see report.h. */
#include "causeway/report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "causeway/report_fixes.h"
#include "causeway/report_html.h"
#include "causeway/text.h"

static const char *const format_names[] = {"table", "markdown", "csv", "json", "html"};

int cw_report_parse_format(const char *name)
{
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
        if (strcmp(name, format_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- shared helpers ---------------------------------------------------- */

/* "order_mixup 61, billing_error 22": attributed complaints in the recent window. */
static void write_shares(FILE *out, const cw_ranking_share *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s %.0f", i > 0 ? ", " : "", s[i].id, s[i].value);
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
    char label[160];
    if (e->site[0] != '\0')
        snprintf(label, sizeof(label), "%s @ %s", e->area_name, e->site);
    else
        snprintf(label, sizeof(label), "%s", e->area_name);
    fprintf(out, "%3u  %-34.34s ", e->rank, label);
    if (o->color)
        fprintf(out, "\033[%sm%-12s\033[0m", status_color(e->status), e->status);
    else
        fprintf(out, "%-12s", e->status);
    fprintf(out, " %-8s %-10s %8.1f %8.1f  x%.2f%s\n",
            e->since_week[0] != '\0' ? e->since_week : "-", slope, e->score, e->volume,
            e->trend_factor, e->severity_floor > 0 ? "  (severity floor)" : "");
    if (e->top_symptom_count > 0) {
        fputs("     symptoms: ", out);
        write_shares(out, e->top_symptoms, e->top_symptom_count);
        fputc('\n', out);
    }
    if (e->top_site_count > 0) {
        fputs("     sites:    ", out);
        write_shares(out, e->top_sites, e->top_site_count);
        fputc('\n', out);
    }
    if (e->example_count > 0) {
        fputs("     examples:", out);
        for (size_t i = 0; i < e->example_count; i++) {
            if (o->snippets && e->examples[i].snippet[0] == '\0')
                fprintf(out, "\n       #%s (%s): %s", e->examples[i].complaint_id,
                        e->examples[i].symptom_id, CW_REPORT_NO_TEXT);
            else if (o->snippets)
                fprintf(out, "\n       #%s (%s): \"%s\"", e->examples[i].complaint_id,
                        e->examples[i].symptom_id, e->examples[i].snippet);
            else
                fprintf(out, " #%s", e->examples[i].complaint_id);
        }
        fputc('\n', out);
    }
    if (e->owner[0] != '\0')
        fprintf(out, "     owner:    %s\n", e->owner);
    if (e->remediation[0] != '\0')
        fprintf(out, "     fix:      %s\n", e->remediation);
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

static void write_table(FILE *out, const cw_ranking *r, const cw_report_options *o)
{
    fprintf(out, "causeway remediation ranking, week %s (from %s), rule set %.12s\n\n",
            r->target_week, r->week_monday, r->ruleset_hash);
    size_t areas_end = section_end(r, 0, "area");
    if (areas_end == 0)
        fputs("No complaints attributed to any cause area in the analysed window.\n", out);
    else
        table_section(out, r, 0, limit(0, areas_end, o->top), o);
    size_t sites_end = section_end(r, areas_end, "area_site");
    if (sites_end > areas_end) {
        fputs("\nCause area x site\n", out);
        table_section(out, r, areas_end, limit(areas_end, sites_end, o->top), o);
    }
    cw_report_fixes_table(out, r);
    fputs("\nscore = max(volume x trend, severity floor); volume = severity-weighted complaints\n"
          "per week over the recent window; symptoms and sites: attributed complaints in it.\n",
          out);
}

/* ---- markdown ----------------------------------------------------------- */

static void md_text(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '|' || *s == '*' || *s == '_' || *s == '`' || *s == '<' || *s == '[')
            fputc('\\', out);
        fputc(*s == '\n' ? ' ' : *s, out);
    }
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
        fprintf(out, " | %s | %s | %s | %.1f | %.1f | %.2f | %.1f | ", e->status,
                e->since_week[0] != '\0' ? e->since_week : "-", slope, e->score, e->volume,
                e->trend_factor, e->severity_floor);
        md_text(out, e->owner);
        fputs(" |\n", out);
    }
    fputc('\n', out);
    for (size_t i = from; i < to; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        if (strcmp(e->kind, "area") != 0)
            continue;
        fprintf(out, "**%u. ", e->rank);
        md_text(out, e->area_name);
        fputs("**", out);
        if (e->top_symptom_count > 0) {
            fputs(" — symptoms: ", out);
            write_shares(out, e->top_symptoms, e->top_symptom_count);
        }
        if (e->remediation[0] != '\0') {
            fputs(". Fix: ", out);
            md_text(out, e->remediation);
        }
        if (o->snippets)
            for (size_t k = 0; k < e->example_count; k++) {
                fprintf(out, "\n  - #%s: ", e->examples[k].complaint_id);
                md_text(out, e->examples[k].snippet[0] != '\0' ? e->examples[k].snippet
                                                               : CW_REPORT_NO_TEXT);
            }
        fputs("\n\n", out);
    }
}

static void write_markdown(FILE *out, const cw_ranking *r, const cw_report_options *o)
{
    fprintf(out, "# Remediation ranking, week %s\n\nWeek starting %s; rule set `%.12s`.\n\n",
            r->target_week, r->week_monday, r->ruleset_hash);
    size_t areas_end = section_end(r, 0, "area");
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
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
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

static void write_csv(FILE *out, const cw_ranking *r)
{
    fputs("week,kind,rank,area_id,area_name,site,status,since_week,slope_pct,strength,score,"
          "volume,rate,trend_factor,severity_floor,max_severity,baseline,recent,top_symptoms,"
          "top_sites,example_ids,owner,remediation\r\n",
          out);
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        fprintf(out, "%s,%s,%u,", r->target_week, e->kind, e->rank);
        csv_field(out, e->area_id);
        fputc(',', out);
        csv_field(out, e->area_name);
        fputc(',', out);
        csv_field(out, e->site);
        fprintf(out, ",%s,%s,", e->status, e->since_week);
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
        for (size_t k = 0; k < e->example_count; k++)
            fprintf(out, "%s%s", k > 0 ? ";" : "", e->examples[k].complaint_id);
        fputc(',', out);
        csv_field(out, e->owner);
        fputc(',', out);
        csv_field(out, e->remediation);
        fputs("\r\n", out);
    }
    cw_report_fixes_csv(out, r);
}

/* ---- json ----------------------------------------------------------------- */

static void json_number(FILE *out, double v)
{
    if (isnan(v) || isinf(v))
        fputs("null", out);
    else
        fprintf(out, "%.6g", v);
}

static void json_shares(FILE *out, const char *key, const cw_ranking_share *s, size_t n)
{
    fprintf(out, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        fputs(i > 0 ? ",{\"id\":" : "{\"id\":", out);
        cw_text_json_string(out, s[i].id);
        fputs(",\"attributed\":", out);
        json_number(out, s[i].value);
        fputc('}', out);
    }
    fputc(']', out);
}

static void json_entry(FILE *out, const cw_ranking_entry *e)
{
    fprintf(out, "{\"rank\":%u,\"kind\":", e->rank);
    cw_text_json_string(out, e->kind);
    fputs(",\"area_id\":", out);
    cw_text_json_string(out, e->area_id);
    fputs(",\"area_name\":", out);
    cw_text_json_string(out, e->area_name);
    fputs(",\"site\":", out);
    if (e->site[0] != '\0')
        cw_text_json_string(out, e->site);
    else
        fputs("null", out);
    fputs(",\"status\":", out);
    cw_text_json_string(out, e->status);
    fputs(",\"since_week\":", out);
    if (e->since_week[0] != '\0')
        cw_text_json_string(out, e->since_week);
    else
        fputs("null", out);
    const struct {
        const char *name;
        double v;
    } nums[] = {{"slope_pct", e->slope_pct},
                {"strength", e->strength},
                {"score", e->score},
                {"volume", e->volume},
                {"rate", e->rate},
                {"trend_factor", e->trend_factor},
                {"severity_floor", e->severity_floor},
                {"baseline", e->baseline},
                {"recent", e->recent}};
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        fprintf(out, ",\"%s\":", nums[i].name);
        json_number(out, nums[i].v);
    }
    fprintf(out, ",\"max_severity\":%d", e->max_severity);
    json_shares(out, "top_symptoms", e->top_symptoms, e->top_symptom_count);
    json_shares(out, "top_sites", e->top_sites, e->top_site_count);
    fputs(",\"examples\":[", out);
    for (size_t i = 0; i < e->example_count; i++) {
        fputs(i > 0 ? ",{\"complaint_id\":" : "{\"complaint_id\":", out);
        cw_text_json_string(out, e->examples[i].complaint_id);
        fputs(",\"symptom_id\":", out);
        cw_text_json_string(out, e->examples[i].symptom_id);
        fputs(",\"snippet\":", out);
        cw_text_json_string(out, e->examples[i].snippet);
        fputc('}', out);
    }
    fputs("],\"owner\":", out);
    cw_text_json_string(out, e->owner);
    fputs(",\"remediation\":", out);
    cw_text_json_string(out, e->remediation);
    fputs(",\"series\":[", out);
    for (size_t i = 0; i < e->series_len; i++) {
        if (i > 0)
            fputc(',', out);
        json_number(out, e->series[i]);
    }
    fputs("]}", out);
}

static void write_json(FILE *out, const cw_ranking *r)
{
    fputs("{\"schema\":\"" CW_REPORT_JSON_SCHEMA "\",\"week\":", out);
    cw_text_json_string(out, r->target_week);
    fputs(",\"week_start\":", out);
    cw_text_json_string(out, r->week_monday);
    fputs(",\"ruleset_hash\":", out);
    cw_text_json_string(out, r->ruleset_hash);
    fputs(",\"items\":[", out);
    for (size_t i = 0; i < r->count; i++) {
        fputs(i > 0 ? ",\n" : "\n", out);
        json_entry(out, &r->entries[i]);
    }
    fputs("\n]", out);
    cw_report_fixes_json(out, r);
    fputs("}\n", out);
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
        write_csv(out, r);
        break;
    case CW_REPORT_JSON:
        write_json(out, r);
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
