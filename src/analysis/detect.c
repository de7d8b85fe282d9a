/* detect.c - frozen-baseline ramp-evidence drift/shift and spike detection; see detect.h. */
#include "causeway/analysis/detect.h"

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
#define FIT_ROUNDS      500 /* iterative proportional fitting of a family's levels */
#define FIT_TOLERANCE   1e-10

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

/*
 * Quasi-Poisson dispersion of y[from, to) around `level` (x exposure), pooled with the
 * prior's by degrees of freedom (prior NULL or without one: the series' own), at least 1.
 */
static double dispersion(const double *y, const double *exposure, double level, size_t from,
                         size_t to, const cw_detect_prior *prior)
{
    frozen at = {.level = level, .dispersion = 1};
    double pearson = 0;
    for (size_t t = from; t < to; t++) {
        double m = expected(&at, exposure, t);
        pearson += (y[t] - m) * (y[t] - m) / m;
    }
    double df = to - from > 1 ? (double)(to - from - 1) : 0;
    double phi = df > 0 ? pearson / df : 1.0;
    if (prior != NULL && prior->dispersion >= 1 && prior->dispersion_df > 0)
        phi = (df * phi + prior->dispersion_df * prior->dispersion) / (df + prior->dispersion_df);
    return phi >= 1.0 ? phi : 1.0;
}

/*
 * The prior's weight in weeks of the series' own data: a level of relative sd s
 * against `weeks` weeks of m = level x mean exposure complaints each, variance phi m.
 * INFINITY for an exact prior, 0 without one.
 */
static double prior_weeks(const cw_detect_prior *prior, double volume, double weeks, double phi)
{
    if (prior == NULL)
        return 0;
    double m = prior->level * volume / weeks;
    if (!(m > 0))
        return 0;
    return prior->level_sd > 0 ? phi / (prior->level_sd * prior->level_sd * m) : INFINITY;
}

/* The own level `own` (from `weeks` weeks) and the prior's, combined by precision on the
 * log scale; k0 is the prior's weight in weeks. */
static double combine(double own, double weeks, double k0, const cw_detect_prior *prior)
{
    if (!(k0 > 0))
        return own;
    if (isinf(k0))
        return prior->level;
    return exp((weeks * log(own) + k0 * log(prior->level)) / (weeks + k0));
}

/* Level and quasi-Poisson dispersion over the baseline window [from, to), each sharpened
 * by the prior when there is one; *k0 is the prior's weight in weeks. */
static int estimate(frozen *f, double *k0, const double *y, const double *exposure, size_t from,
                    size_t to, const cw_detect_prior *prior)
{
    double total = 0, volume = 0;
    for (size_t t = from; t < to; t++) {
        total += y[t];
        volume += exposure != NULL ? exposure[t] : 1.0;
    }
    if (volume <= 0)
        return -1;
    /* Half a complaint over the window: an empty baseline is quiet, not impossible. */
    double own = (total > 0 ? total : 0.5) / volume, weeks = (double)(to - from);
    f->dispersion = dispersion(y, exposure, own, from, to, prior);
    *k0 = prior_weeks(prior, volume, weeks, f->dispersion);
    f->level = combine(own, weeks, *k0, prior);
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
 * same weeks: k of them, plus the prior's weight in weeks when the level has a prior
 * (its uncertainty integrated out, as in a random-effects score test). The growth per
 * week gets a normal prior of sd PRIOR_SLOPE (relative), PRIOR_SLOPE sqrt(m) in residual
 * units, m the episode's expected weekly count:
 *   log BF = s u^2 / (2 phi (1 + s v)) - log(1 + s v) / 2,   s = PRIOR_SLOPE^2 m / phi.
 * The second term charges long episodes for their freedom. -INFINITY when falling.
 */
static double ramp_evidence(const double *r, size_t tau, size_t n, double k, double m, double phi)
{
    double u = 0, sx = 0, sxx = 0;
    for (size_t t = tau; t < n; t++) {
        double x = (double)(t - tau + 1);
        u += x * r[t];
        sx += x;
        sxx += x * x;
    }
    double v = sxx - sx * sx / k, s = PRIOR_SLOPE * PRIOR_SLOPE * m / phi;
    if (!(u > 0) || !(v > 0))
        return -INFINITY;
    return s * u * u / (2 * phi * (1 + s * v)) - 0.5 * log1p(s * v);
}

int cw_detect_series(cw_signal *out, const cw_detect_params *p, const double *counts,
                     const double *exposure, size_t n, size_t baseline_start, cw_error *err)
{
    return cw_detect_series_prior(out, p, counts, exposure, n, baseline_start, NULL, err);
}

int cw_detect_series_prior(cw_signal *out, const cw_detect_params *p, const double *counts,
                           const double *exposure, size_t n, size_t baseline_start,
                           const cw_detect_prior *prior, cw_error *err)
{
    memset(out, 0, sizeof(*out));
    out->status = CW_TREND_INSUFFICIENT;
    out->since = -1;
    out->dispersion = 1;
    for (size_t t = 0; t < n; t++)
        if (!(counts[t] >= 0 && isfinite(counts[t])) ||
            (exposure != NULL && !(exposure[t] >= 0 && isfinite(exposure[t]))))
            return cw_error_set(err, CW_EXIT_SOFTWARE, "invalid count or exposure at week %zu", t);
    if (prior != NULL &&
        !(prior->level >= 0 && isfinite(prior->level) && prior->level_sd >= 0 &&
          isfinite(prior->level_sd) && (prior->dispersion == 0 || prior->dispersion >= 1) &&
          isfinite(prior->dispersion) && prior->dispersion_df >= 0 &&
          isfinite(prior->dispersion_df)))
        return cw_error_set(err, CW_EXIT_SOFTWARE, "invalid detection prior");
    if (n == 0)
        return 0;
    out->observed = exposure != NULL ? (exposure[n - 1] > 0 ? counts[n - 1] / exposure[n - 1] : 0)
                                     : counts[n - 1];
    /* The window ends before the target week: there must be a week to judge. */
    size_t from = baseline_start, to = baseline_start + p->baseline_weeks;
    if (to > n - 1)
        to = n - 1;
    frozen f;
    double k0_base = 0;
    if (from >= to || to - from < p->min_baseline_weeks ||
        estimate(&f, &k0_base, counts, exposure, from, to, prior) != 0)
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
    double k = (double)(n - from);
    double k0 = prior_weeks(prior, total_e, k, f.dispersion);
    frozen common = {.level = combine((total_w > 0 ? total_w : 0.5) / total_e, k, k0, prior),
                     .dispersion = 1};
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
            double phi = dispersion(w, exposure, pre_w / pre_e, from, tau, prior);
            double ev =
                ramp_evidence(r, tau, n, k + k0, common.level * ep_e / (double)(n - tau), phi);
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
               sqrt(f.dispersion * (1 + 1.0 / ((double)(to - from) + k0_base)));

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

/* A family's series over its window: what the priors are estimated from. */
typedef struct sibling {
    double y, e;    /* complaints and exposure (or weeks) over the window */
    double phi;     /* quasi-Poisson dispersion around the series' own rate (not floored) */
    double phi_var; /* its sampling variance, from the spread of the weekly Pearson terms */
} sibling;

static int check_siblings(const cw_detect_siblings *f, cw_error *err)
{
    if (f->rows == 0 || f->cols == 0 || f->rows * f->cols < 2 || f->counts == NULL ||
        f->to > f->n || f->from + 2 > f->to)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "invalid sibling family");
    for (size_t c = 0; c < f->rows * f->cols; c++) {
        if (f->counts[c] == NULL || (f->exposure != NULL && f->exposure[c] == NULL))
            return cw_error_set(err, CW_EXIT_SOFTWARE, "sibling series %zu is missing", c);
        for (size_t t = f->from; t < f->to; t++)
            if (!(f->counts[c][t] >= 0 && isfinite(f->counts[c][t])) ||
                (f->exposure != NULL && !(f->exposure[c][t] >= 0 && isfinite(f->exposure[c][t]))))
                return cw_error_set(err, CW_EXIT_SOFTWARE,
                                    "invalid count or exposure in sibling series %zu at week %zu",
                                    c, t);
    }
    return 0;
}

static void summarise(sibling *s, const double *y, const double *e, size_t from, size_t to)
{
    s->y = s->e = 0;
    for (size_t t = from; t < to; t++) {
        s->y += y[t];
        s->e += e != NULL ? e[t] : 1.0;
    }
    s->phi = s->phi_var = 0;
    if (!(s->y > 0 && s->e > 0))
        return;
    double rate = s->y / s->e, sum = 0, sum2 = 0, weeks = (double)(to - from);
    for (size_t t = from; t < to; t++) {
        double m = rate * (e != NULL ? e[t] : 1.0);
        double term = m > MIN_EXPECTED ? (y[t] - m) * (y[t] - m) / m : 0;
        sum += term;
        sum2 += term * term;
    }
    s->phi = sum / (weeks - 1);
    double mean = sum / weeks, var = (sum2 - weeks * mean * mean) / (weeks - 1);
    s->phi_var = var > 0 ? var / weeks : 0;
}

/*
 * One half-step of the fit below: each row's effect given the columns' (by_row), or
 * each column's given the rows'. Returns the largest change.
 */
static double refit(double *effect, const double *other, const sibling *s, size_t rows, size_t cols,
                    size_t skip, bool by_row)
{
    size_t outer = by_row ? rows : cols, inner = by_row ? cols : rows;
    double change = 0;
    for (size_t i = 0; i < outer; i++) {
        double y = 0, m = 0;
        for (size_t j = 0; j < inner; j++) {
            size_t c = by_row ? i * cols + j : j * cols + i;
            if (c != skip) {
                y += s[c].y;
                m += s[c].e * exp(other[j]);
            }
        }
        double next = m > 0 ? log((y > 0 ? y : 0.5) / m) : effect[i];
        change = fmax(change, fabs(next - effect[i]));
        effect[i] = next;
    }
    return change;
}

/*
 * Poisson fit of log(rate) = a[row] + b[col] to every series but `skip` (none when
 * skip >= rows x cols) by iterative proportional fitting, from the a and b given.
 * Sums of no complaints take half a complaint, so that no effect is -infinity.
 */
static void fit_levels(double *a, double *b, const sibling *s, size_t rows, size_t cols,
                       size_t skip)
{
    for (int round = 0; round < FIT_ROUNDS; round++) {
        double change = refit(a, b, s, rows, cols, skip, true);
        change = fmax(change, refit(b, a, s, rows, cols, skip, false));
        if (change < FIT_TOLERANCE)
            break;
    }
}

/*
 * The interaction variance: the sigma^2 at which the residuals of the full fit,
 * e = log((y + 0.5) / (fit + 0.5)) with sampling variance v = phi / (fit + 0.5),
 * satisfy sum e^2 / (v + sigma^2) = their degrees of freedom (Paule-Mandel), 0 when
 * the sampling noise alone explains them.
 */
static double interaction_variance(const double *resid, const double *v, size_t count, double df)
{
    double lo = 0, hi = 1;
    double q = 0;
    for (size_t c = 0; c < count; c++)
        q += resid[c] * resid[c] / v[c];
    if (!(df > 0) || q <= df)
        return 0;
    for (;;) {
        q = 0;
        for (size_t c = 0; c < count; c++)
            q += resid[c] * resid[c] / (v[c] + hi);
        if (q <= df || hi > 1e6)
            break;
        hi *= 2;
    }
    for (int round = 0; round < 60; round++) {
        double mid = (lo + hi) / 2;
        q = 0;
        for (size_t c = 0; c < count; c++)
            q += resid[c] * resid[c] / (v[c] + mid);
        if (q > df)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/*
 * The expected complaints of series c over the window under the full fit: row and
 * column effects in fa[rows + cols], or one common rate when the family is one-way.
 */
static double fitted(const sibling *s, size_t c, const double *fa, size_t rows, size_t cols,
                     double common)
{
    return fa == NULL ? s[c].e * common : s[c].e * exp(fa[c / cols] + fa[rows + c % cols]);
}

int cw_detect_estimate_priors(cw_detect_prior *out, const cw_detect_siblings *f, cw_error *err)
{
    if (check_siblings(f, err) != 0)
        return -1;
    size_t rows = f->rows, cols = f->cols, count = rows * cols;
    double weeks = (double)(f->to - f->from);
    /* One row or one column: no structure to fit, the siblings share one rate. */
    bool oneway = rows == 1 || cols == 1;
    sibling *s = malloc(count * sizeof(*s) + (2 * (rows + cols) + 2 * count) * sizeof(double));
    if (s == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    double *fa = (double *)(s + count), *a = fa + rows + cols, *resid = a + rows + cols;
    double *v = resid + count;

    /* Dispersion: how much the family's dispersions differ beyond their sampling noise
     * decides how many degrees of freedom their mean is worth to one series. */
    double phi_sum = 0, phi_sq = 0, noise = 0, y_all = 0, e_all = 0;
    size_t with_data = 0;
    for (size_t c = 0; c < count; c++) {
        summarise(&s[c], f->counts[c], f->exposure != NULL ? f->exposure[c] : NULL, f->from, f->to);
        y_all += s[c].y;
        e_all += s[c].e;
        if (s[c].y > 0) {
            with_data++;
            phi_sum += s[c].phi;
            phi_sq += s[c].phi * s[c].phi;
            noise += s[c].phi_var;
        }
    }
    double phi_mean = with_data > 0 ? phi_sum / (double)with_data : 1;
    double phi_spread =
        with_data > 1 ? (phi_sq - (double)with_data * phi_mean * phi_mean) / (double)(with_data - 1)
                      : 0;
    double phi_noise = with_data > 0 ? noise / (double)with_data : 0;
    double phi_between = phi_spread > phi_noise ? phi_spread - phi_noise : 0;
    double phi_pooled = phi_mean > 1 ? phi_mean : 1;

    /* Levels: the full fit gives the interaction variance; each series' prior is the fit
     * without it, started from the full fit. */
    memset(fa, 0, (rows + cols) * sizeof(double));
    if (!oneway)
        fit_levels(fa, fa + rows, s, rows, cols, count);
    double common = e_all > 0 ? y_all / e_all : 0;
    for (size_t c = 0; c < count; c++) {
        double m = fitted(s, c, oneway ? NULL : fa, rows, cols, common);
        resid[c] = log((s[c].y + 0.5) / (m + 0.5));
        v[c] = phi_pooled / (m + 0.5);
    }
    double df = oneway ? (double)(count - 1) : (double)((rows - 1) * (cols - 1));
    double sigma2 = interaction_variance(resid, v, count, df);
    /* How much the fitted effects themselves move with the interactions. */
    double spread = oneway ? 1.0 / (double)(count - 1)
                           : 1.0 / (double)(cols - 1) + 1.0 / (double)(rows - 1) +
                                 1.0 / (double)((rows - 1) * (cols - 1));

    for (size_t c = 0; c < count; c++) {
        size_t i = c / cols, j = c % cols;
        cw_detect_prior *p = &out[c];
        memset(p, 0, sizeof(*p));
        size_t others = with_data - (s[c].y > 0);
        if (others > 0) {
            double mean = (phi_sum - (s[c].y > 0 ? s[c].phi : 0)) / (double)others;
            double var = phi_between + phi_noise / (double)others;
            double cap = (weeks - 1) * (double)others;
            p->dispersion = mean > 1 ? mean : 1;
            p->dispersion_df = var > 0 ? fmin(cap, (weeks - 1) * phi_noise / var) : cap;
        }
        if (!(y_all - s[c].y > 0 && e_all - s[c].e > 0))
            continue; /* the siblings say nothing about the level */
        double sampling;
        if (oneway) {
            p->level = (y_all - s[c].y) / (e_all - s[c].e);
            sampling = phi_pooled / (y_all - s[c].y);
        } else {
            memcpy(a, fa, (rows + cols) * sizeof(double));
            fit_levels(a, a + rows, s, rows, cols, c);
            p->level = exp(a[i] + a[rows + j]);
            double row_y = 0, col_y = 0;
            for (size_t k = 0; k < cols; k++)
                row_y += k != j ? s[i * cols + k].y : 0;
            for (size_t k = 0; k < rows; k++)
                col_y += k != i ? s[k * cols + j].y : 0;
            double rest = y_all - row_y - col_y - s[c].y;
            sampling =
                phi_pooled * (1 / fmax(row_y, 0.5) + 1 / fmax(col_y, 0.5) + 1 / fmax(rest, 0.5));
        }
        p->level_sd = sqrt(sigma2 * (1 + spread) + sampling);
    }
    free(s);
    return 0;
}
