/*
 * score.h - the remediation ranking: one explainable score per cause area (and
 * per cause area x site).
 *
 *   score = max(volume x trend_factor, severity_floor)
 *
 * volume        recent severity-weighted attributed complaints per week (or per
 *               1,000 units of exposure when exposure is known): what the cause
 *               costs now.
 * trend_factor  1 for stable series and one-week spikes; for a sustained rise
 *               (drift or shift) 1 + how far the recent level stands above the
 *               frozen baseline, times the growth of the next `horizon_weeks`
 *               at the drift's slope if nothing is done; capped at `trend_cap`.
 *               The larger of that and driver_factor:
 * driver_factor the item's rise as its drivers tell it (issue 13): a symptom (or
 *               symptom x site) series inside the item that is flagged rising
 *               lifts the item to (item's expected level + the driver's excess +
 *               the driver's growth over `horizon_weeks` at its slope) / item's
 *               expected level, the largest over its rising drivers, capped at
 *               `trend_cap`; 1 without one. So a 50 % rise at one site inside a
 *               large, otherwise stable area lifts that area above a flat area of
 *               the same volume, by the share of the area that is rising.
 * severity_floor  a rare but severe symptom is never buried: when a symptom of
 *               severity 5 (4) that is rare for the item (see rare_severity)
 *               was attributed to it in the recent window, its score is at least
 *               `floor_share[5]` (`floor_share[4]`) of the largest volume x
 *               trend_factor in the same ranking. A severe symptom that is routine
 *               for the item already weighs in its volume; lifting every item where
 *               it occurs buried the causes that were rising.
 *
 * Every component is returned, stored and printed, so a reader can redo the
 * arithmetic.
 */
#ifndef CAUSEWAY_RANK_H
#define CAUSEWAY_RANK_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cw_score_params {
    unsigned horizon_weeks; /* drift projection, default 4 */
    double trend_cap;       /* maximum trend_factor, default 3 */
    double floor_share[6];  /* by severity 0..5; default {0,0,0,0,0.25,0.5} */
} cw_score_params;

typedef struct cw_score_input {
    const char *key;     /* stable tie-break ("process" or "process/leeds"); borrowed */
    double volume;       /* see above; >= 0 */
    bool rising;         /* detector says drift or shift */
    double level_ratio;  /* recent level / frozen baseline; <= 0 or NaN when unknown */
    double slope_pct;    /* drift slope in %/week; 0 when not a drift */
    double driver_ratio; /* the drivers' projected level / the item's expected level (computed
                            by analyse_week.c, see driver_factor above); <= 1 or NaN: none */
    int rare_severity;   /* highest severity, 0..5, of the symptoms attributed in the recent
                            window that are rare for the item (the caller decides what is
                            rare: analyse_week.c, under one complaint a week before the window) */
} cw_score_input;

typedef struct cw_score_item {
    size_t input;    /* index into the inputs */
    const char *key; /* the input's key (borrowed), for a total order */
    unsigned rank;   /* 1 = fix first */
    double score;
    double volume;
    double trend_factor;   /* max(own trend, driver_factor) */
    double driver_factor;  /* 1 when no rising driver */
    double severity_floor; /* 0 when no floor applies */
} cw_score_item;

/* Fill params with the documented defaults. */
void cw_score_params_default(cw_score_params *p);

/*
 * Score and order n inputs into out[0..n-1] (caller storage), best first; ties
 * broken by key so the order is deterministic.
 */
void cw_score_compute(cw_score_item *out, const cw_score_params *p, const cw_score_input *in,
                      size_t n);

#endif
