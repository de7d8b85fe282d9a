/* test_ranking.c - the week-over-week states and which of them the reports list. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/ranking.h"

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

/* Issue 17 item 14: a fractional attribution never shows as 0. */
Test(ranking, attributed_counts_show_their_fraction)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {{0, "0"},    {12, "12"},     {0.3, "0.3"},        {0.7, "0.7"}, {2.04, "2"},
                 {2.96, "3"}, {61.5, "61.5"}, {1e9, "1000000000"}, {NAN, "-"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[32];
        cw_ranking_format_count(buf, sizeof(buf), cases[i].v);
        cr_assert_str_eq(buf, cases[i].text, "case %zu", i);
    }
}

/* Issue 17 item 10: a ranking with nothing attributed is recognised as such. */
Test(ranking, nothing_attributed_means_no_volume_and_no_symptom)
{
    static const struct {
        double volume;
        size_t symptoms;
        int empty;
    } cases[] = {{0, 0, 1}, {NAN, 0, 1}, {0.5, 0, 0}, {0, 1, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_ranking r = {0};
        cw_ranking_entry *quiet = cw_ranking_add(&r);
        cr_assert_not_null(quiet);
        quiet->volume = 0;
        cw_ranking_entry *e = cw_ranking_add(&r);
        cr_assert_not_null(e);
        e->volume = cases[i].volume;
        e->top_symptom_count = cases[i].symptoms;
        if (cases[i].symptoms > 0)
            e->top_symptoms[0].id = strdup("rude");
        cr_assert_eq(cw_ranking_nothing_attributed(&r), cases[i].empty, "case %zu", i);
        cw_ranking_fini(&r);
    }
    cw_ranking none = {0};
    cr_assert_eq(cw_ranking_nothing_attributed(&none), 1);
}
