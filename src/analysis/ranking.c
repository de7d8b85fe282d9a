/* ranking.c - ownership of a week's ranking; see ranking.h. */
#include "causeway/analysis/ranking.h"

#include "causeway/analysis/fixes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

cw_ranking_entry *cw_ranking_add(cw_ranking *r)
{
    if (r->count == r->cap) {
        size_t cap = r->cap == 0 ? 16 : r->cap * 2;
        cw_ranking_entry *bigger = realloc(r->entries, cap * sizeof(*bigger));
        if (bigger == NULL)
            return NULL;
        r->entries = bigger;
        r->cap = cap;
    }
    cw_ranking_entry *e = &r->entries[r->count++];
    memset(e, 0, sizeof(*e));
    e->rate = e->slope_pct = e->strength = e->baseline = NAN;
    e->series_since = -1;
    e->excess = NAN;
    e->driver_factor = 1;
    return e;
}

cw_ranking_driver *cw_ranking_add_driver(cw_ranking_entry *e)
{
    if (e->driver_count == CW_RANKING_DRIVERS)
        return NULL;
    if (e->drivers == NULL &&
        (e->drivers = calloc(CW_RANKING_DRIVERS, sizeof(*e->drivers))) == NULL)
        return NULL;
    cw_ranking_driver *d = &e->drivers[e->driver_count++];
    memset(d, 0, sizeof(*d));
    d->slope_pct = d->excess = d->share = d->baseline = d->recent = NAN;
    d->series_since = -1;
    return d;
}

int cw_ranking_flagged(const char *status)
{
    return status != NULL && (strcmp(status, "drift") == 0 || strcmp(status, "shift") == 0 ||
                              strcmp(status, "spike") == 0);
}

#define CHANGE_RELATIVE 0.10 /* a tenth more or less excess ... */
#define CHANGE_NOISE    2.0  /* ... and beyond two standard deviations of noise */

const char *cw_ranking_change(int was, double prev_excess, int is, double excess, double noise)
{
    if (!was && !is)
        return "";
    if (!was)
        return "new";
    if (!is)
        return "resolved";
    if (!isfinite(prev_excess) || !isfinite(excess))
        return "ongoing";
    double delta = excess - prev_excess, scale = fabs(prev_excess);
    double floor = CHANGE_NOISE * (isfinite(noise) && noise > 0 ? noise : 0);
    if (delta > floor && delta >= CHANGE_RELATIVE * scale)
        return "worsening";
    if (-delta > floor && -delta >= CHANGE_RELATIVE * scale)
        return "easing";
    return "ongoing";
}

static void free_entry(cw_ranking_entry *e)
{
    free(e->kind);
    free(e->area_id);
    free(e->area_name);
    free(e->site);
    free(e->status);
    free(e->since_week);
    free(e->owner);
    free(e->remediation);
    free(e->series);
    free(e->change);
    for (size_t i = 0; i < e->driver_count; i++) {
        cw_ranking_driver *d = &e->drivers[i];
        free(d->kind);
        free(d->symptom_id);
        free(d->value);
        free(d->status);
        free(d->since_week);
        free(d->change);
        free(d->series);
    }
    free(e->drivers);
    for (size_t i = 0; i < e->top_symptom_count; i++)
        free(e->top_symptoms[i].id);
    for (size_t i = 0; i < e->top_site_count; i++)
        free(e->top_sites[i].id);
    for (size_t i = 0; i < e->example_count; i++) {
        free(e->examples[i].complaint_id);
        free(e->examples[i].symptom_id);
        free(e->examples[i].snippet);
    }
}

void cw_ranking_fini(cw_ranking *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->count; i++)
        free_entry(&r->entries[i]);
    free(r->entries);
    cw_fixes_free(r->fixes, r->fix_count);
    free(r->target_week);
    free(r->week_monday);
    free(r->ruleset_hash);
    free(r->previous_week);
    memset(r, 0, sizeof(*r));
}

/* A state the opening section lists: a change (ongoing alarms are only counted). */
static int listed(const char *change)
{
    return change != NULL && change[0] != '\0' && strcmp(change, "ongoing") != 0;
}

/* Whether driver k of entry i already appeared, under an earlier item: listed once. */
static int driver_seen(const cw_ranking *r, size_t i, size_t k)
{
    const cw_ranking_driver *d = &r->entries[i].drivers[k];
    for (size_t j = 0; j <= i; j++) {
        const cw_ranking_entry *e = &r->entries[j];
        for (size_t m = 0; m < (j == i ? k : e->driver_count); m++)
            if (strcmp(e->drivers[m].kind, d->kind) == 0 &&
                strcmp(e->drivers[m].symptom_id, d->symptom_id) == 0 &&
                strcmp(e->drivers[m].value, d->value) == 0)
                return 1;
    }
    return 0;
}

/*
 * What the opening section lists: an item's own change when its own series is (or was)
 * the alarm, and each driver's change once. Item k == 0, driver k >= 1.
 */
int cw_ranking_change_listed(const cw_ranking *r, size_t i, size_t k)
{
    const cw_ranking_entry *e = &r->entries[i];
    if (k == 0)
        return listed(e->change) &&
               (cw_ranking_flagged(e->status) || strcmp(e->change, "resolved") == 0);
    return listed(e->drivers[k - 1].change) && !driver_seen(r, i, k - 1);
}

int cw_ranking_strdup(char **out, const char *s, cw_error *err)
{
    *out = strdup(s != NULL ? s : "");
    if (*out == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    return 0;
}

void cw_ranking_format_count(char *buf, size_t size, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else if (fabs(v - round(v)) >= 0.05)
        snprintf(buf, size, "%.1f", v);
    else
        snprintf(buf, size, "%.0f", v);
}

int cw_ranking_nothing_attributed(const cw_ranking *r)
{
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        if (e->top_symptom_count > 0 || (isfinite(e->volume) && e->volume > 0))
            return 0;
    }
    return 1;
}

const char *cw_ranking_listed_change(const cw_ranking *r, size_t i, size_t k,
                                     const cw_ranking_driver **d)
{
    const cw_ranking_entry *e = &r->entries[i];
    *d = k > 0 ? &e->drivers[k - 1] : NULL;
    if (!cw_ranking_change_listed(r, i, k))
        return NULL;
    return *d != NULL ? (*d)->change : e->change;
}

cw_ranking_change_counts cw_ranking_count_changes(const cw_ranking *r)
{
    cw_ranking_change_counts c = {0, 0};
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        c.ongoing += e->change != NULL && strcmp(e->change, "ongoing") == 0;
        for (size_t k = 0; k <= e->driver_count; k++)
            c.listed += cw_ranking_change_listed(r, i, k) ? 1 : 0;
    }
    return c;
}
