/* corpus.c - complaints from a text input or the database source; see corpus.h. */
#include "causeway/corpus/corpus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/store/config.h"
#include "causeway/store/db.h"
#include "causeway/store/source.h"
#include "causeway/util/text.h"

enum { COL_ID, COL_CHANNEL, COL_SITE, COL_PRODUCT, COL_SEGMENT, COL_BODY, COL_LABEL, COL_STRENGTH };

typedef struct reader {
    const cw_corpus_options *o;
    const cw_log *log;
    cw_corpus_fn fn;
    void *user;
    unsigned long long count;
} reader;

static void progress(reader *r)
{
    if ((++r->count & 0xffff) == 0)
        cw_log_progress(r->log, "read %llu complaints", r->count);
}

/* ---- a text input ------------------------------------------------------------------ */

static int each_record(reader *r, cw_corpus_info *info, cw_error *err)
{
    const cw_corpus_options *o = r->o;
    bool from_stdin = o->file == NULL || strcmp(o->file, "-") == 0;
    FILE *f = stdin;
    if (!from_stdin && cw_input_open(&f, o->file, err) != 0)
        return -1;
    cw_input_options in = o->in;
    in.extra_columns[0] = o->label_column;
    in.extra_columns[1] = o->strength_column;
    cw_input *input = NULL;
    int rc = cw_input_new(&input, f, from_stdin ? "-" : o->file, &in, err);
    if (rc == 0 && info != NULL)
        snprintf(info->source, sizeof(info->source), "%s", cw_input_name(input));
    cw_record rec;
    while (rc == 0 && (rc = cw_input_next(&rec, input, err)) == 1) {
        cw_corpus_item item = {
            .c = {.id = rec.id, .body = rec.text, .body_len = rec.text_len},
            .label = rec.extra[0],
            .strength = rec.extra[1],
            .file = cw_input_name(input),
            .line = rec.line,
        };
        memcpy(item.c.fields, rec.fields, sizeof(item.c.fields));
        rc = r->fn(r->user, &item, err);
        progress(r);
    }
    cw_input_free(input);
    if (!from_stdin)
        fclose(f);
    return rc < 0 ? -1 : 0;
}

/* ---- the database source ------------------------------------------------------------- */

static int on_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    reader *r = user;
    if (ncols < COL_BODY + 1 || v[COL_ID] == NULL)
        return cw_error_set(err, CW_EXIT_DATAERR, "source row without an id (it is required)");
    cw_corpus_item item = {
        .c = {.id = v[COL_ID],
              .body = v[COL_BODY] != NULL ? v[COL_BODY] : "",
              .body_len = v[COL_BODY] != NULL ? lens[COL_BODY] : 0,
              .fields = {v[COL_CHANNEL], v[COL_SITE], v[COL_PRODUCT], v[COL_SEGMENT]}},
        .label = r->o->label_column != NULL ? v[COL_LABEL] : NULL,
        .strength = r->o->strength_column != NULL ? v[ncols - 1] : NULL,
    };
    int rc = r->fn(r->user, &item, err);
    progress(r);
    return rc;
}

/* "AND s.received >= (monday::timestamp AT TIME ZONE tz)" for a week bound, or "". */
static char *week_bound(const cw_source *src, bool have, cw_week w, const char *op)
{
    if (!have)
        return cw_text_printf("%s", "");
    char monday[16];
    cw_week_format_monday(monday, sizeof(monday), w);
    return cw_text_printf(" AND s.%s::timestamptz %s ('%s'::timestamp AT TIME ZONE %s)",
                          src->columns[CW_COL_RECEIVED_AT], op, monday, src->timezone);
}

static char *select_sql(const cw_source *src, const cw_corpus_options *o, const char *label,
                        const char *strength)
{
    char *cols[CW_COL_COUNT] = {0};
    char *since = week_bound(src, o->have_since, o->since, ">=");
    char *until = week_bound(src, o->have_until, o->until + 1, "<");
    char *sql = NULL;
    for (int i = 0; i < CW_COL_COUNT; i++)
        if ((cols[i] = cw_source_column_sql(src, (cw_source_column)i)) == NULL)
            goto done;
    if (since == NULL || until == NULL)
        goto done;
    const char *id = src->columns[CW_COL_ID];
    /* A view may repeat ids: keep one row per id (the latest), as run does. */
    char *distinct = src->unique_ids ? cw_text_printf("%s", "")
                                     : cw_text_printf("DISTINCT ON (s.%s::text) ", id);
    char *order = src->unique_ids ? cw_text_printf("s.%s", id)
                                  : cw_text_printf("s.%s::text, s.%s DESC", id,
                                                   src->columns[CW_COL_RECEIVED_AT]);
    if (distinct != NULL && order != NULL)
        sql = cw_text_printf("COPY (SELECT %ss.%s::text, %s, %s, %s, %s, %s%s%s%s%s FROM %s s"
                             " WHERE true%s%s ORDER BY %s) TO STDOUT",
                             distinct, id, cols[CW_COL_CHANNEL], cols[CW_COL_SITE],
                             cols[CW_COL_PRODUCT], cols[CW_COL_SEGMENT], cols[CW_COL_BODY],
                             label != NULL ? ", " : "", label != NULL ? label : "",
                             strength != NULL ? ", " : "", strength != NULL ? strength : "",
                             src->relation, since, until, order);
    free(distinct);
    free(order);
done:
    for (int i = 0; i < CW_COL_COUNT; i++)
        free(cols[i]);
    free(since);
    free(until);
    return sql;
}

static void describe_db(cw_corpus_info *info, const cw_corpus_options *o, const cw_config *c)
{
    if (info == NULL)
        return;
    char weeks[48] = "";
    char a[16] = "...", b[16] = "...";
    if (o->have_since)
        cw_week_format_iso(a, sizeof(a), o->since);
    if (o->have_until)
        cw_week_format_iso(b, sizeof(b), o->until);
    if (o->have_since || o->have_until)
        snprintf(weeks, sizeof(weeks), ", weeks %s to %s", a, b);
    snprintf(info->source, sizeof(info->source), "database: %.200s%s", c->source_table, weeks);
}

static int each_row(reader *r, cw_corpus_info *info, cw_error *err)
{
    const cw_corpus_options *o = r->o;
    cw_config c;
    cw_db *db = NULL;
    cw_source src;
    memset(&src, 0, sizeof(src));
    char *label = NULL, *strength = NULL, *sql = NULL;
    int rc = cw_config_init(&c, err);
    if (rc == 0 && o->config_path != NULL)
        rc = cw_config_load(&c, o->config_path, NULL, err);
    if (rc == 0 && o->dbname != NULL)
        rc = cw_config_set(&c.dbname, o->dbname, err);
    if (rc == 0)
        rc = cw_config_validate(&c, err);
    if (rc == 0)
        rc = cw_db_connect(&db, c.dbname, r->log, err);
    if (rc == 0)
        cw_db_set_timeouts(db, c.lock_timeout, c.statement_timeout);
    if (rc == 0)
        rc = cw_source_prepare(&src, db, &c, err);
    if (rc == 0 && o->label_column != NULL)
        rc = cw_source_extra_column(&label, db, &src, o->label_column, "--label-column", err);
    if (rc == 0 && o->strength_column != NULL)
        rc = cw_source_extra_column(&strength, db, &src, o->strength_column, "--strength-column",
                                    err);
    if (rc == 0 && (sql = select_sql(&src, o, label, strength)) == NULL)
        rc = cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    if (rc == 0) {
        describe_db(info, o, &c);
        rc = cw_db_copy_out(db, sql, on_row, r, err);
    }
    free(sql);
    free(label);
    free(strength);
    cw_source_fini(&src);
    cw_db_free(db);
    cw_config_fini(&c);
    return rc;
}

int cw_corpus_each(cw_corpus_info *info, const cw_corpus_options *o, const cw_log *log,
                   cw_corpus_fn fn, void *user, cw_error *err)
{
    reader r = {.o = o, .log = log, .fn = fn, .user = user};
    if (info != NULL)
        info->source[0] = '\0';
    int rc = o->database ? each_row(&r, info, err) : each_record(&r, info, err);
    cw_log_progress_done(log);
    return rc;
}
