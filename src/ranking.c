/* ranking.c - ownership of a week's ranking; see ranking.h. */
#include "causeway/ranking.h"

#include "causeway/fixes.h"

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
    return e;
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
    memset(r, 0, sizeof(*r));
}

int cw_ranking_strdup(char **out, const char *s, cw_error *err)
{
    *out = strdup(s != NULL ? s : "");
    if (*out == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    return 0;
}
