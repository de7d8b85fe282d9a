/* effect.c - before/after effect of a fix and its verdict; the method is in effect.h. */
#include "causeway/analysis/effect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define Z_975          1.959963984540054
#define HALF_COMPLAINT 0.5  /* added to each side: a side with no complaints has a ratio */
#define MAX_NEEDED     1040 /* twenty years: beyond this, "not at this volume" */

void cw_effect_params_default(cw_effect_params *p)
{
    memset(p, 0, sizeof(*p));
    p->before_weeks = 26;
    p->settling_weeks = 2;
    p->min_after_weeks = 3;
    /* Calibrated by bench_fixes (BENCHMARKS.md): at most 5 % of fixes without effect
     * are ever called working in the 52 weekly looks after they settle, in every
     * stratum of 5/20/80 complaints a week and dispersion 1/2. */
    p->limit = 2.5;
    p->planning_cut = 25.0;
    p->rebound_baseline_weeks = 13;
    cw_detect_params_default(&p->detect);
}

const char *cw_effect_verdict_name(cw_effect_verdict v)
{
    static const char *const names[] = {"not yet known", "working", "no effect", "worse"};
    return v <= CW_EFFECT_WORSE ? names[v] : "unknown";
}

static const char *const ids[] = {"unknown", "working", "no_effect", "worse"};

const char *cw_effect_verdict_id(cw_effect_verdict v)
{
    return v <= CW_EFFECT_WORSE ? ids[v] : "unknown";
}

int cw_effect_verdict_parse(const char *id)
{
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (id != NULL && strcmp(id, ids[i]) == 0)
            return (int)i;
    return -1;
}

/*
 * A normal quantile z turned into the t quantile of the same tail on `df` degrees of
 * freedom (Cornish-Fisher, Abramowitz and Stegun 26.7.5): the dispersion is estimated,
 * and from few weeks it is uncertain. Within 0.5 % of the exact value for df >= 5.
 */
static double t_quantile(double z, double df)
{
    if (!(df > 0))
        return z;
    double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df) +
           (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df * df * df) +
           (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df * df * df * df);
}

typedef struct side {
    size_t from, weeks;
    double y, d; /* complaints and denominator */
} side;

static side sum_side(const double *y, const double *d, size_t from, size_t to)
{
    side s = {.from = from, .weeks = to > from ? to - from : 0};
    for (size_t t = from; t < to; t++) {
        s.y += y[t];
        s.d += d != NULL ? d[t] : 1.0;
    }
    return s;
}

/* Pearson X^2 of one side around its own rate. */
static double pearson(const double *y, const double *d, const side *s)
{
    if (s->weeks == 0 || !(s->d > 0))
        return 0;
    double rate = s->y / s->d, x2 = 0;
    for (size_t t = s->from; t < s->from + s->weeks; t++) {
        double m = rate * (d != NULL ? d[t] : 1.0);
        if (m > 0)
            x2 += (y[t] - m) * (y[t] - m) / m;
    }
    return x2;
}

static double level(const side *s, bool per_exposure)
{
    if (s->weeks == 0)
        return NAN;
    if (per_exposure)
        return s->d > 0 ? 1000.0 * s->y / s->d : NAN;
    return s->y / (double)s->weeks;
}

/*
 * After weeks the data need, at `per_week` complaints a week after the fix, before the
 * change's bound at `limit` standard errors can rule a cut of `cut` % in or out:
 * limit^2 phi (1/Yb + 1/(per_week n)) <= log(1 - cut)^2. -1 when no n does.
 */
static long needed_weeks(double limit, double phi, double yb, double per_week, double cut)
{
    double room = log(1 - cut / 100.0);
    room = room * room / (limit * limit * phi) - 1.0 / (yb + HALF_COMPLAINT);
    if (!(room > 0) || !(per_week > 0))
        return -1;
    double n = ceil(1.0 / (per_week * room));
    return n <= MAX_NEEDED ? (long)n : -1;
}

/* Declining again: the detector on the after weeks, their first weeks as the baseline. */
static int rebound(cw_effect *out, const cw_effect_params *p, const double *y, const double *d,
                   size_t n, cw_error *err)
{
    out->rebound = CW_TREND_INSUFFICIENT;
    out->rebound_since = -1;
    if (out->after_weeks == 0)
        return 0;
    cw_detect_params dp = p->detect;
    dp.baseline_weeks = p->rebound_baseline_weeks;
    cw_signal sig;
    if (cw_detect_series(&sig, &dp, y + out->after_from, d != NULL ? d + out->after_from : NULL,
                         n - out->after_from, 0, err) != 0)
        return -1;
    out->rebound = sig.status;
    if (sig.status == CW_TREND_DRIFT || sig.status == CW_TREND_SHIFT) {
        out->declining_again = true;
        out->rebound_since = (long)out->after_from + sig.since;
    }
    return 0;
}

static void judge(cw_effect *out, const cw_effect_params *p, const side *b, const side *a,
                  double df, double expected_cut)
{
    double phi = out->dispersion;
    double limit = t_quantile(p->limit, df);
    double cut = out->cut_judged;
    /* The current volume: the after weeks', or before the first of them the before level
     * less the cut planned for. */
    double per_week = a->weeks > 0
                          ? (a->y + HALF_COMPLAINT) / (double)a->weeks
                          : (b->weeks > 0 ? b->y / (double)b->weeks * (1 - cut / 100.0) : 0);
    long needed = needed_weeks(limit, phi, b->y, per_week, cut);
    if (needed >= 0 && needed < (long)p->min_after_weeks)
        needed = (long)p->min_after_weeks;
    out->needed_weeks = needed;
    long after = (long)a->weeks;
    if (after >= (long)p->min_after_weeks && b->weeks > 0 && a->d > 0 && b->d > 0) {
        double total = a->y + b->y, p0 = a->d / (a->d + b->d);
        out->z = total > 0 ? (a->y - total * p0) / sqrt(phi * total * p0 * (1 - p0)) : 0;
        double log_rr = log((a->y + HALF_COMPLAINT) / a->d) - log((b->y + HALF_COMPLAINT) / b->d);
        double se = sqrt(phi * (1 / (a->y + HALF_COMPLAINT) + 1 / (b->y + HALF_COMPLAINT)));
        if (out->z < -limit)
            out->verdict = CW_EFFECT_WORKING;
        else if (out->z > limit)
            out->verdict = CW_EFFECT_WORSE;
        else if (log_rr - limit * se > log(1 - cut / 100.0))
            out->verdict = CW_EFFECT_NO_EFFECT;
    }
    if (out->verdict != CW_EFFECT_UNKNOWN) {
        out->more_weeks = 0;
        if (isfinite(expected_cut))
            out->expected_reached =
                out->verdict == CW_EFFECT_WORKING && -out->change_pct >= expected_cut;
    } else if (needed < 0) {
        out->more_weeks = -1;
    } else {
        /* Still open at the planned week: the estimate sits between none and the cut. */
        out->more_weeks = needed > after ? needed - after : 1;
    }
}

int cw_effect_assess(cw_effect *out, const cw_effect_params *p, const double *y, const double *d,
                     bool per_exposure, size_t n, size_t start, double expected_cut, cw_error *err)
{
    memset(out, 0, sizeof(*out));
    out->before_level = out->after_level = NAN;
    out->change_pct = out->change_low = out->change_high = NAN;
    out->dispersion = 1;
    out->expected_reached = -1;
    out->needed_weeks = out->more_weeks = -1;
    out->rebound = CW_TREND_INSUFFICIENT;
    out->rebound_since = -1;
    if (start >= n)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "the fix starts after the last week");
    for (size_t t = 0; t < n; t++)
        if (!(y[t] >= 0 && isfinite(y[t])) || (d != NULL && !(d[t] >= 0 && isfinite(d[t]))))
            return cw_error_set(err, CW_EXIT_SOFTWARE, "invalid count or denominator at week %zu",
                                t);
    size_t before_from = start > p->before_weeks ? start - p->before_weeks : 0;
    size_t after_from = start + p->settling_weeks;
    side b = sum_side(y, d, before_from, start);
    side a = after_from < n ? sum_side(y, d, after_from, n) : (side){.from = n};
    out->before_from = b.from;
    out->before_weeks = b.weeks;
    out->after_from = a.from;
    out->after_weeks = a.weeks;
    out->before_level = level(&b, per_exposure);
    out->after_level = level(&a, per_exposure);
    out->cut_judged = isfinite(expected_cut) && expected_cut > 0 ? expected_cut : p->planning_cut;

    double df = (double)b.weeks + (double)a.weeks - 2;
    if (df >= 1) {
        double phi = (pearson(y, d, &b) + pearson(y, d, &a)) / df;
        out->dispersion = phi > 1 ? phi : 1;
    }
    if (b.weeks > 0 && a.weeks > 0 && a.d > 0 && b.d > 0) {
        double log_rr = log((a.y + HALF_COMPLAINT) / a.d) - log((b.y + HALF_COMPLAINT) / b.d);
        double se =
            sqrt(out->dispersion * (1 / (a.y + HALF_COMPLAINT) + 1 / (b.y + HALF_COMPLAINT)));
        double q = t_quantile(Z_975, df);
        out->change_pct = 100.0 * (exp(log_rr) - 1);
        out->change_low = 100.0 * (exp(log_rr - q * se) - 1);
        out->change_high = 100.0 * (exp(log_rr + q * se) - 1);
    }
    judge(out, p, &b, &a, df, expected_cut);
    return rebound(out, p, y, d, n, err);
}
