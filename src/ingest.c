/* ingest.c - stream new complaints through the matcher into the results; see ingest.h. */
#include "causeway/ingest.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/fault.h"
#include "causeway/text.h"
#include "causeway/weekly.h"

enum { COL_ID, COL_RECEIVED, COL_WEEK, COL_CHANNEL, COL_SITE, COL_PRODUCT, COL_SEGMENT, COL_BODY };

#define SNIPPET_BYTES   320
#define SNIPPET_CONTEXT 80

typedef struct ingest {
    cw_db *writer;
    cw_scan *scan;
    const cw_rules *rules;
    const cw_ingest_params *p;
    const cw_log *log;
    FILE *spool; /* matches waiting for the second COPY */
    cw_weekly_acc *weekly;
    cw_ingest_stats *stats;
    char run_id[24];
} ingest;

/* Spool record: u32 id length, id, u32 symptom, u32 start, u32 end, u32 snippet length, snippet. */
static int spool_u32(FILE *f, size_t v)
{
    uint32_t u = (uint32_t)(v > UINT32_MAX ? UINT32_MAX : v);
    return fwrite(&u, sizeof(u), 1, f) == 1 ? 0 : -1;
}

static int spool_hit(ingest *in, const char *id, size_t id_len, const cw_hit *hit, const char *body,
                     size_t body_len, cw_error *err)
{
    char snippet[SNIPPET_BYTES];
    cw_text_snippet(snippet, sizeof(snippet), body, body_len, hit->start, hit->end,
                    SNIPPET_CONTEXT);
    size_t snippet_len = strlen(snippet);
    if (spool_u32(in->spool, id_len) != 0 || fwrite(id, 1, id_len, in->spool) != id_len ||
        spool_u32(in->spool, hit->symptom) != 0 || spool_u32(in->spool, hit->start) != 0 ||
        spool_u32(in->spool, hit->end) != 0 || spool_u32(in->spool, snippet_len) != 0 ||
        fwrite(snippet, 1, snippet_len, in->spool) != snippet_len)
        return cw_error_set(err, CW_EXIT_IOERR, "could not write the match spool file");
    return 0;
}

static int on_complaint(void *user, int ncols, const char *const *v, const size_t *lens,
                        cw_error *err)
{
    ingest *in = user;
    if (ncols != COL_BODY + 1 || v[COL_ID] == NULL || v[COL_RECEIVED] == NULL)
        return cw_error_set(err, CW_EXIT_DATAERR,
                            "source row without id or received_at (both are required)");
    cw_complaint c = {
        .id = v[COL_ID],
        .body = v[COL_BODY] != NULL ? v[COL_BODY] : "",
        .body_len = v[COL_BODY] != NULL ? lens[COL_BODY] : 0,
        .fields = {v[COL_CHANNEL], v[COL_SITE], v[COL_PRODUCT], v[COL_SEGMENT]},
    };
    const cw_hit *hits = NULL;
    size_t count = 0;
    if (cw_matcher_classify(&hits, &count, in->scan, &c, err) != 0 ||
        cw_weekly_acc_add(in->weekly, v[COL_WEEK], v[COL_SITE], hits, count, err) != 0)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (spool_hit(in, v[COL_ID], lens[COL_ID], &hits[i], c.body, c.body_len, err) != 0)
            return -1;

    char symptoms[24];
    snprintf(symptoms, sizeof(symptoms), "%zu", count);
    const char *row[] = {in->p->ruleset, v[COL_ID],   v[COL_RECEIVED], v[COL_WEEK],
                         v[COL_CHANNEL], v[COL_SITE], v[COL_PRODUCT],  v[COL_SEGMENT],
                         in->run_id,     symptoms};
    if (cw_db_copy_in_row(in->writer, 10, row, NULL, err) != 0)
        return -1;

    cw_ingest_stats *s = in->stats;
    s->classified++;
    s->matched += count > 0;
    s->hits += count;
    s->bytes += c.body_len;
    if (s->classified % 50000 == 0)
        cw_log_progress(in->log, "classified %llu complaints", s->classified);
    if (s->classified == 1 && cw_fault_point("ingest-first-row") != 0)
        return cw_error_set(err, CW_EXIT_IOERR, "fault injected at ingest-first-row");
    return 0;
}

static char *complaints_sql(const cw_source *src, const cw_ingest_params *p)
{
    char *cols[CW_COL_COUNT] = {0};
    char *sql = NULL, *distinct = NULL, *order = NULL;
    for (int i = 0; i < CW_COL_COUNT; i++)
        if ((cols[i] = cw_source_column_sql(src, (cw_source_column)i)) == NULL)
            goto done;
    const char *id = src->columns[CW_COL_ID], *received = src->columns[CW_COL_RECEIVED_AT];
    /* A view may repeat ids: keep one row per id (the latest) so each complaint counts once. */
    distinct = src->unique_ids ? cw_text_printf("%s", "")
                               : cw_text_printf("DISTINCT ON (s.%s::text) ", id);
    order = src->unique_ids ? cw_text_printf("%s", "")
                            : cw_text_printf(" ORDER BY s.%s::text, s.%s DESC", id, received);
    if (distinct == NULL || order == NULL)
        goto done;
    sql = cw_text_printf(
        "COPY (SELECT %ss.%s::text, s.%s::timestamptz::text,"
        " pg_catalog.date_trunc('week', s.%s::timestamptz AT TIME ZONE %s)::date::text,"
        " %s, %s, %s, %s, %s FROM %s s"
        " WHERE s.%s::timestamptz >= ('%s'::timestamp AT TIME ZONE %s)"
        " AND NOT EXISTS (SELECT 1 FROM %s.classified c WHERE c.ruleset_id = %s"
        " AND c.complaint_id = s.%s::text)%s) TO STDOUT",
        distinct, id, received, received, src->timezone, cols[CW_COL_CHANNEL], cols[CW_COL_SITE],
        cols[CW_COL_PRODUCT], cols[CW_COL_SEGMENT], cols[CW_COL_BODY], src->relation, received,
        p->since, src->timezone, p->schema, p->ruleset, id, order);
done:
    for (int i = 0; i < CW_COL_COUNT; i++)
        free(cols[i]);
    free(distinct);
    free(order);
    return sql;
}

static int read_u32(FILE *f, uint32_t *v)
{
    return fread(v, sizeof(*v), 1, f) == 1 ? 0 : -1;
}

/* Copy the spooled matches into the results. */
static int store_matches(ingest *in, cw_error *err)
{
    char *buf = NULL;
    size_t cap = 0;
    int rc = -1;
    bool copying = false;
    if (fflush(in->spool) != 0 || fseek(in->spool, 0, SEEK_SET) != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not read back the match spool file");
        return -1;
    }
    char *sql = cw_text_printf("COPY %s.matches (ruleset_id, complaint_id, symptom_id,"
                               " span_start, span_end, snippet) FROM STDIN",
                               in->p->schema);
    if (sql == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        goto done;
    }
    if (cw_db_copy_in_begin(in->writer, sql, err) != 0)
        goto done;
    copying = true;
    for (unsigned long long n = 0; n < in->stats->hits; n++) {
        uint32_t id_len, symptom, start, end, snippet_len;
        if (read_u32(in->spool, &id_len) != 0)
            goto short_read;
        size_t need = (size_t)id_len + SNIPPET_BYTES + 2;
        if (need > cap) {
            char *bigger = realloc(buf, need);
            if (bigger == NULL) {
                cw_error_set(err, CW_EXIT_OSERR, "out of memory");
                goto done;
            }
            buf = bigger;
            cap = need;
        }
        if (fread(buf, 1, id_len, in->spool) != id_len || read_u32(in->spool, &symptom) != 0 ||
            read_u32(in->spool, &start) != 0 || read_u32(in->spool, &end) != 0 ||
            read_u32(in->spool, &snippet_len) != 0 || snippet_len >= SNIPPET_BYTES ||
            fread(buf + id_len + 1, 1, snippet_len, in->spool) != snippet_len)
            goto short_read;
        buf[id_len] = '\0';
        buf[id_len + 1 + snippet_len] = '\0';
        char s_start[16], s_end[16];
        snprintf(s_start, sizeof(s_start), "%" PRIu32, start);
        snprintf(s_end, sizeof(s_end), "%" PRIu32, end);
        const char *row[] = {in->p->ruleset, buf,   in->rules->symptoms[symptom].id,
                             s_start,        s_end, buf + id_len + 1};
        if (cw_db_copy_in_row(in->writer, 6, row, NULL, err) != 0)
            goto done;
    }
    copying = false;
    rc = cw_db_copy_in_end(in->writer, err);
    goto done;
short_read:
    cw_error_set(err, CW_EXIT_IOERR, "the match spool file is shorter than written");
done:
    if (copying)
        cw_db_copy_in_abort(in->writer);
    free(sql);
    free(buf);
    return rc;
}

int cw_ingest_run(cw_ingest_stats *stats, cw_db *writer, cw_db *reader, const cw_matcher *m,
                  const cw_rules *rules, const cw_source *src, const cw_ingest_params *p,
                  cw_weekly_acc *weekly, const cw_log *log, cw_error *err)
{
    ingest in = {
        .writer = writer, .rules = rules, .p = p, .log = log, .stats = stats, .weekly = weekly};
    char *read_sql = NULL, *write_sql = NULL;
    int rc = -1;
    memset(stats, 0, sizeof(*stats));
    snprintf(in.run_id, sizeof(in.run_id), "%lld", p->run_id);

    if (cw_scan_new(&in.scan, m, err) != 0)
        goto done;
    if ((in.spool = tmpfile()) == NULL) {
        cw_error_set(err, CW_EXIT_IOERR, "could not create a temporary file for matches");
        goto done;
    }
    read_sql = complaints_sql(src, p);
    write_sql = cw_text_printf("COPY %s.classified (ruleset_id, complaint_id, received_at, week,"
                               " channel, site, product, segment, run_id, symptom_count)"
                               " FROM STDIN",
                               p->schema);
    if (read_sql == NULL || write_sql == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        goto done;
    }
    if (cw_db_copy_in_begin(writer, write_sql, err) != 0)
        goto done;
    if (cw_db_copy_out(reader, read_sql, on_complaint, &in, err) != 0) {
        cw_db_copy_in_abort(writer);
        goto done;
    }
    if (cw_db_copy_in_end(writer, err) != 0)
        goto done;
    cw_log_progress_done(log);
    if (cw_fault_point("ingest-before-matches") != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "fault injected at ingest-before-matches");
        goto done;
    }
    rc = stats->hits > 0 ? store_matches(&in, err) : 0;
    if (rc == 0)
        rc = cw_weekly_acc_store(weekly, writer, p->schema, p->ruleset, err);
done:
    if (in.spool != NULL)
        fclose(in.spool);
    cw_scan_free(in.scan);
    free(read_sql);
    free(write_sql);
    return rc;
}
