/* score.c - the remediation score; the formula is documented in score.h. */
#include "causeway/analysis/score.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cw_score_params_default(cw_score_params *p)
{
    memset(p, 0, sizeof(*p));
    p->horizon_weeks = 4;
    p->trend_cap = 3.0;
    p->floor_share[4] = 0.25;
    p->floor_share[5] = 0.5;
}

static double trend_factor(const cw_score_params *p, const cw_score_input *in)
{
    if (!in->rising)
        return 1.0;
    double excess =
        isfinite(in->level_ratio) && in->level_ratio > 1.0 ? in->level_ratio - 1.0 : 0.0;
    double growth = in->slope_pct > 0.0 ? pow(1.0 + in->slope_pct / 100.0, p->horizon_weeks) : 1.0;
    double f = (1.0 + excess) * growth;
    return f > p->trend_cap ? p->trend_cap : f;
}

/* Items held up by the same severity floor are ordered by what they cost now. */
static int by_score_then_key(const void *a, const void *b)
{
    const cw_score_item *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    double vx = x->volume * x->trend_factor, vy = y->volume * y->trend_factor;
    if (vx != vy)
        return vx > vy ? -1 : 1;
    return strcmp(x->key, y->key);
}

void cw_score_compute(cw_score_item *out, const cw_score_params *p, const cw_score_input *in,
                      size_t n)
{
    assert(n == 0 || (out != NULL && in != NULL));
    double top = 0.0;
    for (size_t i = 0; i < n; i++) {
        out[i] = (cw_score_item){.input = i, .key = in[i].key, .volume = in[i].volume};
        double own = trend_factor(p, &in[i]), driver = 1.0;
        if (isfinite(in[i].driver_ratio) && in[i].driver_ratio > 1.0)
            driver = in[i].driver_ratio > p->trend_cap ? p->trend_cap : in[i].driver_ratio;
        out[i].driver_factor = driver;
        out[i].trend_factor = own > driver ? own : driver;
        out[i].score = in[i].volume * out[i].trend_factor;
        if (out[i].score > top)
            top = out[i].score;
    }
    /* The floor is relative to the top score so a severe item surfaces whatever the scale. */
    for (size_t i = 0; i < n; i++) {
        int sev = in[i].rare_severity < 0 ? 0 : in[i].rare_severity > 5 ? 5 : in[i].rare_severity;
        double floor = p->floor_share[sev] * top;
        if (floor > out[i].score) {
            out[i].severity_floor = floor;
            out[i].score = floor;
        }
    }
    if (n > 0)
        qsort(out, n, sizeof(*out), by_score_then_key); /* keys are unique: a total order */
    for (size_t i = 0; i < n; i++)
        out[i].rank = (unsigned)(i + 1);
}
