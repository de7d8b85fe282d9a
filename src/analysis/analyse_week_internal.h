/*
 * analyse_week_internal.h - internal to the analysis of one week (analyse_week.c): the series
 * it watches and the state the stages share. analyse_week_load.c reads the series, symptom
 * counts, remediations and denominators from the results schema; analyse_week.c estimates
 * priors, detects and ranks; analyse_week_changes.c attaches example complaints and what
 * changed since the previous stored week.
 */
#ifndef CAUSEWAY_ANALYSE_WEEK_INTERNAL_H
#define CAUSEWAY_ANALYSE_WEEK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "causeway/analysis/analyse_week.h"

/*
 * Every series the run counts is watched: the ranked items (area, area x site) and
 * the series that explain them (symptom, symptom x site, symptom x each further
 * dimension); all of them share one report-level false-alarm budget (detect.h).
 */
enum { KIND_AREA = 0, KIND_AREA_SITE, KIND_SYMPTOM, KIND_SYMPTOM_SITE, KIND_SYMPTOM_DIM };

/* The names of the kinds, as the ranking stores them (kind of an entry or a driver). */
extern const char *const analysis_kind_names[];

/* Further dimensions, as series.c names their series. */
typedef struct analysis_dim {
    cw_source_column col;
    const char *series;
} analysis_dim;
#define DIM_COUNT 3u
extern const analysis_dim analysis_dims[DIM_COUNT];

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

static inline int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
}

/* analyse_week_load.c: what the run counted, read from the results schema. */

/* The weeks the series cover (first, n, recent window) from the target and the windows. */
int analysis_choose_range(analysis *a, cw_error *err);
/* Every weekly series of the rule set (areas, sites, symptoms, dimensions). */
int analysis_load_series(analysis *a, cw_error *err);
/* Per symptom (and symptom x site): its complaints in the recent window and before. */
int analysis_load_symptoms(analysis *a, cw_error *err);
/* Recorded remediations: a series' baseline restarts at its fix. */
int analysis_load_remediations(analysis *a, cw_error *err);
/* What detection divides by: the exposure source when configured, else all other complaints. */
int analysis_load_denominators(analysis *a, cw_error *err);

/* analyse_week.c: the kind of a driver series as the ranking names it; add one to entry e. */
const char *analysis_driver_kind(const series *c);
int analysis_add_driver(analysis *a, cw_ranking_entry *e, const series *c, cw_error *err);

/* analyse_week_changes.c: example complaints and what changed since the previous stored week. */
int analysis_load_examples(analysis *a, cw_ranking *out, cw_error *err);
int analysis_load_changes(analysis *a, cw_ranking *out, cw_error *err);

#endif
