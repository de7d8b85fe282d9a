/*
 * test_gen.c - the sample-data generator (tests/tools/gen_complaints) and its loader
 * (tests/tools/load-sample.sh): determinism, shape of the output, the injected
 * scenarios measured on the intended symptoms (--format debug), text variety, and
 * a load into the throwaway PostgreSQL.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "causeway/util/week.h"
#include "support.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const symptom_ids[] = {
    "order_mixup",          "discourtesy",   "billing_error",     "refund_not_processed",
    "digital_malfunction",  "delay_wait",    "wrong_information", "no_response",
    "product_quality",      "knowledge_gap", "policy_breach",     "process_friction",
    "manager_unresponsive", "blame_shifting"};

static void gen_path(char *buf, size_t size)
{
    const char *tools = getenv("CW_TOOLS");
    snprintf(buf, size, "%s/gen_complaints", tools ? tools : "build/release/tools");
}

/* Run the generator with up to 14 arguments (NULL-terminated); asserts it started. */
static void gen_run(cw_test_output *r, const char *const *args)
{
    char path[1024];
    gen_path(path, sizeof(path));
    const char *argv[16] = {path};
    size_t n = 1;
    for (; args[n - 1] && n < COUNT(argv) - 1; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    cr_assert_eq(cw_test_run_program(r, NULL, NULL, argv), 0, "could not start %s", path);
}

static void gen_ok(cw_test_output *r, const char *const *args)
{
    gen_run(r, args);
    cr_assert_eq(r->status, 0, "gen_complaints exited %d: %s", r->status, r->err);
}

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

/* One parsed row of --format copy or debug (fields point into the output, NUL-cut). */
typedef struct grow {
    unsigned long long id;
    const char *ts, *channel, *site, *product, *segment, *symptoms, *body;
    long week; /* index from the first week of the data */
} grow;

static long days_of(const char *date)
{
    int y = 0;
    unsigned m = 0, d = 0;
    cr_assert_eq(sscanf(date, "%4d-%2u-%2u", &y, &m, &d), 3, "bad date '%.12s'", date);
    return cw_week_days_from_civil(y, m, d);
}

/* Split the output in place; `debug` rows have the symptoms column. */
static grow *parse_rows(size_t *n_out, char *out, size_t len, int debug, const char *start)
{
    size_t cap = count_lines(out, len), n = 0;
    grow *rows = calloc(cap ? cap : 1, sizeof(*rows));
    cr_assert_not_null(rows);
    cw_week first = cw_week_from_days(days_of(start));
    for (char *line = out; n < cap && *line; n++) {
        char *nl = strchr(line, '\n');
        cr_assert_not_null(nl);
        *nl = '\0';
        char *f[8] = {0};
        size_t nf = 0;
        for (char *p = line; nf < COUNT(f); nf++) {
            f[nf] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        size_t want = debug ? 7 : 6; /* index of the last field */
        cr_assert_eq(nf, want, "row %zu has %zu fields", n + 1, nf + 1);
        grow *g = &rows[n];
        g->id = strtoull(f[0], NULL, 10);
        g->ts = f[1];
        g->channel = f[2];
        g->site = f[3];
        g->product = f[4];
        g->segment = f[5];
        g->symptoms = debug ? f[6] : "";
        g->body = f[want];
        g->week = cw_week_from_days(days_of(g->ts)) - first;
        line = nl + 1;
    }
    *n_out = n;
    return rows;
}

/* Does the comma-separated list `set` contain `id`? */
static int has_symptom(const char *set, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = set; (p = strstr(p, id)) != NULL; p += n)
        if ((p == set || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------------ */

Test(gen, same_seed_is_byte_identical_and_seeds_differ)
{
    cw_test_output a, b, c;
    const char *args7[] = {"--seed", "7", "--weeks", "10", "--per-week", "300", NULL};
    const char *args8[] = {"--seed", "8", "--weeks", "10", "--per-week", "300", NULL};
    gen_ok(&a, args7);
    gen_ok(&b, args7);
    gen_ok(&c, args8);
    cr_assert_gt(a.out_len, 1000);
    cr_assert_eq(a.out_len, b.out_len);
    cr_assert(memcmp(a.out, b.out, a.out_len) == 0, "same seed, different output");
    cr_assert(a.out_len != c.out_len || memcmp(a.out, c.out, a.out_len) != 0,
              "different seeds, same output");
    cw_test_output_fini(&a);
    cw_test_output_fini(&b);
    cw_test_output_fini(&c);
}

Test(gen, rows_are_exact_with_unique_ordered_ids_inside_the_weeks)
{
    cw_test_output r;
    /* A Wednesday: the data starts on the Monday of its week (2025-03-03). */
    const char *args[] = {"--rows", "5000", "--weeks", "52", "--start", "2025-03-05", NULL};
    gen_ok(&r, args);
    size_t n;
    grow *rows = parse_rows(&n, r.out, r.out_len, 0, "2025-03-05");
    cr_assert_eq(n, 5000);
    unsigned char seen[52] = {0};
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(rows[i].id, i + 1, "ids are 1..N in order");
        cr_assert(rows[i].week >= 0 && rows[i].week < 52, "row %zu in week %ld", i, rows[i].week);
        seen[rows[i].week] = 1;
        cr_assert_eq(strlen(rows[i].ts), 22, "timestamp '%s'", rows[i].ts);
        cr_assert_str_eq(rows[i].ts + 19, "+00");
        if (i > 0)
            cr_assert(strcmp(rows[i - 1].ts, rows[i].ts) <= 0, "received_at goes back at %zu", i);
        cr_assert_gt(strlen(rows[i].body), 10);
    }
    cr_assert(strncmp(rows[0].ts, "2025-03-0", 9) == 0, "first row %s", rows[0].ts);
    for (size_t w = 0; w < 52; w++)
        cr_assert(seen[w], "no row in week %zu", w);
    free(rows);
    cw_test_output_fini(&r);
}

Test(gen, per_week_sets_the_mean_volume)
{
    cw_test_output r;
    const char *args[] = {"--per-week", "500", "--weeks", "20", "--scenarios", "none", NULL};
    gen_ok(&r, args);
    size_t n = count_lines(r.out, r.out_len);
    cr_assert(n > 8500 && n < 11500, "%zu rows for 20 weeks x 500", n);
    cw_test_output_fini(&r);
}

Test(gen, scenarios_stay_bounded_over_long_histories)
{
    /* The drift compounds: over ten years it must not swamp the data. */
    cw_test_output r;
    const char *args[] = {"--per-week", "20", "--weeks", "520", NULL};
    gen_ok(&r, args);
    size_t n = count_lines(r.out, r.out_len);
    cr_assert(n > 9000 && n < 12500, "%zu rows for 520 weeks x 20", n);
    cw_test_output_fini(&r);
}

Test(gen, every_symptom_and_neutral_text_is_generated)
{
    cw_test_output r;
    const char *args[] = {"--weeks", "10", "--per-week", "800", "--format", "debug", NULL};
    gen_ok(&r, args);
    size_t n;
    grow *rows = parse_rows(&n, r.out, r.out_len, 1, "2025-01-06");
    size_t per[COUNT(symptom_ids)] = {0}, neutral = 0, negated = 0, pairs = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].symptoms[0] == '\0') {
            neutral++;
            negated += strstr(rows[i].body, " not ") != NULL ||
                       strstr(rows[i].body, "Nothing was") != NULL ||
                       strstr(rows[i].body, "nothing wrong") != NULL;
        }
        pairs += strchr(rows[i].symptoms, ',') != NULL;
        for (size_t k = 0; k < COUNT(symptom_ids); k++)
            per[k] += has_symptom(rows[i].symptoms, symptom_ids[k]);
    }
    for (size_t k = 0; k < COUNT(symptom_ids); k++)
        cr_assert_gt(per[k], 50, "%s: only %zu rows", symptom_ids[k], per[k]);
    cr_assert_gt(neutral, n / 20, "neutral rows: %zu of %zu", neutral, n);
    cr_assert_gt(negated, 20, "negated sentences in neutral rows: %zu", negated);
    cr_assert(pairs > n / 20 && pairs < n / 4, "two-symptom rows: %zu of %zu", pairs, n);
    free(rows);
    cw_test_output_fini(&r);
}

Test(gen, text_varies_within_each_symptom)
{
    cw_test_output r;
    const char *args[] = {"--weeks", "60", "--per-week", "1000", "--format", "debug", NULL};
    gen_ok(&r, args);
    size_t n;
    grow *rows = parse_rows(&n, r.out, r.out_len, 1, "2025-01-06");
    const char **bodies = malloc(1000 * sizeof(*bodies));
    cr_assert_not_null(bodies);
    for (size_t k = 0; k < COUNT(symptom_ids); k++) {
        size_t m = 0;
        for (size_t i = 0; i < n && m < 1000; i++)
            if (strcmp(rows[i].symptoms, symptom_ids[k]) == 0)
                bodies[m++] = rows[i].body;
        cr_assert_eq(m, 1000, "%s: only %zu single-symptom rows", symptom_ids[k], m);
        size_t distinct = 0;
        for (size_t i = 0; i < m; i++) {
            size_t j = 0;
            while (j < i && strcmp(bodies[j], bodies[i]) != 0)
                j++;
            distinct += j == i;
        }
        cr_assert_geq(distinct, 500, "%s: %zu distinct bodies in 1000", symptom_ids[k], distinct);
    }
    free(bodies);
    free(rows);
    cw_test_output_fini(&r);
}

/* ------------------------------------------------------------------------ */
/* Ground truth and injected effects                                         */

typedef struct truth_row {
    char scenario[64], kind[16], symptom[32], area[32], site[32], channel[16];
    long onset, end; /* week indexes from the first week */
    double magnitude;
} truth_row;

static size_t read_truth(truth_row *t, size_t cap, const char *path, const char *start)
{
    char *text = cw_test_read_file(path, NULL);
    cr_assert_not_null(text, "no truth file %s", path);
    const char *header = "scenario,kind,symptom,area,site,channel,onset_week,end_week,magnitude\n";
    cr_assert(strncmp(text, header, strlen(header)) == 0, "truth header: %.80s", text);
    cw_week first = cw_week_from_days(days_of(start));
    size_t n = 0;
    for (char *line = text + strlen(header); *line && n < cap; n++) {
        char *nl = strchr(line, '\n');
        cr_assert_not_null(nl);
        *nl = '\0';
        char *f[9];
        size_t nf = 0;
        for (char *p = line; nf < 9; nf++) {
            f[nf] = p;
            char *comma = strchr(p, ',');
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        cr_assert_eq(nf, 8, "truth row %zu has %zu fields", n + 1, nf + 1);
        truth_row *r = &t[n];
        snprintf(r->scenario, sizeof(r->scenario), "%s", f[0]);
        snprintf(r->kind, sizeof(r->kind), "%s", f[1]);
        snprintf(r->symptom, sizeof(r->symptom), "%s", f[2]);
        snprintf(r->area, sizeof(r->area), "%s", f[3]);
        snprintf(r->site, sizeof(r->site), "%s", f[4]);
        snprintf(r->channel, sizeof(r->channel), "%s", f[5]);
        cw_error err;
        cw_error_clear(&err);
        cw_week w;
        cr_assert_eq(cw_week_parse(&w, f[6], &err), 0, "onset '%s'", f[6]);
        cr_assert(strlen(f[6]) == 8 && f[6][5] == 'W', "onset '%s' is not YYYY-Www", f[6]);
        r->onset = w - first;
        cr_assert_eq(cw_week_parse(&w, f[7], &err), 0, "end '%s'", f[7]);
        r->end = w - first;
        r->magnitude = strtod(f[8], NULL);
        line = nl + 1;
    }
    free(text);
    return n;
}

static const truth_row *find_kind(const truth_row *t, size_t n, const char *kind)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].kind, kind) == 0)
            return &t[i];
    return NULL;
}

Test(gen, truth_lists_the_four_kinds_inside_the_range)
{
    const char *weeks_list[] = {"52", "78", "104"};
    for (size_t wi = 0; wi < COUNT(weeks_list); wi++) {
        char *path = cw_test_write_temp("", 0);
        cw_test_output r;
        const char *args[] = {"--weeks", weeks_list[wi], "--per-week", "10", "--truth", path, NULL};
        gen_ok(&r, args);
        truth_row t[16];
        size_t n = read_truth(t, COUNT(t), path, "2025-01-06");
        long weeks = atol(weeks_list[wi]);
        const char *kinds[] = {"drift", "shift", "spike", "stable"};
        for (size_t k = 0; k < COUNT(kinds); k++)
            cr_assert_not_null(find_kind(t, n, kinds[k]), "%s weeks: no %s", weeks_list[wi],
                               kinds[k]);
        for (size_t i = 0; i < n; i++) {
            cr_assert(t[i].onset >= 0 && t[i].onset <= t[i].end && t[i].end < weeks,
                      "%s: weeks %ld..%ld of %ld", t[i].scenario, t[i].onset, t[i].end, weeks);
            cr_assert(t[i].symptom[0] && t[i].area[0]);
        }
        const truth_row *d = find_kind(t, n, "drift"), *s = find_kind(t, n, "spike");
        cr_assert_str_eq(d->symptom, "order_mixup");
        cr_assert_str_eq(d->site, "leeds");
        cr_assert_str_eq(d->area, "process");
        cr_assert_float_eq(d->magnitude, 0.05, 1e-9);
        cr_assert_str_eq(find_kind(t, n, "shift")->channel, "app");
        cr_assert_str_eq(find_kind(t, n, "shift")->site, "");
        cr_assert_eq(s->onset, s->end);
        cr_assert_lt(s->onset, weeks - 3, "spike in the last three weeks");
        cr_assert_gt(weeks - d->onset, 15, "drift too short to see");
        unlink(path);
        free(path);
        cw_test_output_fini(&r);
    }
}

Test(gen, scenarios_none_has_only_stable_references)
{
    char *path = cw_test_write_temp("", 0);
    cw_test_output r;
    const char *args[] = {"--weeks", "52",      "--per-week", "10", "--scenarios",
                          "none",    "--truth", path,         NULL};
    gen_ok(&r, args);
    truth_row t[16];
    size_t n = read_truth(t, COUNT(t), path, "2025-01-06");
    cr_assert_eq(n, 3);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(t[i].kind, "stable");
    unlink(path);
    free(path);
    cw_test_output_fini(&r);
}

enum { MAX_WEEKS = 128, NSITES = 8 };
static const char *const site_ids[NSITES] = {"leeds",      "glasgow",     "bristol",    "cardiff",
                                             "manchester", "london_east", "birmingham", "belfast"};

/* Weekly orders per site (the exposure file): rates take the yearly season out. */
typedef struct volumes {
    double v[NSITES][MAX_WEEKS];
} volumes;

static int site_index(const char *site)
{
    for (int i = 0; i < NSITES; i++)
        if (strcmp(site_ids[i], site) == 0)
            return i;
    return -1;
}

static void read_volumes(volumes *vol, const char *path, const char *start)
{
    size_t len;
    char *text = cw_test_read_file(path, &len);
    cr_assert_not_null(text, "no exposure file %s", path);
    memset(vol, 0, sizeof(*vol));
    cw_week first = cw_week_from_days(days_of(start));
    char date[16], site[32];
    double v;
    int off = 0;
    for (const char *p = text; sscanf(p, "%15s\t%31s\t%lf\n%n", date, site, &v, &off) == 3;
         p += off) {
        long w = cw_week_from_days(days_of(date)) - first;
        int s = site_index(site);
        cr_assert(s >= 0 && w >= 0 && w < MAX_WEEKS, "exposure row %s %s", date, site);
        vol->v[s][w] = v;
    }
    free(text);
}

/* Complaints with `symptom` at `site` (NULL: all) through `channel` (NULL: all) per week. */
typedef struct series {
    double count[MAX_WEEKS], volume[MAX_WEEKS];
} series;

static void weekly(series *s, const grow *rows, size_t n, const volumes *vol, const char *symptom,
                   const char *site, const char *channel)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < n; i++)
        if (rows[i].week >= 0 && rows[i].week < MAX_WEEKS &&
            has_symptom(rows[i].symptoms, symptom) && (!site || strcmp(rows[i].site, site) == 0) &&
            (!channel || strcmp(rows[i].channel, channel) == 0))
            s->count[rows[i].week] += 1.0;
    for (int k = 0; k < NSITES; k++)
        if (!site || strcmp(site_ids[k], site) == 0)
            for (int w = 0; w < MAX_WEEKS; w++)
                s->volume[w] += vol->v[k][w];
}

/* Complaints per 1000 orders over weeks [from, to). */
static double rate(const series *s, long from, long to)
{
    double c = 0.0, v = 0.0;
    for (long w = from; w < to; w++) {
        c += s->count[w];
        v += s->volume[w];
    }
    cr_assert_gt(v, 0.0, "no exposure for weeks %ld..%ld", from, to);
    return 1000.0 * c / v;
}

static double mean_count(const series *s, long from, long to)
{
    double c = 0.0;
    for (long w = from; w < to; w++)
        c += s->count[w];
    return c / (double)(to - from);
}

static grow *effects_data(cw_test_output *r, size_t *n, truth_row *t, size_t *nt, volumes *vol,
                          const char *scenarios)
{
    char *truth = cw_test_write_temp("", 0), *exposure = cw_test_write_temp("", 0);
    const char *args[] = {"--weeks",    "78",     "--per-week",  "2000",    "--format",
                          "debug",      "--seed", "3",           "--truth", truth,
                          "--exposure", exposure, "--scenarios", scenarios, NULL};
    gen_ok(r, args);
    *nt = read_truth(t, 16, truth, "2025-01-06");
    read_volumes(vol, exposure, "2025-01-06");
    unlink(truth);
    unlink(exposure);
    free(truth);
    free(exposure);
    return parse_rows(n, r->out, r->out_len, 1, "2025-01-06");
}

/*
 * Effect sizes are compared as rates per order (the exposure), as causeway does:
 * raw counts also carry the mild yearly season. Bounds hold for seeds 1..25 with
 * room to spare (measured: drift >= 1.64, shift 1.49..1.84, spike >= 2.6).
 */
Test(gen, injected_drift_shift_and_spike_are_measurable, .timeout = 120)
{
    cw_test_output r;
    truth_row t[16];
    volumes vol;
    size_t n, nt;
    grow *rows = effects_data(&r, &n, t, &nt, &vol, "default");
    series s;
    const truth_row *d = find_kind(t, nt, "drift");
    weekly(&s, rows, n, &vol, "order_mixup", "leeds", NULL);
    double early = rate(&s, d->onset, d->onset + 8), late = rate(&s, 70, 78);
    double before = rate(&s, d->onset - 16, d->onset);
    cr_assert_gt(mean_count(&s, d->onset, d->onset + 8), 30.0, "leeds order_mixup too rare");
    cr_assert_geq(late / early, 1.5, "drift: last 8 weeks %.3f vs first 8 after onset %.3f", late,
                  early);
    cr_assert(early / before > 0.85 && early / before < 1.4,
              "drift is a slope, not a step: %.3f before, %.3f after", before, early);

    const truth_row *sh = find_kind(t, nt, "shift");
    weekly(&s, rows, n, &vol, "digital_malfunction", NULL, "app");
    double pre = rate(&s, sh->onset - 12, sh->onset), post = rate(&s, sh->onset, 78);
    cr_assert(post / pre > 1.9 && post / pre < 3.0, "shift x%.2f (want ~2.5)", post / pre);
    weekly(&s, rows, n, &vol, "digital_malfunction", NULL, "web");
    pre = rate(&s, sh->onset - 12, sh->onset);
    post = rate(&s, sh->onset, 78);
    cr_assert(post / pre > 0.8 && post / pre < 1.25, "web did not shift: x%.2f", post / pre);

    const truth_row *sp = find_kind(t, nt, "spike");
    weekly(&s, rows, n, &vol, "delay_wait", "glasgow", NULL);
    double around =
        (rate(&s, sp->onset - 6, sp->onset) + rate(&s, sp->onset + 1, sp->onset + 4)) / 2;
    cr_assert_gt(rate(&s, sp->onset, sp->onset + 1) / around, 2.2, "spike %.3f vs %.3f around",
                 rate(&s, sp->onset, sp->onset + 1), around);
    cr_assert_lt(rate(&s, sp->onset + 1, sp->onset + 4) / rate(&s, sp->onset - 6, sp->onset), 1.4,
                 "the spike is one week only");

    for (size_t i = 0; i < nt; i++) {
        if (strcmp(t[i].kind, "stable") != 0)
            continue;
        weekly(&s, rows, n, &vol, t[i].symptom, t[i].site, NULL);
        double a = rate(&s, 0, 39), b = rate(&s, 39, 78);
        cr_assert_gt(mean_count(&s, 0, 78), 10.0, "%s too rare", t[i].scenario);
        cr_assert(b / a > 0.8 && b / a < 1.25, "%s is not stable: %.3f then %.3f", t[i].scenario, a,
                  b);
    }
    free(rows);
    cw_test_output_fini(&r);
}

/*
 * The recorded fixes' truth: the target of the one that works loses 40 % of its complaints
 * from the start week (the rows stay, as neutral messages), the other target keeps its
 * rate. Rates per order, as above.
 */
Test(gen, the_working_fix_cuts_its_target_by_40_percent_and_the_other_nothing, .timeout = 120)
{
    cw_test_output r;
    truth_row t[16];
    volumes vol;
    size_t n, nt;
    grow *rows = effects_data(&r, &n, t, &nt, &vol, "default");
    series s;
    const truth_row *works = find_kind(t, nt, "fix_works"), *none = find_kind(t, nt, "fix_none");
    cr_assert(works != NULL && none != NULL, "no fix scenarios in the truth");
    cr_assert_eq(works->onset, none->onset, "both fixes start in the same week");
    cr_assert_float_eq(works->magnitude, -0.40, 1e-9);
    weekly(&s, rows, n, &vol, works->symptom, works->site, NULL);
    double before = rate(&s, works->onset - 26, works->onset), after = rate(&s, works->onset, 78);
    cr_assert_gt(mean_count(&s, 0, works->onset), 10.0, "%s too rare", works->scenario);
    cr_assert(after / before > 0.5 && after / before < 0.7, "%s: x%.3f, want 0.6", works->scenario,
              after / before);
    weekly(&s, rows, n, &vol, none->symptom, none->site, NULL);
    before = rate(&s, none->onset - 26, none->onset);
    after = rate(&s, none->onset, 78);
    cr_assert(after / before > 0.85 && after / before < 1.15, "%s: x%.3f, want 1", none->scenario,
              after / before);
    free(rows);
    cw_test_output_fini(&r);
}

Test(gen, without_scenarios_leeds_does_not_drift, .timeout = 120)
{
    cw_test_output r;
    truth_row t[16];
    volumes vol;
    size_t n, nt;
    grow *rows = effects_data(&r, &n, t, &nt, &vol, "none");
    series s;
    weekly(&s, rows, n, &vol, "order_mixup", "leeds", NULL);
    /* The windows of the drift test: weeks 47..54 and 70..77 of 78. */
    double early = rate(&s, 47, 55), late = rate(&s, 70, 78);
    cr_assert(late / early > 0.7 && late / early < 1.4, "no scenario, yet %.3f -> %.3f", early,
              late);
    weekly(&s, rows, n, &vol, "digital_malfunction", NULL, "app");
    double pre = rate(&s, 46, 58), post = rate(&s, 58, 78);
    cr_assert(post / pre > 0.8 && post / pre < 1.25, "no scenario, yet app x%.2f", post / pre);
    free(rows);
    cw_test_output_fini(&r);
}

Test(gen, exposure_has_one_row_per_site_and_week_tracking_volume)
{
    char *path = cw_test_write_temp("", 0);
    cw_test_output r;
    const char *args[] = {"--weeks", "12", "--per-week", "800", "--exposure", path, NULL};
    gen_ok(&r, args);
    size_t len;
    char *text = cw_test_read_file(path, &len);
    cr_assert_not_null(text);
    cr_assert_eq(count_lines(text, len), 12 * 8);
    char date[16], site[32];
    double v, london = 0, belfast = 0;
    int off = 0;
    for (const char *p = text; sscanf(p, "%15s\t%31s\t%lf\n%n", date, site, &v, &off) == 3;
         p += off) {
        cr_assert_eq(cw_week_from_days(days_of(date)) * 7 + 4, days_of(date), "%s not a Monday",
                     date);
        cr_assert_gt(v, 0.0);
        london += strcmp(site, "london_east") == 0 ? v : 0;
        belfast += strcmp(site, "belfast") == 0 ? v : 0;
    }
    cr_assert_gt(london, 2.0 * belfast, "site sizes: london_east %.0f, belfast %.0f", london,
                 belfast);
    free(text);
    unlink(path);
    free(path);
    cw_test_output_fini(&r);
}

Test(gen, csv_and_lines_hold_the_same_rows)
{
    cw_test_output copy, csv, lines;
    const char *a1[] = {"--rows", "2000", "--weeks", "8", NULL};
    const char *a2[] = {"--rows", "2000", "--weeks", "8", "--format", "csv", NULL};
    const char *a3[] = {"--rows", "2000", "--weeks", "8", "--format", "lines", NULL};
    gen_ok(&copy, a1);
    gen_ok(&csv, a2);
    gen_ok(&lines, a3);
    cr_assert_eq(count_lines(copy.out, copy.out_len), 2000);
    cr_assert_eq(count_lines(lines.out, lines.out_len), 2000);
    cr_assert(strncmp(csv.out, "id,received_at,channel,site,product,segment,body\n", 49) == 0);
    cr_assert_eq(count_lines(csv.out, csv.out_len), 2001, "csv bodies hold no newline");
    /* The first body is the same in all three formats. */
    char *nl = strchr(lines.out, '\n');
    *nl = '\0';
    cr_assert_not_null(strstr(copy.out, lines.out));
    cr_assert_not_null(strstr(csv.out, lines.out));
    cw_test_output_fini(&copy);
    cw_test_output_fini(&csv);
    cw_test_output_fini(&lines);
}

Test(gen, bad_options_are_usage_errors)
{
    const char *bad[][5] = {{"--format", "xml", NULL},
                            {"--weeks", "0", NULL},
                            {"--rows", "10", "--per-week", "5", NULL},
                            {"--start", "2025-13-01", NULL},
                            {"--scenarios", "some", NULL},
                            {"--seed", "-1", NULL},
                            {"--rows", "2000000000", "--weeks", "1", NULL},
                            {"extra", NULL}};
    for (size_t i = 0; i < COUNT(bad); i++) {
        cw_test_output r;
        gen_run(&r, bad[i]);
        cr_assert_eq(r.status, 64, "%s: status %d", bad[i][0], r.status);
        cr_assert_eq(r.out_len, 0);
        cr_assert_gt(r.err_len, 0);
        cw_test_output_fini(&r);
    }
}

Test(gen, write_error_exits_74)
{
    char path[1024];
    gen_path(path, sizeof(path));
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "exec '%s' --weeks 4 --per-week 100 >/dev/full", path);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    cw_test_output r;
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 74, "status %d: %s", r.status, r.err);
    cw_test_output_fini(&r);
    const char *truth[] = {"--weeks", "4", "--truth", "/dev/full", NULL};
    gen_run(&r, truth);
    cr_assert_eq(r.status, 74, "truth on /dev/full: status %d", r.status);
    cw_test_output_fini(&r);
}

/* ------------------------------------------------------------------------ */
/* load-sample.sh into the throwaway server, in a database of its own        */

static void psql_run(cw_test_output *r, const char *dsn, const char *sql)
{
    /* The test runner execs without a PATH search: env does it. */
    const char *argv[] = {"/usr/bin/env",    "psql", dsn, "-XAtq", "-v",
                          "ON_ERROR_STOP=1", "-c",   sql, NULL};
    cr_assert_eq(cw_test_run_program(r, NULL, NULL, argv), 0);
    cr_assert_eq(r->status, 0, "psql: %s", r->err);
}

Test(gen, load_sample_fills_complaints_and_exposure, .timeout = 120)
{
    const char *dsn = cw_test_dsn();
    char db[64], sql[128], dbdsn[1024], gen[1024], genenv[1100];
    cw_test_unique_name(db, sizeof(db), "gen_load");
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
    cw_test_output r;
    psql_run(&r, dsn, sql);
    cw_test_output_fini(&r);
    snprintf(dbdsn, sizeof(dbdsn), "%s%sdbname=%s", dsn, strchr(dsn, '?') ? "&" : "?", db);
    gen_path(gen, sizeof(gen));
    snprintf(genenv, sizeof(genenv), "CW_GEN=%s", gen);
    const char *env[] = {genenv, NULL};

    /* Twice: the second load replaces the first. */
    for (int round = 0; round < 2; round++) {
        const char *argv[] = {"tests/tools/load-sample.sh", dbdsn,    "--weeks", "8", "--per-week",
                              round ? "300" : "200",        "--seed", "2",       NULL};
        cr_assert_eq(cw_test_run_program(&r, env, NULL, argv), 0);
        cr_assert_eq(r.status, 0, "load-sample.sh: %s", r.err);
        cr_assert_not_null(strstr(r.err, "load-sample: "), "no summary: %s", r.err);
        cr_assert_not_null(strstr(r.err, " 8 weeks"), "summary: %s", r.err);
        cw_test_output_fini(&r);
    }
    cw_test_output g;
    const char *args[] = {"--weeks", "8", "--per-week", "300", "--seed", "2", NULL};
    gen_ok(&g, args);
    size_t expected = count_lines(g.out, g.out_len);
    cw_test_output_fini(&g);

    psql_run(&r, dbdsn,
             "SELECT count(*), count(DISTINCT id), (SELECT count(*) FROM public.exposure), "
             "(SELECT count(*) FROM pg_indexes WHERE tablename = 'complaints') "
             "FROM public.complaints");
    unsigned long rows = 0, ids = 0, exposure = 0, indexes = 0;
    cr_assert_eq(sscanf(r.out, "%lu|%lu|%lu|%lu", &rows, &ids, &exposure, &indexes), 4, "%s",
                 r.out);
    cw_test_output_fini(&r);
    cr_assert_eq(rows, expected, "PostgreSQL has %lu rows, the generator wrote %zu", rows,
                 expected);
    cr_assert_eq(ids, rows);
    cr_assert_eq(exposure, 8 * 8);
    cr_assert_eq(indexes, 3, "primary key, received_at and updated_at indexes are back");

    /* A failing generator leaves the previous data in place. */
    const char *bad[] = {"tests/tools/load-sample.sh", dbdsn, "--format-typo", NULL};
    cr_assert_eq(cw_test_run_program(&r, env, NULL, bad), 0);
    cr_assert_neq(r.status, 0);
    cw_test_output_fini(&r);
    psql_run(&r, dbdsn, "SELECT count(*) FROM public.complaints");
    cr_assert_eq(strtoul(r.out, NULL, 10), expected, "data lost after a failed load");
    cw_test_output_fini(&r);

    snprintf(sql, sizeof(sql), "DROP DATABASE %s", db);
    psql_run(&r, dsn, sql);
    cw_test_output_fini(&r);
}
