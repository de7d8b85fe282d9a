/*
 * bench_fixes.c - `make bench-fixes`: how soon causeway's verdict on a recorded fix
 * (effect.h) says "working", and how often it says so of a fix that did nothing.
 *
 * Simulated weekly series of the fix's target: 5, 20 and 80 complaints a week,
 * Poisson and over-dispersed (negative binomial, variance = 2 x mean); 26 weeks
 * before the fix, then the fix cuts the mean by 0, 20, 30 or 50 % from its start
 * week (half of it in the 2 settling weeks). Complaints a week, as in a run without
 * exposure. The verdict is read every week for 52 weeks after settling, as weekly runs
 * would read it.
 *
 * Reported per stratum: the median number of weeks from the start (the start week is
 * week 1) to the first "working"; the share called working within 13, 26 and 52 weeks;
 * for the true cut of 0 the share ever called working (false "working": must stay at or
 * under 5 %), ever "worse", and the median weeks to "no effect"; for true cuts the share
 * ever called "no effect" (the planning cut is the built-in 25 %); false "declining
 * again" (no rebound was simulated). A second table calibrates the test's limit per
 * stratum: the smallest limit whose false "working" rate is at most 5 %. As the
 * reference a reader would otherwise use: the same test at the one-sided 5 % point,
 * z < -1.645, read weekly ("naive"), with its median weeks and its false "working".
 * Deterministic (fixed seeds). Usage: bench_fixes [SERIES_PER_STRATUM] (default 4000).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/effect.h"

#define BEFORE   26
#define SETTLING 2
#define LOOKS    52
#define WEEKS    (BEFORE + SETTLING + LOOKS)
#define ALPHA    0.05

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next64(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(rng *r)
{
    return ((double)(next64(r) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(rng *r)
{
    return sqrt(-2 * log(uniform(r))) * cos(6.283185307179586 * uniform(r));
}

/* Marsaglia-Tsang gamma(shape, 1). */
static double gamma_draw(rng *r, double shape)
{
    if (shape < 1)
        return gamma_draw(r, shape + 1) * pow(uniform(r), 1 / shape);
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = normal(r), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        if (log(uniform(r)) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

/* Poisson by multiplication (means here stay under 200). */
static double poisson(rng *r, double mu)
{
    double l = exp(-mu), p = 1;
    int k = 0;
    do {
        k++;
        p *= uniform(r);
    } while (p > l);
    return k - 1;
}

static double draw(rng *r, double mu, double phi)
{
    if (phi <= 1)
        return poisson(r, mu);
    double shape = mu / (phi - 1);
    return poisson(r, gamma_draw(r, shape) * mu / shape);
}

/* What one series' weekly verdicts came to. */
typedef struct outcome {
    int first_working;   /* weeks from the start (start week = 1); 0 never */
    int first_no_effect; /* likewise */
    bool worse, declining;
    double min_z[LOOKS], df[LOOKS]; /* per look, for the calibration */
} outcome;

static void simulate(double *y, rng *r, double mu, double phi, double cut)
{
    for (int t = 0; t < WEEKS; t++) {
        double m = mu;
        if (t >= BEFORE + SETTLING)
            m = mu * (1 - cut);
        else if (t >= BEFORE)
            m = mu * (1 - cut / 2);
        y[t] = draw(r, m, phi);
    }
}

static int follow(outcome *o, const cw_effect_params *p, const double *y)
{
    memset(o, 0, sizeof(*o));
    cw_error err;
    cw_error_clear(&err);
    for (int k = 0; k < LOOKS; k++) {
        size_t n = BEFORE + SETTLING + (size_t)k + 1;
        cw_effect e;
        if (cw_effect_assess(&e, p, y, NULL, false, n, BEFORE, NAN, &err) != 0) {
            fprintf(stderr, "bench_fixes: %s\n", err.message);
            return -1;
        }
        int weeks = (int)(n - BEFORE);
        o->min_z[k] = e.after_weeks >= p->min_after_weeks ? e.z : 0;
        o->df[k] = (double)(e.before_weeks + e.after_weeks) - 2;
        if (e.verdict == CW_EFFECT_WORKING && o->first_working == 0)
            o->first_working = weeks;
        if (e.verdict == CW_EFFECT_NO_EFFECT && o->first_no_effect == 0)
            o->first_no_effect = weeks;
        o->worse |= e.verdict == CW_EFFECT_WORSE;
        o->declining |= e.declining_again;
    }
    return 0;
}

static int by_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Median of the positive entries counting the zeros ("never") as infinite; 0 if never. */
static int median_weeks(int *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i] == 0)
            v[i] = 1 << 30;
    qsort(v, (size_t)n, sizeof(int), by_int);
    int m = v[n / 2];
    return m == 1 << 30 ? 0 : m;
}

/* Same approximation as effect.c (kept in step): the z limit on df degrees of freedom. */
static double t_limit(double z, double df)
{
    double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df) +
           (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df * df * df) +
           (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df * df * df * df);
}

/* Share of series ever below -limit at a look with at least min_after after weeks. */
static double false_rate(const outcome *o, int n, double limit, unsigned min_after)
{
    int hits = 0;
    for (int i = 0; i < n; i++)
        for (int k = (int)min_after - 1; k < LOOKS; k++)
            if (o[i].min_z[k] < -t_limit(limit, o[i].df[k])) {
                hits++;
                break;
            }
    return (double)hits / n;
}

static double calibrate(const outcome *o, int n, unsigned min_after)
{
    double lo = 1.0, hi = 6.0;
    for (int i = 0; i < 40; i++) {
        double mid = (lo + hi) / 2;
        if (false_rate(o, n, mid, min_after) > ALPHA)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

static double pct(int k, int n)
{
    return 100.0 * k / n;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4000;
    if (n < 10 || n > 1000000) {
        fprintf(stderr, "usage: bench_fixes [SERIES_PER_STRATUM >= 10]\n");
        return 64;
    }
    static const double mus[] = {5, 20, 80}, phis[] = {1, 2}, cuts[] = {0, 0.2, 0.3, 0.5};
    cw_effect_params p;
    cw_effect_params_default(&p);
    outcome *o = calloc((size_t)n, sizeof(*o));
    int *first = calloc((size_t)n, sizeof(int)), *none = calloc((size_t)n, sizeof(int));
    int *naive = calloc((size_t)n, sizeof(int));
    double y[WEEKS], limits[6];
    if (o == NULL || first == NULL || none == NULL || naive == NULL)
        return 71;
    printf("Fix verdicts, %d series per stratum, built-in limit %.2f, settling %u weeks, "
           "%u before weeks, verdict read weekly for %d weeks\n\n",
           n, p.limit, p.settling_weeks, p.before_weeks, LOOKS);
    printf("| per week | dispersion | true cut | median weeks to working | working by 13 / 26 / "
           "52 wk | ever no effect | median weeks to no effect | ever worse | declining "
           "again | naive: median weeks to working | naive: ever working |\n"
           "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
    int stratum = 0;
    for (size_t mi = 0; mi < 3; mi++)
        for (size_t fi = 0; fi < 2; fi++, stratum++)
            for (size_t ci = 0; ci < 4; ci++) {
                int w13 = 0, w26 = 0, w52 = 0, worse = 0, declining = 0, no_effect = 0;
                int naive_ever = 0;
                for (int i = 0; i < n; i++) {
                    rng r = {0x5eedULL + 1000003ULL * (uint64_t)(unsigned)i +
                             7919ULL * (uint64_t)(mi * 2 + fi)};
                    simulate(y, &r, mus[mi], phis[fi], cuts[ci]);
                    if (follow(&o[i], &p, y) != 0)
                        return 70;
                    first[i] = o[i].first_working;
                    none[i] = o[i].first_no_effect;
                    w13 += first[i] > 0 && first[i] <= 13;
                    w26 += first[i] > 0 && first[i] <= 26;
                    w52 += first[i] > 0;
                    worse += o[i].worse;
                    declining += o[i].declining;
                    no_effect += none[i] > 0;
                    naive[i] = 0;
                    for (int k = (int)p.min_after_weeks - 1; k < LOOKS && naive[i] == 0; k++)
                        if (o[i].min_z[k] < -1.645)
                            naive[i] = SETTLING + k + 1;
                    naive_ever += naive[i] > 0;
                }
                int med = median_weeks(first, n), med_none = median_weeks(none, n);
                int med_naive = median_weeks(naive, n);
                char med_text[16], none_text[16], naive_text[16];
                snprintf(naive_text, sizeof(naive_text), med_naive > 0 ? "%d" : "> %d",
                         med_naive > 0 ? med_naive : 54);
                snprintf(med_text, sizeof(med_text), med > 0 ? "%d" : "> %d", med > 0 ? med : 54);
                snprintf(none_text, sizeof(none_text), med_none > 0 ? "%d" : "> %d",
                         med_none > 0 ? med_none : 54);
                printf("| %.0f | %.0f | %.0f %% | %s | %.1f / %.1f / %.1f %% | %.1f %% | %s | "
                       "%.1f %% | %.1f %% | %s | %.1f %% |\n",
                       mus[mi], phis[fi], 100 * cuts[ci], med_text, pct(w13, n), pct(w26, n),
                       pct(w52, n), pct(no_effect, n), none_text, pct(worse, n), pct(declining, n),
                       naive_text, pct(naive_ever, n));
                if (ci == 0)
                    limits[stratum] = calibrate(o, n, p.min_after_weeks);
            }
    printf("\nCalibrated limit (false \"working\" at most %.0f %% over %d weekly looks):\n\n"
           "| per week | dispersion | limit |\n|---:|---:|---:|\n",
           100 * ALPHA, LOOKS);
    for (int s = 0; s < 6; s++)
        printf("| %.0f | %.0f | %.2f |\n", mus[s / 2], phis[s % 2], limits[s]);
    free(o);
    free(first);
    free(none);
    free(naive);
    return 0;
}
