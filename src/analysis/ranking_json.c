/* ranking_json.c - rankings as JSON, for the report and the results schema; see ranking_json.h. */
#include "causeway/analysis/ranking_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/effect.h"
#include "causeway/analysis/fixes.h"
#include "causeway/util/json.h"
#include "causeway/util/week.h"

/* Who reads it: a person (report: snippets, shown shares) or causeway (store: offsets). */
typedef enum form { REPORT, STORED } form;

static int digits(form f)
{
    return f == REPORT ? CW_JSON_REPORT_DIGITS : CW_JSON_EXACT_DIGITS;
}

static json_t *numbers(const double *v, size_t n, form f)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        a = cw_json_push(a, cw_json_number(v[i], digits(f)));
    return a;
}

/* Numbers set on an object under their names. */
typedef struct named {
    const char *name;
    double v;
} named;

static json_t *with_numbers(json_t *o, const named *nums, size_t n, form f)
{
    for (size_t i = 0; i < n; i++)
        o = cw_json_put(o, nums[i].name, cw_json_number(nums[i].v, digits(f)));
    return o;
}

/* o with rest's members after its own (json_pack takes a bounded list); both stolen. */
static json_t *joined(json_t *o, json_t *rest)
{
    if (o != NULL && (rest == NULL || json_object_update(o, rest) != 0))
        json_decref(o), o = NULL;
    json_decref(rest);
    return o;
}

static json_t *shares(const cw_ranking_share *s, size_t n, form f)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        a = cw_json_push(a, json_pack("{s:o,s:o}", "id", cw_json_text(s[i].id),
                                      f == REPORT ? "attributed" : "value",
                                      cw_json_number(s[i].value, digits(f))));
    return a;
}

static json_t *examples(const cw_ranking_entry *e, form f)
{
    json_t *a = json_array();
    for (size_t i = 0; i < e->example_count; i++) {
        const cw_ranking_example *x = &e->examples[i];
        json_t *o;
        if (f == REPORT)
            o = json_pack("{s:o,s:o,s:o}", "complaint_id", cw_json_text(x->complaint_id),
                          "symptom_id", cw_json_text(x->symptom_id), "snippet",
                          cw_json_text(x->snippet));
        else /* offsets, never text: the snippet is cut from the source when shown */
            o = json_pack("{s:o,s:o,s:I,s:I}", "complaint_id", cw_json_text(x->complaint_id),
                          "symptom_id", cw_json_text(x->symptom_id), "span_start",
                          (json_int_t)x->span_start, "span_end", (json_int_t)x->span_end);
        a = cw_json_push(a, o);
    }
    return a;
}

/* The report shows "" as null; the store keeps the strings as they are. */
static json_t *text_in(const char *s, form f)
{
    return f == REPORT ? cw_json_text_or_null(s) : cw_json_text(s);
}

static json_t *driver(const cw_ranking_driver *d, form f, bool with_series)
{
    json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "kind", cw_json_text(d->kind), "symptom_id",
                          cw_json_text(d->symptom_id), "value", text_in(d->value, f), "status",
                          cw_json_text(d->status), "since_week",
                          cw_json_text_or_null(d->since_week), "change", text_in(d->change, f));
    const named nums[] = {{"slope_pct", d->slope_pct}, {"excess", d->excess},
                          {"share", d->share},         {"baseline", d->baseline},
                          {"recent", d->recent},       {"since_index", (double)d->series_since}};
    o = with_numbers(o, nums, f == REPORT ? 5 : 6, f);
    return with_series ? cw_json_put(o, "series", numbers(d->series, d->series_len, f)) : o;
}

static json_t *drivers(const cw_ranking_entry *e, form f)
{
    json_t *a = json_array();
    for (size_t i = 0; i < e->driver_count; i++)
        a = cw_json_push(a, driver(&e->drivers[i], f, true));
    return a;
}

static json_t *changes(const cw_ranking *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        for (size_t k = 0; k <= e->driver_count; k++) {
            const cw_ranking_driver *d;
            const char *change = cw_ranking_listed_change(r, i, k, &d);
            if (change == NULL)
                continue;
            json_t *c =
                json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "change", cw_json_text(change), "kind",
                          cw_json_text(e->kind), "area_id", cw_json_text(e->area_id), "site",
                          cw_json_text_or_null(e->site), "status", cw_json_text(e->status),
                          "driver", d != NULL ? driver(d, REPORT, false) : json_null());
            a = cw_json_push(a, c);
        }
    }
    return a;
}

static json_t *entry(const cw_ranking_entry *e)
{
    json_t *o =
        json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "rank", (json_int_t)e->rank, "kind",
                  cw_json_text(e->kind), "area_id", cw_json_text(e->area_id), "area_name",
                  cw_json_text(e->area_name), "site", cw_json_text_or_null(e->site), "status",
                  cw_json_text(e->status), "since_week", cw_json_text_or_null(e->since_week));
    const named nums[] = {{"slope_pct", e->slope_pct},
                          {"strength", e->strength},
                          {"score", e->score},
                          {"volume", e->volume},
                          {"rate", e->rate},
                          {"trend_factor", e->trend_factor},
                          {"severity_floor", e->severity_floor},
                          {"baseline", e->baseline},
                          {"recent", e->recent},
                          {"excess", e->excess},
                          {"driver_factor", e->driver_factor}};
    o = with_numbers(o, nums, sizeof(nums) / sizeof(nums[0]), REPORT);
    json_t *rest = json_pack(
        "{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "max_severity", (json_int_t)e->max_severity,
        "top_symptoms", shares(e->top_symptoms, e->top_symptom_count, REPORT), "top_sites",
        shares(e->top_sites, e->top_site_count, REPORT), "examples", examples(e, REPORT), "change",
        cw_json_text_or_null(e->change), "drivers", drivers(e, REPORT), "owner",
        cw_json_text(e->owner), "remediation", cw_json_text(e->remediation), "series",
        numbers(e->series, e->series_len, REPORT));
    return joined(o, rest);
}

/* ---- the fixes' verdicts --------------------------------------------------------- */

static json_t *week_or_null(bool known, cw_week w)
{
    char buf[16];
    if (!known)
        return json_null();
    cw_week_format_iso(buf, sizeof(buf), w);
    return json_string(buf);
}

static json_t *side(const cw_fix_verdict *f, size_t from, size_t weeks, double level)
{
    return json_pack("{s:o,s:I,s:o}", "from",
                     week_or_null(weeks > 0, f->series_first + (cw_week)from), "weeks",
                     (json_int_t)weeks, "level", cw_json_number(level, CW_JSON_REPORT_DIGITS));
}

static json_t *tri_state(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static json_t *fix(const cw_ranking *r, const cw_fix_verdict *f)
{
    const cw_effect *e = &f->effect;
    const cw_ranking_entry *item = cw_fixes_entry(r, f);
    char verdict[256];
    cw_fixes_verdict_text(verdict, sizeof(verdict), f);
    json_t *o = json_pack(
        "{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:s,s:o,s:o}", "id", (json_int_t)f->id,
        "title", cw_json_text(f->title), "owner", cw_json_text(f->owner), "area_id",
        cw_json_text(f->area_id), "symptom_id", cw_json_text_or_null(f->symptom_id), "site",
        cw_json_text_or_null(f->site), "series", cw_json_text(f->series_kind), "started",
        week_or_null(true, f->started), "ended", week_or_null(f->has_end, f->ended),
        "settling_weeks", (json_int_t)f->settling_weeks, "expected_cut",
        cw_json_number(f->expected_cut, CW_JSON_REPORT_DIGITS), "rank",
        item != NULL ? json_integer(item->rank) : json_null(), "unit",
        f->per_exposure ? "per_1000_exposure" : "per_week", "before",
        side(f, e->before_from, e->before_weeks, e->before_level), "after",
        side(f, e->after_from, e->after_weeks, e->after_level));
    const named nums[] = {{"change_pct", e->change_pct},   {"change_low", e->change_low},
                          {"change_high", e->change_high}, {"z", e->z},
                          {"dispersion", e->dispersion},   {"cut_judged", e->cut_judged}};
    o = with_numbers(o, nums, sizeof(nums) / sizeof(nums[0]), REPORT);
    json_t *rest = json_pack(
        "{s:o,s:s,s:o,s:o,s:b,s:o,s:b,s:o,s:o}", "expected_reached", tri_state(e->expected_reached),
        "verdict", cw_effect_verdict_id(e->verdict), "verdict_text", cw_json_text(verdict),
        "more_weeks", e->more_weeks >= 0 ? json_integer(e->more_weeks) : json_null(),
        "declining_again", (int)e->declining_again, "declining_since",
        week_or_null(e->rebound_since >= 0, f->series_first + e->rebound_since), "trend_withheld",
        (int)f->trend_withheld, "series_from", week_or_null(true, f->series_first), "series_values",
        numbers(f->series, f->series_len, REPORT));
    return joined(o, rest);
}

json_t *cw_ranking_json_fixes_new(const cw_ranking *r)
{
    json_t *fixes = json_array();
    for (size_t i = 0; i < r->fix_count; i++)
        fixes = cw_json_push(fixes, fix(r, &r->fixes[i]));
    return fixes;
}

/* ---- documents -------------------------------------------------------------------- */

static json_t *report(const cw_ranking *r, bool changes_only)
{
    json_t *doc = json_pack(
        "{s:s,s:o,s:o,s:o,s:o,s:I,s:o}", "schema", CW_RANKING_JSON_SCHEMA, "week",
        cw_json_text(r->target_week), "week_start", cw_json_text(r->week_monday), "ruleset_hash",
        cw_json_text(r->ruleset_hash), "previous_week", cw_json_text_or_null(r->previous_week),
        "ongoing", (json_int_t)cw_ranking_count_changes(r).ongoing, "changes", changes(r));
    if (doc == NULL || changes_only)
        return doc;
    json_t *items = json_array();
    for (size_t i = 0; i < r->count; i++)
        items = cw_json_push(items, entry(&r->entries[i]));
    doc = cw_json_put(doc, "items", items);
    return cw_json_put(doc, "fixes", cw_ranking_json_fixes_new(r));
}

int cw_ranking_json_write(FILE *out, const cw_ranking *r, bool changes_only, cw_error *err)
{
    return cw_json_write(out, report(r, changes_only), CW_JSON_REPORT_DIGITS, err);
}

char *cw_ranking_json_column_new(const cw_ranking_entry *e, cw_ranking_json_column col)
{
    json_t *v = NULL;
    switch (col) {
    case CW_RANKING_JSON_TOP_SYMPTOMS:
        v = shares(e->top_symptoms, e->top_symptom_count, STORED);
        break;
    case CW_RANKING_JSON_TOP_SITES:
        v = shares(e->top_sites, e->top_site_count, STORED);
        break;
    case CW_RANKING_JSON_EXAMPLES:
        v = examples(e, STORED);
        break;
    case CW_RANKING_JSON_SERIES:
        v = numbers(e->series, e->series_len, STORED);
        break;
    case CW_RANKING_JSON_DRIVERS:
        v = drivers(e, STORED);
        break;
    }
    return cw_json_dumps(v, CW_JSON_EXACT_DIGITS);
}

int cw_ranking_json_numbers_parse(double **out, size_t *len, const char *text, cw_error *err)
{
    *out = NULL;
    *len = 0;
    if (text == NULL)
        return 0;
    json_error_t je;
    json_t *a = json_loads(text, 0, &je);
    if (a == NULL && json_error_code(&je) == json_error_out_of_memory)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory reading a stored series");
    size_t n = json_array_size(a);
    double *v = malloc((n > 0 ? n : 1) * sizeof(double));
    int rc =
        v != NULL ? 0 : cw_error_set(err, CW_EXIT_OSERR, "out of memory reading a stored series");
    if (rc == 0 && !json_is_array(a))
        rc = cw_error_set(err, CW_EXIT_SOFTWARE, "a stored series is not a JSON array");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const json_t *x = json_array_get(a, i);
        if (json_is_number(x))
            v[i] = json_number_value(x);
        else if (json_is_null(x))
            v[i] = NAN;
        else
            rc = cw_error_set(err, CW_EXIT_SOFTWARE, "a stored series holds a non-number");
    }
    json_decref(a);
    if (rc != 0) {
        free(v);
        return rc;
    }
    *out = v;
    *len = n;
    return 0;
}

char *cw_ranking_json_numbers_new(const double *v, size_t n)
{
    return cw_json_dumps(numbers(v, n, STORED), CW_JSON_EXACT_DIGITS);
}
