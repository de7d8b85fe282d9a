/*
 * sim.h - the random numbers that simulated weekly counts are drawn from, shared by
 * the detection tests and bench-detect: splitmix64, uniform, normal and gamma
 * variates. Deterministic for a given seed; header-only (static inline), so each
 * program takes what it uses.
 */
#ifndef CAUSEWAY_TESTS_SIM_H
#define CAUSEWAY_TESTS_SIM_H

#include <math.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t next64(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform on (0, 1), never 0 or 1. */
static inline double uniform(rng *r)
{
    return ((double)(next64(r) >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal (Box-Muller, one of the pair). */
static inline double normal(rng *r)
{
    return sqrt(-2 * log(uniform(r))) * cos(6.283185307179586 * uniform(r));
}

/* Marsaglia-Tsang gamma(shape, 1). */
static inline double gamma_draw(rng *r, double shape)
{
    if (shape < 1)
        return gamma_draw(r, shape + 1) * pow(uniform(r), 1 / shape);
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = normal(r), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = uniform(r);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

#endif
