/* detect.c - frozen-baseline ramp-evidence drift/shift and spike detection; see detect.h. */
#include "causeway/detect.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WINSOR_SD       4.0 /* a lone week above mu + 4 sd is capped there */
#define NEIGHBOUR_SD    2.0 /* ... when its neighbours stay below mu + 2 sd */
#define MIN_EXPECTED    1e-6
#define MAX_BETA        1.0 /* +172 %/week: beyond this a ramp is a step */
#define MIN_RAMP_WEEKS  3
#define PRIOR_SLOPE     0.05 /* prior sd of an episode's growth rate: 5 %/week */
#define NEWTON_ROUNDS   30
#define MIN_TREND_WEEKS 6   /* an episode this long can tell a drift from a step */
#define TREND_Z         2.0 /* one-sided score z of the within-episode trend */

void cw_detect_params_default(cw_detect_params *p)
{
    p->baseline_weeks = 26;
    p->min_baseline_weeks = 8;
    p->max_episode_weeks = 52;
    /* Calibrated by bench_detect to ~0.2 % false alarms per series-week (BENCHMARKS.md). */
    p->glr_limit = 11.0;
    p->spike_limit = 3.5;
}

/*
 * The null tail: the largest share, over the strata 1/5/20/80 a week x dispersion 1/2,
 * of stable series-weeks whose statistic exceeds `limit`. Measured by `make
 * bench-detect` ("Null tail per stratum", row "worst"; 5,000 series x 70 weeks each,
 * 2026-12-03); refit these two tables when cw_detect_series changes.
 */
typedef struct tail_point {
    double limit, rate;
} tail_point;

static const tail_point glr_tail[] = {{9, 3.757e-3}, {11, 1.291e-3}, {13, 5.14e-4}, {15, 1.83e-4},
                                      {17, 8.9e-5},  {19, 4.6e-5},   {21, 1.4e-5}};
static const tail_point spike_tail[] = {{3.0, 2.517e-3}, {3.5, 7.51e-4}, {4.0, 2.09e-4},
                                        {4.5, 4.9e-5},   {5.0, 2.0e-5},  {5.5, 9e-6}};

double cw_detect_null_limit(double rate, int spike)
{
    const tail_point *t = spike ? spike_tail : glr_tail;
    size_t n = spike ? sizeof(spike_tail) / sizeof(*t) : sizeof(glr_tail) / sizeof(*t);
    if (!(rate > 0))
        return INFINITY;
    if (rate >= t[0].rate)
        return t[0].limit;
    size_t i = 1;
    while (i + 1 < n && rate < t[i].rate)
        i++;
    /* log(rate) linear in the limit between t[i-1] and t[i], and beyond the last point. */
    double slope = (log(t[i - 1].rate) - log(t[i].rate)) / (t[i].limit - t[i - 1].limit);
    return t[i - 1].limit + (log(t[i - 1].rate) - log(rate)) / slope;
}

void cw_detect_params_family(cw_detect_params *out, const cw_detect_params *base, size_t n_series,
                             double alarms_per_report)
{
    *out = *base;
    if (n_series == 0 || !(alarms_per_report > 0))
        return;
    double each = alarms_per_report / (double)n_series / 2; /* half to each statistic */
    double glr = cw_detect_null_limit(each, 0), spike = cw_detect_null_limit(each, 1);
    if (glr > out->glr_limit)
        out->glr_limit = glr;
    if (spike > out->spike_limit)
        out->spike_limit = spike;
}

const char *cw_trend_name(cw_trend t)
{
    static const char *const names[] = {"stable", "drift", "shift", "spike", "insufficient"};
    return t <= CW_TREND_INSUFFICIENT ? names[t] : "unknown";
}

typedef struct frozen {
    double level;      /* count per week, or rate per unit of exposure */
    double dispersion; /* phi >= 1 */
} frozen;

static double expected(const frozen *f, const double *exposure, size_t t)
{
    double m = exposure != NULL ? f->level * exposure[t] : f->level;
    return m > MIN_EXPECTED ? m : MIN_EXPECTED;
}

/* Quasi-Poisson dispersion of y[from, to) around `level` (x exposure), at least 1. */
static double dispersion(const double *y, const double *exposure, double level, size_t from,
                         size_t to)
{
    frozen at = {.level = level, .dispersion = 1};
    double pearson = 0;
    for (size_t t = from; t < to; t++) {
        double m = expected(&at, exposure, t);
        pearson += (y[t] - m) * (y[t] - m) / m;
    }
    double phi = to - from > 1 ? pearson / (double)(to - from - 1) : 1.0;
    return phi >= 1.0 ? phi : 1.0;
}

/* Level and quasi-Poisson dispersion over the baseline window [from, to). */
static int estimate(frozen *f, const double *y, const double *exposure, size_t from, size_t to)
{
    double total = 0, volume = 0;
    for (size_t t = from; t < to; t++) {
        total += y[t];
        volume += exposure != NULL ? exposure[t] : 1.0;
    }
    if (volume <= 0)
        return -1;
    /* Half a complaint over the window: an empty baseline is quiet, not impossible. */
    f->level = (total > 0 ? total : 0.5) / volume;
    f->dispersion = dispersion(y, exposure, f->level, from, to);
    return 0;
}

/* x log(x / m), with 0 log 0 = 0. */
static double xlogx(double x, double m)
{
    return x > 0 ? x * log(x / m) : 0;
}

/*
 * Step at tau: the Poisson two-sample likelihood ratio of the episode
 * [tau, n) against the baseline window, the baseline level estimated too (so
 * its own noise does not inflate the statistic on long episodes).
 * yb, eb: baseline counts and exposure; ye, ee: the episode's.
 */
static double step_gain(double yb, double eb, double ye, double ee, double *delta)
{
    double rb = yb / eb, re = ye / ee, r0 = (yb + ye) / (eb + ee);
    *delta = 0;
    if (!(re > rb) || r0 <= 0)
        return 0;
    *delta = log(re / (rb > 0 ? rb : 0.5 / eb));
    return xlogx(yb, eb * r0) + xlogx(ye, ee * r0);
}

/*
 * Ramp from tau: episode weeks t >= tau have rate mu exp(beta x), x = t - tau + 1,
 * baseline weeks rate mu. With mu profiled out, the log-likelihood in beta is
 *   g(beta) = beta sum(w x) - Y log(eb + S(beta)),  S(beta) = sum(e exp(beta x))
 * (Y all counts): concave, maximised by Newton over beta >= 0.
 */
static double ramp_gain(const double *w, const double *e, size_t tau, size_t n, double yb,
                        double eb, double *beta)
{
    double y = yb, wx = 0;
    for (size_t t = tau; t < n; t++) {
        y += w[t];
        wx += w[t] * (double)(t - tau + 1);
    }
    double b = 0, g0 = 0, g = 0;
    *beta = 0;
    for (int round = 0; round <= NEWTON_ROUNDS; round++) {
        double s0 = eb, s1 = 0, s2 = 0;
        for (size_t t = tau; t < n; t++) {
            double x = (double)(t - tau + 1), v = e[t] * exp(b * x);
            s0 += v;
            s1 += x * v;
            s2 += x * x * v;
        }
        g = b * wx - y * log(s0);
        if (round == 0)
            g0 = g;
        double grad = wx - y * s1 / s0, curv = y * (s2 * s0 - s1 * s1) / (s0 * s0);
        if (round == 0 && grad <= 0)
            return 0;
        if (round == NEWTON_ROUNDS || curv <= 0)
            break;
        double next = b + grad / curv;
        if (next < 0)
            next = b / 2;
        if (next > MAX_BETA)
            next = MAX_BETA;
        if (fabs(next - b) < 1e-9)
            break;
        b = next;
    }
    *beta = b;
    return g > g0 ? g - g0 : 0;
}

/*
 * Score test of a log-linear trend within weeks [from, n): z of sum(xc (y - yhat))
 * with yhat the episode's constant rate x exposure and xc the centred week.
 */
static double episode_trend(const double *y, const double *e, size_t from, size_t n, double phi)
{
    double sy = 0, se = 0, sx = 0;
    for (size_t t = from; t < n; t++) {
        sy += y[t];
        se += e[t];
        sx += (double)(t - from);
    }
    if (sy <= 0 || se <= 0)
        return 0;
    double rate = sy / se, mean_x = sx / (double)(n - from), u = 0, v = 0;
    for (size_t t = from; t < n; t++) {
        double xc = (double)(t - from) - mean_x, fit = rate * e[t];
        u += xc * (y[t] - fit);
        v += xc * xc * fit;
    }
    return v > 0 ? u / sqrt(phi * v) : 0;
}

/*
 * Log Bayes factor of a ramp from week tau against no change. r holds the
 * variance-stabilised (Anscombe) residuals of all k weeks against their common level;
 * u = sum of x r over the episode, x = t - tau + 1, is the efficient score for a
 * log-linear trend, its variance phi v allowing for the level being estimated from the
 * same weeks. The growth per week gets a normal prior of sd PRIOR_SLOPE (relative),
 * PRIOR_SLOPE sqrt(m) in residual units, m the episode's expected weekly count:
 *   log BF = s u^2 / (2 phi (1 + s v)) - log(1 + s v) / 2,   s = PRIOR_SLOPE^2 m / phi.
 * The second term charges long episodes for their freedom. -INFINITY when falling.
 */
static double ramp_evidence(const double *r, size_t tau, size_t n, size_t k, double m, double phi)
{
    double u = 0, sx = 0, sxx = 0;
    for (size_t t = tau; t < n; t++) {
        double x = (double)(t - tau + 1);
        u += x * r[t];
        sx += x;
        sxx += x * x;
    }
    double v = sxx - sx * sx / (double)k, s = PRIOR_SLOPE * PRIOR_SLOPE * m / phi;
    if (!(u > 0) || !(v > 0))
        return -INFINITY;
    return s * u * u / (2 * phi * (1 + s * v)) - 0.5 * log1p(s * v);
}

int cw_detect_series(cw_signal *out, const cw_detect_params *p, const double *counts,
                     const double *exposure, size_t n, size_t baseline_start, cw_error *err)
{
    memset(out, 0, sizeof(*out));
    out->status = CW_TREND_INSUFFICIENT;
    out->since = -1;
    out->dispersion = 1;
    for (size_t t = 0; t < n; t++)
        if (!(counts[t] >= 0 && isfinite(counts[t])) ||
            (exposure != NULL && !(exposure[t] >= 0 && isfinite(exposure[t]))))
            return cw_error_set(err, CW_EXIT_SOFTWARE, "invalid count or exposure at week %zu", t);
    if (n == 0)
        return 0;
    out->observed = exposure != NULL ? (exposure[n - 1] > 0 ? counts[n - 1] / exposure[n - 1] : 0)
                                     : counts[n - 1];
    /* The window ends before the target week: there must be a week to judge. */
    size_t from = baseline_start, to = baseline_start + p->baseline_weeks;
    if (to > n - 1)
        to = n - 1;
    frozen f;
    if (from >= to || to - from < p->min_baseline_weeks ||
        estimate(&f, counts, exposure, from, to) != 0)
        return 0;
    out->baseline = f.level;
    out->dispersion = f.dispersion;

    double *e = malloc(3 * n * sizeof(double));
    if (e == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    double *w = e + n, *r = w + n;
    double yb = 0, eb = 0;
    for (size_t t = from; t < to; t++) {
        e[t] = exposure != NULL ? exposure[t] : 1.0;
        w[t] = counts[t];
        yb += w[t];
        eb += e[t];
    }
    /* An isolated wild week (its neighbours ordinary) is capped, so that one bad week
     * cannot pose as a shift; a week high among high weeks is data and is kept. */
    for (size_t t = to; t < n; t++) {
        double m = expected(&f, exposure, t), sd = sqrt(f.dispersion * m);
        double ordinary = m + NEIGHBOUR_SD * sd, cap = m + WINSOR_SD * sd;
        bool lone =
            (t == to || counts[t - 1] < expected(&f, exposure, t - 1) + NEIGHBOUR_SD * sd) &&
            (t + 1 == n || counts[t + 1] < ordinary);
        e[t] = exposure != NULL ? exposure[t] : 1.0;
        w[t] = lone && counts[t] > cap ? cap : counts[t];
    }
    size_t first =
        n > p->max_episode_weeks && n - p->max_episode_weeks > to ? n - p->max_episode_weeks : to;

    /* Under no change every week has one rate: the residuals are taken against it. They
     * are not re-centred: at a few complaints a week their mean is slightly negative,
     * which works like a CUSUM allowance on long episodes (centring them cost 3-5 weeks
     * of delay at 5 a week with dispersion 2 in bench_detect). */
    double total_w = 0, total_e = 0;
    for (size_t t = from; t < n; t++) {
        total_w += w[t];
        total_e += e[t];
    }
    frozen common = {.level = (total_w > 0 ? total_w : 0.5) / total_e, .dispersion = 1};
    for (size_t t = from; t < n; t++)
        r[t] = 2 * (sqrt(w[t] + 0.375) - sqrt(expected(&common, exposure, t) + 0.375));

    /* Before an episode the level is one rate: the baseline window and the monitored
     * weeks before it. The step compares the episode with it; the ramp's dispersion is
     * estimated over it, so that it rests on more weeks as monitoring goes on. */
    double best_step = 0, step_delta = 0, delta = 0;
    double top = -INFINITY, sum = 0, best_ramp = -INFINITY;
    double ramp_pre_w = 0, ramp_pre_e = 0; /* pre_w and pre_e at ramp_tau */
    size_t step_tau = n, ramp_tau = n;
    double pre_w = yb, pre_e = eb; /* baseline + monitored weeks before tau */
    for (size_t t = to; t < first; t++) {
        pre_w += w[t];
        pre_e += e[t];
    }
    for (size_t tau = first; tau + 2 <= n; tau++) {
        double ep_w = total_w - pre_w, ep_e = total_e - pre_e;
        double gain = step_gain(pre_w, pre_e, ep_w, ep_e, &delta);
        if (gain > best_step) {
            best_step = gain;
            step_tau = tau;
            step_delta = delta;
        }
        if (tau + MIN_RAMP_WEEKS <= n) {
            /* Evidence is summed over starts (log-sum-exp), not maximised. */
            double phi = dispersion(w, exposure, pre_w / pre_e, from, tau);
            double ev =
                ramp_evidence(r, tau, n, n - from, common.level * ep_e / (double)(n - tau), phi);
            if (ev > best_ramp) {
                best_ramp = ev;
                ramp_tau = tau;
                ramp_pre_w = pre_w;
                ramp_pre_e = pre_e;
            }
            if (ev > top) {
                sum = sum * exp(top - ev) + 1;
                top = ev;
            } else if (ev > -INFINITY) {
                sum += exp(ev - top);
            }
        }
        pre_w += w[tau];
        pre_e += e[tau];
    }
    double glr = top > -INFINITY ? 2 * (top + log(sum)) : 0;
    if (!(glr > 0))
        glr = 0;
    /* The slope (and the ramp's GLR, for the shape) at the most likely start. */
    double ramp_beta = 0, glr_ramp = 0, glr_step = 2 * best_step / f.dispersion;
    if (ramp_tau < n)
        glr_ramp =
            2 * ramp_gain(w, e, ramp_tau, n, ramp_pre_w, ramp_pre_e, &ramp_beta) / f.dispersion;
    /* The last week against the baseline, whose own noise widens the limit a little. */
    double last_m = expected(&f, exposure, n - 1);
    double z = 2 * (sqrt(counts[n - 1] + 0.375) - sqrt(last_m + 0.375)) /
               sqrt(f.dispersion * (1 + 1.0 / (double)(to - from)));

    out->status = CW_TREND_STABLE;
    out->glr = glr;
    out->glr_drift = glr_ramp;
    out->glr_shift = glr_step;
    out->spike_score = z;
    out->strength = glr / p->glr_limit;
    if (glr > p->glr_limit) {
        /* In noise a gradual rise fits a late step about as well as a ramp, so the
         * shape is read from the episode itself: still rising after the step's start
         * is a drift, flat is a shift. Short episodes go by the larger GLR. */
        bool ramp = n - step_tau >= MIN_TREND_WEEKS
                        ? episode_trend(counts, e, step_tau, n, f.dispersion) > TREND_Z
                        : glr_ramp > glr_step;
        out->status = ramp ? CW_TREND_DRIFT : CW_TREND_SHIFT;
        out->since = (long)(ramp ? ramp_tau : step_tau);
        out->slope_pct = ramp ? 100.0 * (exp(ramp_beta) - 1) : 0;
        out->step_pct = ramp ? 0 : 100.0 * (exp(step_delta) - 1);
    } else if (z > p->spike_limit) {
        out->status = CW_TREND_SPIKE;
        out->since = (long)(n - 1);
        out->strength = z / p->spike_limit;
    }
    free(e);
    return 0;
}
