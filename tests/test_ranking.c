/* test_ranking.c - the week-over-week states and which of them the reports list. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/ranking.h"

Test(ranking, states_against_the_previous_week)
{
    cr_assert_str_eq(cw_ranking_change(0, NAN, 0, NAN, 1), "");
    cr_assert_str_eq(cw_ranking_change(0, NAN, 1, 4, 1), "new");
    cr_assert_str_eq(cw_ranking_change(1, 4, 0, 1, 1), "resolved");
    cr_assert_str_eq(cw_ranking_change(1, 4, 1, 6.5, 1), "worsening");
    cr_assert_str_eq(cw_ranking_change(1, 6.5, 1, 4, 1), "easing");
    /* Within twice the noise, or under a tenth, it goes on. */
    cr_assert_str_eq(cw_ranking_change(1, 4, 1, 5.5, 1), "ongoing");
    cr_assert_str_eq(cw_ranking_change(1, 100, 1, 108, 0.5), "ongoing");
    cr_assert_str_eq(cw_ranking_change(1, NAN, 1, 3, 1), "ongoing");
}

static void set(char **slot, const char *s)
{
    *slot = strdup(s);
}

Test(ranking, each_driver_is_listed_once_and_stable_items_only_through_drivers)
{
    cw_ranking r = {0};
    for (int i = 0; i < 2; i++) {
        cw_ranking_entry *e = cw_ranking_add(&r);
        cr_assert_not_null(e);
        set(&e->kind, "area");
        set(&e->area_id, i == 0 ? "process" : "skills");
        set(&e->site, "");
        set(&e->status, "stable");
        set(&e->change, "new"); /* through its driver */
        cw_ranking_driver *d = cw_ranking_add_driver(e);
        cr_assert_not_null(d);
        set(&d->kind, "symptom_site");
        set(&d->symptom_id, "delay_wait");
        set(&d->value, "leeds");
        set(&d->status, "drift");
        set(&d->change, "new");
    }
    cr_assert(!cw_ranking_change_listed(&r, 0, 0), "a stable item is told through its driver");
    cr_assert(cw_ranking_change_listed(&r, 0, 1));
    cr_assert(!cw_ranking_change_listed(&r, 1, 1), "the same driver under a second item");
    free(r.entries[0].status);
    set(&r.entries[0].status, "drift");
    cr_assert(cw_ranking_change_listed(&r, 0, 0));
    free(r.entries[1].change);
    set(&r.entries[1].change, "ongoing");
    cr_assert(!cw_ranking_change_listed(&r, 1, 0), "ongoing is counted, not listed");
    for (int k = 0; k < CW_RANKING_DRIVERS - 1; k++)
        cr_assert_not_null(cw_ranking_add_driver(&r.entries[0]));
    cr_assert_null(cw_ranking_add_driver(&r.entries[0]), "at most CW_RANKING_DRIVERS");
    cw_ranking_fini(&r);
}
