/* remediation.c - recorded fixes in the results schema; see remediation.h. */
#include "causeway/store/remediation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/text.h"

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
}

const char *cw_remediation_series(const cw_remediation *r)
{
    bool site = r->site[0] != '\0';
    if (r->symptom_id[0] != '\0')
        return site ? "symptom_site" : "symptom";
    return site ? "area_site" : "area";
}

/* Printable text of at most `max` bytes: no control characters (they would break the
 * table output and could hide text on a terminal). */
static int check_text(const char *what, const char *s, size_t max, bool required, cw_error *err)
{
    size_t len = strlen(s), blank = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return cw_error_set(err, CW_EXIT_DATAERR, "%s has a control character at byte %zu",
                                what, i + 1);
        blank += c == ' ';
    }
    if (required && blank == len)
        return cw_error_set(err, CW_EXIT_DATAERR, "%s is empty", what);
    if (len > max)
        return cw_error_set(err, CW_EXIT_DATAERR, "%s is %zu bytes long; at most %zu", what, len,
                            max);
    return 0;
}

static int unknown_id(const char *what, const char *id, const char *const *ids, size_t n,
                      cw_error *err)
{
    const char *close = cw_text_closest(id, ids, n);
    cw_error_set(err, CW_EXIT_DATAERR, "unknown %s '%s'%s%s%s", what, id,
                 close != NULL ? " (did you mean '" : "", close != NULL ? close : "",
                 close != NULL ? "'?)" : "");
    return -1;
}

static int check_area(const cw_remediation *r, const cw_rules *rules, cw_error *err)
{
    if (cw_rules_find_area(rules, r->area_id) >= 0)
        return 0;
    const char **ids = calloc(rules->area_count + 1, sizeof(*ids));
    if (ids == NULL)
        return oom(err);
    for (size_t i = 0; i < rules->area_count; i++)
        ids[i] = rules->areas[i].id;
    unknown_id("cause area", r->area_id, ids, rules->area_count, err);
    free(ids);
    cw_error_hint(err, "the rule set '%s' defines the cause areas", rules->path);
    return -1;
}

static int check_symptom(const cw_remediation *r, const cw_rules *rules, cw_error *err)
{
    if (r->symptom_id[0] == '\0')
        return 0;
    long s = cw_rules_find_symptom(rules, r->symptom_id);
    if (s < 0) {
        const char **ids = calloc(rules->symptom_count + 1, sizeof(*ids));
        if (ids == NULL)
            return oom(err);
        for (size_t i = 0; i < rules->symptom_count; i++)
            ids[i] = rules->symptoms[i].id;
        unknown_id("symptom", r->symptom_id, ids, rules->symptom_count, err);
        free(ids);
        return -1;
    }
    long area = cw_rules_find_area(rules, r->area_id);
    const cw_symptom *sym = &rules->symptoms[s];
    for (size_t i = 0; i < sym->cause_count; i++)
        if ((long)sym->causes[i].area == area)
            return 0;
    cw_error_set(err, CW_EXIT_DATAERR, "symptom '%s' is not attributed to cause area '%s'",
                 r->symptom_id, r->area_id);
    cw_error_hint(err, "it points at '%s'", rules->areas[sym->causes[0].area].id);
    return -1;
}

static int check_site(const cw_remediation *r, const char *const *sites, size_t n, cw_error *err)
{
    if (r->site[0] == '\0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(sites[i], r->site) == 0)
            return 0;
    if (n == 0) {
        cw_error_set(err, CW_EXIT_DATAERR, "unknown site '%s': no run has counted a site yet",
                     r->site);
        cw_error_hint(err, "run 'causeway run' first, or leave out --site");
        return -1;
    }
    return unknown_id("site", r->site, sites, n, err);
}

int cw_remediation_validate(const cw_remediation *r, const cw_rules *rules,
                            const char *const *sites, size_t site_count, cw_week now, cw_error *err)
{
    char week[16], today[16];
    if (check_text("the title", r->title, CW_REMEDIATION_TITLE_BYTES, true, err) != 0 ||
        check_text("the owner", r->owner, CW_REMEDIATION_TEXT_BYTES, false, err) != 0 ||
        check_area(r, rules, err) != 0 || check_symptom(r, rules, err) != 0 ||
        check_site(r, sites, site_count, err) != 0)
        return -1;
    if (r->started > now) {
        cw_week_format_iso(week, sizeof(week), r->started);
        cw_week_format_iso(today, sizeof(today), now);
        return cw_error_set(err, CW_EXIT_DATAERR,
                            "the fix cannot start in %s: that week is in the future (this is %s)",
                            week, today);
    }
    if (!isnan(r->expected_cut) && !(r->expected_cut > 0 && r->expected_cut <= 100))
        return cw_error_set(err, CW_EXIT_DATAERR,
                            "the expected cut must be a percentage above 0 and at most 100");
    if (r->settling_weeks > CW_REMEDIATION_MAX_SETTLING)
        return cw_error_set(err, CW_EXIT_DATAERR, "at most %d settling weeks",
                            CW_REMEDIATION_MAX_SETTLING);
    return 0;
}

static int text_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    (void)err;
    if (ncols >= 1 && v[0] != NULL)
        snprintf(user, 32, "%s", v[0]);
    return 0;
}

int cw_remediation_add(long long *id, cw_db *db, const char *schema, const cw_remediation *r,
                       cw_error *err)
{
    char monday[16], cut[32] = "", settling[16], out[32] = "";
    *id = 0;
    cw_week_format_monday(monday, sizeof(monday), r->started);
    if (!isnan(r->expected_cut))
        snprintf(cut, sizeof(cut), "%.17g", r->expected_cut);
    snprintf(settling, sizeof(settling), "%u", r->settling_weeks);
    char *sql = cw_text_printf(
        "INSERT INTO %s.remediations (area_id, site, recorded_on, note, symptom_id, title,"
        " owner, expected_cut, settling_weeks)"
        " VALUES ($1, $2, $3::date, '', $4, $5, $6, $7::float8, $8::int) RETURNING id::text",
        schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {
        r->area_id, r->site, monday, r->symptom_id, r->title, r->owner, cut[0] != '\0' ? cut : NULL,
        settling};
    int rc = cw_db_query(db, sql, 8, params, text_row, out, err);
    free(sql);
    if (rc == 0)
        *id = strtoll(out, NULL, 10);
    else if (err->code == CW_EXIT_NOPERM)
        cw_error_hint(err, "recording a fix needs INSERT on the results schema's remediations"
                           " table: this role may only read the results");
    return rc;
}

static int dup(char **out, const char *s, cw_error *err)
{
    *out = strdup(s != NULL ? s : "");
    return *out == NULL ? oom(err) : 0;
}

/* id, area, symptom, site, title, owner, started, ended, end note, cut, settling, created
 * at, created by. */
static int fix_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    cw_remediation_set *s = user;
    if (ncols != 13 || v[0] == NULL || v[6] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected remediations row");
    if (s->count == s->cap) {
        size_t cap = s->cap == 0 ? 8 : s->cap * 2;
        cw_remediation *bigger = realloc(s->items, cap * sizeof(*bigger));
        if (bigger == NULL)
            return oom(err);
        s->items = bigger;
        s->cap = cap;
    }
    cw_remediation *r = &s->items[s->count++];
    memset(r, 0, sizeof(*r)); /* counted first: freed with the set whatever fails */
    r->id = strtoll(v[0], NULL, 10);
    r->expected_cut = v[9] != NULL ? strtod(v[9], NULL) : NAN;
    r->settling_weeks = (unsigned)strtoul(v[10] != NULL ? v[10] : "0", NULL, 10);
    if (cw_week_parse(&r->started, v[6], err) != 0)
        return -1;
    r->ended = v[7] != NULL;
    if (r->ended && cw_week_parse(&r->ended_week, v[7], err) != 0)
        return -1;
    if (dup(&r->area_id, v[1], err) != 0 || dup(&r->symptom_id, v[2], err) != 0 ||
        dup(&r->site, v[3], err) != 0 || dup(&r->title, v[4], err) != 0 ||
        dup(&r->owner, v[5], err) != 0 || dup(&r->end_note, v[8], err) != 0 ||
        dup(&r->created_at, v[11], err) != 0 || dup(&r->created_by, v[12], err) != 0)
        return -1;
    return 0;
}

int cw_remediation_load(cw_remediation_set *out, cw_db *db, const char *schema,
                        const cw_remediation_query *q, cw_error *err)
{
    memset(out, 0, sizeof(*out));
    char id[32], until[16] = "";
    snprintf(id, sizeof(id), "%lld", q->id);
    if (q->started_by)
        cw_week_format_monday(until, sizeof(until), q->until);
    char *sql = cw_text_printf(
        "SELECT r.id::text, r.area_id, r.symptom_id, r.site, r.title, r.owner,"
        " r.recorded_on::text, r.ended_on::text, r.end_note, r.expected_cut::text,"
        " r.settling_weeks::text,"
        " pg_catalog.to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC',"
        " r.created_by FROM %s.remediations r"
        " WHERE ($1::bigint = 0 OR r.id = $1::bigint)"
        " AND (NOT $2::bool OR r.ended_on IS NULL)"
        " AND ($3::date IS NULL OR r.recorded_on <= $3::date + 6) ORDER BY r.id",
        schema);
    if (sql == NULL)
        return oom(err);
    const char *params[] = {id, q->open_only ? "true" : "false", until[0] ? until : NULL};
    int rc = cw_db_query(db, sql, 3, params, fix_row, out, err);
    free(sql);
    return rc;
}

void cw_remediation_set_fini(cw_remediation_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->count; i++) {
        cw_remediation *r = &s->items[i];
        free(r->area_id);
        free(r->symptom_id);
        free(r->site);
        free(r->title);
        free(r->owner);
        free(r->end_note);
        free(r->created_at);
        free(r->created_by);
    }
    free(s->items);
    memset(s, 0, sizeof(*s));
}

int cw_remediation_end(cw_db *db, const char *schema, long long id, cw_week week, const char *note,
                       cw_week now, cw_error *err)
{
    cw_remediation_set found = {0};
    cw_remediation_query q = {.id = id};
    char text[16], other[16], monday[16], key[32], updated[32] = "";
    char *sql = NULL;
    int rc = -1;
    if (check_text("the note", note, CW_REMEDIATION_TEXT_BYTES, false, err) != 0 ||
        cw_remediation_load(&found, db, schema, &q, err) != 0)
        goto done;
    cw_week_format_iso(text, sizeof(text), week);
    if (found.count == 0) {
        cw_error_set(err, CW_EXIT_DATAERR, "no fix #%lld is recorded", id);
        cw_error_hint(err, "'causeway remediation list --all' shows them");
        goto done;
    }
    const cw_remediation *r = &found.items[0];
    if (r->ended) {
        cw_week_format_iso(other, sizeof(other), r->ended_week);
        cw_error_set(err, CW_EXIT_DATAERR, "fix #%lld has already ended (in %s)", id, other);
        goto done;
    }
    if (week < r->started) {
        cw_week_format_iso(other, sizeof(other), r->started);
        cw_error_set(err, CW_EXIT_DATAERR, "fix #%lld cannot end in %s, before it started (%s)", id,
                     text, other);
        goto done;
    }
    if (week > now) {
        cw_week_format_iso(other, sizeof(other), now);
        cw_error_set(err, CW_EXIT_DATAERR,
                     "fix #%lld cannot end in %s: that week is in the future (this is %s)", id,
                     text, other);
        goto done;
    }
    cw_week_format_monday(monday, sizeof(monday), week);
    snprintf(key, sizeof(key), "%lld", id);
    sql = cw_text_printf("UPDATE %s.remediations SET ended_on = $2::date, end_note = $3"
                         " WHERE id = $1::bigint AND ended_on IS NULL RETURNING id::text",
                         schema);
    if (sql == NULL) {
        oom(err);
        goto done;
    }
    const char *params[] = {key, monday, note};
    if (cw_db_query(db, sql, 3, params, text_row, updated, err) != 0) {
        if (err->code == CW_EXIT_NOPERM)
            cw_error_hint(err, "ending a fix needs UPDATE on the results schema's remediations"
                               " table: this role may only read the results");
        goto done;
    }
    if (updated[0] == '\0') {
        cw_error_set(err, CW_EXIT_DATAERR, "fix #%lld was ended meanwhile", id);
        goto done;
    }
    rc = 0;
done:
    cw_remediation_set_fini(&found);
    free(sql);
    return rc;
}

typedef struct site_list {
    char **items;
    size_t count;
} site_list;

static int site_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    site_list *l = user;
    if (ncols != 1 || v[0] == NULL)
        return 0;
    char **bigger = realloc(l->items, (l->count + 1) * sizeof(*bigger));
    if (bigger == NULL)
        return oom(err);
    l->items = bigger;
    if ((l->items[l->count] = strdup(v[0])) == NULL)
        return oom(err);
    l->count++;
    return 0;
}

int cw_remediation_sites(char ***out, size_t *count, cw_db *db, const char *schema, cw_error *err)
{
    site_list l = {0};
    *out = NULL;
    *count = 0;
    char *sql = cw_text_printf("SELECT DISTINCT w.site FROM %s.weekly w"
                               " WHERE w.series = 'total_site' AND w.site <> '' ORDER BY 1",
                               schema);
    if (sql == NULL)
        return oom(err);
    int rc = cw_db_query(db, sql, 0, NULL, site_row, &l, err);
    free(sql);
    if (rc != 0) {
        cw_remediation_sites_free(l.items, l.count);
        return -1;
    }
    *out = l.items;
    *count = l.count;
    return 0;
}

void cw_remediation_sites_free(char **sites, size_t count)
{
    for (size_t i = 0; sites != NULL && i < count; i++)
        free(sites[i]);
    free(sites);
}

int cw_remediation_this_week(cw_week *out, cw_db *db, const char *timezone, cw_error *err)
{
    char today[32] = "";
    const char *params[] = {timezone};
    if (cw_db_query(db, "SELECT (pg_catalog.now() AT TIME ZONE $1)::date::text", 1, params,
                    text_row, today, err) != 0)
        return -1;
    return cw_week_parse(out, today, err);
}
