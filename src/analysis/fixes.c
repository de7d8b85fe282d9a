/* fixes.c - every recorded fix judged with a week's ranking, stored and loaded; see fixes.h. */
#include "causeway/analysis/fixes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/analysis/ranking_json.h"
#include "causeway/store/remediation.h"
#include "causeway/util/text.h"

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
}

void cw_fixes_free(cw_fix_verdict *fixes, size_t n)
{
    for (size_t i = 0; fixes != NULL && i < n; i++) {
        cw_fix_verdict *f = &fixes[i];
        free(f->area_id);
        free(f->symptom_id);
        free(f->site);
        free(f->series_kind);
        free(f->title);
        free(f->owner);
        free(f->series);
    }
    free(fixes);
}

static cw_fix_verdict *add_verdict(cw_ranking *r)
{
    cw_fix_verdict *bigger = realloc(r->fixes, (r->fix_count + 1) * sizeof(*bigger));
    if (bigger == NULL)
        return NULL;
    r->fixes = bigger;
    cw_fix_verdict *f = &r->fixes[r->fix_count++];
    memset(f, 0, sizeof(*f));
    f->expected_cut = NAN;
    return f;
}

/* ---- judging ------------------------------------------------------------ */

/* What one fix's judgement reads: weeks [first, first + n). */
typedef struct reading {
    cw_week first;
    size_t n;
    double *target, *exposure;
} reading;

static int week_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    cw_week *w = user;
    if (ncols == 1 && v[0] != NULL)
        return cw_week_parse(w, v[0], err);
    return 0;
}

static int index_of(const reading *rd, const char *date, size_t *i, cw_error *err)
{
    cw_week w;
    if (cw_week_parse(&w, date, err) != 0)
        return -1;
    if (w < rd->first || (size_t)(w - rd->first) >= rd->n)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "week %s outside the fix's range", date);
    *i = (size_t)(w - rd->first);
    return 0;
}

/* Row: week, complaints of the target's series. */
static int series_row(void *user, int ncols, const char *const *v, const size_t *lens,
                      cw_error *err)
{
    (void)lens;
    reading *rd = user;
    size_t i;
    if (ncols != 2 || v[0] == NULL || v[1] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected weekly row");
    if (index_of(rd, v[0], &i, err) != 0)
        return -1;
    rd->target[i] = strtod(v[1], NULL);
    return 0;
}

static int exposure_row(void *user, int ncols, const char *const *v, const size_t *lens,
                        cw_error *err)
{
    (void)lens;
    reading *rd = user;
    size_t i;
    if (ncols != 2 || v[0] == NULL || v[1] == NULL)
        return 0;
    if (index_of(rd, v[0], &i, err) != 0)
        return -1;
    rd->exposure[i] = strtod(v[1], NULL);
    return 0;
}

static int read_series(reading *rd, cw_db *db, const cw_analyse_params *p, const cw_remediation *r,
                       cw_error *err)
{
    char from[16], to[16];
    cw_week_format_monday(from, sizeof(from), rd->first);
    cw_week_format_monday(to, sizeof(to), rd->first + (cw_week)rd->n - 1);
    const char *series = cw_remediation_series(r);
    bool by_symptom = r->symptom_id[0] != '\0';
    char *sql =
        cw_text_printf("SELECT w.week::text, w.complaints::text FROM %s.weekly w"
                       " WHERE w.ruleset_id = $1::int AND w.week BETWEEN $2::date AND $3::date"
                       " AND w.series = $4 AND w.area_id = $5 AND w.site = $6 AND w.symptom_id = $7"
                       " ORDER BY 1",
                       p->schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {p->ruleset, from,         to, series, by_symptom ? "" : r->area_id,
                            r->site,    r->symptom_id};
    int rc = cw_db_query(db, sql, 7, params, series_row, rd, err);
    free(sql);
    return rc;
}

static int read_exposure(reading *rd, cw_db *db, const cw_source *src, const char *site,
                         cw_error *err)
{
    char from[16], to[16];
    cw_week_format_monday(from, sizeof(from), rd->first);
    cw_week_format_monday(to, sizeof(to), rd->first + (cw_week)rd->n - 1);
    const char *week = src->exposure_columns[CW_EXP_WEEK];
    char *sql = cw_text_printf(
        "SELECT pg_catalog.date_trunc('week', e.%s)::date::text, sum(e.%s)::float8::text"
        " FROM %s e WHERE e.%s >= $1::date AND e.%s < $2::date + 7"
        " AND ($3 = '' OR e.%s::text = $3) GROUP BY 1 ORDER BY 1",
        week, src->exposure_columns[CW_EXP_VOLUME], src->exposure_relation, week, week,
        src->exposure_columns[CW_EXP_SITE]);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {from, to, site};
    int rc = cw_db_query(db, sql, 3, params, exposure_row, rd, err);
    free(sql);
    return rc;
}

static bool in_rules(const cw_analyse_params *p, const cw_remediation *r)
{
    long area = cw_rules_find_area(p->rules, r->area_id);
    if (area < 0 ||
        (r->symptom_id[0] != '\0' && cw_rules_find_symptom(p->rules, r->symptom_id) < 0)) {
        cw_log_warn(p->log, "fix #%lld is not judged: the rule set has no %s '%s'", r->id,
                    area < 0 ? "cause area" : "symptom", area < 0 ? r->area_id : r->symptom_id);
        return false;
    }
    return true;
}

static int copy_fix(cw_fix_verdict *f, const cw_remediation *r, cw_error *err)
{
    f->id = r->id;
    f->started = r->started;
    f->has_end = r->ended;
    f->ended = r->ended_week;
    f->expected_cut = r->expected_cut;
    f->settling_weeks = r->settling_weeks;
    return cw_ranking_strdup(&f->area_id, r->area_id, err) != 0 ||
                   cw_ranking_strdup(&f->symptom_id, r->symptom_id, err) != 0 ||
                   cw_ranking_strdup(&f->site, r->site, err) != 0 ||
                   cw_ranking_strdup(&f->series_kind, cw_remediation_series(r), err) != 0 ||
                   cw_ranking_strdup(&f->title, r->title, err) != 0 ||
                   cw_ranking_strdup(&f->owner, r->owner, err) != 0
               ? -1
               : 0;
}

static int judge_one(cw_ranking *out, cw_db *db, const cw_analyse_params *p,
                     const cw_remediation *r, cw_week data_first, cw_error *err)
{
    cw_effect_params ep;
    cw_effect_params_default(&ep);
    ep.before_weeks = p->detect->baseline_weeks;
    ep.settling_weeks = r->settling_weeks;
    reading rd = {.first = r->started - (cw_week)ep.before_weeks};
    if (rd.first < data_first)
        rd.first = data_first < r->started ? data_first : r->started;
    rd.n = (size_t)(p->target - rd.first + 1);
    int rc = -1;
    bool exposure = p->src != NULL && p->src->exposure_relation != NULL;
    rd.target = calloc(rd.n, sizeof(double));
    rd.exposure = exposure ? calloc(rd.n, sizeof(double)) : NULL;
    cw_fix_verdict *f = add_verdict(out);
    if (rd.target == NULL || (exposure && rd.exposure == NULL) || f == NULL) {
        oom(err);
        goto done;
    }
    if (copy_fix(f, r, err) != 0 || read_series(&rd, db, p, r, err) != 0 ||
        (exposure && read_exposure(&rd, db, p->src, r->site, err) != 0))
        goto done;
    /* Complaints a week, or per exposure: not per other complaints, which move with every
     * other cause (a shift elsewhere at the site would read as this fix's effect). */
    f->per_exposure = rd.exposure != NULL;
    /* An ended fix is judged on its weeks; the chart still runs to the ranked week. */
    size_t judged = f->has_end && f->ended < p->target ? (size_t)(f->ended - rd.first + 1) : rd.n;
    if (cw_effect_assess(&f->effect, &ep, rd.target, rd.exposure, f->per_exposure, judged,
                         (size_t)(r->started - rd.first), r->expected_cut, err) != 0)
        goto done;
    f->series_first = rd.first;
    f->series = rd.target;
    f->series_len = rd.n;
    rd.target = NULL;
    rc = 0;
done:
    free(rd.target);
    free(rd.exposure);
    return rc;
}

int cw_fixes_evaluate(cw_ranking *out, cw_db *db, const cw_analyse_params *p, cw_error *err)
{
    cw_remediation_set fixes = {0};
    cw_remediation_query q = {.started_by = true, .until = p->target};
    cw_week data_first = p->target;
    char *sql = cw_text_printf("SELECT min(w.week)::text FROM %s.weekly w"
                               " WHERE w.ruleset_id = $1::int AND w.series = 'total'",
                               p->schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {p->ruleset};
    int rc = cw_db_query(db, sql, 1, params, week_row, &data_first, err);
    free(sql);
    if (rc == 0)
        rc = cw_remediation_load(&fixes, db, p->schema, &q, err);
    for (size_t i = 0; rc == 0 && i < fixes.count; i++)
        if (in_rules(p, &fixes.items[i]))
            rc = judge_one(out, db, p, &fixes.items[i], data_first, err);
    cw_remediation_set_fini(&fixes);
    return rc;
}

/* ---- the ranking ---------------------------------------------------------- */

/* Does fix f belong to item (area_id, site)? The cause area as a whole has every fix of
 * the area, at any site; an area at one site has the fixes at that site. */
static bool belongs(const cw_fix_verdict *f, const char *area_id, const char *site)
{
    return strcmp(f->area_id, area_id) == 0 && (site[0] == '\0' || strcmp(f->site, site) == 0);
}

void cw_fixes_adjust_rank(cw_ranking *r, cw_score_input *in, const char *area_id, const char *site,
                          const cw_week *since)
{
    for (size_t i = 0; i < r->fix_count && since != NULL && in->rising; i++) {
        cw_fix_verdict *f = &r->fixes[i];
        if (f->effect.verdict != CW_EFFECT_WORKING || !belongs(f, area_id, site))
            continue;
        if (*since < f->series_first + (cw_week)f->effect.after_from) {
            in->rising = false;
            in->slope_pct = 0;
            f->trend_withheld = true;
        }
    }
}

void cw_fixes_verdict_text(char *buf, size_t size, const cw_fix_verdict *f)
{
    const cw_effect *e = &f->effect;
    char tail[64] = "";
    if (e->declining_again && e->rebound_since >= 0) {
        char since[16];
        cw_week_format_iso(since, sizeof(since), f->series_first + e->rebound_since);
        snprintf(tail, sizeof(tail), "; declining again since %s", since);
    }
    switch (e->verdict) {
    case CW_EFFECT_WORKING:
        snprintf(buf, size, "working%s", tail);
        break;
    case CW_EFFECT_WORSE:
        snprintf(buf, size, "worse%s", tail);
        break;
    case CW_EFFECT_NO_EFFECT:
        snprintf(buf, size, "no effect after %zu weeks: a cut of %.0f %% is ruled out%s",
                 e->after_weeks, e->cut_judged, tail);
        break;
    default:
        if (e->before_weeks == 0)
            snprintf(buf, size, "not yet known: no weeks before the start to compare with%s", tail);
        else if (e->more_weeks < 0)
            snprintf(buf, size,
                     "not yet known: too few complaints to tell a %.0f %% cut at this volume%s",
                     e->cut_judged, tail);
        else
            snprintf(buf, size, "not yet known: %ld more week%s at the current volume%s",
                     e->more_weeks, e->more_weeks == 1 ? "" : "s", tail);
    }
}

const cw_fix_verdict *cw_fixes_next_for(const cw_ranking *r, const cw_ranking_entry *e, size_t *pos)
{
    for (; *pos < r->fix_count; ++*pos) {
        const cw_fix_verdict *f = &r->fixes[*pos];
        if (belongs(f, e->area_id, e->site)) {
            ++*pos;
            return f;
        }
    }
    return NULL;
}

const cw_ranking_entry *cw_fixes_entry(const cw_ranking *r, const cw_fix_verdict *f)
{
    const char *kind = f->site[0] != '\0' ? "area_site" : "area";
    for (size_t i = 0; i < r->count; i++) {
        const cw_ranking_entry *e = &r->entries[i];
        if (strcmp(e->kind, kind) == 0 && strcmp(e->area_id, f->area_id) == 0 &&
            strcmp(e->site, f->site) == 0)
            return e;
    }
    return NULL;
}

/* ---- storage -------------------------------------------------------------- */

#define COLUMNS                                                                                    \
    "target_week, remediation_id, area_id, symptom_id, site, series, title, owner, started,"       \
    " ended, expected_cut, settling_weeks, per_exposure, before_from, before_weeks, after_from,"   \
    " after_weeks, before_level, after_level, change_pct, change_low, change_high, z,"             \
    " dispersion, cut_judged, expected_reached, verdict, needed_weeks, more_weeks,"                \
    " declining_again, declining_since, trend_withheld, series_from, series_values, run_id,"       \
    " ruleset_hash"
#define COLUMN_COUNT 36

/* Doubles travel as text that reads back to the same bits; NaN as NULL. */
static const char *number(char buf[32], double v)
{
    if (isnan(v))
        return NULL;
    snprintf(buf, 32, "%.17g", v);
    return buf;
}

static const char *monday(char buf[16], cw_week w)
{
    cw_week_format_monday(buf, 16, w);
    return buf;
}

static int save_one(cw_db *db, const cw_ranking *r, const cw_fix_verdict *f, const char *run,
                    cw_error *err)
{
    const cw_effect *e = &f->effect;
    char id[24], settling[16], bw[16], aw[16], needed[16], more[16];
    char d[8][16], n[10][32];
    snprintf(id, sizeof(id), "%lld", f->id);
    snprintf(settling, sizeof(settling), "%u", f->settling_weeks);
    snprintf(bw, sizeof(bw), "%zu", e->before_weeks);
    snprintf(aw, sizeof(aw), "%zu", e->after_weeks);
    snprintf(needed, sizeof(needed), "%ld", e->needed_weeks);
    snprintf(more, sizeof(more), "%ld", e->more_weeks);
    char *values = cw_ranking_json_numbers_new(f->series, f->series_len);
    if (values == NULL)
        return oom(err);
    const char *row[COLUMN_COUNT] = {
        r->week_monday,
        id,
        f->area_id,
        f->symptom_id,
        f->site,
        f->series_kind,
        f->title,
        f->owner,
        monday(d[0], f->started),
        f->has_end ? monday(d[1], f->ended) : NULL,
        number(n[0], f->expected_cut),
        settling,
        f->per_exposure ? "t" : "f",
        e->before_weeks > 0 ? monday(d[2], f->series_first + (cw_week)e->before_from) : NULL,
        bw,
        monday(d[3], f->series_first + (cw_week)e->after_from),
        aw,
        number(n[1], e->before_level),
        number(n[2], e->after_level),
        number(n[3], e->change_pct),
        number(n[4], e->change_low),
        number(n[5], e->change_high),
        number(n[6], e->z),
        number(n[7], e->dispersion),
        number(n[8], e->cut_judged),
        e->expected_reached < 0 ? NULL
        : e->expected_reached   ? "t"
                                : "f",
        cw_effect_verdict_id(e->verdict),
        e->needed_weeks >= 0 ? needed : NULL,
        e->more_weeks >= 0 ? more : NULL,
        e->declining_again ? "t" : "f",
        e->rebound_since >= 0 ? monday(d[4], f->series_first + e->rebound_since) : NULL,
        f->trend_withheld ? "t" : "f",
        monday(d[5], f->series_first),
        values,
        run,
        r->ruleset_hash,
    };
    int rc = cw_db_copy_in_row(db, COLUMN_COUNT, row, NULL, err);
    free(values);
    return rc;
}

int cw_fixes_save(cw_db *db, const char *schema, const cw_ranking *r, long long run_id,
                  cw_error *err)
{
    char run[24];
    snprintf(run, sizeof(run), "%lld", run_id);
    char *del = cw_text_printf("DELETE FROM %s.fix_verdicts WHERE target_week = $1::date", schema);
    char *copy = cw_text_printf("COPY %s.fix_verdicts (" COLUMNS ") FROM STDIN", schema);
    int rc = -1;
    const char *params[] = {r->week_monday};
    if (del == NULL || copy == NULL) {
        oom(err);
        goto done;
    }
    if (cw_db_query(db, del, 1, params, NULL, NULL, err) != 0)
        goto done;
    if (r->fix_count == 0) {
        rc = 0;
        goto done;
    }
    if (cw_db_copy_in_begin(db, copy, err) != 0)
        goto done;
    for (size_t i = 0; i < r->fix_count; i++) {
        if (save_one(db, r, &r->fixes[i], run, err) != 0) {
            cw_db_copy_in_abort(db);
            goto done;
        }
    }
    rc = cw_db_copy_in_end(db, err);
done:
    free(del);
    free(copy);
    return rc;
}

/* ---- loading ---------------------------------------------------------------- */

/* Columns read back, in this order (the storage columns minus run and series values). */
enum {
    L_WEEK,
    L_ID,
    L_AREA,
    L_SYMPTOM,
    L_SITE,
    L_SERIES,
    L_TITLE,
    L_OWNER,
    L_STARTED,
    L_ENDED,
    L_EXPECTED,
    L_SETTLING,
    L_PER_EXPOSURE,
    L_BEFORE_FROM,
    L_BEFORE_WEEKS,
    L_AFTER_FROM,
    L_AFTER_WEEKS,
    L_BEFORE_LEVEL,
    L_AFTER_LEVEL,
    L_CHANGE,
    L_LOW,
    L_HIGH,
    L_Z,
    L_DISPERSION,
    L_CUT,
    L_REACHED,
    L_VERDICT,
    L_NEEDED,
    L_MORE,
    L_DECLINING,
    L_DECLINING_SINCE,
    L_WITHHELD,
    L_SERIES_FROM,
    L_COUNT
};

static double read_number(const char *text)
{
    return text == NULL ? NAN : strtod(text, NULL);
}

static int read_week(cw_week *w, const char *text, cw_error *err)
{
    if (text == NULL || cw_week_parse(w, text, err) != 0)
        return cw_error_set(err, CW_EXIT_DATAERR, "stored fix verdict without a week");
    return 0;
}

/* Index of date `text` in f's series; `none` when NULL. */
static long offset(const cw_fix_verdict *f, const char *text, long none)
{
    cw_week w;
    cw_error ignored;
    cw_error_clear(&ignored);
    if (text == NULL || cw_week_parse(&w, text, &ignored) != 0)
        return none;
    return (long)(w - f->series_first);
}

static int fill_effect(cw_fix_verdict *f, const char *const *v, cw_error *err)
{
    cw_effect *e = &f->effect;
    int verdict = cw_effect_verdict_parse(v[L_VERDICT]);
    if (verdict < 0)
        return cw_error_set(err, CW_EXIT_DATAERR, "stored fix verdict '%s' is unknown",
                            v[L_VERDICT] != NULL ? v[L_VERDICT] : "");
    e->verdict = (cw_effect_verdict)verdict;
    e->before_weeks = strtoul(v[L_BEFORE_WEEKS] != NULL ? v[L_BEFORE_WEEKS] : "0", NULL, 10);
    e->after_weeks = strtoul(v[L_AFTER_WEEKS] != NULL ? v[L_AFTER_WEEKS] : "0", NULL, 10);
    long bf = offset(f, v[L_BEFORE_FROM], 0), af = offset(f, v[L_AFTER_FROM], 0);
    e->before_from = bf > 0 ? (size_t)bf : 0;
    e->after_from = af > 0 ? (size_t)af : 0;
    e->before_level = read_number(v[L_BEFORE_LEVEL]);
    e->after_level = read_number(v[L_AFTER_LEVEL]);
    e->change_pct = read_number(v[L_CHANGE]);
    e->change_low = read_number(v[L_LOW]);
    e->change_high = read_number(v[L_HIGH]);
    e->z = read_number(v[L_Z]);
    e->dispersion = read_number(v[L_DISPERSION]);
    e->cut_judged = read_number(v[L_CUT]);
    e->expected_reached = v[L_REACHED] == NULL ? -1 : v[L_REACHED][0] == 't';
    e->needed_weeks = v[L_NEEDED] != NULL ? strtol(v[L_NEEDED], NULL, 10) : -1;
    e->more_weeks = v[L_MORE] != NULL ? strtol(v[L_MORE], NULL, 10) : -1;
    e->declining_again = v[L_DECLINING] != NULL && v[L_DECLINING][0] == 't';
    e->rebound_since = offset(f, v[L_DECLINING_SINCE], -1);
    e->rebound = CW_TREND_INSUFFICIENT; /* not stored: only declining_again is shown */
    return 0;
}

typedef struct loader {
    cw_ranking *r;
    bool set_week; /* fill r's week from the first row */
} loader;

static int verdict_row(void *user, int ncols, const char *const *v, const size_t *lens,
                       cw_error *err)
{
    (void)lens;
    loader *l = user;
    cw_ranking *r = l->r;
    if (ncols != L_COUNT || v[L_ID] == NULL || v[L_WEEK] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected fix_verdicts row");
    if (l->set_week && r->week_monday == NULL) {
        cw_week w;
        char iso[16];
        if (read_week(&w, v[L_WEEK], err) != 0)
            return -1;
        cw_week_format_iso(iso, sizeof(iso), w);
        if (cw_ranking_strdup(&r->target_week, iso, err) != 0 ||
            cw_ranking_strdup(&r->week_monday, v[L_WEEK], err) != 0)
            return -1;
    }
    cw_fix_verdict *f = add_verdict(r);
    if (f == NULL)
        return oom(err);
    f->id = strtoll(v[L_ID], NULL, 10);
    f->expected_cut = read_number(v[L_EXPECTED]);
    f->settling_weeks = (unsigned)strtoul(v[L_SETTLING] != NULL ? v[L_SETTLING] : "0", NULL, 10);
    f->per_exposure = v[L_PER_EXPOSURE] != NULL && v[L_PER_EXPOSURE][0] == 't';
    f->trend_withheld = v[L_WITHHELD] != NULL && v[L_WITHHELD][0] == 't';
    f->has_end = v[L_ENDED] != NULL;
    if (read_week(&f->started, v[L_STARTED], err) != 0 ||
        (f->has_end && read_week(&f->ended, v[L_ENDED], err) != 0) ||
        read_week(&f->series_first, v[L_SERIES_FROM], err) != 0 || fill_effect(f, v, err) != 0)
        return -1;
    if (cw_ranking_strdup(&f->area_id, v[L_AREA], err) != 0 ||
        cw_ranking_strdup(&f->symptom_id, v[L_SYMPTOM], err) != 0 ||
        cw_ranking_strdup(&f->site, v[L_SITE], err) != 0 ||
        cw_ranking_strdup(&f->series_kind, v[L_SERIES], err) != 0 ||
        cw_ranking_strdup(&f->title, v[L_TITLE], err) != 0 ||
        cw_ranking_strdup(&f->owner, v[L_OWNER], err) != 0)
        return -1;
    return 0;
}

static cw_fix_verdict *find_id(cw_ranking *r, long long id)
{
    for (size_t i = 0; i < r->fix_count; i++)
        if (r->fixes[i].id == id)
            return &r->fixes[i];
    return NULL;
}

/* Row: remediation id, position, value of its series (in array order). */
static int value_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    cw_ranking *r = user;
    if (ncols != 3 || v[0] == NULL || v[2] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected fix series row");
    cw_fix_verdict *f = find_id(r, strtoll(v[0], NULL, 10));
    if (f == NULL)
        return 0;
    double *bigger = realloc(f->series, (f->series_len + 1) * sizeof(double));
    if (bigger == NULL)
        return oom(err);
    f->series = bigger;
    f->series[f->series_len++] = strtod(v[2], NULL);
    return 0;
}

/* Load the verdict rows `where` selects ($1 its one parameter). */
static int load_where(loader *l, cw_db *db, const char *schema, const char *where,
                      const char *param, cw_error *err)
{
    char *rows = cw_text_printf(
        "SELECT f.target_week::text, f.remediation_id::text, f.area_id, f.symptom_id, f.site,"
        " f.series, f.title, f.owner, f.started::text, f.ended::text, f.expected_cut::text,"
        " f.settling_weeks::text, f.per_exposure::text, f.before_from::text,"
        " f.before_weeks::text, f.after_from::text, f.after_weeks::text,"
        " f.before_level::text, f.after_level::text, f.change_pct::text, f.change_low::text,"
        " f.change_high::text, f.z::text, f.dispersion::text, f.cut_judged::text,"
        " f.expected_reached::text, f.verdict, f.needed_weeks::text, f.more_weeks::text,"
        " f.declining_again::text, f.declining_since::text, f.trend_withheld::text,"
        " f.series_from::text FROM %s.fix_verdicts f WHERE %s ORDER BY f.remediation_id",
        schema, where);
    char *values =
        cw_text_printf("SELECT f.remediation_id::text, x.n::text, x.v::text FROM %s.fix_verdicts f,"
                       " pg_catalog.jsonb_array_elements(f.series_values) WITH ORDINALITY x(v, n)"
                       " WHERE %s ORDER BY f.remediation_id, x.n",
                       schema, where);
    int rc = -1;
    const char *params[] = {param};
    if (rows == NULL || values == NULL)
        oom(err);
    else if (cw_db_query(db, rows, 1, params, verdict_row, l, err) == 0)
        rc = cw_db_query(db, values, 1, params, value_row, l->r, err);
    free(rows);
    free(values);
    return rc;
}

int cw_fixes_load(cw_ranking *r, cw_db *db, const char *schema, cw_error *err)
{
    loader l = {.r = r};
    return load_where(&l, db, schema, "f.target_week = $1::date", r->week_monday, err);
}

int cw_fixes_load_latest(cw_ranking *r, cw_db *db, const char *schema, long long id, cw_error *err)
{
    memset(r, 0, sizeof(*r));
    char key[24];
    snprintf(key, sizeof(key), "%lld", id);
    char *where = cw_text_printf("f.remediation_id = $1::bigint AND f.target_week ="
                                 " (SELECT max(g.target_week) FROM %s.fix_verdicts g"
                                 " WHERE g.remediation_id = $1::bigint)",
                                 schema);
    if (where == NULL)
        return oom(err);
    loader l = {.r = r, .set_week = true};
    int rc = load_where(&l, db, schema, where, key, err);
    free(where);
    return rc;
}
