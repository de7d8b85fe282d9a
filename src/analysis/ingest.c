/* ingest.c - stream new complaints through the matcher into the results; see ingest.h. */
#include "causeway/analysis/ingest.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/fault.h"
#include "causeway/util/text.h"
#include "causeway/analysis/series.h"

/* The reader's columns (complaints_sql). */
enum {
    COL_ID,
    COL_RECEIVED,
    COL_WEEK,
    COL_CHANNEL,
    COL_SITE,
    COL_PRODUCT,
    COL_SEGMENT,
    COL_UPDATED,
    COL_FUTURE, /* received after the reader's snapshot: 't' */
    COL_COPIES, /* rows of the source with this id (NULL: ids are unique) */
    COL_HELD,   /* 't': classified holds an older version (narrowed slices, sent first) */
    COL_BODY,
    COL_COUNT
};

/* Longest "{a,b}" / "{1,2}" array literal kept on the stack; longer ones are allocated. */
#define ARRAY_STACK 512

typedef struct ingest {
    cw_db *writer;
    cw_matcher **matcher;     /* built on the first row that needs it */
    bool compiled;            /* by this run: saved for the next (save_matcher) */
    const char *write_sql[2]; /* COPY into the partition, into the staging table */
    bool stage;               /* rows go through pg_temp.cw_classified_new (stages) */
    bool copying;             /* the writer's COPY began (at the first row) */
    cw_scan *scan;
    const cw_rules *rules;
    const cw_ingest_params *p;
    const cw_log *log;
    cw_weekly_acc *weekly;
    cw_ingest_stats *stats;
    cw_hit *old_hits; /* on_edited's, one per symptom of the rule set */
    char run_id[24];
    size_t ruleset_len, run_id_len; /* measured once: the same in every row */
} ingest;

/* The evidence columns of a classified row: symptom ids, span starts, span ends. */
typedef struct evidence {
    char *text[3];
    size_t len[3];
    char stack[3][ARRAY_STACK];
} evidence;

/* Append v in decimal at buf + at; returns the new end. */
static size_t put_uint(char *buf, size_t at, size_t v)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0)
        buf[at++] = digits[--n];
    return at;
}

/*
 * The three array literals, formatted by hand (this runs once per complaint).
 * Symptom ids are [a-z][a-z0-9_]* (rules_check.c), so none needs quoting.
 */
static int evidence_format(evidence *e, const cw_rules *rules, const cw_hit *hits, size_t count,
                           cw_error *err)
{
    size_t need[3] = {3, 3, 3};
    for (size_t i = 0; i < count; i++) {
        need[0] += strlen(rules->symptoms[hits[i].symptom].id) + 1;
        need[1] += 21;
        need[2] += 21;
    }
    for (int k = 0; k < 3; k++) {
        char *t = e->text[k] = need[k] <= ARRAY_STACK ? e->stack[k] : malloc(need[k]);
        if (t == NULL)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        size_t at = 0;
        t[at++] = '{';
        for (size_t i = 0; i < count; i++) {
            if (i > 0)
                t[at++] = ',';
            if (k == 0) {
                const char *id = rules->symptoms[hits[i].symptom].id;
                size_t n = strlen(id);
                memcpy(t + at, id, n);
                at += n;
            } else {
                at = put_uint(t, at, k == 1 ? hits[i].start : hits[i].end);
            }
        }
        t[at++] = '}';
        t[at] = '\0';
        e->len[k] = at;
    }
    return 0;
}

static void evidence_fini(evidence *e)
{
    for (int k = 0; k < 3; k++)
        if (e->text[k] != e->stack[k])
            free(e->text[k]);
}

/* Count and skip the rows the run cannot classify; true when `v` is skipped. */
static bool skip_problem_row(cw_ingest_stats *s, const char *const *v)
{
    unsigned long long copies = v[COL_COPIES] != NULL ? strtoull(v[COL_COPIES], NULL, 10) : 1;
    if (v[COL_ID] == NULL) {
        s->null_ids += copies; /* NULL ids are one group to DISTINCT ON */
        return true;
    }
    if (copies > 1)
        s->duplicate_ids += copies - 1;
    if (v[COL_RECEIVED] == NULL) {
        s->null_received_at++;
        return true;
    }
    if (v[COL_FUTURE] != NULL && v[COL_FUTURE][0] == 't') {
        s->future_rows++;
        return true;
    }
    return false;
}

/* A saved matcher, as hex_row decodes it from encode(compiled, 'hex'). */
typedef struct saved_blob {
    char *bytes;
    size_t len;
} saved_blob;

static unsigned hex_digit(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

static int hex_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    saved_blob *out = user;
    if (ncols != 1 || v[0] == NULL || out->bytes != NULL)
        return 0;
    size_t n = lens[0] / 2;
    if ((out->bytes = malloc(n + 1)) == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    for (size_t i = 0; i < n; i++)
        out->bytes[i] = (char)((hex_digit(v[0][2 * i]) << 4) | hex_digit(v[0][2 * i + 1]));
    out->len = n;
    return 0;
}

/*
 * The rule set's matcher as the last run that compiled it saved it (rulesets.compiled),
 * or compiled now (then saved by save_matcher). Runs at the first row, before the
 * writer's COPY begins.
 */
static int load_matcher(ingest *in, cw_error *err)
{
    saved_blob saved = {NULL, 0};
    char *sql = cw_text_printf("SELECT pg_catalog.encode(r.compiled, 'hex') FROM %s.rulesets r"
                               " WHERE r.id = $1::int AND r.compiled_by = $2",
                               in->p->schema);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const char *params[] = {in->p->ruleset, in->p->compiled_by};
    int rc = cw_db_query(in->writer, sql, 2, params, hex_row, &saved, err);
    free(sql);
    if (rc == 0 && saved.bytes != NULL)
        rc = cw_matcher_load(in->matcher, in->rules, saved.bytes, saved.len, err);
    free(saved.bytes);
    if (rc < 0)
        return -1;
    if (*in->matcher != NULL) {
        cw_log_debug(in->log, "compiled rules loaded");
        return 0;
    }
    if (cw_matcher_new(in->matcher, in->rules, err) != 0)
        return -1;
    in->compiled = true;
    cw_log_debug(in->log, "rules compiled");
    return 0;
}

/* A matcher this run compiled is kept with the rule set for the runs after it. */
static int save_matcher(const ingest *in, cw_error *err)
{
    if (!in->compiled)
        return 0;
    char *blob = NULL, *hex = NULL;
    size_t len = 0;
    if (cw_matcher_save(&blob, &len, *in->matcher, err) != 0)
        return -1;
    int rc = -1;
    if ((hex = malloc(2 * len + 1)) == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        goto done;
    }
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[(unsigned char)blob[i] >> 4];
        hex[2 * i + 1] = digits[(unsigned char)blob[i] & 15];
    }
    hex[2 * len] = '\0';
    char *sql = cw_text_printf("UPDATE %s.rulesets SET compiled = pg_catalog.decode($2, 'hex'),"
                               " compiled_by = $3 WHERE id = $1::int",
                               in->p->schema);
    const char *params[] = {in->p->ruleset, hex, in->p->compiled_by};
    rc = sql == NULL ? cw_error_set(err, CW_EXIT_OSERR, "out of memory")
                     : cw_db_query(in->writer, sql, 3, params, NULL, NULL, err);
    free(sql);
done:
    free(blob);
    free(hex);
    return rc;
}

static int stage_open(cw_db *writer, const cw_ingest_params *p, cw_error *err);

/*
 * At the first row: the matcher and scanner, then the writer's COPY (begun only now,
 * so that loading the matcher can use the writer, and a run with nothing new sends
 * neither).
 */
static int first_row(ingest *in, const char *const *v, cw_error *err)
{
    if (in->copying)
        return 0;
    /* Rows with an older version come first: when the first is new, none is edited. */
    if (v[COL_HELD] != NULL && v[COL_HELD][0] == 'f')
        in->stage = false;
    if ((*in->matcher == NULL && load_matcher(in, err) != 0) ||
        cw_scan_new(&in->scan, *in->matcher, err) != 0 ||
        (in->stage && stage_open(in->writer, in->p, err) != 0) ||
        cw_db_copy_in_begin(in->writer, in->write_sql[in->stage], err) != 0)
        return -1;
    in->copying = true;
    return 0;
}

static int on_complaint(void *user, int ncols, const char *const *v, const size_t *lens,
                        cw_error *err)
{
    ingest *in = user;
    if (ncols != COL_COUNT)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected source row");
    if (skip_problem_row(in->stats, v))
        return 0;
    if (first_row(in, v, err) != 0)
        return -1;
    cw_complaint c = {
        .id = v[COL_ID],
        .body = v[COL_BODY] != NULL ? v[COL_BODY] : "",
        .body_len = v[COL_BODY] != NULL ? lens[COL_BODY] : 0,
        .fields = {v[COL_CHANNEL], v[COL_SITE], v[COL_PRODUCT], v[COL_SEGMENT]},
    };
    const cw_hit *hits = NULL;
    size_t count = 0;
    if (cw_matcher_classify(&hits, &count, in->scan, &c, err) != 0 ||
        cw_weekly_acc_add(in->weekly, v[COL_WEEK], v[COL_SITE], c.fields, hits, count, err) != 0 ||
        cw_weekly_acc_note_examples(in->weekly, v[COL_WEEK], v[COL_SITE], v[COL_ID],
                                    v[COL_RECEIVED], hits, count, err) != 0)
        return -1;
    char symptoms[24]; /* put_uint, not snprintf: vfprintf showed in the per-row profile */
    size_t symptoms_len = put_uint(symptoms, 0, count);
    symptoms[symptoms_len] = '\0';
    evidence e; /* no initializer: it would clear the stack buffers for every complaint */
    e.text[0] = e.text[1] = e.text[2] = NULL;
    int rc = evidence_format(&e, in->rules, hits, count, err);
    const char *row[] = {in->p->ruleset, v[COL_ID],     v[COL_RECEIVED], v[COL_WEEK],
                         v[COL_CHANNEL], v[COL_SITE],   v[COL_PRODUCT],  v[COL_SEGMENT],
                         in->run_id,     symptoms,      e.text[0],       e.text[1],
                         e.text[2],      v[COL_UPDATED]};
    if (rc == 0) {
        /* The copy-out lengths and our own: no strlen over every field of every row. */
        const size_t row_lens[] = {in->ruleset_len,   lens[COL_ID],      lens[COL_RECEIVED],
                                   lens[COL_WEEK],    lens[COL_CHANNEL], lens[COL_SITE],
                                   lens[COL_PRODUCT], lens[COL_SEGMENT], in->run_id_len,
                                   symptoms_len,      e.len[0],          e.len[1],
                                   e.len[2],          lens[COL_UPDATED]};
        rc = cw_db_copy_in_row(in->writer, 14, row, row_lens, err);
    }
    evidence_fini(&e);
    if (rc != 0)
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

/*
 * An edited complaint's old row, as the writer deleted it (week, site, channel,
 * product, segment, symptoms): its counts leave the weekly rows.
 */
static int on_edited(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    ingest *in = user;
    if (ncols != 6 || v[0] == NULL || v[5] == NULL)
        return cw_error_set(err, CW_EXIT_SOFTWARE, "unexpected classified row");
    cw_hit *hits = in->old_hits;
    size_t count = 0;
    /* "{a,b}": symptom ids are [a-z][a-z0-9_]*, never quoted (evidence_format). */
    for (const char *p = v[5] + 1; *p != '\0' && *p != '}';) {
        size_t n = strcspn(p, ",}");
        char id[128];
        snprintf(id, sizeof(id), "%.*s", (int)(n < sizeof(id) ? n : sizeof(id) - 1), p);
        long symptom = cw_rules_find_symptom(in->rules, id);
        /* An id the rule set no longer has cannot happen under one hash: skipped. */
        if (symptom >= 0 && count < in->rules->symptom_count)
            hits[count++] = (cw_hit){.symptom = (size_t)symptom};
        p += n + (p[n] == ',');
    }
    const char *fields[CW_FIELD_COUNT] = {v[2], v[1], v[3], v[4]};
    if (cw_weekly_acc_remove(in->weekly, v[0], v[1], fields, hits, count, err) != 0)
        return -1;
    in->stats->reclassified++;
    return 0;
}

/*
 * The rows a run reads, as the FROM item `s` (see ingest.h): the look-back window
 * (and rows without received_at, to count them), narrowed to the changed rows when
 * there is a mark; one row per id (the latest received) when ids may repeat, with
 * the number of rows of that id in cw_copies.
 */
static char *slice_sql(const cw_source *src, const cw_ingest_params *p)
{
    const char *id = src->columns[CW_COL_ID], *received = src->columns[CW_COL_RECEIVED_AT];
    const char *updated = src->columns[CW_COL_UPDATED_AT];
    char *changed =
        p->mark == NULL || updated == NULL
            ? cw_text_printf("%s", "")
            : cw_text_printf(" AND (s.%s::timestamptz >= %s::timestamptz OR s.%s IS NULL"
                             " OR s.%s::timestamptz >= %s::timestamptz"
                             " OR s.%s::timestamptz < %s::timestamptz)",
                             updated, p->mark, updated, received, p->mark, received,
                             p->covered_from);
    if (changed == NULL)
        return NULL;
    char *sql = NULL;
    if (src->unique_ids)
        sql = cw_text_printf(
            "(SELECT s.*, NULL::bigint AS cw_copies FROM %s s"
            " WHERE (s.%s::timestamptz >= ('%s'::timestamp AT TIME ZONE %s) OR s.%s IS NULL)%s) s",
            src->relation, received, p->since, src->timezone, received, changed);
    else
        sql = cw_text_printf(
            "(SELECT DISTINCT ON (s.%s::text) s.*,"
            " pg_catalog.count(*) OVER (PARTITION BY s.%s::text) AS cw_copies FROM %s s"
            " WHERE (s.%s::timestamptz >= ('%s'::timestamp AT TIME ZONE %s) OR s.%s IS NULL)%s"
            " ORDER BY s.%s::text, s.%s DESC) s",
            id, id, src->relation, received, p->since, src->timezone, received, changed, id,
            received);
    free(changed);
    return sql;
}

/*
 * Keeps the slice's rows that classified does not hold as they are now (with
 * updated_at, a row of an older version does not count). A narrowed slice is small:
 * each row is looked up by the primary key (LATERAL ... LIMIT 1 keeps the planner
 * from hashing the whole partition instead), and rows classified before (edited)
 * come first (COL_HELD); the whole window is anti-joined.
 */
static char *not_held_sql(const cw_source *src, const cw_ingest_params *p)
{
    const char *id = src->columns[CW_COL_ID], *updated = src->columns[CW_COL_UPDATED_AT];
    if (p->mark != NULL && updated != NULL)
        return cw_text_printf(
            " LEFT JOIN LATERAL (SELECT true AS held, c.updated_at FROM %s.classified c"
            " WHERE c.ruleset_id = %s AND c.complaint_id = s.%s::text LIMIT 1) h ON true"
            " WHERE h.held IS NULL OR h.updated_at IS DISTINCT FROM s.%s::timestamptz"
            " ORDER BY h.held IS NULL",
            p->schema, p->ruleset, id, updated);
    char same[256] = ""; /* the text around it, and a quoted identifier of up to 128 bytes */
    if (updated != NULL)
        snprintf(same, sizeof(same), " AND c.updated_at IS NOT DISTINCT FROM s.%s::timestamptz",
                 updated);
    return cw_text_printf(" WHERE NOT EXISTS (SELECT 1 FROM %s.classified c"
                          " WHERE c.ruleset_id = %s AND c.complaint_id = s.%s::text%s)",
                          p->schema, p->ruleset, id, same);
}

static char *complaints_sql(const cw_source *src, const cw_ingest_params *p)
{
    char *cols[CW_COL_COUNT] = {0};
    char *sql = NULL, *slice = slice_sql(src, p), *not_held = not_held_sql(src, p);
    for (int i = 0; i < CW_COL_COUNT; i++)
        if ((cols[i] = cw_source_column_sql(src, (cw_source_column)i)) == NULL)
            goto done;
    if (slice == NULL || not_held == NULL)
        goto done;
    const char *id = src->columns[CW_COL_ID], *received = src->columns[CW_COL_RECEIVED_AT];
    const char *updated = src->columns[CW_COL_UPDATED_AT];
    sql = cw_text_printf(
        "COPY (SELECT s.%s::text, s.%s::timestamptz::text,"
        " pg_catalog.date_trunc('week', s.%s::timestamptz AT TIME ZONE %s)::date::text,"
        " %s, %s, %s, %s, %s%s%s, s.%s::timestamptz > pg_catalog.now(), s.cw_copies, %s, %s"
        " FROM %s%s) TO STDOUT",
        id, received, received, src->timezone, cols[CW_COL_CHANNEL], cols[CW_COL_SITE],
        cols[CW_COL_PRODUCT], cols[CW_COL_SEGMENT], updated != NULL ? "s." : "NULL::text",
        updated != NULL ? updated : "", updated != NULL ? "::timestamptz::text" : "", received,
        p->mark != NULL && updated != NULL ? "h.held IS NOT NULL" : "NULL::boolean",
        cols[CW_COL_BODY], slice, not_held);
done:
    for (int i = 0; i < CW_COL_COUNT; i++)
        free(cols[i]);
    free(slice);
    free(not_held);
    return sql;
}

/*
 * The rule set's own partition of classified (sql/migrations/0002). For a rule set
 * that has none yet it is created here, loaded without indexes and attached after
 * the load, which builds the indexes once, by sorting.
 */
typedef struct partition {
    char *name;   /* qualified */
    bool created; /* by this run: attach after the load */
} partition;

static int partition_open(partition *pt, cw_db *writer, const cw_ingest_params *p, cw_error *err)
{
    if ((pt->name = cw_text_printf("%s.classified_r%s", p->schema, p->ruleset)) == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    bool present = false;
    const char *params[] = {pt->name};
    if (cw_db_query(writer, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, params,
                    cw_db_bool_row, &present, err) != 0)
        return -1;
    if (present)
        return 0;
    /* The CHECK lets ATTACH skip scanning the new partition for rows of other rule sets. */
    char *sql = cw_text_printf(
        "CREATE TABLE %s (LIKE %s.classified INCLUDING DEFAULTS, CHECK (ruleset_id = %s))",
        pt->name, p->schema, p->ruleset);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    int rc = cw_db_exec(writer, sql, err);
    free(sql);
    pt->created = rc == 0;
    return rc;
}

static int partition_attach(const partition *pt, cw_db *writer, const cw_ingest_params *p,
                            cw_error *err)
{
    if (!pt->created)
        return 0;
    char *sql = cw_text_printf("ALTER TABLE %s.classified ATTACH PARTITION %s FOR VALUES IN (%s)",
                               p->schema, pt->name, p->ruleset);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    int rc = cw_db_exec(writer, sql, err);
    free(sql);
    return rc;
}

/*
 * With updated_at mapped, a row the reader streams may be a new version of one the
 * partition holds: rows are copied into a staging table, the old rows of the ids
 * staged are deleted (their counts leave weekly as they go), then the staged rows
 * move in. Only what the reader streamed is touched, so nothing can be deleted that
 * is not re-inserted. The first run of a rule set (a new partition) and sources
 * without updated_at copy straight into the partition.
 */
static bool stages(const partition *pt, const cw_source *src)
{
    return src->columns[CW_COL_UPDATED_AT] != NULL && !pt->created;
}

static int stage_open(cw_db *writer, const cw_ingest_params *p, cw_error *err)
{
    char *sql = cw_text_printf("CREATE TEMPORARY TABLE cw_classified_new"
                               " (LIKE %s.classified INCLUDING DEFAULTS) ON COMMIT DROP",
                               p->schema);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    int rc = cw_db_exec(writer, sql, err);
    free(sql);
    return rc;
}

static int stage_merge(ingest *in, const partition *pt, const cw_ingest_params *p, cw_error *err)
{
    /* ANY (ARRAY (...)): one primary-key probe per staged id, never a scan of the partition. */
    char *drop = cw_text_printf(
        "DELETE FROM %s c WHERE c.ruleset_id = %s AND c.complaint_id = ANY (ARRAY"
        " (SELECT n.complaint_id FROM pg_temp.cw_classified_new n))"
        " RETURNING c.week::text, c.site, c.channel, c.product, c.segment, c.symptoms::text",
        pt->name, p->ruleset);
    char *move = cw_text_printf("INSERT INTO %s SELECT * FROM pg_temp.cw_classified_new", pt->name);
    int rc = drop == NULL || move == NULL
                 ? cw_error_set(err, CW_EXIT_OSERR, "out of memory")
                 : cw_db_query(in->writer, drop, 0, NULL, on_edited, in, err);
    if (rc == 0 && cw_fault_point("ingest-after-edits") != 0)
        rc = cw_error_set(err, CW_EXIT_IOERR, "fault injected at ingest-after-edits");
    if (rc == 0)
        rc = cw_db_exec(in->writer, move, err);
    free(drop);
    free(move);
    return rc;
}

int cw_ingest_run(cw_ingest_stats *stats, cw_db *writer, cw_db *reader, cw_matcher **m,
                  const cw_rules *rules, const cw_source *src, const cw_ingest_params *p,
                  cw_weekly_acc *weekly, const cw_log *log, cw_error *err)
{
    ingest in = {.writer = writer,
                 .matcher = m,
                 .rules = rules,
                 .p = p,
                 .log = log,
                 .stats = stats,
                 .weekly = weekly};
    char *read_sql = NULL, *write_sql[2] = {NULL, NULL};
    partition pt = {0};
    int rc = -1;
    memset(stats, 0, sizeof(*stats));
    snprintf(in.run_id, sizeof(in.run_id), "%lld", p->run_id);
    in.run_id_len = strlen(in.run_id);
    in.ruleset_len = strlen(p->ruleset);

    if ((in.old_hits = calloc(rules->symptom_count + 1, sizeof(cw_hit))) == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        goto done;
    }
    if (partition_open(&pt, writer, p, err) != 0)
        goto done;
    in.stage = stages(&pt, src);
    read_sql = complaints_sql(src, p);
    for (int k = 0; k < 2; k++)
        write_sql[k] = cw_text_printf("COPY %s (ruleset_id, complaint_id, received_at, week,"
                                      " channel, site, product, segment, run_id, symptom_count,"
                                      " symptoms, span_starts, span_ends, updated_at) FROM STDIN",
                                      k == 1 ? "pg_temp.cw_classified_new" : pt.name);
    if (read_sql == NULL || write_sql[0] == NULL || write_sql[1] == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        goto done;
    }
    in.write_sql[0] = write_sql[0];
    in.write_sql[1] = write_sql[1];
    if (cw_db_copy_out(reader, read_sql, on_complaint, &in, err) != 0) {
        if (in.copying)
            cw_db_copy_in_abort(writer);
        goto done;
    }
    if (in.copying && cw_db_copy_in_end(writer, err) != 0)
        goto done;
    if (save_matcher(&in, err) != 0)
        goto done;
    cw_log_progress_done(log);
    cw_log_debug(log, "classified rows copied");
    if (cw_fault_point("ingest-before-attach") != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "fault injected at ingest-before-attach");
        goto done;
    }
    if (partition_attach(&pt, writer, p, err) != 0 ||
        (in.stage && in.copying && stage_merge(&in, &pt, p, err) != 0))
        goto done;
    cw_log_debug(log, "partition ready");
    rc = cw_weekly_acc_store(weekly, writer, p->schema, p->ruleset, in.run_id, err);
done:
    cw_scan_free(in.scan);
    free(in.old_hits);
    free(pt.name);
    free(read_sql);
    free(write_sql[0]);
    free(write_sql[1]);
    return rc;
}
