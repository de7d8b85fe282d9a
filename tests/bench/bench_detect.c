/*
 * bench_detect.c - `make bench-detect`: detection quality of causeway's
 * frozen-baseline GLR detector against the classic control charts and the
 * alert CX tools ship, every method calibrated to the same false-alarm rate.
 *
 * Simulated weekly counts: baselines of 5, 20 and 80 complaints per week,
 * Poisson and over-dispersed (negative binomial, variance = 2 x mean); 26
 * baseline weeks, then 70 monitored weeks; changes start 10 weeks into
 * monitoring: drifts of +1, +2, +5 %/week, steps of x1.5 and x2, and a one-week
 * spike of x3. Methods (all but the CX alert use the same frozen baseline):
 *   causeway  detect.h (summed ramp evidence + spike score), limits from this run
 *   Shewhart  z = (y - mean) / sd
 *   EWMA      lambda 0.2 on z
 *   CUSUM     k = 0.5 on z
 *   CX alert  this week vs the mean of the previous 26 weeks in SDs (moving)
 * Each method's limit is the (1 - alpha) quantile of its statistic over all
 * stable series-weeks (causeway: alpha/2 to each of its two statistics), so
 * every method raises false alarms on alpha of stable weeks. Deterministic.
 *
 * Then, in sections of their own (issue 13, drivers): the null tail of causeway's two
 * statistics (the calibration of cw_detect_params_family, kept in detect.c), the
 * false alarms of whole weekly reports of 40, 200 and 2,000 series, and a drift of one
 * symptom at one site diluted inside its area, with area-only detection and with
 * drivers. CW_FAMILY_ONLY=1 runs only those.
 *
 * Then the sharper-baseline tables (issue 13): causeway with the prior its
 * siblings give (cw_detect_estimate_priors over a simulated sites x symptoms
 * family; see sibling_model for what is assumed), under several family models,
 * against the EWMA chart at its best lambda, causeway given the true level, and
 * a detector that knows everything. CW_SIBLINGS_ONLY=1 runs only those.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "causeway/analysis/detect.h"
#include "../sim.h"

#define BASE      26
#define MONITOR   70
#define WEEKS     (BASE + MONITOR)
#define ONSET     (BASE + 10)
#define STABLE_N  400
#define CHANGE_N  150
#define ALPHA     0.002
#define N_METHODS 5
#define N_COLUMNS (N_METHODS + 2)

/* DEFAULTS is a column only: causeway with its built-in limits, not calibrated here.
 * SIBLINGS: causeway with the prior from its siblings (the assumed family model below),
 * calibrated here like the others. The limits: one per method, then causeway's spike
 * limit and the sibling column's two. */
enum { CAUSEWAY, SHEWHART, EWMA, CUSUM, CXALERT, DEFAULTS = N_METHODS, SIBLINGS };
enum { SPIKE_LIMIT = N_METHODS, SIB_GLR_LIMIT, SIB_SPIKE_LIMIT, N_LIMITS };
static const char *const method_names[N_COLUMNS] = {
    "causeway",           "Shewhart", "EWMA", "CUSUM", "CX alert", "causeway, built-in limits",
    "causeway + siblings"};

/* Poisson: multiplication for small means, PTRS (Hormann 1993) otherwise. */
static double poisson(rng *r, double mu)
{
    if (mu < 30) {
        double l = exp(-mu), p = 1;
        int k = 0;
        do {
            k++;
            p *= uniform(r);
        } while (p > l);
        return k - 1;
    }
    double slam = sqrt(mu), loglam = log(mu), b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = uniform(r) - 0.5, v = uniform(r), us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + mu + 0.43);
        if (us >= 0.07 && v <= vr)
            return k;
        if (k < 0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= -mu + k * loglam - lgamma(k + 1))
            return k;
    }
}

static double draw(rng *r, double mu, double phi)
{
    if (phi <= 1)
        return poisson(r, mu);
    double shape = mu / (phi - 1);
    return poisson(r, gamma_draw(r, shape) * mu / shape);
}

typedef enum { STABLE, DRIFT, STEP, SPIKE } shape;

typedef struct scenario {
    const char *label;
    shape kind;
    double size; /* %/week for drifts, factor for steps and spikes */
} scenario;

/* The scenario's mean at week t (mu before the onset; s NULL: stable). */
static double scenario_mean(const scenario *s, double mu, int t)
{
    if (s == NULL || t < ONSET)
        return mu;
    if (s->kind == DRIFT)
        return mu * pow(1 + s->size / 100, t - ONSET + 1);
    if (s->kind == STEP || (s->kind == SPIKE && t == ONSET))
        return mu * s->size;
    return mu;
}

static void simulate(double *y, rng *r, double mu, double phi, const scenario *s)
{
    for (int t = 0; t < WEEKS; t++)
        y[t] = draw(r, scenario_mean(s, mu, t), phi);
}

/* Each classical statistic at every monitored week t in [BASE, WEEKS). */
static void classical(double stats[N_METHODS][WEEKS], const double *y)
{
    double mean = 0, var = 0;
    for (int t = 0; t < BASE; t++)
        mean += y[t] / BASE;
    for (int t = 0; t < BASE; t++)
        var += (y[t] - mean) * (y[t] - mean) / (BASE - 1);
    double sd = sqrt(var > 0.25 ? var : 0.25);
    double e = 0, c = 0, lambda = 0.2;
    for (int t = BASE; t < WEEKS; t++) {
        double z = (y[t] - mean) / sd;
        e = lambda * z + (1 - lambda) * e;
        c = fmax(0, c + z - 0.5);
        double m26 = 0, v26 = 0;
        for (int k = t - 26; k < t; k++)
            m26 += y[k] / 26;
        for (int k = t - 26; k < t; k++)
            v26 += (y[k] - m26) * (y[k] - m26) / 25;
        stats[SHEWHART][t] = z;
        stats[EWMA][t] = e / sqrt(lambda / (2 - lambda));
        stats[CUSUM][t] = c;
        stats[CXALERT][t] = (y[t] - m26) / sqrt(v26 > 0.25 ? v26 : 0.25);
    }
}

static void causeway_stats(double *glr, double *spike, const double *y, int t,
                           const cw_detect_params *p)
{
    cw_signal s;
    cw_error err;
    cw_error_clear(&err);
    cw_detect_series(&s, p, y, NULL, (size_t)t + 1, 0, &err);
    *glr = s.glr;
    *spike = s.spike_score;
}

/* ---- sharper baseline: sibling families and their priors (issue 13) ------------- */

/*
 * The siblings of a simulated series, drawn the way a run has them: the series is
 * one symptom at one site, cell (0, 0) of a sites x symptoms family whose levels are
 * multiplicative up to noise, level(i, j) = site_i x symptom_j x exp(e_ij): site
 * effects log-normal (sd 0.3, sites up to ~2x apart), symptom levels log-uniform
 * from 0.2x to 3x the series' own, interactions e_ij normal with sd `sigma` (the
 * series' own e_00 included: its siblings predict it only up to that). CFPB's
 * states x symptom classes (../shared/data, the 10 largest states, 4 classes) show
 * sigma ~0.07 beyond Poisson noise, states x products ~0.12, companies x classes
 * ~0.44: 0.1 is the assumption, the rest is sensitivity. Siblings are negative
 * binomial with the series' dispersion (or, `unequal_phi`, uniform in [1, 3]),
 * independent of the series and of each other, and stable. The prior is
 * cw_detect_estimate_priors over the baseline window.
 */
typedef struct sibling_model {
    const char *label;
    unsigned sites, symptoms; /* 0: no siblings */
    double sigma;             /* sd of the log interactions */
    double own_site_sigma;    /* ... in the series' own site */
    bool unequal_phi;         /* siblings' dispersions uniform in [1, 3] */
    bool oracle;              /* no siblings: the true level and dispersion, exactly */
} sibling_model;

static const sibling_model sibling_models[] = {
    {"no prior", 0, 0, 0, 0, false, false},
    {"exact structure", 4, 14, 0, 0, false, false},
    {"sigma 0.05", 4, 14, 0.05, 0.05, false, false},
    {"sigma 0.1 (assumed)", 4, 14, 0.1, 0.1, false, false},
    {"sigma 0.2", 4, 14, 0.2, 0.2, false, false},
    {"sigma 0.4", 4, 14, 0.4, 0.4, false, false},
    {"own site unlike the rest (0.4)", 4, 14, 0.1, 0.4, false, false},
    {"8 sites", 8, 14, 0.1, 0.1, false, false},
    {"unequal dispersions", 4, 14, 0.1, 0.1, true, false},
    {"true level (oracle)", 0, 0, 0, 0, false, true},
};
enum {
    N_MODELS = sizeof(sibling_models) / sizeof(sibling_models[0]),
    MODEL_NONE = 0,
    MODEL_ASSUMED = 3,
    MODEL_ORACLE = N_MODELS - 1,
    MAX_CELLS = 8 * 14
};

/* The family's series, reused from one simulated series to the next. */
typedef struct sibling_work {
    double y[MAX_CELLS][WEEKS];
    const double *cells[MAX_CELLS];
    cw_detect_prior priors[MAX_CELLS];
} sibling_work;

/* A seed per (what, stratum, scenario, series): the same series in every model. */
static uint64_t seed_of(uint64_t what, uint64_t stratum, uint64_t scen, uint64_t i)
{
    rng r = {.s = what * 0x9E3779B97F4A7C15ull ^ stratum << 48 ^ scen << 32 ^ i};
    return next64(&r);
}

/*
 * The prior of series y (level mu, dispersion phi) under model m, its siblings drawn
 * from r (the oracle's prior is written to *oracle); NULL for no prior.
 */
static const cw_detect_prior *sibling_prior(sibling_work *w, cw_detect_prior *oracle, rng *r,
                                            const double *y, double mu, double phi,
                                            const sibling_model *m)
{
    if (m->oracle) {
        *oracle = (cw_detect_prior){.level = mu, .dispersion = phi, .dispersion_df = 1e9};
        return oracle;
    }
    if (m->sites == 0)
        return NULL;
    unsigned cells = m->sites * m->symptoms;
    double site[8], symptom[14];
    for (unsigned i = 0; i < m->sites; i++)
        site[i] = exp(0.3 * normal(r));
    for (unsigned j = 0; j < m->symptoms; j++)
        symptom[j] = exp(log(0.2) + uniform(r) * (log(3.0) - log(0.2)));
    double own = exp(m->own_site_sigma * normal(r)) * site[0] * symptom[0];
    memcpy(w->y[0], y, sizeof(w->y[0]));
    w->cells[0] = w->y[0];
    for (unsigned c = 1; c < cells; c++) {
        unsigned i = c / m->symptoms, j = c % m->symptoms;
        double e = (i == 0 ? m->own_site_sigma : m->sigma) * normal(r);
        double level = mu * site[i] * symptom[j] * exp(e) / own;
        double disp = m->unequal_phi ? 1 + 2 * uniform(r) : phi;
        for (int t = 0; t < WEEKS; t++)
            w->y[c][t] = draw(r, level, disp);
        w->cells[c] = w->y[c];
    }
    cw_detect_siblings f = {.rows = m->sites,
                            .cols = m->symptoms,
                            .n = WEEKS,
                            .counts = w->cells,
                            .from = 0,
                            .to = BASE};
    cw_error err;
    cw_error_clear(&err);
    if (cw_detect_estimate_priors(w->priors, &f, &err) != 0) {
        fprintf(stderr, "bench_detect: %s\n", err.message);
        exit(70);
    }
    return &w->priors[0];
}

static void causeway_prior_stats(double *glr, double *spike, const double *y, int t,
                                 const cw_detect_params *p, const cw_detect_prior *prior)
{
    cw_signal s;
    cw_error err;
    cw_error_clear(&err);
    cw_detect_series_prior(&s, p, y, NULL, (size_t)t + 1, 0, prior, &err);
    *glr = s.glr;
    *spike = s.spike_score;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof(double), cmp_double);
    size_t i = (size_t)(q * (double)n);
    return v[i < n ? i : n - 1];
}

static const double means[] = {5, 20, 80};
static const double phis[] = {1, 2};

/*
 * Each method's limit at this stratum: the (1 - alpha) quantile over stable series-weeks.
 * default_rate[0]: the built-in limits' false alarms without a prior, [1] with siblings.
 * Siblings are drawn from sib, so that the other columns see the series they always did.
 */
static void calibrate(double limit[N_LIMITS], double default_rate[2], rng *r, rng *sib,
                      sibling_work *w, double mu, double phi, const cw_detect_params *p)
{
    size_t pool_n = (size_t)STABLE_N * MONITOR, k = 0;
    double *pool[N_LIMITS];
    for (int m = 0; m < N_LIMITS; m++)
        pool[m] = malloc(pool_n * sizeof(double));
    double y[WEEKS], stats[N_METHODS][WEEKS];
    unsigned alarms = 0, sib_alarms = 0;
    cw_detect_prior unused;
    for (int i = 0; i < STABLE_N; i++) {
        simulate(y, r, mu, phi, NULL);
        classical(stats, y);
        const cw_detect_prior *prior =
            sibling_prior(w, &unused, sib, y, mu, phi, &sibling_models[MODEL_ASSUMED]);
        for (int t = BASE; t < WEEKS; t++, k++) {
            for (int m = SHEWHART; m < N_METHODS; m++)
                pool[m][k] = stats[m][t];
            causeway_stats(&pool[CAUSEWAY][k], &pool[SPIKE_LIMIT][k], y, t, p);
            alarms += pool[CAUSEWAY][k] > p->glr_limit || pool[SPIKE_LIMIT][k] > p->spike_limit;
            causeway_prior_stats(&pool[SIB_GLR_LIMIT][k], &pool[SIB_SPIKE_LIMIT][k], y, t, p,
                                 prior);
            sib_alarms +=
                pool[SIB_GLR_LIMIT][k] > p->glr_limit || pool[SIB_SPIKE_LIMIT][k] > p->spike_limit;
        }
    }
    default_rate[0] = (double)alarms / (double)k;
    default_rate[1] = (double)sib_alarms / (double)k;
    for (int m = 0; m < N_LIMITS; m++) {
        double a = m >= SHEWHART && m < N_METHODS ? ALPHA : ALPHA / 2;
        limit[m] = quantile(pool[m], k, 1 - a);
        free(pool[m]);
    }
}

static const scenario scenarios[] = {
    {"drift +1 %/wk", DRIFT, 1}, {"drift +2 %/wk", DRIFT, 2}, {"drift +5 %/wk", DRIFT, 5},
    {"step x1.5", STEP, 1.5},    {"step x2", STEP, 2},        {"spike x3 (1 wk)", SPIKE, 3},
};

/* Weeks from onset to each method's first alarm in one simulated series (INFINITY: none). */
static void delays_of(double out[N_COLUMNS], rng *r, rng *sib, sibling_work *w, double mu,
                      double phi, const scenario *s, const double limit[N_LIMITS],
                      const cw_detect_params *cal, const cw_detect_params *builtin)
{
    double y[WEEKS], stats[N_METHODS][WEEKS], glr[WEEKS], spike[WEEKS];
    double sib_glr[WEEKS], sib_spike[WEEKS];
    simulate(y, r, mu, phi, s);
    classical(stats, y);
    cw_detect_prior unused;
    const cw_detect_prior *prior =
        sibling_prior(w, &unused, sib, y, mu, phi, &sibling_models[MODEL_ASSUMED]);
    int end = s->kind == SPIKE ? ONSET + 1 : WEEKS;
    for (int t = ONSET; t < end; t++) {
        causeway_stats(&glr[t], &spike[t], y, t, cal);
        causeway_prior_stats(&sib_glr[t], &sib_spike[t], y, t, cal, prior);
    }
    for (int m = 0; m < N_COLUMNS; m++) {
        const cw_detect_params *lim = m == DEFAULTS ? builtin : cal;
        out[m] = INFINITY;
        for (int t = ONSET; t < end; t++) {
            bool alarm = m == SIBLINGS ? sib_glr[t] > limit[SIB_GLR_LIMIT] ||
                                             sib_spike[t] > limit[SIB_SPIKE_LIMIT]
                         : m == CAUSEWAY || m == DEFAULTS
                             ? glr[t] > lim->glr_limit || spike[t] > lim->spike_limit
                             : stats[m][t] > limit[m];
            if (alarm) {
                out[m] = t - ONSET;
                break;
            }
        }
    }
}

/*
 * Sharper baseline (issue 13): causeway with a sibling prior under each model of
 * the families, against the EWMA chart at its best lambda, causeway with the true
 * level, and a detector that knows everything (level, dispersion, onset and the
 * change: its log likelihood ratio since the onset), each calibrated per stratum to
 * ALPHA on the same stable series (causeway: ALPHA / 2 to each statistic). Every
 * method sees the same simulated series (seeded per stratum, scenario and series);
 * so do the siblings in every model.
 */
#define SIB_STABLE_N 600
#define SIB_CHANGE_N 300
#define N_LAMBDAS    4
#define N_SIB_SCEN   5
#define N_STRATA     6
enum { REF_BOUND = N_LAMBDAS, N_REFS };
static const double lambdas[N_LAMBDAS] = {0.1, 0.2, 0.3, 0.4};
static const size_t sib_scen[N_SIB_SCEN] = {0, 1, 2, 3, 5}; /* drifts, step x1.5, spike */

typedef struct sibling_results {
    double model[N_STRATA][N_SIB_SCEN][N_MODELS][SIB_CHANGE_N];
    double ref[N_STRATA][N_SIB_SCEN][N_REFS][SIB_CHANGE_N];
    double builtin_rate[N_STRATA][N_MODELS]; /* false alarms at the built-in limits */
    double weeks[N_STRATA][N_MODELS];        /* median prior weight, in weeks */
} sibling_results;

/* EWMA statistics for each lambda and the all-knowing log likelihood ratio of scenario s. */
static void reference_stats(double st[N_REFS][WEEKS], const double *y, double mu, double phi,
                            const scenario *s)
{
    double mean = 0, var = 0, e[N_LAMBDAS] = {0}, llr = 0;
    for (int t = 0; t < BASE; t++)
        mean += y[t] / BASE;
    for (int t = 0; t < BASE; t++)
        var += (y[t] - mean) * (y[t] - mean) / (BASE - 1);
    double sd = sqrt(var > 0.25 ? var : 0.25);
    for (int t = BASE; t < WEEKS; t++) {
        double z = (y[t] - mean) / sd;
        for (int k = 0; k < N_LAMBDAS; k++) {
            e[k] = lambdas[k] * z + (1 - lambdas[k]) * e[k];
            st[k][t] = e[k] / sqrt(lambdas[k] / (2 - lambdas[k]));
        }
        double m1 = scenario_mean(s, mu, t);
        llr += (y[t] * log(m1 / mu) - (m1 - mu)) / phi;
        st[REF_BOUND][t] = llr;
    }
}

/* The target series i of a stratum: scenario k (N_SIB_SCEN: stable). */
static void target_series(double *y, int stratum, size_t k, int i, double mu, double phi)
{
    rng r = {.s = seed_of(1, (uint64_t)stratum, k, (uint64_t)i)};
    simulate(y, &r, mu, phi, k < N_SIB_SCEN ? &scenarios[sib_scen[k]] : NULL);
}

static void sibling_model_stratum(sibling_results *res, sibling_work *w, int stratum, size_t mi,
                                  double mu, double phi, const cw_detect_params *p)
{
    const sibling_model *m = &sibling_models[mi];
    size_t pool_n = (size_t)SIB_STABLE_N * MONITOR, k = 0;
    double *glr = malloc(pool_n * sizeof(double)), *spike = malloc(pool_n * sizeof(double));
    double weeks[SIB_STABLE_N], y[WEEKS];
    unsigned long alarms = 0;
    cw_detect_prior oracle;
    for (int i = 0; i < SIB_STABLE_N; i++) {
        target_series(y, stratum, N_SIB_SCEN, i, mu, phi);
        rng sr = {.s = seed_of(2, (uint64_t)stratum, N_SIB_SCEN, (uint64_t)i)};
        const cw_detect_prior *prior = sibling_prior(w, &oracle, &sr, y, mu, phi, m);
        weeks[i] = prior == NULL         ? 0
                   : prior->level_sd > 0 ? fmax(1, prior->dispersion) /
                                               (prior->level_sd * prior->level_sd * prior->level)
                                         : INFINITY;
        for (int t = BASE; t < WEEKS; t++, k++) {
            causeway_prior_stats(&glr[k], &spike[k], y, t, p, prior);
            alarms += glr[k] > p->glr_limit || spike[k] > p->spike_limit;
        }
    }
    res->builtin_rate[stratum][mi] = (double)alarms / (double)k;
    res->weeks[stratum][mi] = quantile(weeks, SIB_STABLE_N, 0.5);
    cw_detect_params cal = *p;
    cal.glr_limit = quantile(glr, k, 1 - ALPHA / 2);
    cal.spike_limit = quantile(spike, k, 1 - ALPHA / 2);
    free(glr);
    free(spike);
    for (size_t sk = 0; sk < N_SIB_SCEN; sk++) {
        const scenario *s = &scenarios[sib_scen[sk]];
        int end = s->kind == SPIKE ? ONSET + 1 : WEEKS;
        for (int i = 0; i < SIB_CHANGE_N; i++) {
            target_series(y, stratum, sk, i, mu, phi);
            rng sr = {.s = seed_of(2, (uint64_t)stratum, sk, (uint64_t)i)};
            const cw_detect_prior *prior = sibling_prior(w, &oracle, &sr, y, mu, phi, m);
            double *d = &res->model[stratum][sk][mi][i];
            *d = INFINITY;
            for (int t = ONSET; t < end && !isfinite(*d); t++) {
                double g, z;
                causeway_prior_stats(&g, &z, y, t, &cal, prior);
                if (g > cal.glr_limit || z > cal.spike_limit)
                    *d = t - ONSET;
            }
        }
    }
}

static void sibling_references(sibling_results *res, int stratum, double mu, double phi)
{
    size_t pool_n = (size_t)SIB_STABLE_N * MONITOR;
    double y[WEEKS], st[N_REFS][WEEKS];
    for (size_t sk = 0; sk < N_SIB_SCEN; sk++) {
        const scenario *s = &scenarios[sib_scen[sk]];
        double *pool[N_REFS], limit[N_REFS];
        size_t k = 0, kb = 0;
        for (int r = 0; r < N_REFS; r++)
            pool[r] = malloc(pool_n * sizeof(double));
        for (int i = 0; i < SIB_STABLE_N; i++) {
            target_series(y, stratum, N_SIB_SCEN, i, mu, phi);
            reference_stats(st, y, mu, phi, s);
            for (int t = BASE; t < WEEKS; t++, k++)
                for (int r = 0; r < N_LAMBDAS; r++)
                    pool[r][k] = st[r][t];
            /* The all-knowing detector knows the onset: it looks from there on. */
            for (int t = ONSET; t < WEEKS; t++, kb++)
                pool[REF_BOUND][kb] = st[REF_BOUND][t];
        }
        for (int r = 0; r < N_REFS; r++) {
            limit[r] = quantile(pool[r], r == REF_BOUND ? kb : k, 1 - ALPHA);
            free(pool[r]);
        }
        int end = s->kind == SPIKE ? ONSET + 1 : WEEKS;
        for (int i = 0; i < SIB_CHANGE_N; i++) {
            target_series(y, stratum, sk, i, mu, phi);
            reference_stats(st, y, mu, phi, s);
            for (int r = 0; r < N_REFS; r++) {
                double *d = &res->ref[stratum][sk][r][i];
                *d = INFINITY;
                for (int t = ONSET; t < end && !isfinite(*d); t++)
                    if (st[r][t] > limit[r])
                        *d = t - ONSET;
            }
        }
    }
}

/*
 * Median of delays v[0..n-1] (sorted in place), and in *mid the median of the
 * weeks read as intervals [d - 1/2, d + 1/2) (linear within the median's week), so
 * that ratios of small medians are not all rounding. INFINITY when over half missed.
 */
static double median_of(double *v, size_t n, double *mid)
{
    double med = quantile(v, n, 0.5);
    *mid = INFINITY;
    if (!isfinite(med))
        return med;
    size_t below = 0, at = 0;
    for (size_t i = 0; i < n; i++) {
        below += v[i] < med;
        at += v[i] == med;
    }
    *mid = med - 0.5 + ((double)n / 2 - (double)below) / (double)at;
    return med;
}

static double caught(const double *v, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += isfinite(v[i]);
    return 100.0 * (double)c / (double)n;
}

/* " 14 (13.6)", or the share caught for spikes, then `note` and " |"; *mid for the ratio. */
static void print_delay(double *v, bool spike, double *mid, const char *note)
{
    if (spike) {
        *mid = NAN;
        printf(" %.0f %%%s |", caught(v, SIB_CHANGE_N), note);
        return;
    }
    double med = median_of(v, SIB_CHANGE_N, mid);
    if (isfinite(med))
        printf(" %.0f (%.1f)%s |", med, *mid, note);
    else
        printf(" -%s |", note);
}

static void print_ratio(double num, double den)
{
    if (isfinite(num) && isfinite(den) && den > 0)
        printf(" %.2f |", num / den);
    else
        printf(" |");
}

static const double strata_mu[N_STRATA] = {5, 5, 20, 20, 80, 80};
static const double strata_phi[N_STRATA] = {1, 2, 1, 2, 1, 2};

static void print_target_table(sibling_results *res)
{
    printf(
        "\nSharper baseline: median weeks from onset to the first alarm (in brackets: read as\n"
        "intervals, which the ratios use), every method at %.2f %% false alarms per series-week\n"
        "on the same %d stable series per stratum, %d changed series per cell. Siblings: a\n"
        "4 sites x 14 symptoms family, interactions sd 0.1. Ratios: to the best EWMA.\n\n",
        ALPHA * 100, SIB_STABLE_N, SIB_CHANGE_N);
    printf("| scenario | baseline/wk | dispersion | best EWMA | causeway, no prior | ratio |"
           " causeway + siblings | ratio | causeway + true level | ratio | knows everything |"
           " ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int met = 0, met_oracle = 0, cells = 0;
    double worst = 0;
    for (int st = 2; st < N_STRATA; st++)
        for (size_t sk = 0; sk < N_SIB_SCEN; sk++) {
            const scenario *s = &scenarios[sib_scen[sk]];
            bool spike = s->kind == SPIKE;
            int best = 0;
            double best_mid = INFINITY, mid;
            for (int r = 0; r < N_LAMBDAS; r++) {
                double med = median_of(res->ref[st][sk][r], SIB_CHANGE_N, &mid);
                double score = spike ? -caught(res->ref[st][sk][r], SIB_CHANGE_N) : mid;
                (void)med;
                if (r == 0 || score < best_mid) {
                    best_mid = score;
                    best = r;
                }
            }
            printf("| %s | %.0f | %.0f |", s->label, strata_mu[st], strata_phi[st]);
            double ewma, none, sib, orc, bound;
            char note[32];
            snprintf(note, sizeof(note), ", lambda %.1f", lambdas[best]);
            print_delay(res->ref[st][sk][best], spike, &ewma, note);
            print_delay(res->model[st][sk][MODEL_NONE], spike, &none, "");
            print_ratio(none, ewma);
            print_delay(res->model[st][sk][MODEL_ASSUMED], spike, &sib, "");
            print_ratio(sib, ewma);
            print_delay(res->model[st][sk][MODEL_ORACLE], spike, &orc, "");
            print_ratio(orc, ewma);
            print_delay(res->ref[st][sk][REF_BOUND], spike, &bound, "");
            print_ratio(bound, ewma);
            printf("\n");
            if (s->kind == DRIFT) {
                cells++;
                met += sib / ewma <= 0.85;
                met_oracle += orc / ewma <= 0.85;
                worst = fmax(worst, sib / ewma);
            }
        }
    printf("\nDrift cells at or below 0.85x the best EWMA: %d of %d with siblings (worst %.2f),\n"
           "%d of %d with the true level.\n",
           met, cells, worst, met_oracle, cells);
}

static void print_sensitivity_table(sibling_results *res)
{
    printf(
        "\nSensitivity to the sibling families: median delay in weeks read as intervals (spikes:"
        " share\ncaught), causeway calibrated per stratum and model; then the false alarms of the"
        " built-in\nlimits and the prior's median weight in weeks of the series' own data.\n\n"
        "| scenario | baseline/wk | dispersion |");
    for (int m = 0; m < N_MODELS; m++)
        printf(" %s |", sibling_models[m].label);
    printf("\n|---|---:|---:|");
    for (int m = 0; m < N_MODELS; m++)
        printf("---:|");
    printf("\n");
    for (int st = 0; st < N_STRATA; st++)
        for (size_t sk = 0; sk < N_SIB_SCEN; sk++) {
            const scenario *s = &scenarios[sib_scen[sk]];
            printf("| %s | %.0f | %.0f |", s->label, strata_mu[st], strata_phi[st]);
            for (int m = 0; m < N_MODELS; m++) {
                double mid;
                if (s->kind == SPIKE) {
                    printf(" %.0f %% |", caught(res->model[st][sk][m], SIB_CHANGE_N));
                } else if (isfinite(median_of(res->model[st][sk][m], SIB_CHANGE_N, &mid))) {
                    printf(" %.1f |", mid);
                } else {
                    printf(" - |");
                }
            }
            printf("\n");
        }
    for (int st = 0; st < N_STRATA; st++) {
        printf("| false alarms, built-in limits | %.0f | %.0f |", strata_mu[st], strata_phi[st]);
        for (int m = 0; m < N_MODELS; m++)
            printf(" %.3f %% |", 100 * res->builtin_rate[st][m]);
        printf("\n");
    }
    for (int st = 0; st < N_STRATA; st++) {
        printf("| prior's weight (weeks) | %.0f | %.0f |", strata_mu[st], strata_phi[st]);
        for (int m = 0; m < N_MODELS; m++)
            printf(isinf(res->weeks[st][m]) ? " exact |" : " %.0f |", res->weeks[st][m]);
        printf("\n");
    }
}

/*
 * What the priors cost a run: CPU time of cw_detect_estimate_priors for a family of
 * Poisson series (104 weeks, baseline window 26) against detecting every series of
 * the same family once at its last week, measured in the same run.
 */
static void sibling_cost(const cw_detect_params *p)
{
    static const unsigned shapes[][2] = {{14, 4}, {14, 8}, {40, 20}};
    enum { COST_WEEKS = 104 };
    printf("\nCost of the priors (CPU, same run; a family = symptoms x sites series of %d weeks):"
           "\n\n| family | series | priors | detecting every series | priors / detection |\n"
           "|---|---:|---:|---:|---:|\n",
           COST_WEEKS);
    for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        size_t cells = (size_t)shapes[k][0] * shapes[k][1];
        double *y = malloc(cells * COST_WEEKS * sizeof(double));
        const double **ptr = malloc(cells * sizeof(*ptr));
        cw_detect_prior *pr = malloc(cells * sizeof(*pr));
        if (y == NULL || ptr == NULL || pr == NULL) {
            fprintf(stderr, "bench_detect: out of memory\n");
            exit(71);
        }
        rng r = {.s = 77 + k};
        for (size_t c = 0; c < cells; c++) {
            double level = exp(log(0.5) + uniform(&r) * (log(80.0) - log(0.5)));
            for (int t = 0; t < COST_WEEKS; t++)
                y[c * COST_WEEKS + (size_t)t] = poisson(&r, level);
            ptr[c] = &y[c * COST_WEEKS];
        }
        cw_detect_siblings f = {.rows = shapes[k][0],
                                .cols = shapes[k][1],
                                .n = COST_WEEKS,
                                .counts = ptr,
                                .from = 0,
                                .to = BASE};
        cw_error err;
        cw_error_clear(&err);
        int rounds = cells > 200 ? 3 : 20;
        clock_t t0 = clock();
        for (int i = 0; i < rounds; i++)
            if (cw_detect_estimate_priors(pr, &f, &err) != 0)
                exit(70);
        clock_t t1 = clock();
        for (int i = 0; i < rounds; i++)
            for (size_t c = 0; c < cells; c++) {
                cw_signal sig;
                cw_detect_series_prior(&sig, p, ptr[c], NULL, COST_WEEKS, 0, &pr[c], &err);
            }
        clock_t t2 = clock();
        double priors = (double)(t1 - t0) / CLOCKS_PER_SEC / rounds;
        double detect = (double)(t2 - t1) / CLOCKS_PER_SEC / rounds;
        printf("| %u x %u | %zu | %.2f ms | %.2f ms | %.2f |\n", shapes[k][0], shapes[k][1], cells,
               1000 * priors, 1000 * detect, priors / detect);
        free(y);
        free(ptr);
        free(pr);
    }
}

static void sibling_tables(const cw_detect_params *p)
{
    sibling_results *res = calloc(1, sizeof(*res));
    sibling_work *w = malloc(sizeof(*w));
    if (res == NULL || w == NULL) {
        fprintf(stderr, "bench_detect: out of memory\n");
        exit(71);
    }
    for (int st = 0; st < N_STRATA; st++) {
        sibling_references(res, st, strata_mu[st], strata_phi[st]);
        for (size_t m = 0; m < N_MODELS; m++)
            sibling_model_stratum(res, w, st, m, strata_mu[st], strata_phi[st], p);
    }
    print_target_table(res);
    print_sensitivity_table(res);
    sibling_cost(p);
    free(w);
    free(res);
}

static void print_row(const scenario *s, double mu, double phi, double delays[N_COLUMNS][CHANGE_N])
{
    printf("| %s | %.0f | %s |", s->label, mu, phi > 1 ? "2" : "1");
    for (int m = 0; m < N_COLUMNS; m++) {
        if (s->kind == SPIKE) {
            int caught = 0;
            for (int i = 0; i < CHANGE_N; i++)
                caught += isfinite(delays[m][i]);
            printf(" %.0f %% |", 100.0 * caught / CHANGE_N);
            continue;
        }
        double med = quantile(delays[m], CHANGE_N, 0.5);
        if (isfinite(med))
            printf(" %.0f |", med);
        else
            printf(" - |");
    }
    printf("\n");
}

/* ---- report-level false alarms (drivers): sections of their own ---------------- */

/*
 * The null tail of each statistic, measured on stable series of every stratum the
 * report sees (1 to 80 a week, dispersion 1 and 2): the share of series-weeks whose
 * GLR / spike score exceeds each limit of the grid, the largest over the strata.
 * detect.c's family table (cw_detect_params_family) is fitted to this output: rerun
 * it when the estimator changes, and refit the table.
 */
#define TAIL_STABLE_N 5000
static const double tail_means[] = {1, 5, 20, 80};

static void family_tail(rng *r, const cw_detect_params *p)
{
    static const double glr_grid[] = {9, 11, 13, 15, 17, 19, 21};
    static const double spike_grid[] = {3.0, 3.5, 4.0, 4.5, 5.0, 5.5};
    enum {
        NG = sizeof(glr_grid) / sizeof(glr_grid[0]),
        NS = sizeof(spike_grid) / sizeof(spike_grid[0])
    };
    double worst_g[NG] = {0}, worst_s[NS] = {0};
    printf("\nNull tail per stratum (share of stable series-weeks above each limit; %d series x "
           "%d weeks):\n\n| baseline/wk | dispersion |",
           TAIL_STABLE_N, MONITOR);
    for (int g = 0; g < NG; g++)
        printf(" GLR > %.0f |", glr_grid[g]);
    for (int k = 0; k < NS; k++)
        printf(" spike > %.1f |", spike_grid[k]);
    printf("\n|---:|---:|");
    for (int g = 0; g < NG + NS; g++)
        printf("---:|");
    printf("\n");
    for (size_t mi = 0; mi < sizeof(tail_means) / sizeof(tail_means[0]); mi++)
        for (size_t pi = 0; pi < 2; pi++) {
            unsigned long over_g[NG] = {0}, over_s[NS] = {0}, total = 0;
            double y[WEEKS];
            for (int i = 0; i < TAIL_STABLE_N; i++) {
                simulate(y, r, tail_means[mi], phis[pi], NULL);
                for (int t = BASE; t < WEEKS; t++, total++) {
                    double glr, spike;
                    causeway_stats(&glr, &spike, y, t, p);
                    for (int g = 0; g < NG; g++)
                        over_g[g] += glr > glr_grid[g];
                    for (int k = 0; k < NS; k++)
                        over_s[k] += spike > spike_grid[k];
                }
            }
            printf("| %.0f | %s |", tail_means[mi], phis[pi] > 1 ? "2" : "1");
            for (int g = 0; g < NG; g++) {
                double rate = (double)over_g[g] / (double)total;
                worst_g[g] = fmax(worst_g[g], rate);
                printf(" %.4f %% |", 100 * rate);
            }
            for (int k = 0; k < NS; k++) {
                double rate = (double)over_s[k] / (double)total;
                worst_s[k] = fmax(worst_s[k], rate);
                printf(" %.4f %% |", 100 * rate);
            }
            printf("\n");
        }
    printf("| worst | |");
    for (int g = 0; g < NG; g++)
        printf(" %.4f %% |", 100 * worst_g[g]);
    for (int k = 0; k < NS; k++)
        printf(" %.4f %% |", 100 * worst_s[k]);
    printf("\n");
}

/*
 * The report's false alarms per week on stable data: reports of 40, 200 and 2,000
 * series (levels 1, 5, 20 and 80 a week, dispersion 1 and 2, in equal parts), each
 * series judged at its last REPORT_EVALS monitored weeks, with the family limits of
 * cw_detect_params_family for that many series and, for contrast, with the per-series
 * built-in limits. Series are simulated independently; the bound on the expected
 * count holds under any dependence (it is a sum of expectations).
 */
#define REPORT_WEEKS 400
#define REPORT_EVALS 10

static void family_report(rng *r, const cw_detect_params *p)
{
    static const size_t sizes[] = {40, 200, 2000};
    printf("\nFalse alarms per weekly report on stable data (%d report-weeks per size):\n\n"
           "| series in the report | GLR limit | spike limit | false alarms / report (family "
           "limits) | weeks with any | false alarms / report (per-series built-in limits) |\n"
           "|---:|---:|---:|---:|---:|---:|\n",
           REPORT_WEEKS);
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t m = sizes[si];
        cw_detect_params fam;
        cw_detect_params_family(&fam, p, m, CW_DETECT_ALARMS_PER_REPORT);
        unsigned long fam_alarms = 0, builtin_alarms = 0;
        unsigned weeks_any = 0;
        double y[WEEKS];
        for (int set = 0; set < REPORT_WEEKS / REPORT_EVALS; set++) {
            unsigned week_alarms[REPORT_EVALS] = {0};
            for (size_t k = 0; k < m; k++) {
                simulate(y, r, tail_means[k % 4], phis[(k / 4) % 2], NULL);
                for (int e = 0; e < REPORT_EVALS; e++) {
                    double glr, spike;
                    causeway_stats(&glr, &spike, y, WEEKS - REPORT_EVALS + e, p);
                    bool fa = glr > fam.glr_limit || spike > fam.spike_limit;
                    fam_alarms += fa;
                    week_alarms[e] += fa;
                    builtin_alarms += glr > p->glr_limit || spike > p->spike_limit;
                }
            }
            for (int e = 0; e < REPORT_EVALS; e++)
                weeks_any += week_alarms[e] > 0;
        }
        printf("| %zu | %.2f | %.2f | **%.3f** | %.1f %% | %.3f |\n", m, fam.glr_limit,
               fam.spike_limit, (double)fam_alarms / REPORT_WEEKS, 100.0 * weeks_any / REPORT_WEEKS,
               (double)builtin_alarms / REPORT_WEEKS);
    }
}

/*
 * Diluted drift: one symptom at one site drifts inside a cause area of 4 sites x 14
 * symptoms (56 Poisson cells; the other 55 share the rest of the area's volume
 * evenly). Area-only detection is what a run did before drivers: the area series and
 * the drifting site's area x site series, at the built-in limits. With drivers the
 * symptom series (all sites) and the symptom x site series are watched too, at the
 * family limits of a report of DILUTED_SERIES series (10 areas, 40 area x site, 14
 * symptoms, 56 symptom x site). Cells: median weeks from onset to the first alarm
 * of any series that contains the drift ("-": more than half missed within 60 weeks).
 */
#define DILUTED_SERIES 120
#define DILUTED_SITES  4
#define DILUTED_CELLS  (DILUTED_SITES * 14)

static void family_diluted(rng *r, const cw_detect_params *p)
{
    static const double cells[] = {5, 20}, areas[] = {50, 200}, slopes[] = {2, 4, 5};
    cw_detect_params fam;
    cw_detect_params_family(&fam, p, DILUTED_SERIES, CW_DETECT_ALARMS_PER_REPORT);
    printf("\nDiluted drift: one symptom x site drifting inside an area of %d sites x 14 "
           "symptoms (%d series a report with drivers: GLR %.2f, spike %.2f):\n\n"
           "| drifting series /wk | area /wk | drift | area-only (today) | with drivers | "
           "flagged first by |\n|---:|---:|---|---:|---:|---|\n",
           DILUTED_SITES, DILUTED_SERIES, fam.glr_limit, fam.spike_limit);
    for (size_t ci = 0; ci < 2; ci++)
        for (size_t ai = 0; ai < 2; ai++)
            for (size_t di = 0; di < 3; di++) {
                double cell = cells[ci], area = areas[ai], other = (area - cell) / 55;
                double area_only[CHANGE_N], drivers[CHANGE_N];
                unsigned first_by[4] = {0};
                for (int i = 0; i < CHANGE_N; i++) {
                    /* The four series that contain the drifting cell 0 (site 0, symptom 0). */
                    double ya[WEEKS] = {0}, ys[WEEKS] = {0}, yy[WEEKS] = {0}, yc[WEEKS] = {0};
                    for (int t = 0; t < WEEKS; t++)
                        for (int c = 0; c < DILUTED_CELLS; c++) {
                            double m = c == 0 ? cell : other;
                            if (c == 0 && t >= ONSET)
                                m *= pow(1 + slopes[di] / 100, t - ONSET + 1);
                            double v = poisson(r, m);
                            ya[t] += v;
                            ys[t] += c % DILUTED_SITES == 0 ? v : 0; /* site 0 */
                            yy[t] += c < DILUTED_SITES ? v : 0;      /* symptom 0 */
                            yc[t] += c == 0 ? v : 0;
                        }
                    const double *ser[4] = {ya, ys, yy, yc};
                    area_only[i] = drivers[i] = INFINITY;
                    for (int t = ONSET; t < WEEKS && !isfinite(drivers[i]); t++)
                        for (int k = 0; k < 4; k++) {
                            double glr, spike;
                            causeway_stats(&glr, &spike, ser[k], t, p);
                            if (k < 2 && !isfinite(area_only[i]) &&
                                (glr > p->glr_limit || spike > p->spike_limit))
                                area_only[i] = t - ONSET;
                            if (!isfinite(drivers[i]) &&
                                (glr > fam.glr_limit || spike > fam.spike_limit)) {
                                drivers[i] = t - ONSET;
                                first_by[k]++;
                            }
                        }
                    for (int t = (int)(ONSET + drivers[i]); t < WEEKS && !isfinite(area_only[i]);
                         t++)
                        for (int k = 0; k < 2 && !isfinite(area_only[i]); k++) {
                            double glr, spike;
                            causeway_stats(&glr, &spike, ser[k], t, p);
                            if (glr > p->glr_limit || spike > p->spike_limit)
                                area_only[i] = t - ONSET;
                        }
                }
                double a = quantile(area_only, CHANGE_N, 0.5), d = quantile(drivers, CHANGE_N, 0.5);
                static const char *const names[4] = {"area", "area x site", "symptom",
                                                     "symptom x site"};
                int top = 0;
                for (int k = 1; k < 4; k++)
                    top = first_by[k] > first_by[top] ? k : top;
                printf("| %.0f | %.0f | +%.0f %%/wk |", cell, area, slopes[di]);
                if (isfinite(a))
                    printf(" %.0f |", a);
                else
                    printf(" - |");
                if (isfinite(d))
                    printf(" %.0f |", d);
                else
                    printf(" - |");
                printf(" %s (%u of %d) |\n", names[top], first_by[top], CHANGE_N);
            }
}

int main(void)
{
    cw_detect_params p;
    cw_detect_params_default(&p);
    p.baseline_weeks = BASE;
    if (getenv("CW_EPISODE") != NULL)
        p.max_episode_weeks = (unsigned)atoi(getenv("CW_EPISODE"));
    rng r = {.s = 20261122};
    /* The report-level sections draw from a stream of their own: the tables above
     * stay as they were. CW_FAMILY_ONLY=1 runs these alone. */
    rng fr = {.s = 20261203};
    if (getenv("CW_FAMILY_ONLY") != NULL) {
        family_tail(&fr, &p);
        family_report(&fr, &p);
        family_diluted(&fr, &p);
        return 0;
    }
    if (getenv("CW_SIBLINGS_ONLY") != NULL) {
        sibling_tables(&p);
        return 0;
    }
    static double delays[N_COLUMNS][CHANGE_N];
    double limits[6][N_LIMITS], default_rate[6][2];
    rng sib = {.s = 20261203};
    sibling_work *w = malloc(sizeof(*w));
    if (w == NULL)
        return 71;

    printf("Every method is calibrated per stratum (baseline level x dispersion) to %.2f %% false\n"
           "alarms per series-week on %d stable series of %d monitored weeks; causeway splits it\n"
           "between its GLR and its spike score. Cells: median weeks from onset to the first\n"
           "alarm (\"-\": more than half of %d series missed within %d weeks); for spikes, the\n"
           "share caught in their week. Dispersion 2 = negative binomial, variance 2 x mean.\n"
           "\"causeway, built-in limits\" is causeway with its built-in limits (GLR %.1f, spike\n"
           "%.1f), as a run uses it: not calibrated per stratum, at the false-alarm rates in the\n"
           "second table. \"causeway + siblings\" gets the prior of cw_detect_estimate_priors\n"
           "from a simulated family of 4 sites x 14 symptoms (interactions sd 0.1; see the\n"
           "sibling tables below), calibrated like the others.\n\n",
           ALPHA * 100, STABLE_N, MONITOR, CHANGE_N, WEEKS - ONSET, p.glr_limit, p.spike_limit);
    printf("| scenario | baseline/wk | dispersion |");
    for (int m = 0; m < N_COLUMNS; m++)
        printf(" %s |", method_names[m]);
    printf("\n|---|---:|---:|");
    for (int m = 0; m < N_COLUMNS; m++)
        printf("---:|");
    printf("\n");
    int stratum = 0;
    for (size_t mi = 0; mi < 3; mi++)
        for (size_t pi = 0; pi < 2; pi++, stratum++) {
            double *limit = limits[stratum];
            calibrate(limit, default_rate[stratum], &r, &sib, w, means[mi], phis[pi], &p);
            cw_detect_params cal = p;
            cal.glr_limit = limit[CAUSEWAY];
            cal.spike_limit = limit[SPIKE_LIMIT];
            for (size_t si = 0; si < sizeof(scenarios) / sizeof(scenarios[0]); si++) {
                for (int i = 0; i < CHANGE_N; i++) {
                    double d[N_COLUMNS];
                    delays_of(d, &r, &sib, w, means[mi], phis[pi], &scenarios[si], limit, &cal, &p);
                    for (int m = 0; m < N_COLUMNS; m++)
                        delays[m][i] = d[m];
                }
                print_row(&scenarios[si], means[mi], phis[pi], delays);
            }
        }
    printf("\nCalibrated limits and the false-alarm rate of causeway's built-in defaults"
           " (GLR %.1f, spike %.1f):\n\n",
           p.glr_limit, p.spike_limit);
    printf(
        "| baseline/wk | dispersion | causeway GLR | causeway spike | Shewhart | EWMA | CUSUM |"
        " CX alert | defaults' false alarms | + siblings: GLR | spike | defaults' false alarms |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    stratum = 0;
    for (size_t mi = 0; mi < 3; mi++)
        for (size_t pi = 0; pi < 2; pi++, stratum++) {
            double *l = limits[stratum];
            printf("| %.0f | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f %% | %.2f | %.2f |"
                   " %.3f %% |\n",
                   means[mi], phis[pi] > 1 ? "2" : "1", l[CAUSEWAY], l[SPIKE_LIMIT], l[SHEWHART],
                   l[EWMA], l[CUSUM], l[CXALERT], 100 * default_rate[stratum][0], l[SIB_GLR_LIMIT],
                   l[SIB_SPIKE_LIMIT], 100 * default_rate[stratum][1]);
        }
    free(w);
    family_tail(&fr, &p);
    family_report(&fr, &p);
    family_diluted(&fr, &p);
    sibling_tables(&p);
    return 0;
}
