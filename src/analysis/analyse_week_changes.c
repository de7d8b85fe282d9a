/*
 * analyse_week_changes.c - the last stage of a week's analysis: each ranked item's example
 * complaints, and what changed since the previous stored week; see analyse_week.h.
 */
#include "analyse_week_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/ranking_store.h"
#include "causeway/util/text.h"

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

int analysis_load_examples(analysis *a, cw_ranking *out, cw_error *err)
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
        if (c->kind >= KIND_SYMPTOM && strcmp(analysis_driver_kind(c), d->kind) == 0 &&
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
            if (c == NULL || analysis_add_driver(a, e, c, err) != 0)
                continue;
            if (e->driver_count > before &&
                set_change(&e->drivers[e->driver_count - 1].change, "resolved", err) != 0)
                return -1;
        }
    }
    return 0;
}

int analysis_load_changes(analysis *a, cw_ranking *out, cw_error *err)
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
