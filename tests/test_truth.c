/*
 * test_truth.c - the whole job on generated sample data, checked against the
 * generator's ground truth (tests/tools/gen_complaints --truth): the injected
 * drift is flagged as drift for the right cause and site soon after onset and
 * ranks near the top; the step shift and the spike are flagged as such; the
 * stable reference series are not flagged; of the two fixes recorded as `make demo`
 * records them, the one whose target fell by 40 % is working and the other is
 * without effect.
 *
 * Uses the reference table public.complaints (loaded by load-sample.sh) and the
 * built-in rule set, as `make demo` does. One test, since the data set is shared.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "causeway/util/week.h"
#include "support.h"

#define MAX_TRUTH 16

typedef struct truth {
    char scenario[64], kind[16], symptom[64], area[64], site[64], channel[32];
    cw_week onset, end;
} truth;

static truth rows[MAX_TRUTH];
static size_t row_count;
static char results[64];
static cw_week first_week, last_week;

static char *sql(const char *query)
{
    cw_test_output r;
    const char *argv[] = {"psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", cw_test_dsn(),
                          "-c",   query,   NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "psql: %s", r.err);
    char *out = r.out;
    r.out = NULL;
    while (r.out_len > 0 && out[r.out_len - 1] == '\n')
        out[--r.out_len] = '\0';
    cw_test_output_fini(&r);
    return out;
}

/* Split a line at `sep` (the truth file has no quoted fields) into fields. */
static size_t split_at(char *line, char sep, char **fields, size_t max)
{
    size_t n = 0;
    for (char *p = line; n < max;) {
        fields[n++] = p;
        char *comma = strchr(p, sep);
        if (comma == NULL)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static cw_week parse_week(const char *text)
{
    cw_week w = 0;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_week_parse(&w, text, &err), 0, "bad week '%s'", text);
    return w;
}

static void load_truth(const char *path)
{
    char *text = cw_test_read_file(path, NULL);
    cr_assert_not_null(text, "no truth file");
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save); /* header */
    cr_assert(line != NULL && strncmp(line, "scenario,kind,symptom,area,site", 31) == 0,
              "unexpected truth header: %s", line);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL && row_count < MAX_TRUTH) {
        char *f[9];
        cr_assert_eq(split_at(line, ',', f, 9), 9, "bad truth line: %s", line);
        truth *t = &rows[row_count++];
        snprintf(t->scenario, sizeof(t->scenario), "%s", f[0]);
        snprintf(t->kind, sizeof(t->kind), "%s", f[1]);
        snprintf(t->symptom, sizeof(t->symptom), "%s", f[2]);
        snprintf(t->area, sizeof(t->area), "%s", f[3]);
        snprintf(t->site, sizeof(t->site), "%s", f[4]);
        snprintf(t->channel, sizeof(t->channel), "%s", f[5]);
        t->onset = f[6][0] != '\0' ? parse_week(f[6]) : 0;
        t->end = f[7][0] != '\0' ? parse_week(f[7]) : 0;
    }
    free(text);
}

static const truth *find(const char *kind);

/* `causeway remediation add` for the truth row of `kind` (its target and start week). */
static void record_fix(const char *kind, const char *title, const char *cut)
{
    const truth *t = find(kind);
    char started[16];
    cw_week_format_iso(started, sizeof(started), t->onset);
    cw_test_output r;
    const char *add[] = {"causeway",    "remediation",    "add",      "-d",
                         cw_test_dsn(), "--schema",       results,    "--area",
                         t->area,       "--symptom",      t->symptom, "--site",
                         t->site,       "--started",      started,    "--title",
                         title,         "--expected-cut", cut,        NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, add), 0);
    cr_assert_eq(r.status, 0, "remediation add %s: %s", kind, r.err);
    cw_test_output_fini(&r);
}

/* Load the sample data, then one run backfilling every week after the first 40. */
static void setup_data(void)
{
    char truth_path[] = "/tmp/cw-truth-XXXXXX";
    int fd = mkstemp(truth_path);
    cr_assert(fd >= 0);
    close(fd);
    cw_test_output r;
    const char *load[] = {
        "tests/tools/load-sample.sh", cw_test_dsn(), "--weeks", "78", "--truth", truth_path, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, load), 0);
    cr_assert_eq(r.status, 0, "load-sample.sh: %s", r.err);
    cw_test_output_fini(&r);
    load_truth(truth_path);
    unlink(truth_path);
    cr_assert_geq(row_count, 4, "the truth file lists %zu scenarios", row_count);

    char *first = sql("SELECT min(received_at AT TIME ZONE 'UTC')::date FROM public.complaints");
    char *last = sql("SELECT max(received_at AT TIME ZONE 'UTC')::date FROM public.complaints");
    first_week = parse_week(first);
    last_week = parse_week(last) - 1; /* the last complete week */
    free(first);
    free(last);

    cw_test_unique_name(results, sizeof(results), "truth");
    const char *init[] = {"causeway", "db", "init", "-d", cw_test_dsn(), "--schema", results, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, init), 0);
    cr_assert_eq(r.status, 0, "db init: %s", r.err);
    cw_test_output_fini(&r);

    char range[48], a[16], b[16];
    cw_week_format_iso(a, sizeof(a), first_week + 40);
    cw_week_format_iso(b, sizeof(b), last_week);
    snprintf(range, sizeof(range), "%s..%s", a, b);
    /* A first run classifies the history (and makes the sites known), then the two fixes
     * are recorded as docker/demo.sh records them, then the weeks are ranked. */
    const char *first_run[] = {"causeway", "run", "-d",       cw_test_dsn(), "--schema", results,
                               "--week",   a,     "--format", "csv",         NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, first_run), 0);
    cr_assert_eq(r.status, 0, "run: %s", r.err);
    cw_test_output_fini(&r);
    record_fix("fix_works", "Pick-list check at the packing bench", "25");
    record_fix("fix_none", "Courtesy refresher for counter staff", "50");
    const char *run[] = {"causeway", "run", "-d",       cw_test_dsn(), "--schema", results,
                         "--week",   range, "--format", "csv",         NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, run), 0);
    cr_assert_eq(r.status, 0, "run: %s", r.err);
    cw_test_output_fini(&r);
}

static const truth *find(const char *kind)
{
    for (size_t i = 0; i < row_count; i++)
        if (strcmp(rows[i].kind, kind) == 0)
            return &rows[i];
    cr_assert_fail("no %s scenario in the truth file", kind);
    return NULL;
}

/* status|since|rank of one ranked item at `week` ("" when not ranked). */
static char *item(cw_week week, const char *kind, const char *area, const char *site)
{
    char monday[16], query[1024];
    cw_week_format_monday(monday, sizeof(monday), week);
    snprintf(query, sizeof(query),
             "SELECT status || '|' || coalesce(since_week::text, '') || '|' || rank"
             " FROM %s.rankings WHERE target_week = '%s' AND kind = '%s' AND area_id = '%s'"
             " AND site = '%s'",
             results, monday, kind, area, site);
    return sql(query);
}

static void split_item(char *text, char **status, cw_week *since, unsigned *rank)
{
    char *f[3] = {"", "", "0"};
    split_at(text, '|', f, 3);
    *status = f[0];
    *since = f[1][0] != '\0' ? parse_week(f[1]) : 0;
    *rank = (unsigned)strtoul(f[2], NULL, 10);
}

/*
 * The drift must be flagged as a sustained rise soon after onset, called a drift
 * (not a step) once it has run for a while, dated near its onset, and rank near the
 * top. In its first weeks a rise may still read as a step: which one it is shows only
 * as it goes on, so the first flag may say either.
 */
static bool sustained(const char *status)
{
    return strcmp(status, "drift") == 0 || strcmp(status, "shift") == 0;
}

/* Whether the drifting symptom at its site is a sustained driver of the item at `week`:
 * the decline found where it happens (issue 13), before its whole area shows it. */
static bool driver_sustained(cw_week week, const truth *t)
{
    char monday[16], query[1024];
    cw_week_format_monday(monday, sizeof(monday), week);
    snprintf(query, sizeof(query),
             "SELECT count(*) FROM %s.rankings r, jsonb_array_elements(r.drivers) d"
             " WHERE r.target_week = '%s' AND r.kind = 'area_site' AND r.area_id = '%s'"
             " AND r.site = '%s' AND d->>'kind' = 'symptom_site' AND d->>'symptom_id' = '%s'"
             " AND d->>'status' IN ('drift', 'shift')",
             results, monday, t->area, t->site, t->symptom);
    char *n = sql(query);
    bool yes = strcmp(n, "0") != 0;
    free(n);
    return yes;
}

static void drift_is_flagged_as_drift_early_and_ranks_high(void)
{
    const truth *t = find("drift");
    cw_week flagged = 0;
    for (cw_week w = t->onset; w <= last_week && flagged == 0; w++) {
        char *text = item(w, "area_site", t->area, t->site);
        char *status;
        cw_week since;
        unsigned rank;
        split_item(text, &status, &since, &rank);
        if (sustained(status) || driver_sustained(w, t))
            flagged = w;
        free(text);
    }
    cr_assert_neq(flagged, 0, "the drift of %s at %s was never flagged", t->area, t->site);
    /* The generator draws each week's cells with gamma noise (CV ~14 %) on top of
     * Poisson: at +5 %/week the rise clears that spread in about three months (13
     * weeks when this was written); make bench-detect measures delays per noise level. */
    cr_assert_leq(flagged - t->onset, 16, "flagged %ld weeks after onset",
                  (long)(flagged - t->onset));

    char *text = item(last_week, "area_site", t->area, t->site);
    char *status;
    cw_week since;
    unsigned rank;
    split_item(text, &status, &since, &rank);
    cr_assert_str_eq(status, "drift", "status at the last week: %s", text);
    cr_assert_leq(labs((long)(since - t->onset)), 12, "onset estimated %ld weeks off",
                  (long)(since - t->onset));
    cr_assert_leq(rank, 3, "the drifting item ranks %u", rank);
    free(text);
}

static void step_shift_is_flagged_as_shift(void)
{
    const truth *t = find("shift");
    char *text = item(last_week, t->site[0] != '\0' ? "area_site" : "area", t->area, t->site);
    char *status;
    cw_week since;
    unsigned rank;
    split_item(text, &status, &since, &rank);
    cr_assert_str_eq(status, "shift", "%s: %s", t->area, text);
    cr_assert_leq(labs((long)(since - t->onset)), 4, "onset estimated %ld weeks off",
                  (long)(since - t->onset));
    free(text);
}

static void spike_is_flagged_in_its_week_only(void)
{
    const truth *t = find("spike");
    char *text = item(t->onset, "area_site", t->area, t->site);
    char *status;
    cw_week since;
    unsigned rank;
    split_item(text, &status, &since, &rank);
    cr_assert_str_eq(status, "spike", "%s at %s in the spike week: %s", t->area, t->site, text);
    free(text);
    text = item(t->onset + 3, "area_site", t->area, t->site);
    split_item(text, &status, &since, &rank);
    cr_assert_str_neq(status, "spike", "still a spike three weeks later");
    free(text);
}

static void stable_series_are_not_flagged(void)
{
    size_t checked = 0;
    for (size_t i = 0; i < row_count; i++) {
        if (strcmp(rows[i].kind, "stable") != 0)
            continue;
        char *text = item(last_week, "area_site", rows[i].area, rows[i].site);
        char *status;
        cw_week since;
        unsigned rank;
        split_item(text, &status, &since, &rank);
        cr_assert(strcmp(status, "stable") == 0 || strcmp(status, "insufficient") == 0,
                  "%s at %s flagged %s", rows[i].area, rows[i].site, status);
        free(text);
        checked++;
    }
    cr_assert_geq(checked, 1);
}

/* verdict|change %|expected reached of the fix on `kind`'s target at `week`. */
static char *fix_verdict(cw_week week, const char *kind)
{
    const truth *t = find(kind);
    char monday[16], query[1024];
    cw_week_format_monday(monday, sizeof(monday), week);
    snprintf(query, sizeof(query),
             "SELECT verdict || '|' || coalesce(round(change_pct::numeric)::text, '') || '|'"
             " || coalesce(expected_reached::text, '') FROM %s.fix_verdicts"
             " WHERE target_week = '%s' AND area_id = '%s' AND symptom_id = '%s' AND site = '%s'",
             results, monday, t->area, t->symptom, t->site);
    return sql(query);
}

/*
 * The fix that cut its target by 40 % is working by the last week, with the expected
 * 25 % reached (fewer than 40 % of the recognised complaints fall: the target symptom
 * also appears as the second symptom of complaints the fix did not touch); it was not
 * yet known in its settling weeks. The fix that did nothing is without effect.
 */
static void fixes_get_the_right_verdicts(void)
{
    const truth *works = find("fix_works");
    char *text = fix_verdict(works->onset + 1, "fix_works");
    cr_assert(strncmp(text, "unknown|", 8) == 0, "in its settling weeks: %s", text);
    free(text);
    text = fix_verdict(last_week, "fix_works");
    char *f[3] = {"", "", ""};
    split_at(text, '|', f, 3);
    cr_assert_str_eq(f[0], "working", "the fix that works: %s", text);
    long change = strtol(f[1], NULL, 10);
    cr_assert(change <= -25 && change >= -50, "change %ld %%", change);
    cr_assert_str_eq(f[2], "true", "expected cut of 25 %% reached: %s", text);
    free(text);
    text = fix_verdict(last_week, "fix_none");
    split_at(text, '|', f, 3);
    cr_assert_str_eq(f[0], "no_effect", "the fix that does nothing: %s", text);
    cr_assert_str_eq(f[2], "false");
    free(text);
}

/* One test: Criterion runs tests in parallel processes, and the data set is shared. */
Test(truth, run_finds_the_injected_scenarios, .timeout = 900)
{
    setup_data();
    drift_is_flagged_as_drift_early_and_ranks_high();
    step_shift_is_flagged_as_shift();
    spike_is_flagged_in_its_week_only();
    stable_series_are_not_flagged();
    fixes_get_the_right_verdicts();
}
