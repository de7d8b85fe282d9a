/* evidence.c - example snippets cut from the source at report time; see evidence.h. */
#include "causeway/report/evidence.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/text.h"

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
}

/* The examples' complaint ids as a PostgreSQL text[] literal ({"a","b\"c"}); NULL on OOM. */
static char *id_array(const cw_ranking *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    fputc('{', f);
    bool first = true;
    for (size_t i = 0; i < r->count; i++)
        for (size_t k = 0; k < r->entries[i].example_count; k++) {
            fputs(first ? "\"" : ",\"", f);
            first = false;
            for (const char *p = r->entries[i].examples[k].complaint_id; *p != '\0'; p++) {
                if (*p == '"' || *p == '\\')
                    fputc('\\', f);
                fputc(*p, f);
            }
            fputc('"', f);
        }
    fputc('}', f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Row: complaint id, body. Cuts the snippet of every example of that complaint. */
static int body_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    cw_ranking *r = user;
    if (ncols != 2 || v[0] == NULL || v[1] == NULL)
        return 0;
    for (size_t i = 0; i < r->count; i++)
        for (size_t k = 0; k < r->entries[i].example_count; k++) {
            cw_ranking_example *x = &r->entries[i].examples[k];
            if (strcmp(x->complaint_id, v[0]) != 0 || x->span_start < 0 || x->span_end < 0)
                continue;
            /* The body may have been edited since: cw_text_snippet clamps the span. */
            char snippet[CW_EVIDENCE_BYTES];
            cw_text_snippet(snippet, sizeof(snippet), v[1], lens[1], (size_t)x->span_start,
                            (size_t)x->span_end, CW_EVIDENCE_CONTEXT);
            char *copy = strdup(snippet);
            if (copy == NULL)
                return oom(err);
            free(x->snippet);
            x->snippet = copy;
        }
    return 0;
}

int cw_evidence_attach(cw_ranking *r, cw_db *db, const cw_source *src, cw_error *err)
{
    if (r->week_monday == NULL)
        return 0;
    char *ids = id_array(r);
    char *body = cw_source_column_sql(src, CW_COL_BODY);
    const char *id = src->columns[CW_COL_ID], *received = src->columns[CW_COL_RECEIVED_AT];
    char *sql =
        body == NULL
            ? NULL
            : cw_text_printf("SELECT DISTINCT ON (s.%s::text) s.%s::text, %s FROM %s s"
                             " WHERE s.%s::text = ANY ($1::text[])"
                             " AND s.%s::timestamptz >= ($2::date - 189)::timestamp"
                             " AT TIME ZONE %s"
                             " AND s.%s::timestamptz < ($2::date + 7)::timestamp AT TIME ZONE %s"
                             " ORDER BY s.%s::text, s.%s::timestamptz DESC",
                             id, id, body, src->relation, id, received, src->timezone, received,
                             src->timezone, id, received);
    int rc = -1;
    if (ids == NULL || sql == NULL) {
        oom(err);
    } else if (strcmp(ids, "{}") == 0) {
        rc = 0;
    } else {
        const char *params[] = {ids, r->week_monday};
        rc = cw_db_query(db, sql, 2, params, body_row, r, err);
    }
    free(ids);
    free(body);
    free(sql);
    return rc;
}

int cw_evidence_show(cw_ranking *r, cw_db *db, const cw_config *c, const cw_log *log, cw_error *err)
{
    cw_error mine;
    cw_error_clear(&mine);
    cw_source src;
    if (cw_source_prepare(&src, db, c, &mine) == 0) {
        (void)cw_evidence_attach(r, db, &src, &mine);
        cw_source_fini(&src);
    }
    if (mine.code == CW_EXIT_OSERR) {
        *err = mine;
        return -1;
    }
    if (mine.code != 0)
        cw_log_warn(log, "example snippets left out (ids only): %s", mine.message);
    return 0;
}
