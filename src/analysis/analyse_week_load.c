/*
 * analyse_week_load.c - the first stage of a week's analysis: the weekly series, symptom
 * counts, remediations, exposure and denominators of one rule set, read from the
 * results schema; see analyse_week.h.
 */
#include "analyse_week_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/text.h"

static int grow(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return 0;
    size_t next = *cap == 0 ? 32 : *cap * 2;
    void *bigger = realloc(*items, next * size);
    if (bigger == NULL)
        return -1;
    *items = bigger;
    *cap = next;
    return 0;
}

/* `index` is the area for area kinds, the symptom otherwise. */
static series *find_series(analysis *a, int kind, int dim, size_t index, const char *site)
{
    for (size_t i = a->series_count; i-- > 0;) {
        const series *s = &a->series[i];
        size_t at = s->kind <= KIND_AREA_SITE ? s->area : s->symptom;
        if (s->kind == kind && s->dim == dim && at == index && strcmp(s->site, site) == 0)
            return &a->series[i];
    }
    return NULL;
}

static series *add_series(analysis *a, int kind, int dim, size_t index, const char *site)
{
    if (grow((void **)&a->series, &a->series_cap, a->series_count, sizeof(series)) != 0)
        return NULL;
    series *s = &a->series[a->series_count];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->dim = dim;
    if (kind <= KIND_AREA_SITE)
        s->area = index;
    else
        s->symptom = index;
    s->site = strdup(site);
    s->complaints = calloc(a->n, sizeof(double));
    s->attributed = calloc(a->n, sizeof(double));
    s->weighted = calloc(a->n, sizeof(double));
    a->series_count++; /* counted before the checks: freed with the rest either way */
    if (s->site == NULL || s->complaints == NULL || s->attributed == NULL || s->weighted == NULL)
        return NULL;
    return s;
}

static int week_index(const analysis *a, const char *date, size_t *index, cw_error *err)
{
    cw_week w;
    if (cw_week_parse(&w, date, err) != 0)
        return -1;
    if (w < a->first || (size_t)(w - a->first) >= a->n)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "week %s outside the analysed range", date);
    *index = (size_t)(w - a->first);
    return 0;
}

static int first_week_row(void *user, int ncols, const char *const *v, const size_t *lens,
                          cw_error *err)
{
    (void)lens;
    cw_week *first = user;
    if (ncols == 1 && v[0] != NULL)
        return cw_week_parse(first, v[0], err);
    return 0;
}

/* The analysed weeks: the look-back window, shortened to where data begins. */
int analysis_choose_range(analysis *a, cw_error *err)
{
    const cw_analyse_params *p = a->p;
    cw_week data_first = p->target;
    char *sql = cw_text_printf("SELECT min(w.week)::text FROM %s.weekly w"
                               " WHERE w.ruleset_id = $1::int AND w.series = 'area'",
                               p->schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {p->ruleset};
    int rc = cw_db_query(a->db, sql, 1, params, first_week_row, &data_first, err);
    free(sql);
    if (rc != 0)
        return -1;
    cw_week window_first = p->target - (cw_week)(p->lookback_weeks > 0 ? p->lookback_weeks : 1) + 1;
    a->first = data_first > window_first ? data_first : window_first;
    if (a->first > p->target)
        a->first = p->target;
    a->n = (size_t)(p->target - a->first + 1);
    size_t recent = p->recent_weeks > 0 ? p->recent_weeks : 1;
    a->recent_from = a->n > recent ? a->n - recent : 0;
    cw_week_format_monday(a->from_date, sizeof(a->from_date), a->first);
    cw_week_format_monday(a->to_date, sizeof(a->to_date), p->target);
    cw_week_format_monday(a->recent_date, sizeof(a->recent_date),
                          a->first + (cw_week)a->recent_from);
    return 0;
}

static int series_row(void *user, int ncols, const char *const *v, const size_t *lens,
                      cw_error *err)
{
    (void)lens;
    analysis *a = user;
    if (ncols != 8 || v[0] == NULL || v[1] == NULL || v[2] == NULL || v[3] == NULL || v[7] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected weekly row");
    int kind = KIND_SYMPTOM_DIM, dim = 0;
    if (strcmp(v[0], "area") == 0)
        kind = KIND_AREA;
    else if (strcmp(v[0], "area_site") == 0)
        kind = KIND_AREA_SITE;
    else if (strcmp(v[0], "symptom") == 0)
        kind = KIND_SYMPTOM;
    else if (strcmp(v[0], "symptom_site") == 0)
        kind = KIND_SYMPTOM_SITE;
    else
        while ((size_t)dim + 1 < DIM_COUNT && strcmp(v[0], analysis_dims[dim].series) != 0)
            dim++;
    /* An id the rule set no longer has cannot happen under one hash: skipped. */
    long index = kind <= KIND_AREA_SITE ? cw_rules_find_area(a->p->rules, v[1])
                                        : cw_rules_find_symptom(a->p->rules, v[7]);
    if (index < 0)
        return 0;
    series *s = find_series(a, kind, dim, (size_t)index, v[2]);
    if (s == NULL && (s = add_series(a, kind, dim, (size_t)index, v[2])) == NULL)
        return oom(err);
    size_t i;
    if (week_index(a, v[3], &i, err) != 0)
        return -1;
    s->complaints[i] = v[4] != NULL ? strtod(v[4], NULL) : 0;
    s->attributed[i] = v[5] != NULL ? strtod(v[5], NULL) : 0;
    s->weighted[i] = v[6] != NULL ? strtod(v[6], NULL) : 0;
    return 0;
}

int analysis_load_series(analysis *a, cw_error *err)
{
    /* Every cause area is ranked, with or without complaints. */
    for (size_t i = 0; i < a->p->rules->area_count; i++)
        if (add_series(a, KIND_AREA, 0, i, "") == NULL)
            return oom(err);
    /* The per-site and per-value series of the configured dimensions, as an array. */
    char wanted[128] = "{area_site,symptom_site";
    for (size_t d = 0; d < DIM_COUNT; d++)
        if (a->p->dimensions != NULL && a->p->dimensions[analysis_dims[d].col]) {
            strcat(wanted, ",");
            strcat(wanted, analysis_dims[d].series);
        }
    strcat(wanted, "}");
    char *sql = cw_text_printf(
        "SELECT w.series, w.area_id, w.site, w.week::text, w.complaints::text,"
        " w.attributed::text, w.weighted::text, w.symptom_id FROM %s.weekly w"
        " WHERE w.ruleset_id = $1::int"
        " AND (w.series IN ('area', 'symptom') OR (w.series = ANY ($4::text[]) AND w.site <> ''))"
        " AND w.week BETWEEN $2::date AND $3::date"
        " ORDER BY w.series, w.area_id, w.symptom_id, w.site, w.week",
        a->p->schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {a->p->ruleset, a->from_date, a->to_date, wanted};
    int rc = cw_db_query(a->db, sql, 4, params, series_row, a, err);
    free(sql);
    return rc;
}

static int symptom_row(void *user, int ncols, const char *const *v, const size_t *lens,
                       cw_error *err)
{
    (void)lens;
    analysis *a = user;
    if (ncols != 5 || v[0] == NULL || v[1] == NULL || v[2] == NULL || v[3] == NULL || v[4] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected symptom row");
    long symptom = cw_rules_find_symptom(a->p->rules, v[1]);
    if (symptom < 0)
        return 0;
    if (grow((void **)&a->symptoms, &a->symptom_cap, a->symptom_count, sizeof(symptom_count)) != 0)
        return oom(err);
    symptom_count *c = &a->symptoms[a->symptom_count];
    c->per_site = strcmp(v[0], "symptom_site") == 0;
    c->symptom = (size_t)symptom;
    c->count = strtod(v[3], NULL);
    /* No weeks before the window: nothing is usual yet, so every symptom is rare. */
    c->usual_per_week = a->recent_from > 0 ? strtod(v[4], NULL) / (double)a->recent_from : 0;
    if ((c->site = strdup(v[2])) == NULL)
        return oom(err);
    a->symptom_count++;
    return 0;
}

/* Symptom counts of the recent window, overall and per site, and in the weeks before it. */
int analysis_load_symptoms(analysis *a, cw_error *err)
{
    char *sql = cw_text_printf(
        "SELECT w.series, w.symptom_id, w.site,"
        " (sum(w.complaints) FILTER (WHERE w.week >= $2::date))::text,"
        " coalesce(sum(w.complaints) FILTER (WHERE w.week < $2::date), 0)::text"
        " FROM %s.weekly w WHERE w.ruleset_id = $1::int"
        " AND w.series IN ('symptom', 'symptom_site') AND w.week BETWEEN $4::date AND $3::date"
        " GROUP BY 1, 2, 3 HAVING count(*) FILTER (WHERE w.week >= $2::date) > 0"
        " ORDER BY 1, 2, 3",
        a->p->schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {a->p->ruleset, a->recent_date, a->to_date, a->from_date};
    int rc = cw_db_query(a->db, sql, 4, params, symptom_row, a, err);
    free(sql);
    return rc;
}

static int remediation_row(void *user, int ncols, const char *const *v, const size_t *lens,
                           cw_error *err)
{
    (void)lens;
    analysis *a = user;
    cw_week w;
    if (ncols != 3 || v[0] == NULL || v[1] == NULL || v[2] == NULL)
        return 0;
    if (cw_week_parse(&w, v[2], err) != 0)
        return -1;
    /* The baseline restarts the week after the remediation was recorded. */
    long start = (long)(w + 1 - a->first);
    long area = cw_rules_find_area(a->p->rules, v[0]);
    for (size_t i = 0; i < a->series_count && area >= 0; i++) {
        series *s = &a->series[i];
        bool applies = s->kind <= KIND_AREA_SITE && s->area == (size_t)area &&
                       (v[1][0] == '\0' || strcmp(v[1], s->site) == 0);
        if (applies && start > 0 && (size_t)start > s->baseline_start)
            s->baseline_start = (size_t)start < a->n ? (size_t)start : a->n - 1;
    }
    return 0;
}

int analysis_load_remediations(analysis *a, cw_error *err)
{
    char *sql = cw_text_printf("SELECT r.area_id, r.site, max(r.recorded_on)::text"
                               " FROM %s.remediations r WHERE r.recorded_on <= $1::date + 6"
                               " GROUP BY 1, 2 ORDER BY 1, 2",
                               a->p->schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {a->to_date};
    int rc = cw_db_query(a->db, sql, 1, params, remediation_row, a, err);
    free(sql);
    return rc;
}

static site_exposure *volume_of(volumes *v, size_t n, const char *site, bool create)
{
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->items[i].site, site) == 0)
            return &v->items[i];
    if (!create)
        return NULL;
    site_exposure *bigger = realloc(v->items, (v->count + 1) * sizeof(*bigger));
    if (bigger == NULL)
        return NULL;
    v->items = bigger;
    site_exposure *e = &v->items[v->count];
    e->site = strdup(site);
    e->volume = calloc(n, sizeof(double));
    v->count++;
    return e->site != NULL && e->volume != NULL ? e : NULL;
}

static int exposure_row(void *user, int ncols, const char *const *v, const size_t *lens,
                        cw_error *err)
{
    (void)lens;
    analysis *a = user;
    size_t i;
    if (ncols != 3 || v[0] == NULL || v[2] == NULL)
        return 0;
    if (week_index(a, v[0], &i, err) != 0)
        return -1;
    double volume = strtod(v[2], NULL);
    /* One lookup at a time: creating an entry may move the others. */
    const char *name = v[1] != NULL ? v[1] : "";
    site_exposure *site = volume_of(&a->exposure, a->n, name, true);
    if (site == NULL)
        return oom(err);
    if (name[0] != '\0')
        site->volume[i] += volume;
    site_exposure *all = volume_of(&a->exposure, a->n, "", true);
    if (all == NULL)
        return oom(err);
    all->volume[i] += volume;
    return 0;
}

static int load_exposure(analysis *a, cw_error *err)
{
    const cw_source *src = a->p->src;
    if (src == NULL || src->exposure_relation == NULL)
        return 0;
    const char *week = src->exposure_columns[CW_EXP_WEEK];
    char *sql = cw_text_printf(
        "SELECT pg_catalog.date_trunc('week', e.%s)::date::text, coalesce(e.%s::text, ''),"
        " sum(e.%s)::float8::text FROM %s e WHERE e.%s >= $1::date AND e.%s < $2::date + 7"
        " GROUP BY 1, 2 ORDER BY 1, 2",
        week, src->exposure_columns[CW_EXP_SITE], src->exposure_columns[CW_EXP_VOLUME],
        src->exposure_relation, week, week);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {a->from_date, a->to_date};
    int rc = cw_db_query(a->db, sql, 2, params, exposure_row, a, err);
    free(sql);
    return rc;
}

static int total_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    analysis *a = user;
    size_t i;
    if (ncols != 3 || v[0] == NULL || v[1] == NULL || v[2] == NULL)
        return 0;
    if (week_index(a, v[0], &i, err) != 0)
        return -1;
    site_exposure *t = volume_of(&a->totals, a->n, v[1], true);
    if (t == NULL)
        return oom(err);
    t->volume[i] = strtod(v[2], NULL);
    return 0;
}

/*
 * Detection compares a series with the other complaints of the same weeks (or
 * with the configured exposure): seasonality and business volume move both, a
 * cause that grows faster than the rest moves only one.
 */
int analysis_load_denominators(analysis *a, cw_error *err)
{
    /* Complaints without a site are counted in total_site under "", the key of all
     * sites' total: only named sites are read from it. */
    char *sql =
        cw_text_printf("SELECT w.week::text, w.site, w.complaints::text FROM %s.weekly w"
                       " WHERE w.ruleset_id = $1::int"
                       " AND (w.series = 'total' OR (w.series = 'total_site' AND w.site <> ''))"
                       " AND w.week BETWEEN $2::date AND $3::date"
                       " ORDER BY w.series, w.site, w.week",
                       a->p->schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {a->p->ruleset, a->from_date, a->to_date};
    int rc = cw_db_query(a->db, sql, 3, params, total_row, a, err);
    free(sql);
    if (rc != 0 || load_exposure(a, err) != 0)
        return -1;
    for (size_t i = 0; i < a->series_count; i++) {
        series *s = &a->series[i];
        /* A channel, product or segment has no exposure or totals of its own: all sites'. */
        const char *key = s->kind == KIND_SYMPTOM_DIM ? "" : s->site;
        site_exposure *e = volume_of(&a->exposure, a->n, key, false);
        site_exposure *t = volume_of(&a->totals, a->n, key, false);
        s->exposure = e != NULL ? e->volume : NULL;
        if (s->exposure != NULL) {
            s->denominator = s->exposure;
            continue;
        }
        /* The other complaints of the same weeks (and site): a cause growing inside a
         * growing total still shows, and seasonality moves both sides alike. */
        if (t != NULL && (s->others = malloc(a->n * sizeof(double))) == NULL)
            return oom(err);
        for (size_t w = 0; t != NULL && w < a->n; w++)
            s->others[w] = t->volume[w] > s->complaints[w] ? t->volume[w] - s->complaints[w] : 1;
        s->denominator = s->others;
    }
    return 0;
}
