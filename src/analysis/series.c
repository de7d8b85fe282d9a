/* series.c - weekly series counted while complaints are classified; see series.h. */
#include "causeway/analysis/series.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/text.h"
#include "causeway/util/week.h"

enum {
    S_AREA,
    S_AREA_SITE,
    S_SYMPTOM,
    S_SYMPTOM_SITE,
    S_TOTAL,
    S_TOTAL_SITE,
    S_SYMPTOM_CHANNEL,
    S_SYMPTOM_PRODUCT,
    S_SYMPTOM_SEGMENT,
    S_COUNT
};
static const char *const series_names[S_COUNT] = {
    "area",       "area_site",       "symptom",         "symptom_site",   "total",
    "total_site", "symptom_channel", "symptom_product", "symptom_segment"};

/* The further dimensions: their series, source column and classified column. */
static const struct {
    int series;
    cw_source_column col;
    int field; /* index into cw_complaint.fields */
    const char *column;
} dims[] = {{S_SYMPTOM_CHANNEL, CW_COL_CHANNEL, CW_FIELD_CHANNEL, "channel"},
            {S_SYMPTOM_PRODUCT, CW_COL_PRODUCT, CW_FIELD_PRODUCT, "product"},
            {S_SYMPTOM_SEGMENT, CW_COL_SEGMENT, CW_FIELD_SEGMENT, "segment"}};
#define DIM_COUNT (sizeof(dims) / sizeof(dims[0]))

/* Longest received_at text kept: "YYYYY-MM-DD HH:MM:SS.ffffff+00 BC" fits. */
#define AT_BYTES 40
/* Complaint ids up to this long are kept in the cell; longer ones on the heap. */
#define ID_INLINE 48

/*
 * The newest complaint of a symptom series' week (examples, sql/migrations/0008):
 * copied for nearly every complaint when rows arrive in time order, so kept in the
 * cell rather than allocated.
 */
typedef struct example {
    bool set;
    char at[AT_BYTES]; /* received_at as the server prints it in UTC: sorts as text */
    char id_inline[ID_INLINE];
    char *id_heap; /* the id when it does not fit inline */
    size_t start, end;
} example;

typedef struct cell {
    uint32_t site;  /* interned site + 1; 0 = empty slot */
    uint16_t index; /* area or symptom */
    uint8_t series;
    cw_week week;
    double complaints, attributed, weighted;
    example newest; /* symptom and symptom_site series only */
} cell;

struct cw_weekly_acc {
    const cw_rules *rules;
    cell *cells;
    size_t cell_count, cell_cap; /* cap: a power of two */
    char **sites;                /* interned site names; sites[0] = "" */
    size_t site_count, site_cap;
    uint32_t *site_slots; /* open addressing over sites: index + 1, 0 = empty */
    size_t site_slot_cap;
    double *area_attr, *area_weight; /* per complaint, by area */
    bool *area_hit;
    bool dim_on[DIM_COUNT]; /* which further dimensions are counted */
    cw_week *edited_weeks;  /* weeks complaints were taken out of (cw_weekly_acc_remove) */
    size_t edited_count, edited_cap;
};

static uint64_t fnv(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static int grow_sites(cw_weekly_acc *a)
{
    size_t cap = a->site_slot_cap == 0 ? 64 : a->site_slot_cap * 2;
    uint32_t *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < a->site_count; i++) {
        size_t j = fnv(a->sites[i], strlen(a->sites[i]), 0xcbf29ce484222325ull) & (cap - 1);
        while (slots[j] != 0)
            j = (j + 1) & (cap - 1);
        slots[j] = (uint32_t)i + 1;
    }
    free(a->site_slots);
    a->site_slots = slots;
    a->site_slot_cap = cap;
    return 0;
}

/* Interned id of a site name (0 is ""); -1 when out of memory. */
static long intern(cw_weekly_acc *a, const char *site)
{
    if ((a->site_count + 1) * 2 > a->site_slot_cap && grow_sites(a) != 0)
        return -1;
    size_t mask = a->site_slot_cap - 1;
    size_t j = fnv(site, strlen(site), 0xcbf29ce484222325ull) & mask;
    for (; a->site_slots[j] != 0; j = (j + 1) & mask)
        if (strcmp(a->sites[a->site_slots[j] - 1], site) == 0)
            return (long)a->site_slots[j] - 1;
    if (a->site_count == a->site_cap) {
        size_t cap = a->site_cap == 0 ? 16 : a->site_cap * 2;
        char **sites = realloc(a->sites, cap * sizeof(*sites));
        if (sites == NULL)
            return -1;
        a->sites = sites;
        a->site_cap = cap;
    }
    if ((a->sites[a->site_count] = strdup(site)) == NULL)
        return -1;
    a->site_slots[j] = (uint32_t)++a->site_count;
    return (long)a->site_count - 1;
}

/*
 * About ten cell updates per complaint: byte-wise FNV over the 16-byte key cost as
 * much as the rest of add(). The week is spread over all 64 bits by a multiply,
 * then murmur3's finalizer mixes every key bit into the low bits the power-of-two
 * mask keeps, so linear probing sees well-spread slots.
 */
static uint64_t cell_hash(uint8_t series, uint16_t index, uint32_t site, cw_week week)
{
    uint64_t h = ((uint64_t)series << 48) | ((uint64_t)index << 32) | site;
    h ^= (uint64_t)week * 0x9e3779b97f4a7c15ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static int grow_cells(cw_weekly_acc *a)
{
    size_t cap = a->cell_cap == 0 ? 4096 : a->cell_cap * 2;
    cell *cells = calloc(cap, sizeof(*cells));
    if (cells == NULL)
        return -1;
    for (size_t i = 0; i < a->cell_cap; i++) {
        const cell *c = &a->cells[i];
        if (c->site == 0)
            continue;
        size_t j = cell_hash(c->series, c->index, c->site, c->week) & (cap - 1);
        while (cells[j].site != 0)
            j = (j + 1) & (cap - 1);
        cells[j] = *c;
    }
    free(a->cells);
    a->cells = cells;
    a->cell_cap = cap;
    return 0;
}

/* The cell of a series' week, created empty when new; NULL when out of memory. */
static cell *find_cell(cw_weekly_acc *a, int series, size_t index, long site, cw_week week)
{
    if ((a->cell_count + 1) * 2 > a->cell_cap && grow_cells(a) != 0)
        return NULL;
    uint32_t s = (uint32_t)site + 1;
    size_t mask = a->cell_cap - 1;
    size_t j = cell_hash((uint8_t)series, (uint16_t)index, s, week) & mask;
    for (;; j = (j + 1) & mask) {
        cell *c = &a->cells[j];
        if (c->site == 0) {
            memset(c, 0, sizeof(*c));
            c->site = s;
            c->index = (uint16_t)index;
            c->series = (uint8_t)series;
            c->week = week;
            a->cell_count++;
            return c;
        }
        if (c->site == s && c->index == index && c->series == series && c->week == week)
            return c;
    }
}

static int add(cw_weekly_acc *a, int series, size_t index, long site, cw_week week,
               double complaints, double attributed, double weighted)
{
    cell *c = find_cell(a, series, index, site, week);
    if (c == NULL)
        return -1;
    c->complaints += complaints;
    c->attributed += attributed;
    c->weighted += weighted;
    return 0;
}

int cw_weekly_acc_new(cw_weekly_acc **out, const cw_rules *rules,
                      const unsigned char dimensions[CW_COL_COUNT], cw_error *err)
{
    *out = NULL;
    cw_weekly_acc *a = calloc(1, sizeof(*a));
    if (a == NULL || rules->area_count > UINT16_MAX || rules->symptom_count > UINT16_MAX ||
        (a->area_attr = calloc(rules->area_count + 1, sizeof(double))) == NULL ||
        (a->area_weight = calloc(rules->area_count + 1, sizeof(double))) == NULL ||
        (a->area_hit = calloc(rules->area_count + 1, sizeof(bool))) == NULL || intern(a, "") != 0) {
        cw_weekly_acc_free(a);
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    a->rules = rules;
    for (size_t d = 0; d < DIM_COUNT; d++)
        a->dim_on[d] = dimensions != NULL && dimensions[dims[d].col];
    *out = a;
    return 0;
}

void cw_weekly_acc_free(cw_weekly_acc *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->site_count; i++)
        free(a->sites[i]);
    for (size_t i = 0; i < a->cell_cap; i++)
        free(a->cells[i].newest.id_heap);
    free(a->edited_weeks);
    free(a->sites);
    free(a->site_slots);
    free(a->cells);
    free(a->area_attr);
    free(a->area_weight);
    free(a->area_hit);
    free(a);
}

/* Count one complaint in (sign 1) or out (sign -1) of its week's rows. */
static int count_complaint(cw_weekly_acc *a, double sign, const char *week, const char *site,
                           const char *const fields[CW_FIELD_COUNT], const cw_hit *hits,
                           size_t count, cw_error *err)
{
    /* Interned values of the further dimensions; -1 where absent or not counted. */
    long dim_at[DIM_COUNT];
    for (size_t d = 0; d < DIM_COUNT; d++) {
        const char *v = a->dim_on[d] && count > 0 && fields != NULL ? fields[dims[d].field] : NULL;
        dim_at[d] = v != NULL && v[0] != '\0' ? intern(a, v) : -1;
        if (v != NULL && v[0] != '\0' && dim_at[d] < 0)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    cw_week w;
    if (week == NULL || cw_week_parse(&w, week, err) != 0)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "complaint without a week");
    long all = 0, at = intern(a, site != NULL ? site : "");
    if (at < 0 || add(a, S_TOTAL, 0, all, w, sign, sign, 0) != 0 ||
        add(a, S_TOTAL_SITE, 0, at, w, sign, sign, 0) != 0)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const cw_rules *rules = a->rules;
    for (size_t i = 0; i < count; i++) {
        const cw_symptom *s = &rules->symptoms[hits[i].symptom];
        double sev = (double)s->severity;
        if (add(a, S_SYMPTOM, hits[i].symptom, all, w, sign, sign, sign * sev) != 0 ||
            add(a, S_SYMPTOM_SITE, hits[i].symptom, at, w, sign, sign, sign * sev) != 0)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        for (size_t d = 0; d < DIM_COUNT; d++)
            if (dim_at[d] >= 0 &&
                add(a, dims[d].series, hits[i].symptom, dim_at[d], w, sign, sign, sign * sev))
                return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        for (size_t k = 0; k < s->cause_count; k++) {
            size_t area = s->causes[k].area;
            a->area_hit[area] = true;
            a->area_attr[area] += s->causes[k].weight;
            a->area_weight[area] += s->causes[k].weight * sev;
        }
    }
    /* A complaint counts once per cause area, however many of its symptoms point there. */
    for (size_t area = 0; count > 0 && area < rules->area_count; area++) {
        if (!a->area_hit[area])
            continue;
        if (add(a, S_AREA, area, all, w, sign, sign * a->area_attr[area],
                sign * a->area_weight[area]) != 0 ||
            add(a, S_AREA_SITE, area, at, w, sign, sign * a->area_attr[area],
                sign * a->area_weight[area]) != 0)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        a->area_hit[area] = false;
        a->area_attr[area] = a->area_weight[area] = 0;
    }
    return 0;
}

int cw_weekly_acc_add(cw_weekly_acc *a, const char *week, const char *site,
                      const char *const fields[CW_FIELD_COUNT], const cw_hit *hits, size_t count,
                      cw_error *err)
{
    return count_complaint(a, 1, week, site, fields, hits, count, err);
}

int cw_weekly_acc_remove(cw_weekly_acc *a, const char *week, const char *site,
                         const char *const fields[CW_FIELD_COUNT], const cw_hit *hits, size_t count,
                         cw_error *err)
{
    if (count_complaint(a, -1, week, site, fields, hits, count, err) != 0)
        return -1;
    cw_week w;
    if (cw_week_parse(&w, week, err) != 0)
        return -1;
    for (size_t i = 0; i < a->edited_count; i++)
        if (a->edited_weeks[i] == w)
            return 0;
    if (a->edited_count == a->edited_cap) {
        size_t cap = a->edited_cap == 0 ? 16 : a->edited_cap * 2;
        cw_week *weeks = realloc(a->edited_weeks, cap * sizeof(*weeks));
        if (weeks == NULL)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        a->edited_weeks = weeks;
        a->edited_cap = cap;
    }
    a->edited_weeks[a->edited_count++] = w;
    return 0;
}

/* Newest first; on the same received_at, the smaller id in byte order (COLLATE "C"). */
static int note_example(cell *c, const char *id, size_t id_len, const char *at, size_t at_len,
                        const cw_hit *hit)
{
    example *x = &c->newest;
    if (x->set) {
        int by_time = strcmp(at, x->at);
        const char *held = x->id_heap != NULL ? x->id_heap : x->id_inline;
        if (by_time < 0 || (by_time == 0 && strcmp(id, held) >= 0))
            return 0;
    }
    char *heap = NULL;
    if (id_len >= ID_INLINE && (heap = strdup(id)) == NULL)
        return -1;
    free(x->id_heap);
    x->id_heap = heap;
    if (heap == NULL)
        memcpy(x->id_inline, id, id_len + 1);
    memcpy(x->at, at, at_len + 1);
    x->start = hit->start;
    x->end = hit->end;
    x->set = true;
    return 0;
}

int cw_weekly_acc_note_examples(cw_weekly_acc *a, const char *week, const char *site,
                                const char *id, const char *received_at, const cw_hit *hits,
                                size_t count, cw_error *err)
{
    if (count == 0)
        return 0;
    size_t id_len = strlen(id), at_len = strlen(received_at);
    cw_week w;
    if (at_len >= AT_BYTES)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected received_at '%s'", received_at);
    if (cw_week_parse(&w, week, err) != 0)
        return -1;
    long at = intern(a, site != NULL ? site : "");
    if (at < 0)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    for (size_t i = 0; i < count; i++) {
        /* Every site together, and the complaint's own site when it has one. */
        cell *all = find_cell(a, S_SYMPTOM, hits[i].symptom, 0, w);
        if (all == NULL || note_example(all, id, id_len, received_at, at_len, &hits[i]) != 0)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        cell *own = at > 0 ? find_cell(a, S_SYMPTOM_SITE, hits[i].symptom, at, w) : NULL;
        if (at > 0 &&
            (own == NULL || note_example(own, id, id_len, received_at, at_len, &hits[i]) != 0))
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    return 0;
}

static int copy_cells(cw_weekly_acc *a, cw_db *db, cw_error *err)
{
    for (size_t i = 0; i < a->cell_cap; i++) {
        const cell *c = &a->cells[i];
        if (c->site == 0)
            continue;
        bool by_area = c->series == S_AREA || c->series == S_AREA_SITE;
        bool by_symptom =
            c->series == S_SYMPTOM || c->series == S_SYMPTOM_SITE || c->series >= S_SYMPTOM_CHANNEL;
        char week[16], complaints[32], attributed[32], weighted[32];
        cw_week_format_monday(week, sizeof(week), c->week);
        snprintf(complaints, sizeof(complaints), "%.0f", c->complaints);
        snprintf(attributed, sizeof(attributed), "%.17g", c->attributed);
        snprintf(weighted, sizeof(weighted), "%.17g", c->weighted);
        const char *row[] = {series_names[c->series],
                             by_area ? a->rules->areas[c->index].id : "",
                             a->sites[c->site - 1],
                             by_symptom ? a->rules->symptoms[c->index].id : "",
                             week,
                             complaints,
                             attributed,
                             weighted};
        if (cw_db_copy_in_row(db, 8, row, NULL, err) != 0)
            return -1;
    }
    return 0;
}

/*
 * A further dimension configured after complaints were classified has no rows yet:
 * count it once from the classified rows of earlier runs (this run's are in the
 * accumulator), so its series start with the history, not with the day it was
 * configured. Severities travel as an array parameter, one per symptom id.
 */
static int backfill(cw_weekly_acc *a, cw_db *db, const char *schema, const char *ruleset,
                    const char *run_id, cw_error *err)
{
    const cw_rules *rules = a->rules;
    char *ids = NULL, *sev = NULL;
    size_t ids_len = 0, sev_len = 0;
    FILE *fi = open_memstream(&ids, &ids_len), *fs = open_memstream(&sev, &sev_len);
    int rc = -1;
    if (fi == NULL || fs == NULL)
        goto oom;
    fputc('{', fi);
    fputc('{', fs);
    for (size_t i = 0; i < rules->symptom_count; i++) {
        fprintf(fi, "%s%s", i > 0 ? "," : "", rules->symptoms[i].id);
        fprintf(fs, "%s%d", i > 0 ? "," : "", rules->symptoms[i].severity);
    }
    fputc('}', fi);
    fputc('}', fs);
    if (fclose(fi) != 0 || fclose(fs) != 0) {
        fi = fs = NULL;
        goto oom;
    }
    fi = fs = NULL;
    rc = 0;
    for (size_t d = 0; d < DIM_COUNT && rc == 0; d++) {
        if (!a->dim_on[d])
            continue;
        char *sql = cw_text_printf(
            "INSERT INTO %s.weekly (ruleset_id, series, area_id, site, symptom_id, week,"
            " complaints, attributed, weighted)"
            " SELECT $1::int, $2, '', c.%s, e.symptom_id, c.week, count(*), count(*),"
            " count(*) * min(s.severity) FROM %s.classified c"
            " CROSS JOIN LATERAL pg_catalog.unnest(c.symptoms) AS e (symptom_id)"
            " JOIN ROWS FROM (pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::int[]))"
            " AS s (id, severity)"
            " ON s.id = e.symptom_id"
            " WHERE c.ruleset_id = $1::int AND c.run_id <> $5::bigint AND c.%s <> ''"
            " AND NOT EXISTS (SELECT 1 FROM %s.weekly w WHERE w.ruleset_id = $1::int"
            " AND w.series = $2) GROUP BY c.%s, e.symptom_id, c.week",
            schema, dims[d].column, schema, dims[d].column, schema, dims[d].column);
        if (sql == NULL)
            goto oom;
        const char *params[] = {ruleset, series_names[dims[d].series], ids, sev, run_id};
        rc = cw_db_query(db, sql, 5, params, NULL, NULL, err);
        free(sql);
    }
    goto done;
oom:
    rc = cw_error_set(err, CW_EXIT_OSERR, "out of memory");
done:
    if (fi != NULL)
        fclose(fi);
    if (fs != NULL)
        fclose(fs);
    free(ids);
    free(sev);
    return rc;
}

/* A temporary table for the transaction, filled by `rows` through one COPY. */
static int copy_temp(cw_weekly_acc *a, cw_db *db, const char *create, const char *copy,
                     int (*rows)(cw_weekly_acc *, cw_db *, cw_error *), cw_error *err)
{
    if (cw_db_exec(db, create, err) != 0 || cw_db_copy_in_begin(db, copy, err) != 0)
        return -1;
    if (rows(a, db, err) != 0) {
        cw_db_copy_in_abort(db);
        return -1;
    }
    return cw_db_copy_in_end(db, err);
}

/* Run `sql` (schema spliced in, caller's format) with the rule set as $1. */
static int exec_for_ruleset(cw_db *db, char *sql, const char *ruleset, cw_error *err)
{
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const char *params[] = {ruleset};
    int rc = cw_db_query(db, sql, 1, params, NULL, NULL, err);
    free(sql);
    return rc;
}

/* Complaints taken out (edited ones) can leave a week's row at zero: no row, as before. */
static int drop_empty_rows(cw_db *db, const char *schema, const char *ruleset, cw_error *err)
{
    return exec_for_ruleset(
        db,
        cw_text_printf(
            "DELETE FROM %s.weekly w USING pg_temp.cw_weekly_delta d"
            " WHERE w.ruleset_id = $1::int AND w.series = d.series AND w.area_id = d.area_id"
            " AND w.site = d.site AND w.symptom_id = d.symptom_id AND w.week = d.week"
            " AND w.complaints = 0",
            schema),
        ruleset, err);
}

static int copy_examples(cw_weekly_acc *a, cw_db *db, cw_error *err)
{
    for (size_t i = 0; i < a->cell_cap; i++) {
        const cell *c = &a->cells[i];
        const example *x = &c->newest;
        if (c->site == 0 || !x->set)
            continue;
        char week[16], start[24], end[24];
        cw_week_format_monday(week, sizeof(week), c->week);
        snprintf(start, sizeof(start), "%zu", x->start);
        snprintf(end, sizeof(end), "%zu", x->end);
        const char *row[] = {week,
                             a->sites[c->site - 1],
                             a->rules->symptoms[c->index].id,
                             x->id_heap != NULL ? x->id_heap : x->id_inline,
                             x->at,
                             start,
                             end};
        if (cw_db_copy_in_row(db, 7, row, NULL, err) != 0)
            return -1;
    }
    return 0;
}

/* This run's newest complaint of each cell replaces the stored one when it is newer. */
static int store_examples(cw_weekly_acc *a, cw_db *db, const char *schema, const char *ruleset,
                          cw_error *err)
{
    if (copy_temp(a, db,
                  "CREATE TEMPORARY TABLE cw_example_delta (week date, site text, symptom_id text,"
                  " complaint_id text, received_at timestamptz, span_start integer,"
                  " span_end integer) ON COMMIT DROP",
                  "COPY pg_temp.cw_example_delta FROM STDIN", copy_examples, err) != 0)
        return -1;
    return exec_for_ruleset(
        db,
        cw_text_printf(
            "INSERT INTO %s.examples AS x (ruleset_id, week, site, symptom_id, complaint_id,"
            " received_at, span_start, span_end)"
            " SELECT $1::int, d.week, d.site, d.symptom_id, d.complaint_id, d.received_at,"
            " d.span_start, d.span_end FROM pg_temp.cw_example_delta d"
            " ON CONFLICT (ruleset_id, week, symptom_id, site) DO UPDATE SET"
            " complaint_id = EXCLUDED.complaint_id, received_at = EXCLUDED.received_at,"
            " span_start = EXCLUDED.span_start, span_end = EXCLUDED.span_end"
            " WHERE EXCLUDED.received_at > x.received_at OR (EXCLUDED.received_at = x.received_at"
            " AND EXCLUDED.complaint_id COLLATE \"C\" < x.complaint_id COLLATE \"C\")",
            schema),
        ruleset, err);
}

/*
 * A week an edited complaint was taken out of may have had it as an example, with
 * evidence it no longer has: its examples are found again from classified (which
 * holds the new version by now). Edits are rare, and this reads only those weeks.
 */
static int recount_examples(cw_weekly_acc *a, cw_db *db, const char *schema, const char *ruleset,
                            cw_error *err)
{
    char *weeks = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&weeks, &len);
    if (f == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    fputc('{', f);
    for (size_t i = 0; i < a->edited_count; i++) {
        char week[16];
        cw_week_format_monday(week, sizeof(week), a->edited_weeks[i]);
        fprintf(f, "%s%s", i > 0 ? "," : "", week);
    }
    fputc('}', f);
    if (fclose(f) != 0) {
        free(weeks);
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    char *drop = cw_text_printf(
        "DELETE FROM %s.examples x WHERE x.ruleset_id = $1::int AND x.week = ANY ($2::date[])",
        schema);
    char *fill = cw_text_printf(
        "INSERT INTO %s.examples (ruleset_id, week, site, symptom_id, complaint_id, received_at,"
        " span_start, span_end)"
        " SELECT DISTINCT ON (c.week, e.symptom_id, s.site) $1::int, c.week, s.site,"
        " e.symptom_id, c.complaint_id, c.received_at, e.span_start, e.span_end"
        " FROM %s.classified c CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.symptoms),"
        " pg_catalog.unnest(c.span_starts), pg_catalog.unnest(c.span_ends))"
        " AS e (symptom_id, span_start, span_end)"
        " CROSS JOIN LATERAL (VALUES (''::text), (COALESCE(c.site, ''))) AS s (site)"
        " WHERE c.ruleset_id = $1::int AND c.week = ANY ($2::date[]) AND c.symptom_count > 0"
        " ORDER BY c.week, e.symptom_id, s.site, c.received_at DESC, c.complaint_id COLLATE \"C\"",
        schema, schema);
    const char *params[] = {ruleset, weeks};
    int rc = drop == NULL || fill == NULL ? cw_error_set(err, CW_EXIT_OSERR, "out of memory")
                                          : cw_db_query(db, drop, 2, params, NULL, NULL, err);
    if (rc == 0)
        rc = cw_db_query(db, fill, 2, params, NULL, NULL, err);
    free(drop);
    free(fill);
    free(weeks);
    return rc;
}

int cw_weekly_acc_store(cw_weekly_acc *a, cw_db *db, const char *schema, const char *ruleset,
                        const char *run_id, cw_error *err)
{
    if (backfill(a, db, schema, ruleset, run_id, err) != 0)
        return -1;
    if (copy_temp(a, db,
                  "CREATE TEMPORARY TABLE cw_weekly_delta (series text, area_id text, site text,"
                  " symptom_id text, week date, complaints integer,"
                  " attributed double precision, weighted double precision) ON COMMIT DROP",
                  "COPY pg_temp.cw_weekly_delta FROM STDIN", copy_cells, err) != 0)
        return -1;
    int rc = exec_for_ruleset(
        db,
        cw_text_printf(
            "INSERT INTO %s.weekly AS w (ruleset_id, series, area_id, site, symptom_id, week,"
            " complaints, attributed, weighted)"
            " SELECT $1::int, d.series, d.area_id, d.site, d.symptom_id, d.week, d.complaints,"
            " d.attributed, d.weighted FROM pg_temp.cw_weekly_delta d"
            " ON CONFLICT (ruleset_id, series, area_id, site, symptom_id, week) DO UPDATE SET"
            " complaints = w.complaints + EXCLUDED.complaints,"
            " attributed = w.attributed + EXCLUDED.attributed,"
            " weighted = w.weighted + EXCLUDED.weighted",
            schema),
        ruleset, err);
    if (rc == 0 && a->edited_count > 0)
        rc = drop_empty_rows(db, schema, ruleset, err);
    if (rc == 0)
        rc = store_examples(a, db, schema, ruleset, err);
    if (rc == 0 && a->edited_count > 0)
        rc = recount_examples(a, db, schema, ruleset, err);
    return rc;
}
