/*
 * test_fixes.c - the ranking's use of the verdicts (fixes.h): an item whose fix works
 * is not ranked up for the rise the fix answered, while a rise after the fix, a fix
 * that does not work and another item's fix leave it alone; and each verdict finds
 * the ranked item it belongs to.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/fixes.h"

/* A ranking with one fix of (area, site): started at week 100, after side from 102. */
static cw_fix_verdict *one_fix(cw_ranking *r, const char *area, const char *site,
                               cw_effect_verdict v)
{
    memset(r, 0, sizeof(*r));
    r->fixes = calloc(1, sizeof(cw_fix_verdict));
    r->fix_count = 1;
    cw_fix_verdict *f = &r->fixes[0];
    f->id = 7;
    f->area_id = strdup(area);
    f->symptom_id = strdup("");
    f->site = strdup(site);
    f->series_kind = strdup(site[0] ? "area_site" : "area");
    f->title = strdup("t");
    f->owner = strdup("");
    f->started = 100;
    f->series_first = 74;
    f->effect.verdict = v;
    f->effect.after_from = 28; /* week 102 */
    f->expected_cut = NAN;
    return f;
}

static cw_score_input rising(void)
{
    return (cw_score_input){
        .key = "k", .volume = 10, .rising = true, .level_ratio = 1.5, .slope_pct = 4};
}

Test(fixes, a_working_fix_withholds_the_rise_it_answered)
{
    cw_ranking r;
    cw_fix_verdict *f = one_fix(&r, "process", "leeds", CW_EFFECT_WORKING);
    cw_score_input in = rising();
    cw_week since = 90;
    cw_fixes_adjust_rank(&r, &in, "process", "leeds", &since);
    cr_assert_not(in.rising);
    cr_assert_eq(in.slope_pct, 0);
    cr_assert(f->trend_withheld);
    /* Scored, the item gets no trend factor for it. */
    cw_score_params p;
    cw_score_params_default(&p);
    cw_score_item item;
    cw_score_compute(&item, &p, &in, 1);
    cr_assert_float_eq(item.trend_factor, 1.0, 1e-12);
    cw_ranking_fini(&r);
}

Test(fixes, a_rise_after_the_fix_settled_still_counts)
{
    cw_ranking r;
    cw_fix_verdict *f = one_fix(&r, "process", "leeds", CW_EFFECT_WORKING);
    cw_score_input in = rising();
    cw_week since = 102; /* the after side's first week: declining again */
    cw_fixes_adjust_rank(&r, &in, "process", "leeds", &since);
    cr_assert(in.rising);
    cr_assert_not(f->trend_withheld);
    cw_ranking_fini(&r);
}

Test(fixes, other_verdicts_items_and_stable_items_are_left_alone)
{
    const cw_effect_verdict others[] = {CW_EFFECT_UNKNOWN, CW_EFFECT_NO_EFFECT, CW_EFFECT_WORSE};
    cw_week since = 90;
    for (size_t i = 0; i < 3; i++) {
        cw_ranking r;
        one_fix(&r, "process", "leeds", others[i]);
        cw_score_input in = rising();
        cw_fixes_adjust_rank(&r, &in, "process", "leeds", &since);
        cr_assert(in.rising, "verdict %d", (int)others[i]);
        cw_ranking_fini(&r);
    }
    cw_ranking r;
    one_fix(&r, "process", "leeds", CW_EFFECT_WORKING);
    cw_score_input in = rising();
    cw_fixes_adjust_rank(&r, &in, "process", "york", &since);
    cr_assert(in.rising, "another site's fix");
    cw_fixes_adjust_rank(&r, &in, "tech", "", &since);
    cr_assert(in.rising, "another area's fix");
    cw_fixes_adjust_rank(&r, &in, "process", "leeds", NULL);
    cr_assert(in.rising, "no onset given");
    cr_assert_not(r.fixes[0].trend_withheld);
    cw_ranking_fini(&r);
}

/* A fix at one site does not re-set the area's baseline: the area is not ranked up for
 * the rise the fix answered either. */
Test(fixes, the_area_as_a_whole_has_the_fixes_of_its_sites)
{
    cw_ranking r;
    cw_fix_verdict *f = one_fix(&r, "process", "leeds", CW_EFFECT_WORKING);
    cw_score_input in = rising();
    cw_week since = 95;
    cw_fixes_adjust_rank(&r, &in, "process", "", &since);
    cr_assert_not(in.rising);
    cr_assert(f->trend_withheld);
    cw_ranking_fini(&r);
}

Test(fixes, a_verdict_finds_its_ranked_item)
{
    cw_ranking r;
    one_fix(&r, "process", "leeds", CW_EFFECT_NO_EFFECT);
    const char *kinds[] = {"area", "area_site", "area_site"};
    const char *sites[] = {"", "york", "leeds"};
    for (unsigned i = 0; i < 3; i++) {
        cw_ranking_entry *e = cw_ranking_add(&r);
        e->kind = strdup(kinds[i]);
        e->area_id = strdup("process");
        e->site = strdup(sites[i]);
        e->rank = i + 1;
    }
    const cw_ranking_entry *item = cw_fixes_entry(&r, &r.fixes[0]);
    cr_assert_not_null(item);
    cr_assert_eq(item->rank, 3);
    size_t pos = 0;
    cr_assert_eq(cw_fixes_next_for(&r, &r.entries[2], &pos), &r.fixes[0]);
    cr_assert_null(cw_fixes_next_for(&r, &r.entries[2], &pos));
    pos = 0;
    cr_assert_eq(cw_fixes_next_for(&r, &r.entries[0], &pos), &r.fixes[0], "the area has it");
    pos = 0;
    cr_assert_null(cw_fixes_next_for(&r, &r.entries[1], &pos), "york does not");
    cw_ranking_fini(&r);
}
