/*
 * analyse_week.c - series, detection, ranking and evidence for one week; see analyse_week.h.
 * The stages: analyse_week_load.c reads, this file detects and ranks, analyse_week_changes.c
 * adds examples and the week-over-week changes.
 */
#include "analyse_week_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/ranking_store.h"
#include "causeway/analysis/fixes.h"
#include "causeway/util/text.h"

const char *const analysis_kind_names[] = {"area", "area_site", "symptom", "symptom_site",
                                           "symptom_dim"};

const analysis_dim analysis_dims[DIM_COUNT] = {{CW_COL_CHANNEL, "symptom_channel"},
                                               {CW_COL_PRODUCT, "symptom_product"},
                                               {CW_COL_SEGMENT, "symptom_segment"}};

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
                     analysis_kind_names[s->kind],
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
 * The item's level as its rising drivers project it (score.h, driver_factor): the
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

const char *analysis_driver_kind(const series *c)
{
    return c->kind == KIND_SYMPTOM_DIM ? analysis_dims[c->dim].series
                                       : analysis_kind_names[c->kind];
}

int analysis_add_driver(analysis *a, cw_ranking_entry *e, const series *c, cw_error *err)
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
    if (cw_ranking_strdup(&d->kind, analysis_driver_kind(c), err) != 0 ||
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
        rc = analysis_add_driver(a, e, pick[i], err);
    free(pick);
    return rc;
}

static int fill_entry(analysis *a, series *s, const cw_score_item *item, cw_error *err)
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
    if (cw_ranking_strdup(&e->kind, analysis_kind_names[s->kind], err) != 0 ||
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

static cw_score_input rank_input(const analysis *a, const series *s, char *key)
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
    return (cw_score_input){
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
    cw_score_input *in = calloc(n, sizeof(*in));
    cw_score_item *items = calloc(n, sizeof(*items));
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
    cw_score_compute(items, a->p->rank, in, n);
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
    int rc = analysis_choose_range(&a, err);
    if (rc == 0)
        rc = analysis_load_series(&a, err);
    if (rc == 0)
        rc = analysis_load_symptoms(&a, err);
    if (rc == 0)
        rc = analysis_load_remediations(&a, err);
    if (rc == 0)
        rc = analysis_load_denominators(&a, err);
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
        rc = analysis_load_examples(&a, out, err);
    if (rc == 0)
        rc = analysis_load_changes(&a, out, err);
    analysis_free(&a);
    return rc;
}
