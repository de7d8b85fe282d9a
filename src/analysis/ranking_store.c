/* ranking_store.c - rankings saved to and loaded from the results schema; see ranking_store.h. */
#include "causeway/analysis/ranking_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/fixes.h"
#include "causeway/analysis/ranking_json.h"
#include "causeway/util/text.h"

#define COLUMNS                                                                                    \
    "target_week, kind, area_id, site, rank, score, volume, rate, trend_factor,"                   \
    " severity_floor, status, since_week, slope_pct, strength, baseline, recent, max_severity,"    \
    " area_name, owner, remediation, top_symptoms, top_sites, examples, series, series_from,"      \
    " baseline_from, run_id, ruleset_hash, change, excess, driver_factor, drivers, previous_week"
#define COLUMN_COUNT 33

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
}

/* Doubles travel as text that reads back to the same bits; NaN as PostgreSQL's 'NaN'. */
static void format_double(char buf[32], double v)
{
    if (isnan(v))
        snprintf(buf, 32, "NaN");
    else
        snprintf(buf, 32, "%.17g", v);
}

static int save_entry(cw_db *db, const cw_ranking *r, const cw_ranking_entry *e, const char *run_id,
                      cw_error *err)
{
    char num[8][32], rank[16], severity[16], since[16] = "", series_from[16], baseline_from[16];
    char *json[5] = {0};
    int rc = -1;
    const cw_ranking_json_column columns[5] = {CW_RANKING_JSON_TOP_SYMPTOMS,
                                               CW_RANKING_JSON_TOP_SITES, CW_RANKING_JSON_EXAMPLES,
                                               CW_RANKING_JSON_SERIES, CW_RANKING_JSON_DRIVERS};
    for (int i = 0; i < 5; i++)
        if ((json[i] = cw_ranking_json_column_new(e, columns[i])) == NULL)
            goto oom;
    const double nums[8] = {e->score,          e->volume,    e->rate,     e->trend_factor,
                            e->severity_floor, e->slope_pct, e->strength, e->baseline};
    for (int i = 0; i < 8; i++)
        format_double(num[i], nums[i]);
    char recent[32], excess[32], driver_factor[32];
    format_double(recent, e->recent);
    format_double(excess, e->excess);
    format_double(driver_factor, e->driver_factor);
    char previous[16] = "";
    cw_week prev_week;
    cw_error tmp;
    cw_error_clear(&tmp);
    if (r->previous_week != NULL && r->previous_week[0] != '\0' &&
        cw_week_parse(&prev_week, r->previous_week, &tmp) == 0)
        cw_week_format_monday(previous, sizeof(previous), prev_week);
    snprintf(rank, sizeof(rank), "%u", e->rank);
    snprintf(severity, sizeof(severity), "%d", e->max_severity);
    if (e->series_since >= 0)
        cw_week_format_monday(since, sizeof(since), r->series_first + e->series_since);
    cw_week_format_monday(series_from, sizeof(series_from), r->series_first);
    cw_week_format_monday(baseline_from, sizeof(baseline_from), r->series_first + e->baseline_from);
    const char *row[COLUMN_COUNT] = {
        r->week_monday,
        e->kind,
        e->area_id,
        e->site,
        rank,
        num[0],
        num[1],
        num[2],
        num[3],
        num[4],
        e->status,
        since[0] ? since : NULL,
        num[5],
        num[6],
        num[7],
        recent,
        severity,
        e->area_name,
        e->owner,
        e->remediation,
        json[0],
        json[1],
        json[2],
        json[3],
        series_from,
        baseline_from,
        run_id,
        r->ruleset_hash,
        e->change != NULL ? e->change : "",
        excess,
        driver_factor,
        json[4],
        previous[0] ? previous : NULL,
    };
    rc = cw_db_copy_in_row(db, COLUMN_COUNT, row, NULL, err);
    goto done;
oom:
    oom(err);
done:
    for (int i = 0; i < 5; i++)
        free(json[i]);
    return rc;
}

int cw_stored_save(cw_db *db, const char *schema, const cw_ranking *r, long long run_id,
                   cw_error *err)
{
    char run[24];
    snprintf(run, sizeof(run), "%lld", run_id);
    char *del = cw_text_printf("DELETE FROM %s.rankings WHERE target_week = $1::date", schema);
    char *copy = cw_text_printf("COPY %s.rankings (" COLUMNS ") FROM STDIN", schema);
    int rc = -1;
    const char *params[] = {r->week_monday};
    if (del == NULL || copy == NULL) {
        oom(err);
        goto done;
    }
    if (cw_db_query(db, del, 1, params, NULL, NULL, err) != 0 ||
        cw_db_copy_in_begin(db, copy, err) != 0)
        goto done;
    for (size_t i = 0; i < r->count; i++) {
        if (save_entry(db, r, &r->entries[i], run, err) != 0) {
            cw_db_copy_in_abort(db);
            goto done;
        }
    }
    rc = cw_db_copy_in_end(db, err);
    if (rc == 0)
        rc = cw_fixes_save(db, schema, r, run_id, err);
done:
    free(del);
    free(copy);
    return rc;
}

/* ---- loading ---- */

typedef struct loader {
    cw_ranking *r;
    bool found;
} loader;

static double number(const char *text)
{
    return text == NULL ? NAN : strtod(text, NULL);
}

static long week_offset(const cw_ranking *r, const char *date, long none)
{
    cw_week w;
    cw_error tmp;
    cw_error_clear(&tmp);
    if (date == NULL || cw_week_parse(&w, date, &tmp) != 0)
        return none;
    return (long)(w - r->series_first);
}

/* The ISO week ("2026-W46") of a stored date; "" when NULL or not a date. */
static void iso_of(char out[16], const char *date)
{
    cw_week w;
    cw_error tmp;
    cw_error_clear(&tmp);
    out[0] = '\0';
    if (date != NULL && cw_week_parse(&w, date, &tmp) == 0)
        cw_week_format_iso(out, 16, w);
}

static int entry_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    loader *l = user;
    cw_ranking *r = l->r;
    if (ncols != 27)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected rankings row");
    if (!l->found) {
        cw_week first;
        if (v[19] == NULL || cw_week_parse(&first, v[19], err) != 0)
            return cw_error_set(err, CW_EXIT_DATAERR, "stored ranking without series_from");
        r->series_first = first;
        char iso[16];
        cw_week target;
        if (cw_week_parse(&target, v[0], err) != 0)
            return -1;
        cw_week_format_iso(iso, sizeof(iso), target);
        char previous[16];
        iso_of(previous, v[26]);
        if (cw_ranking_strdup(&r->target_week, iso, err) != 0 ||
            cw_ranking_strdup(&r->week_monday, v[0], err) != 0 ||
            cw_ranking_strdup(&r->ruleset_hash, v[21], err) != 0 ||
            cw_ranking_strdup(&r->previous_week, previous, err) != 0)
            return -1;
        l->found = true;
    }
    cw_ranking_entry *e = cw_ranking_add(r);
    if (e == NULL)
        return oom(err);
    e->rank = (unsigned)strtoul(v[4] != NULL ? v[4] : "0", NULL, 10);
    e->score = number(v[5]);
    e->volume = number(v[6]);
    e->rate = number(v[7]);
    e->trend_factor = number(v[8]);
    e->severity_floor = number(v[9]);
    e->slope_pct = number(v[12]);
    e->strength = number(v[13]);
    e->baseline = number(v[14]);
    e->recent = number(v[15]);
    e->max_severity = v[16] != NULL ? atoi(v[16]) : 0;
    e->excess = number(v[24]);
    e->driver_factor = v[25] != NULL ? number(v[25]) : 1;
    e->series_since = week_offset(r, v[11], -1);
    e->baseline_from = week_offset(r, v[20], 0);
    char since[16];
    iso_of(since, v[11]);
    if (cw_ranking_strdup(&e->kind, v[1], err) != 0 ||
        cw_ranking_strdup(&e->area_id, v[2], err) != 0 ||
        cw_ranking_strdup(&e->site, v[3], err) != 0 ||
        cw_ranking_strdup(&e->status, v[10], err) != 0 ||
        cw_ranking_strdup(&e->since_week, since, err) != 0 ||
        cw_ranking_strdup(&e->area_name, v[17], err) != 0 ||
        cw_ranking_strdup(&e->owner, v[18], err) != 0 ||
        cw_ranking_strdup(&e->remediation, v[22], err) != 0 ||
        cw_ranking_strdup(&e->change, v[23], err) != 0)
        return -1;
    return 0;
}

static cw_ranking_entry *find_entry(cw_ranking *r, const char *kind, const char *area,
                                    const char *site)
{
    for (size_t i = 0; i < r->count; i++) {
        cw_ranking_entry *e = &r->entries[i];
        if (strcmp(e->kind, kind) == 0 && strcmp(e->area_id, area) == 0 &&
            strcmp(e->site, site) == 0)
            return e;
    }
    return NULL;
}

/* One jsonb array member: type, kind, area_id, site, ordinality, up to three fields. */
static int element_row(void *user, int ncols, const char *const *v, const size_t *lens,
                       cw_error *err)
{
    (void)lens;
    cw_ranking *r = ((loader *)user)->r;
    if (ncols != 8 || v[0] == NULL || v[1] == NULL || v[2] == NULL || v[3] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected rankings element row");
    cw_ranking_entry *e = find_entry(r, v[1], v[2], v[3]);
    if (e == NULL)
        return 0;
    if (strcmp(v[0], "series") == 0) {
        double *bigger = realloc(e->series, (e->series_len + 1) * sizeof(double));
        if (bigger == NULL)
            return oom(err);
        e->series = bigger;
        e->series[e->series_len++] = number(v[5]);
        return 0;
    }
    if (strcmp(v[0], "example") == 0) {
        if (e->example_count == CW_RANKING_TOP)
            return 0;
        cw_ranking_example *x = &e->examples[e->example_count++];
        /* "start,end"; NULL for a ranking stored without offsets (before schema 9). */
        x->span_start = x->span_end = -1;
        if (v[7] != NULL && sscanf(v[7], "%ld,%ld", &x->span_start, &x->span_end) != 2)
            x->span_start = x->span_end = -1;
        return cw_ranking_strdup(&x->complaint_id, v[5], err) != 0 ||
                       cw_ranking_strdup(&x->symptom_id, v[6], err) != 0 ||
                       cw_ranking_strdup(&x->snippet, "", err) != 0
                   ? -1
                   : 0;
    }
    bool symptom = strcmp(v[0], "symptom") == 0;
    cw_ranking_share *shares = symptom ? e->top_symptoms : e->top_sites;
    size_t *count = symptom ? &e->top_symptom_count : &e->top_site_count;
    if (*count == CW_RANKING_TOP)
        return 0;
    shares[*count].value = number(v[6]);
    if (cw_ranking_strdup(&shares[*count].id, v[5], err) != 0)
        return -1;
    ++*count;
    return 0;
}

/* Row: kind, area_id, site, then the driver's fields in the order of drivers_sql. */
static int driver_row(void *user, int ncols, const char *const *v, const size_t *lens,
                      cw_error *err)
{
    (void)lens;
    cw_ranking *r = ((loader *)user)->r;
    if (ncols != 16 || v[0] == NULL || v[1] == NULL || v[2] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected rankings driver row");
    cw_ranking_entry *e = find_entry(r, v[0], v[1], v[2]);
    if (e == NULL || e->driver_count == CW_RANKING_DRIVERS)
        return 0;
    cw_ranking_driver *d = cw_ranking_add_driver(e);
    if (d == NULL)
        return oom(err);
    d->slope_pct = number(v[9]);
    d->excess = number(v[10]);
    d->share = number(v[11]);
    d->baseline = number(v[12]);
    d->recent = number(v[13]);
    d->series_since = v[14] != NULL ? strtol(v[14], NULL, 10) : -1;
    if (cw_ranking_strdup(&d->kind, v[3], err) != 0 ||
        cw_ranking_strdup(&d->symptom_id, v[4], err) != 0 ||
        cw_ranking_strdup(&d->value, v[5], err) != 0 ||
        cw_ranking_strdup(&d->status, v[6], err) != 0 ||
        cw_ranking_strdup(&d->since_week, v[7], err) != 0 ||
        cw_ranking_strdup(&d->change, v[8], err) != 0)
        return -1;
    return cw_ranking_json_numbers_parse(&d->series, &d->series_len, v[15], err);
}

static int latest_row(void *user, int ncols, const char *const *v, const size_t *lens,
                      cw_error *err)
{
    (void)lens;
    char *out = user;
    if (ncols == 1 && v[0] != NULL)
        snprintf(out, 16, "%s", v[0]);
    (void)err;
    return 0;
}

int cw_stored_load(cw_ranking *out, cw_db *db, const char *schema, bool latest, cw_week week,
                   cw_error *err)
{
    memset(out, 0, sizeof(*out));
    char monday[16] = "";
    loader l = {.r = out};
    int rc = -1;
    char *sql_latest = NULL, *sql_rows = NULL, *sql_elements = NULL, *sql_drivers = NULL;
    if (latest) {
        sql_latest = cw_text_printf("SELECT max(target_week)::text FROM %s.rankings", schema);
        if (sql_latest == NULL) {
            oom(err);
            goto done;
        }
        if (cw_db_query(db, sql_latest, 0, NULL, latest_row, monday, err) != 0)
            goto done;
        if (monday[0] == '\0') {
            cw_error_set(err, CW_EXIT_NOINPUT, "no ranking is stored yet");
            cw_error_hint(err, "run 'causeway run' first");
            goto done;
        }
    } else {
        cw_week_format_monday(monday, sizeof(monday), week);
    }
    sql_rows = cw_text_printf(
        "SELECT target_week::text, kind, area_id, site, rank::text, score::text, volume::text,"
        " rate::text, trend_factor::text, severity_floor::text, status, since_week::text,"
        " slope_pct::text, strength::text, baseline::text, recent::text, max_severity::text,"
        " area_name, owner, series_from::text, baseline_from::text, ruleset_hash, remediation,"
        " change, excess::text, driver_factor::text, previous_week::text"
        " FROM %s.rankings r WHERE target_week = $1::date ORDER BY r.kind, r.rank, r.area_id, "
        "r.site",
        schema);
    /* jsonb members as rows, so no JSON parser is needed here. */
    /* jsonb members as rows (in array order), so no JSON parser is needed here. */
    sql_elements = cw_text_printf(
        "SELECT e.type, r.kind, r.area_id, r.site, e.n::text, e.f1, e.f2, e.f3"
        " FROM %s.rankings r, LATERAL ("
        "  SELECT 'symptom' AS type, x.n, x.v->>'id' AS f1, x.v->>'value' AS f2, NULL AS f3"
        "  FROM pg_catalog.jsonb_array_elements(r.top_symptoms) WITH ORDINALITY x(v, n)"
        "  UNION ALL SELECT 'site', x.n, x.v->>'id', x.v->>'value', NULL"
        "  FROM pg_catalog.jsonb_array_elements(r.top_sites) WITH ORDINALITY x(v, n)"
        "  UNION ALL SELECT 'example', x.n, x.v->>'complaint_id', x.v->>'symptom_id',"
        "  (x.v->>'span_start') || ',' || (x.v->>'span_end')"
        "  FROM pg_catalog.jsonb_array_elements(r.examples) WITH ORDINALITY x(v, n)"
        "  UNION ALL SELECT 'series', x.n, x.v::text, NULL, NULL"
        "  FROM pg_catalog.jsonb_array_elements(r.series) WITH ORDINALITY x(v, n)) e"
        " WHERE r.target_week = $1::date ORDER BY 1, 2, 3, 4, e.n",
        schema);
    sql_drivers = cw_text_printf(
        "SELECT r.kind, r.area_id, r.site, x.v->>'kind', x.v->>'symptom_id', x.v->>'value',"
        " x.v->>'status', x.v->>'since_week', x.v->>'change', x.v->>'slope_pct',"
        " x.v->>'excess', x.v->>'share', x.v->>'baseline', x.v->>'recent',"
        " x.v->>'since_index', (x.v->'series')::text"
        " FROM %s.rankings r, pg_catalog.jsonb_array_elements(r.drivers) WITH ORDINALITY x(v, n)"
        " WHERE r.target_week = $1::date ORDER BY 1, 2, 3, x.n",
        schema);
    if (sql_rows == NULL || sql_elements == NULL || sql_drivers == NULL) {
        oom(err);
        goto done;
    }
    const char *params[] = {monday};
    if (cw_db_query(db, sql_rows, 1, params, entry_row, &l, err) != 0)
        goto done;
    if (l.found) {
        rc = cw_db_query(db, sql_elements, 1, params, element_row, &l, err);
        if (rc == 0)
            rc = cw_db_query(db, sql_drivers, 1, params, driver_row, &l, err);
        if (rc == 0)
            rc = cw_fixes_load(out, db, schema, err);
        goto done;
    }
    {
        char iso[16];
        cw_week w;
        cw_error tmp;
        cw_error_clear(&tmp);
        if (cw_week_parse(&w, monday, &tmp) == 0)
            cw_week_format_iso(iso, sizeof(iso), w);
        else
            snprintf(iso, sizeof(iso), "%s", monday);
        cw_error_set(err, CW_EXIT_NOINPUT, "no ranking is stored for %s", iso);
        cw_error_hint(err, "run 'causeway run --week %s' first", iso);
    }
done:
    free(sql_latest);
    free(sql_rows);
    free(sql_elements);
    free(sql_drivers);
    return rc;
}
