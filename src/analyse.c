/* analyse.c - series, detection, ranking and evidence for one week; see analyse.h. */
#include "causeway/analyse.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/stored.h"
#include "causeway/fixes.h"
#include "causeway/text.h"

/*
 * Every series the run counts is watched: the ranked items (area, area x site) and
 * the series that explain them (symptom, symptom x site, symptom x each further
 * dimension); all of them share one report-level false-alarm budget (detect.h).
 */
enum { KIND_AREA = 0, KIND_AREA_SITE, KIND_SYMPTOM, KIND_SYMPTOM_SITE, KIND_SYMPTOM_DIM };
static const char *const kind_names[] = {"area", "area_site", "symptom", "symptom_site",
                                         "symptom_dim"};

/* Further dimensions, as weekly.c names their series. */
static const struct {
    cw_source_column col;
    const char *series;
} dims[] = {{CW_COL_CHANNEL, "symptom_channel"},
            {CW_COL_PRODUCT, "symptom_product"},
            {CW_COL_SEGMENT, "symptom_segment"}};
#define DIM_COUNT (sizeof(dims) / sizeof(dims[0]))

typedef struct series {
    int kind;
    size_t area;     /* kinds area, area_site */
    size_t symptom;  /* symptom kinds */
    int dim;         /* KIND_SYMPTOM_DIM: index into dims */
    char *site;      /* the site (or dimension value); "" for kinds area and symptom */
    double expected; /* complaints per week the frozen baseline expects over the recent window */
    double recent;   /* complaints per week over the recent window */
    double *complaints, *attributed, *weighted;
    const double *exposure;    /* configured exposure (rates); NULL when none */
    const double *denominator; /* what detection divides by: exposure, else `others` */
    double *others;            /* all other complaints of each week (and site) */
    size_t baseline_start;
    cw_detect_prior prior; /* from its siblings (estimate_priors); level 0: none */
    bool has_prior;
    cw_signal signal;
    cw_ranking_entry *entry; /* once ranked */
} series;

typedef struct site_exposure {
    char *site; /* "" = all sites together */
    double *volume;
} site_exposure;

typedef struct volumes {
    site_exposure *items;
    size_t count;
} volumes;

typedef struct symptom_count {
    bool per_site;
    size_t symptom;
    char *site;
    double count;          /* in the recent window */
    double usual_per_week; /* in the weeks of the series before it */
} symptom_count;

/* A severe symptom is rare for an item below this many complaints a week before the
 * recent window: only then does it hold the item up with the severity floor. */
#define RARE_PER_WEEK 1.0

typedef struct analysis {
    const cw_analyse_params *p;
    cw_db *db;
    cw_week first; /* week of index 0 */
    size_t n;      /* weeks in every series */
    size_t recent_from;
    series *series;
    size_t series_count, series_cap;
    volumes exposure; /* the configured exposure source, per site ("" = all) */
    volumes totals;   /* all complaints per week, per site ("" = all) */
    symptom_count *symptoms;
    size_t symptom_count, symptom_cap;
    char from_date[16], to_date[16], recent_date[16];
} analysis;

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
}

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
static int choose_range(analysis *a, cw_error *err)
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
        while ((size_t)dim + 1 < DIM_COUNT && strcmp(v[0], dims[dim].series) != 0)
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

static int load_series(analysis *a, cw_error *err)
{
    /* Every cause area is ranked, with or without complaints. */
    for (size_t i = 0; i < a->p->rules->area_count; i++)
        if (add_series(a, KIND_AREA, 0, i, "") == NULL)
            return oom(err);
    /* The per-site and per-value series of the configured dimensions, as an array. */
    char wanted[128] = "{area_site,symptom_site";
    for (size_t d = 0; d < DIM_COUNT; d++)
        if (a->p->dimensions != NULL && a->p->dimensions[dims[d].col]) {
            strcat(wanted, ",");
            strcat(wanted, dims[d].series);
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
static int load_symptoms(analysis *a, cw_error *err)
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

static int load_remediations(analysis *a, cw_error *err)
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
static int load_denominators(analysis *a, cw_error *err)
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

static double window_sum(const double *v, size_t from, size_t to)
{
    double sum = 0;
    for (size_t i = from; i < to; i++)
        sum += v[i];
    return sum;
}

/* Keep the `CW_RANKING_TOP` largest shares, ties by id, in order. */
static int add_share(cw_ranking_share *top, size_t *count, const char *id, double value,
                     cw_error *err)
{
    if (value <= 0)
        return 0;
    size_t pos = *count;
    while (pos > 0 && (top[pos - 1].value < value ||
                       (top[pos - 1].value == value && strcmp(top[pos - 1].id, id) > 0)))
        pos--;
    if (pos >= CW_RANKING_TOP)
        return 0;
    if (*count == CW_RANKING_TOP)
        free(top[--*count].id);
    memmove(&top[pos + 1], &top[pos], (*count - pos) * sizeof(*top));
    top[pos].value = value;
    if ((top[pos].id = strdup(id)) == NULL) {
        memmove(&top[pos], &top[pos + 1], (*count - pos) * sizeof(*top));
        return oom(err);
    }
    ++*count;
    return 0;
}

static double weight_of(const cw_symptom *s, size_t area)
{
    for (size_t i = 0; i < s->cause_count; i++)
        if (s->causes[i].area == area)
            return s->causes[i].weight;
    return 0;
}

/* The weight with which recent symptom count c counts for series s; 0 when it does not. */
static double attribution(const analysis *a, const series *s, const symptom_count *c)
{
    bool mine = s->kind == KIND_AREA ? !c->per_site : c->per_site && strcmp(c->site, s->site) == 0;
    return mine && c->count > 0 ? weight_of(&a->p->rules->symptoms[c->symptom], s->area) : 0;
}

/*
 * The highest severity attributed to s in the recent window; with `rare_only`, among
 * the symptoms that are rare for s (the severity floor's input).
 */
static int worst_severity(const analysis *a, const series *s, bool rare_only)
{
    int worst = 0;
    for (size_t i = 0; i < a->symptom_count; i++) {
        const symptom_count *c = &a->symptoms[i];
        int severity = a->p->rules->symptoms[c->symptom].severity;
        if (attribution(a, s, c) > 0 && severity > worst &&
            (!rare_only || c->usual_per_week < RARE_PER_WEEK))
            worst = severity;
    }
    return worst;
}

static int fill_evidence(analysis *a, const series *s, cw_ranking_entry *e, cw_error *err)
{
    const cw_rules *rules = a->p->rules;
    e->max_severity = worst_severity(a, s, false);
    for (size_t i = 0; i < a->symptom_count; i++) {
        const symptom_count *c = &a->symptoms[i];
        double w = attribution(a, s, c);
        if (w > 0 && add_share(e->top_symptoms, &e->top_symptom_count,
                               rules->symptoms[c->symptom].id, w * c->count, err) != 0)
            return -1;
    }
    if (s->kind != KIND_AREA)
        return 0;
    for (size_t i = 0; i < a->series_count; i++) {
        const series *site = &a->series[i];
        if (site->kind == KIND_AREA_SITE && site->area == s->area &&
            add_share(e->top_sites, &e->top_site_count, site->site,
                      window_sum(site->attributed, a->recent_from, a->n), err) != 0)
            return -1;
    }
    return 0;
}

/*
 * A family of sibling series: one kind (and dimension), rows = areas or symptoms,
 * columns = sites or dimension values. A cell with no series of its own (the
 * symptom never seen at that site) counts zero complaints against its column's
 * denominator, so it still tells the family the symptom is rare there.
 */
typedef struct family {
    int kind, dim;
    size_t *row_of, *col_of; /* per series of the analysis; SIZE_MAX: not a member */
    size_t rows, cols;
    const double **counts, **exposure;
    series **members;
} family;

static size_t index_of(const char **names, size_t *count, const char *name)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    names[*count] = name;
    return (*count)++;
}

static bool member(const series *s, int kind, int dim)
{
    return s->kind == kind && (kind != KIND_SYMPTOM_DIM || s->dim == dim);
}

/* Lay the family out; -1 on OOM, 1 when it cannot share a prior (too small, or
 * its series divide by different kinds of denominator). */
static int family_layout(family *f, const analysis *a, const double *zeros)
{
    size_t m = a->series_count;
    const char **sites = malloc((m + 1) * sizeof(char *));
    size_t *rows = malloc((m + 1) * sizeof(size_t));
    f->row_of = malloc((m + 1) * sizeof(size_t));
    f->col_of = malloc((m + 1) * sizeof(size_t));
    if (sites == NULL || rows == NULL || f->row_of == NULL || f->col_of == NULL) {
        free(sites);
        free(rows);
        return -1;
    }
    size_t members = 0, with_denominator = 0;
    f->rows = f->cols = 0;
    for (size_t i = 0; i < m; i++) {
        const series *s = &a->series[i];
        f->row_of[i] = f->col_of[i] = SIZE_MAX;
        if (!member(s, f->kind, f->dim))
            continue;
        size_t key = f->kind == KIND_AREA_SITE ? s->area : s->symptom, r = 0;
        while (r < f->rows && rows[r] != key)
            r++;
        if (r == f->rows)
            rows[f->rows++] = key;
        f->row_of[i] = r;
        f->col_of[i] = index_of(sites, &f->cols, s->site);
        members++;
        with_denominator += s->denominator != NULL;
    }
    free(sites);
    free(rows);
    if (members < 2 || (with_denominator != 0 && with_denominator != members))
        return 1;
    size_t cells = f->rows * f->cols;
    f->counts = malloc(cells * sizeof(double *));
    f->exposure = with_denominator != 0 ? malloc(cells * sizeof(double *)) : NULL;
    f->members = calloc(cells, sizeof(series *));
    if (f->counts == NULL || f->members == NULL || (with_denominator != 0 && f->exposure == NULL))
        return -1;
    for (size_t i = 0; i < m; i++)
        if (f->row_of[i] != SIZE_MAX)
            f->members[f->row_of[i] * f->cols + f->col_of[i]] = &a->series[i];
    for (size_t c = 0; c < f->cols; c++) {
        const double *column_denominator = NULL;
        for (size_t r = 0; r < f->rows && column_denominator == NULL; r++)
            if (f->members[r * f->cols + c] != NULL)
                column_denominator = f->members[r * f->cols + c]->denominator;
        for (size_t r = 0; r < f->rows; r++) {
            const series *s = f->members[r * f->cols + c];
            f->counts[r * f->cols + c] = s != NULL ? s->complaints : zeros;
            if (f->exposure != NULL)
                f->exposure[r * f->cols + c] = s != NULL ? s->denominator : column_denominator;
        }
    }
    return 0;
}

static void family_free(family *f)
{
    free(f->row_of);
    free(f->col_of);
    free(f->counts);
    free(f->exposure);
    free(f->members);
}

/*
 * Sibling priors for one family: its series' levels compared over the family's
 * frozen baseline window, from the latest baseline start among them, so that no
 * series' episode after a remediation leaks into its siblings' priors.
 */
static int family_priors(analysis *a, int kind, int dim, const double *zeros, cw_error *err)
{
    family f = {.kind = kind, .dim = dim};
    int rc = family_layout(&f, a, zeros);
    if (rc != 0) {
        family_free(&f);
        return rc < 0 ? oom(err) : 0;
    }
    size_t from = 0;
    for (size_t i = 0; i < f.rows * f.cols; i++)
        if (f.members[i] != NULL && f.members[i]->baseline_start > from)
            from = f.members[i]->baseline_start;
    size_t to = from + a->p->detect->baseline_weeks;
    if (to > a->n - 1)
        to = a->n - 1;
    cw_detect_prior *priors = NULL;
    if (to >= from + 2 && (priors = malloc(f.rows * f.cols * sizeof(*priors))) == NULL)
        rc = oom(err);
    cw_detect_siblings sib = {.rows = f.rows,
                              .cols = f.cols,
                              .n = a->n,
                              .counts = f.counts,
                              .exposure = f.exposure,
                              .from = from,
                              .to = to};
    if (priors != NULL)
        rc = cw_detect_estimate_priors(priors, &sib, err);
    for (size_t i = 0; priors != NULL && rc == 0 && i < f.rows * f.cols; i++)
        if (f.members[i] != NULL) {
            f.members[i]->prior = priors[i];
            f.members[i]->has_prior = true;
        }
    free(priors);
    family_free(&f);
    return rc;
}

/*
 * The same symptom at the other sites and the same site's other symptoms tell a
 * small series what its level should be (detect.h, cw_detect_estimate_priors):
 * the per-site series, where slow declines hide, are the ones that gain.
 */
static int estimate_priors(analysis *a, cw_error *err)
{
    double *zeros = calloc(a->n, sizeof(double));
    if (zeros == NULL)
        return oom(err);
    int rc = family_priors(a, KIND_AREA_SITE, 0, zeros, err);
    if (rc == 0)
        rc = family_priors(a, KIND_SYMPTOM_SITE, 0, zeros, err);
    for (int d = 0; rc == 0 && (size_t)d < DIM_COUNT; d++)
        rc = family_priors(a, KIND_SYMPTOM_DIM, d, zeros, err);
    free(zeros);
    return rc;
}

/* Whether s has the baseline weeks detection needs (cw_detect_series's own test). */
static bool testable(const analysis *a, const series *s)
{
    size_t to = s->baseline_start + a->p->detect->baseline_weeks;
    if (to > a->n - 1)
        to = a->n - 1;
    return s->baseline_start < to && to - s->baseline_start >= a->p->detect->min_baseline_weeks;
}

static bool rising(const series *s)
{
    return s->signal.status == CW_TREND_DRIFT || s->signal.status == CW_TREND_SHIFT;
}

static bool flagged(const series *s)
{
    return rising(s) || s->signal.status == CW_TREND_SPIKE;
}

/*
 * Every series is tested at the report's limits: the per-series limits raised for
 * the number of series tested this week (cw_detect_params_family), so that a report
 * of 2,000 series raises no more false alarms on stable data than one of 40.
 */
static int detect_all(analysis *a, cw_error *err)
{
    size_t tested = 0;
    for (size_t i = 0; i < a->series_count; i++)
        tested += testable(a, &a->series[i]);
    cw_detect_params limits;
    cw_detect_params_family(&limits, a->p->detect, tested, CW_DETECT_ALARMS_PER_REPORT);
    cw_log_debug(a->p->log, "%zu series tested: limits glr %.2f, spike %.2f", tested,
                 limits.glr_limit, limits.spike_limit);
    size_t recent_len = a->n - a->recent_from;
    for (size_t i = 0; i < a->series_count; i++) {
        series *s = &a->series[i];
        if (cw_detect_series_prior(&s->signal, &limits, s->complaints, s->denominator, a->n,
                                   s->baseline_start, s->has_prior ? &s->prior : NULL, err) != 0)
            return -1;
        const cw_signal *g = &s->signal;
        /* What the frozen level expects of the recent weeks, in complaints per week. */
        s->recent = window_sum(s->complaints, a->recent_from, a->n) / (double)recent_len;
        s->expected = NAN;
        if (g->status != CW_TREND_INSUFFICIENT)
            s->expected = s->denominator != NULL
                              ? g->baseline * window_sum(s->denominator, a->recent_from, a->n) /
                                    (double)recent_len
                              : g->baseline;
        cw_log_debug(a->p->log, "%s %s/%s: %s since %ld, glr drift %.1f shift %.1f, spike %.2f",
                     kind_names[s->kind],
                     s->kind <= KIND_AREA_SITE ? a->p->rules->areas[s->area].id
                                               : a->p->rules->symptoms[s->symptom].id,
                     s->site, cw_trend_name(g->status), g->since, g->glr_drift, g->glr_shift,
                     g->spike_score);
    }
    return 0;
}

static double excess_of(const series *s)
{
    return isfinite(s->expected) ? s->recent - s->expected : NAN;
}

/* Whether symptom series c can explain item s: it points at s's area, at s's site. */
static bool explains(const analysis *a, const series *s, const series *c)
{
    if (c->kind < KIND_SYMPTOM || weight_of(&a->p->rules->symptoms[c->symptom], s->area) <= 0)
        return false;
    if (s->kind == KIND_AREA)
        return true;
    return c->kind == KIND_SYMPTOM_SITE && strcmp(c->site, s->site) == 0;
}

/*
 * The item's level as its rising drivers project it (rank.h, driver_factor): the
 * largest (expected + driver's excess + driver's growth over the horizon) / expected.
 */
static double driver_ratio(const analysis *a, const series *s)
{
    double best = NAN, base = s->expected;
    if (!(base > 0))
        return NAN;
    for (size_t i = 0; i < a->series_count; i++) {
        const series *c = &a->series[i];
        if (!explains(a, s, c) || !rising(c) || !(excess_of(c) > 0))
            continue;
        double growth =
            c->signal.status == CW_TREND_DRIFT && c->signal.slope_pct > 0
                ? c->recent * (pow(1 + c->signal.slope_pct / 100, a->p->rank->horizon_weeks) - 1)
                : 0;
        double r = (base + excess_of(c) + growth) / base;
        if (!(r <= best))
            best = r;
    }
    return best;
}

/* Flagged drivers first, then by excess (largest first), then by name: a total order. */
static int by_driver_order(const void *x, const void *y)
{
    const series *c = *(const series *const *)x, *d = *(const series *const *)y;
    if (flagged(c) != flagged(d))
        return flagged(c) ? -1 : 1;
    double ec = excess_of(c), ed = excess_of(d);
    ec = isfinite(ec) ? ec : -INFINITY;
    ed = isfinite(ed) ? ed : -INFINITY;
    if (ec != ed)
        return ec > ed ? -1 : 1;
    if (c->kind != d->kind)
        return c->kind - d->kind;
    if (c->dim != d->dim)
        return c->dim - d->dim;
    if (c->symptom != d->symptom)
        return c->symptom < d->symptom ? -1 : 1;
    return strcmp(c->site, d->site);
}

static const char *driver_kind(const series *c)
{
    return c->kind == KIND_SYMPTOM_DIM ? dims[c->dim].series : kind_names[c->kind];
}

static int add_driver(analysis *a, cw_ranking_entry *e, const series *c, cw_error *err)
{
    cw_ranking_driver *d = cw_ranking_add_driver(e);
    if (d == NULL)
        return e->driver_count == CW_RANKING_DRIVERS ? 0 : oom(err);
    const cw_signal *g = &c->signal;
    d->slope_pct = g->status == CW_TREND_DRIFT ? g->slope_pct : NAN;
    d->excess = excess_of(c);
    d->share = e->excess > 0 && isfinite(d->excess) ? d->excess / e->excess : NAN;
    d->baseline = c->expected;
    d->recent = c->recent;
    d->series_since = g->status == CW_TREND_STABLE || g->since < 0 ? -1 : g->since;
    char since[16] = "";
    if (d->series_since >= 0)
        cw_week_format_iso(since, sizeof(since), a->first + d->series_since);
    if (cw_ranking_strdup(&d->kind, driver_kind(c), err) != 0 ||
        cw_ranking_strdup(&d->symptom_id, a->p->rules->symptoms[c->symptom].id, err) != 0 ||
        cw_ranking_strdup(&d->value, c->site, err) != 0 ||
        cw_ranking_strdup(&d->status, cw_trend_name(g->status), err) != 0 ||
        cw_ranking_strdup(&d->since_week, since, err) != 0 ||
        cw_ranking_strdup(&d->change, "", err) != 0)
        return -1;
    if ((d->series = malloc(a->n * sizeof(double))) == NULL)
        return oom(err);
    memcpy(d->series, c->complaints, a->n * sizeof(double));
    d->series_len = a->n;
    return 0;
}

/*
 * The item's drivers: every flagged symptom series inside it (by excess), or, when
 * none is flagged but the item is, the two that rose most, so a rise is always
 * explained. At most CW_RANKING_DRIVERS.
 */
static int fill_drivers(analysis *a, const series *s, cw_ranking_entry *e, cw_error *err)
{
    const series **pick = malloc(a->series_count * sizeof(*pick));
    if (pick == NULL)
        return oom(err);
    size_t n = 0;
    bool any_flagged = false;
    for (size_t i = 0; i < a->series_count; i++)
        if (explains(a, s, &a->series[i])) {
            pick[n++] = &a->series[i];
            any_flagged = any_flagged || flagged(&a->series[i]);
        }
    qsort(pick, n, sizeof(*pick), by_driver_order);
    size_t keep = 0;
    if (any_flagged)
        while (keep < n && flagged(pick[keep]))
            keep++;
    else if (flagged(s))
        while (keep < n && keep < 2 && excess_of(pick[keep]) > 0)
            keep++;
    int rc = 0;
    for (size_t i = 0; i < keep && rc == 0; i++)
        rc = add_driver(a, e, pick[i], err);
    free(pick);
    return rc;
}

static int fill_entry(analysis *a, series *s, const cw_rank_item *item, cw_error *err)
{
    const cw_cause_area *area = &a->p->rules->areas[s->area];
    cw_ranking_entry *e = s->entry;
    const cw_signal *g = &s->signal;
    e->rank = item->rank;
    e->score = item->score;
    e->volume = item->volume;
    e->trend_factor = item->trend_factor;
    e->driver_factor = item->driver_factor;
    e->severity_floor = item->severity_floor;
    e->excess = excess_of(s);
    size_t recent_len = a->n - a->recent_from;
    e->recent = window_sum(s->complaints, a->recent_from, a->n) / (double)recent_len;
    if (s->exposure != NULL) {
        double exposure = window_sum(s->exposure, a->recent_from, a->n);
        e->rate = exposure > 0 ? 1000.0 * window_sum(s->complaints, a->recent_from, a->n) / exposure
                               : NAN;
    }
    size_t base_end = s->baseline_start + a->p->detect->baseline_weeks;
    if (base_end > a->recent_from)
        base_end = a->recent_from;
    if (base_end > s->baseline_start)
        e->baseline = window_sum(s->complaints, s->baseline_start, base_end) /
                      (double)(base_end - s->baseline_start);
    e->slope_pct = g->status == CW_TREND_DRIFT ? g->slope_pct : NAN;
    e->strength = g->status == CW_TREND_INSUFFICIENT ? NAN : g->strength;
    e->series_since = g->status == CW_TREND_STABLE || g->since < 0 ? -1 : g->since;
    e->baseline_from = (long)s->baseline_start;
    char since[16] = "";
    if (e->series_since >= 0)
        cw_week_format_iso(since, sizeof(since), a->first + e->series_since);
    if (cw_ranking_strdup(&e->kind, kind_names[s->kind], err) != 0 ||
        cw_ranking_strdup(&e->area_id, area->id, err) != 0 ||
        cw_ranking_strdup(&e->area_name, area->name, err) != 0 ||
        cw_ranking_strdup(&e->site, s->site, err) != 0 ||
        cw_ranking_strdup(&e->status, cw_trend_name(g->status), err) != 0 ||
        cw_ranking_strdup(&e->since_week, since, err) != 0 ||
        cw_ranking_strdup(&e->owner, area->owner, err) != 0 ||
        cw_ranking_strdup(&e->remediation, area->remediation, err) != 0 ||
        cw_ranking_strdup(&e->change, "", err) != 0)
        return -1;
    if ((e->series = malloc(a->n * sizeof(double))) == NULL)
        return oom(err);
    memcpy(e->series, s->complaints, a->n * sizeof(double));
    e->series_len = a->n;
    if (fill_drivers(a, s, e, err) != 0)
        return -1;
    return fill_evidence(a, s, e, err);
}

static cw_rank_input rank_input(const analysis *a, const series *s, char *key)
{
    size_t recent_len = a->n - a->recent_from;
    double weighted = window_sum(s->weighted, a->recent_from, a->n);
    double volume = weighted / (double)recent_len;
    if (s->exposure != NULL) {
        double exposure = window_sum(s->exposure, a->recent_from, a->n);
        volume = exposure > 0 ? 1000.0 * weighted / exposure : 0;
    }
    const cw_signal *g = &s->signal;
    double recent = window_sum(s->complaints, a->recent_from, a->n);
    double per = s->denominator != NULL ? window_sum(s->denominator, a->recent_from, a->n)
                                        : (double)recent_len;
    return (cw_rank_input){
        .key = key,
        .volume = volume,
        .rising = g->status == CW_TREND_DRIFT || g->status == CW_TREND_SHIFT,
        .level_ratio = g->baseline > 0 && per > 0 ? recent / per / g->baseline : NAN,
        .slope_pct = g->status == CW_TREND_DRIFT ? g->slope_pct : 0,
        .driver_ratio = driver_ratio(a, s),
        .rare_severity = 0,
    };
}

/* Rank one kind of series and append its entries in rank order. */
static int rank_kind(analysis *a, cw_ranking *out, int kind, cw_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < a->series_count; i++)
        n += a->series[i].kind == kind;
    if (n == 0)
        return 0;
    int rc = -1;
    series **members = calloc(n, sizeof(*members));
    cw_rank_input *in = calloc(n, sizeof(*in));
    cw_rank_item *items = calloc(n, sizeof(*items));
    char **keys = calloc(n, sizeof(*keys));
    if (members == NULL || in == NULL || items == NULL || keys == NULL) {
        oom(err);
        goto done;
    }
    for (size_t i = 0, j = 0; i < a->series_count; i++) {
        series *s = &a->series[i];
        if (s->kind != kind)
            continue;
        members[j] = s;
        keys[j] = cw_text_printf("%s/%s", a->p->rules->areas[s->area].id, s->site);
        if (keys[j] == NULL) {
            oom(err);
            goto done;
        }
        in[j] = rank_input(a, s, keys[j]);
        in[j].rare_severity = worst_severity(a, s, true);
        cw_week since = a->first + s->signal.since; /* a working fix's answered rise */
        cw_fixes_adjust_rank(out, &in[j], a->p->rules->areas[s->area].id, s->site,
                             s->signal.since >= 0 ? &since : NULL);
        j++;
    }
    cw_rank_compute(items, a->p->rank, in, n);
    for (size_t i = 0; i < n; i++) {
        series *s = members[items[i].input];
        if ((s->entry = cw_ranking_add(out)) == NULL) {
            oom(err);
            goto done;
        }
        if (fill_entry(a, s, &items[i], err) != 0)
            goto done;
    }
    rc = 0;
done:
    for (size_t i = 0; keys != NULL && i < n; i++)
        free(keys[i]);
    free(keys);
    free(members);
    free(in);
    free(items);
    return rc;
}

/* The newest matched complaint per (site, symptom) in the recent window. */
typedef struct example_row_set {
    cw_ranking_example *rows;
    char **sites;
    size_t count, cap;
} example_row_set;

/* Row: site, symptom, complaint id, span start, span end. */
static int example_row(void *user, int ncols, const char *const *v, const size_t *lens,
                       cw_error *err)
{
    (void)lens;
    example_row_set *set = user;
    if (ncols != 5 || v[0] == NULL || v[1] == NULL || v[2] == NULL || v[3] == NULL || v[4] == NULL)
        return 0;
    if (set->count == set->cap) {
        size_t cap = set->cap == 0 ? 64 : set->cap * 2;
        cw_ranking_example *rows = realloc(set->rows, cap * sizeof(*rows));
        if (rows == NULL)
            return oom(err);
        set->rows = rows;
        char **sites = realloc(set->sites, cap * sizeof(*sites));
        if (sites == NULL)
            return oom(err);
        set->sites = sites;
        set->cap = cap;
    }
    cw_ranking_example *x = &set->rows[set->count];
    memset(x, 0, sizeof(*x));
    set->sites[set->count] = NULL;
    set->count++; /* counted first: freed with the set whatever fails below */
    x->span_start = strtol(v[3], NULL, 10);
    x->span_end = strtol(v[4], NULL, 10);
    if (cw_ranking_strdup(&set->sites[set->count - 1], v[0], err) != 0 ||
        cw_ranking_strdup(&x->symptom_id, v[1], err) != 0 ||
        cw_ranking_strdup(&x->complaint_id, v[2], err) != 0)
        return -1;
    return 0;
}

static void example_set_free(example_row_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        free(set->sites[i]);
        free(set->rows[i].complaint_id);
        free(set->rows[i].symptom_id);
        free(set->rows[i].snippet);
    }
    free(set->rows);
    free(set->sites);
}

/* Each item's examples: one per top symptom, so the evidence shows what drives it. */
static int attach_examples(cw_ranking *out, const example_row_set *set, cw_error *err)
{
    for (size_t i = 0; i < out->count; i++) {
        cw_ranking_entry *e = &out->entries[i];
        for (size_t k = 0; k < e->top_symptom_count && e->example_count < CW_RANKING_TOP; k++) {
            for (size_t j = 0; j < set->count; j++) {
                const cw_ranking_example *x = &set->rows[j];
                if (strcmp(set->sites[j], e->site) != 0 ||
                    strcmp(x->symptom_id, e->top_symptoms[k].id) != 0)
                    continue;
                cw_ranking_example *to = &e->examples[e->example_count++];
                to->span_start = x->span_start;
                to->span_end = x->span_end;
                if (cw_ranking_strdup(&to->complaint_id, x->complaint_id, err) != 0 ||
                    cw_ranking_strdup(&to->symptom_id, x->symptom_id, err) != 0 ||
                    cw_ranking_strdup(&to->snippet, "", err) != 0)
                    return -1;
                break;
            }
        }
    }
    return 0;
}

/*
 * The newest complaint per symptom (and per site and symptom) of the recent weeks,
 * from the cells the runs keep in examples (sql/migrations/0008), with its evidence
 * span. No text: the snippets are cut from the source when the ranking is shown
 * (evidence.h), so the results keep offsets only.
 */
static char *examples_sql(const analysis *a)
{
    return cw_text_printf(
        "SELECT DISTINCT ON (x.site, x.symptom_id) x.site, x.symptom_id, x.complaint_id,"
        " x.span_start, x.span_end FROM %s.examples x"
        " WHERE x.ruleset_id = $1::int AND x.week BETWEEN $2::date AND $3::date"
        " ORDER BY x.site, x.symptom_id, x.received_at DESC, x.complaint_id COLLATE \"C\"",
        a->p->schema);
}

static int load_examples(analysis *a, cw_ranking *out, cw_error *err)
{
    char *sql = examples_sql(a);
    if (sql == NULL)
        return oom(err);
    example_row_set set = {0};
    const char *params[] = {a->p->ruleset, a->recent_date, a->to_date};
    int rc = cw_db_query(a->db, sql, 3, params, example_row, &set, err);
    if (rc == 0)
        rc = attach_examples(out, &set, err);
    example_set_free(&set);
    free(sql);
    return rc;
}

/* ---- what changed since the previous stored week ---- */

static bool entry_alerted(const cw_ranking_entry *e)
{
    if (cw_ranking_flagged(e->status))
        return true;
    for (size_t i = 0; i < e->driver_count; i++)
        if (cw_ranking_flagged(e->drivers[i].status))
            return true;
    return false;
}

/*
 * The excess an alert is judged by: the item's own, or its largest flagged driver's;
 * *recent is that series' recent level (for the noise of its change).
 */
static double alert_excess(const cw_ranking_entry *e, double *recent)
{
    *recent = e->recent;
    if (cw_ranking_flagged(e->status))
        return e->excess;
    double best = NAN;
    for (size_t i = 0; i < e->driver_count; i++)
        if (cw_ranking_flagged(e->drivers[i].status) && !(e->drivers[i].excess <= best)) {
            best = e->drivers[i].excess;
            *recent = e->drivers[i].recent;
        }
    return best;
}

/* The sd of a week-over-week change in a recent-window mean at this level (Poisson). */
static double change_noise(const analysis *a, double recent)
{
    double weeks = (double)(a->n - a->recent_from);
    return sqrt(2 * (isfinite(recent) && recent > 1 ? recent : 1)) / weeks;
}

static const cw_ranking_entry *previous_entry(const cw_ranking *prev, const cw_ranking_entry *e)
{
    for (size_t i = 0; prev != NULL && i < prev->count; i++) {
        const cw_ranking_entry *p = &prev->entries[i];
        if (strcmp(p->kind, e->kind) == 0 && strcmp(p->area_id, e->area_id) == 0 &&
            strcmp(p->site, e->site) == 0)
            return p;
    }
    return NULL;
}

static cw_ranking_driver *same_driver(cw_ranking_driver *list, size_t n, const cw_ranking_driver *d)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].kind, d->kind) == 0 && strcmp(list[i].symptom_id, d->symptom_id) == 0 &&
            strcmp(list[i].value, d->value) == 0)
            return &list[i];
    return NULL;
}

static series *series_of_driver(analysis *a, const cw_ranking_driver *d)
{
    for (size_t i = 0; i < a->series_count; i++) {
        series *c = &a->series[i];
        if (c->kind >= KIND_SYMPTOM && strcmp(driver_kind(c), d->kind) == 0 &&
            strcmp(a->p->rules->symptoms[c->symptom].id, d->symptom_id) == 0 &&
            strcmp(c->site, d->value) == 0)
            return c;
    }
    return NULL;
}

static int set_change(char **slot, const char *state, cw_error *err)
{
    free(*slot);
    *slot = NULL;
    return cw_ranking_strdup(slot, state, err);
}

/* Each item's and driver's state against prev (NULL: no previous week is stored). */
static int compare_weeks(analysis *a, cw_ranking *out, const cw_ranking *prev, cw_error *err)
{
    for (size_t i = 0; i < out->count; i++) {
        cw_ranking_entry *e = &out->entries[i];
        const cw_ranking_entry *p = previous_entry(prev, e);
        bool was = p != NULL && entry_alerted(p);
        double level, ignored, now = alert_excess(e, &level);
        double then = p != NULL ? alert_excess(p, &ignored) : NAN;
        if (set_change(&e->change,
                       cw_ranking_change(was, then, entry_alerted(e), now, change_noise(a, level)),
                       err) != 0)
            return -1;
        for (size_t k = 0; k < e->driver_count; k++) {
            cw_ranking_driver *d = &e->drivers[k];
            const cw_ranking_driver *pd =
                p != NULL ? same_driver(p->drivers, p->driver_count, d) : NULL;
            bool dwas = pd != NULL && cw_ranking_flagged(pd->status);
            if (set_change(&d->change,
                           cw_ranking_change(dwas, pd != NULL ? pd->excess : NAN,
                                             cw_ranking_flagged(d->status), d->excess,
                                             change_noise(a, d->recent)),
                           err) != 0)
                return -1;
        }
        /* A driver flagged last week and gone from the list now: shown as resolved. */
        for (size_t k = 0; p != NULL && k < p->driver_count; k++) {
            const cw_ranking_driver *pd = &p->drivers[k];
            if (!cw_ranking_flagged(pd->status) ||
                same_driver(e->drivers, e->driver_count, pd) != NULL)
                continue;
            const series *c = series_of_driver(a, pd);
            size_t before = e->driver_count;
            if (c == NULL || add_driver(a, e, c, err) != 0)
                continue;
            if (e->driver_count > before &&
                set_change(&e->drivers[e->driver_count - 1].change, "resolved", err) != 0)
                return -1;
        }
    }
    return 0;
}

static int load_changes(analysis *a, cw_ranking *out, cw_error *err)
{
    cw_ranking prev;
    cw_error missing;
    cw_error_clear(&missing);
    int rc = cw_stored_load(&prev, a->db, a->p->schema, false, a->p->target - 1, &missing);
    if (rc != 0 && missing.code != CW_EXIT_NOINPUT) {
        cw_ranking_fini(&prev);
        *err = missing;
        return -1;
    }
    char week[16] = "";
    if (rc == 0)
        cw_week_format_iso(week, sizeof(week), a->p->target - 1);
    rc = cw_ranking_strdup(&out->previous_week, week, err);
    if (rc == 0)
        rc = compare_weeks(a, out, prev.count > 0 || week[0] != '\0' ? &prev : NULL, err);
    cw_ranking_fini(&prev);
    return rc;
}

static void analysis_free(analysis *a)
{
    for (size_t i = 0; i < a->series_count; i++) {
        free(a->series[i].site);
        free(a->series[i].complaints);
        free(a->series[i].attributed);
        free(a->series[i].weighted);
        free(a->series[i].others);
    }
    free(a->series);
    volumes *lists[] = {&a->exposure, &a->totals};
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->count; i++) {
            free(lists[l]->items[i].site);
            free(lists[l]->items[i].volume);
        }
        free(lists[l]->items);
    }
    for (size_t i = 0; i < a->symptom_count; i++)
        free(a->symptoms[i].site);
    free(a->symptoms);
}

int cw_analyse_week(cw_ranking *out, cw_db *db, const cw_analyse_params *p, cw_error *err)
{
    analysis a = {.p = p, .db = db};
    char week[16], monday[16];
    memset(out, 0, sizeof(*out));
    int rc = choose_range(&a, err);
    if (rc == 0)
        rc = load_series(&a, err);
    if (rc == 0)
        rc = load_symptoms(&a, err);
    if (rc == 0)
        rc = load_remediations(&a, err);
    if (rc == 0)
        rc = load_denominators(&a, err);
    if (rc == 0)
        rc = estimate_priors(&a, err);
    if (rc == 0)
        rc = detect_all(&a, err);
    cw_week_format_iso(week, sizeof(week), p->target);
    cw_week_format_monday(monday, sizeof(monday), p->target);
    out->series_first = a.first;
    if (rc == 0 && (cw_ranking_strdup(&out->target_week, week, err) != 0 ||
                    cw_ranking_strdup(&out->week_monday, monday, err) != 0 ||
                    cw_ranking_strdup(&out->ruleset_hash, p->hash, err) != 0))
        rc = -1;
    if (rc == 0)
        rc = cw_fixes_evaluate(out, db, p, err);
    if (rc == 0)
        rc = rank_kind(&a, out, KIND_AREA, err);
    if (rc == 0)
        rc = rank_kind(&a, out, KIND_AREA_SITE, err);
    if (rc == 0)
        rc = load_examples(&a, out, err);
    if (rc == 0)
        rc = load_changes(&a, out, err);
    analysis_free(&a);
    return rc;
}
