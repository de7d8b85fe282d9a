/* weekly.c - weekly series counted while complaints are classified; see weekly.h. */
#include "causeway/weekly.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/text.h"
#include "causeway/week.h"

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

typedef struct cell {
    uint32_t site;  /* interned site + 1; 0 = empty slot */
    uint16_t index; /* area or symptom */
    uint8_t series;
    cw_week week;
    double complaints, attributed, weighted;
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

static int add(cw_weekly_acc *a, int series, size_t index, long site, cw_week week,
               double complaints, double attributed, double weighted)
{
    if ((a->cell_count + 1) * 2 > a->cell_cap && grow_cells(a) != 0)
        return -1;
    uint32_t s = (uint32_t)site + 1;
    size_t mask = a->cell_cap - 1;
    size_t j = cell_hash((uint8_t)series, (uint16_t)index, s, week) & mask;
    for (;; j = (j + 1) & mask) {
        cell *c = &a->cells[j];
        if (c->site == 0) {
            *c = (cell){
                .site = s, .index = (uint16_t)index, .series = (uint8_t)series, .week = week};
            a->cell_count++;
        } else if (c->site != s || c->index != index || c->series != series || c->week != week) {
            continue;
        }
        c->complaints += complaints;
        c->attributed += attributed;
        c->weighted += weighted;
        return 0;
    }
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
    free(a->sites);
    free(a->site_slots);
    free(a->cells);
    free(a->area_attr);
    free(a->area_weight);
    free(a->area_hit);
    free(a);
}

int cw_weekly_acc_add(cw_weekly_acc *a, const char *week, const char *site,
                      const char *const fields[CW_FIELD_COUNT], const cw_hit *hits, size_t count,
                      cw_error *err)
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
    if (at < 0 || add(a, S_TOTAL, 0, all, w, 1, 1, 0) != 0 ||
        add(a, S_TOTAL_SITE, 0, at, w, 1, 1, 0) != 0)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const cw_rules *rules = a->rules;
    for (size_t i = 0; i < count; i++) {
        const cw_symptom *s = &rules->symptoms[hits[i].symptom];
        double sev = (double)s->severity;
        if (add(a, S_SYMPTOM, hits[i].symptom, all, w, 1, 1, sev) != 0 ||
            add(a, S_SYMPTOM_SITE, hits[i].symptom, at, w, 1, 1, sev) != 0)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        for (size_t d = 0; d < DIM_COUNT; d++)
            if (dim_at[d] >= 0 && add(a, dims[d].series, hits[i].symptom, dim_at[d], w, 1, 1, sev))
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
        if (add(a, S_AREA, area, all, w, 1, a->area_attr[area], a->area_weight[area]) != 0 ||
            add(a, S_AREA_SITE, area, at, w, 1, a->area_attr[area], a->area_weight[area]) != 0)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        a->area_hit[area] = false;
        a->area_attr[area] = a->area_weight[area] = 0;
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

int cw_weekly_acc_store(cw_weekly_acc *a, cw_db *db, const char *schema, const char *ruleset,
                        const char *run_id, cw_error *err)
{
    if (backfill(a, db, schema, ruleset, run_id, err) != 0)
        return -1;
    if (cw_db_exec(db,
                   "CREATE TEMPORARY TABLE cw_weekly_delta (series text, area_id text, site text,"
                   " symptom_id text, week date, complaints integer,"
                   " attributed double precision, weighted double precision) ON COMMIT DROP",
                   err) != 0 ||
        cw_db_copy_in_begin(db, "COPY pg_temp.cw_weekly_delta FROM STDIN", err) != 0)
        return -1;
    if (copy_cells(a, db, err) != 0) {
        cw_db_copy_in_abort(db);
        return -1;
    }
    if (cw_db_copy_in_end(db, err) != 0)
        return -1;
    char *sql = cw_text_printf(
        "INSERT INTO %s.weekly AS w (ruleset_id, series, area_id, site, symptom_id, week,"
        " complaints, attributed, weighted)"
        " SELECT $1::int, d.series, d.area_id, d.site, d.symptom_id, d.week, d.complaints,"
        " d.attributed, d.weighted FROM pg_temp.cw_weekly_delta d"
        " ON CONFLICT (ruleset_id, series, area_id, site, symptom_id, week) DO UPDATE SET"
        " complaints = w.complaints + EXCLUDED.complaints,"
        " attributed = w.attributed + EXCLUDED.attributed,"
        " weighted = w.weighted + EXCLUDED.weighted",
        schema);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const char *params[] = {ruleset};
    int rc = cw_db_query(db, sql, 1, params, NULL, NULL, err);
    free(sql);
    return rc;
}
