/*
 * fixes.h - the verdict on every recorded fix, computed with each week's ranking:
 * the fix's target series is read from the weekly table of the run's rule set,
 * judged by effect.h, stored with the ranking (table fix_verdicts) and rendered in
 * the reports' "Fixes" section (report_fixes.h). The verdicts of a week live in
 * cw_ranking.fixes, so a stored week renders as the run printed it.
 *
 * Levels are complaints a week, or per 1,000 of the configured exposure of the fix's
 * site (of all sites for a fix at every site). Not a share of the other complaints, as
 * detection uses: those move with every other cause, and a shift elsewhere at the site
 * would read as this fix's effect (a yearly season is the price; exposure removes it).
 *
 * The ranking (called by analyse_week.c): an item whose fix is working is not ranked up for
 * the decline the fix answered: when its rise began before the fix's after side, its
 * trend does not multiply its score (cw_fixes_adjust_rank). A rise that begins later
 * still counts (the fix is then "declining again" in the Fixes section). An item's
 * fixes are those of its cause area at its site; the cause area as a whole has all the
 * area's fixes. (The fix's own area x site item has its frozen baseline re-set from the
 * week after the start anyway, analyse_week.c; the rule matters for the area as a whole,
 * whose baseline a fix at one site does not re-set.)
 */
#ifndef CAUSEWAY_FIXES_H
#define CAUSEWAY_FIXES_H

#include <stdbool.h>

#include "causeway/analysis/analyse_week.h"
#include "causeway/analysis/effect.h"
#include "causeway/analysis/score.h"
#include "causeway/analysis/ranking.h"
#include "causeway/util/week.h"

struct cw_fix_verdict {
    long long id; /* remediations.id */
    char *area_id;
    char *symptom_id;  /* "" = the whole cause area */
    char *site;        /* "" = every site */
    char *series_kind; /* the target's weekly.series: area, area_site, symptom, symptom_site */
    char *title;
    char *owner;
    cw_week started;
    bool has_end;
    cw_week ended;
    double expected_cut; /* NaN: not given */
    unsigned settling_weeks;
    bool per_exposure; /* levels per 1,000 exposure, else complaints a week */
    cw_effect effect;  /* indices into series */
    cw_week series_first;
    double *series; /* the target's weekly complaints, series_first .. the ranked week */
    size_t series_len;
    bool trend_withheld; /* the ranking did not count the item's pre-fix rise */
};

/*
 * Judge every fix started in or before p->target into out->fixes (replacing none:
 * out->fixes must be empty), in id order. Reads only; call inside the run's
 * transaction, after the weekly rows are stored. A fix whose cause area or symptom the
 * rule set no longer has is left out with a warning. On failure out->fixes holds what
 * was judged so far (cw_ranking_fini frees it).
 */
int cw_fixes_evaluate(cw_ranking *out, cw_db *db, const cw_analyse_params *p, cw_error *err);

/*
 * Adjust the rank input of ranked item (area_id, site) (site "" for the cause area as a
 * whole) with the fixes of r: a working fix of that item (see above) with `since` (the week the
 * item's rise began, NULL when it is not rising) before the fix's after side makes the
 * item not rising, and marks the fix trend_withheld.
 */
void cw_fixes_adjust_rank(cw_ranking *r, cw_score_input *in, const char *area_id, const char *site,
                          const cw_week *since);

/* The fix verdicts of r that belong to entry e (its cause area, at its site or, for the
 * area as a whole, at any site); NULL after the last. Start with *pos = 0. */
const cw_fix_verdict *cw_fixes_next_for(const cw_ranking *r, const cw_ranking_entry *e,
                                        size_t *pos);

/* The entry of r a fix belongs to, or NULL when it is not ranked. */
const cw_ranking_entry *cw_fixes_entry(const cw_ranking *r, const cw_fix_verdict *f);

/* Replace the stored verdicts of r's week with r->fixes (schema quoted). */
int cw_fixes_save(cw_db *db, const char *schema, const cw_ranking *r, long long run_id,
                  cw_error *err);

/* Load the stored verdicts of r's week (r->week_monday set) into r->fixes. */
int cw_fixes_load(cw_ranking *r, cw_db *db, const char *schema, cw_error *err);

/*
 * Load the latest stored verdict on fix `id` into r (caller storage, zeroed here;
 * finalise with cw_ranking_fini): r->fixes holds it (fix_count 0 when no run has judged
 * it yet) and r->target_week / week_monday its week.
 */
int cw_fixes_load_latest(cw_ranking *r, cw_db *db, const char *schema, long long id, cw_error *err);

/* Free n verdicts and the array; NULL is a no-op. */
void cw_fixes_free(cw_fix_verdict *fixes, size_t n);

/*
 * The verdict in words, as every format shows it: "working", "not yet known: 6 more
 * weeks at the current volume", "no effect: a cut of 25 % is ruled out", "worse";
 * then "; declining again since 2026-W30" when it applies. Into buf (NUL-terminated).
 */
void cw_fixes_verdict_text(char *buf, size_t size, const cw_fix_verdict *f);

#endif
