/* weekly.c - weekly series aggregated in PostgreSQL; see weekly.h. */
#include "causeway/weekly.h"

#include <stdlib.h>

#include "causeway/text.h"

int cw_weekly_prepare(cw_db *db, const cw_rules *rules, cw_error *err)
{
    if (cw_db_exec(db,
                   "CREATE TEMPORARY TABLE cw_symptom_causes (symptom_id text NOT NULL,"
                   " area_id text NOT NULL, weight double precision NOT NULL,"
                   " severity integer NOT NULL) ON COMMIT DROP",
                   err) != 0)
        return -1;
    if (cw_db_copy_in_begin(db, "COPY pg_temp.cw_symptom_causes FROM STDIN", err) != 0)
        return -1;
    for (size_t i = 0; i < rules->symptom_count; i++) {
        const cw_symptom *s = &rules->symptoms[i];
        for (size_t j = 0; j < s->cause_count; j++) {
            char weight[32], severity[16];
            snprintf(weight, sizeof(weight), "%.17g", s->causes[j].weight);
            snprintf(severity, sizeof(severity), "%d", s->severity);
            const char *row[] = {s->id, rules->areas[s->causes[j].area].id, weight, severity};
            if (cw_db_copy_in_row(db, 4, row, NULL, err) != 0) {
                cw_db_copy_in_abort(db);
                return -1;
            }
        }
    }
    return cw_db_copy_in_end(db, err);
}

int cw_weekly_update(cw_db *db, const char *schema, const char *hash, long long run_id,
                     cw_error *err)
{
    char run[24];
    snprintf(run, sizeof(run), "%lld", run_id);
    const char *params[] = {hash, run};
    char *touched = cw_text_printf("SELECT DISTINCT c.week FROM %s.classified c"
                                   " WHERE c.ruleset_hash = $1 AND c.run_id = $2::bigint",
                                   schema);
    char *del = NULL, *ins = NULL, *totals = NULL;
    int rc = -1;
    if (touched == NULL)
        goto oom;
    del = cw_text_printf("DELETE FROM %s.weekly w WHERE w.ruleset_hash = $1 AND w.week IN (%s)",
                         schema, touched);
    /* One pass over the touched weeks' matches feeds all four series. */
    ins = cw_text_printf(
        "INSERT INTO %s.weekly (ruleset_hash, series, area_id, site, symptom_id, week,"
        " complaints, attributed, weighted)"
        " SELECT $1::text,"
        " CASE WHEN GROUPING(sc.symptom_id) = 1"
        "  THEN CASE WHEN GROUPING(h.site) = 1 THEN 'area' ELSE 'area_site' END"
        "  ELSE CASE WHEN GROUPING(h.site) = 1 THEN 'symptom' ELSE 'symptom_site' END END,"
        " CASE WHEN GROUPING(sc.area_id) = 1 THEN '' ELSE sc.area_id END,"
        " CASE WHEN GROUPING(h.site) = 1 THEN '' ELSE h.site END,"
        " CASE WHEN GROUPING(sc.symptom_id) = 1 THEN '' ELSE sc.symptom_id END,"
        " h.week, count(DISTINCT h.complaint_id), sum(sc.weight), sum(sc.weight * sc.severity)"
        " FROM (SELECT c.complaint_id, c.week, coalesce(c.site, '') AS site, m.symptom_id"
        "  FROM %s.classified c JOIN %s.matches m ON m.ruleset_hash = c.ruleset_hash"
        "  AND m.complaint_id = c.complaint_id"
        "  WHERE c.ruleset_hash = $1 AND c.week IN (%s)) h"
        " JOIN pg_temp.cw_symptom_causes sc ON sc.symptom_id = h.symptom_id"
        " GROUP BY GROUPING SETS ((sc.area_id, h.week), (sc.area_id, h.site, h.week),"
        " (sc.symptom_id, h.week), (sc.symptom_id, h.site, h.week))",
        schema, schema, schema, touched);
    /* All complaints per week (and site), symptoms or not: the denominator of shares. */
    totals = cw_text_printf(
        "INSERT INTO %s.weekly (ruleset_hash, series, area_id, site, symptom_id, week,"
        " complaints, attributed, weighted)"
        " SELECT $1::text, CASE WHEN GROUPING(h.site) = 1 THEN 'total' ELSE 'total_site' END, '',"
        " CASE WHEN GROUPING(h.site) = 1 THEN '' ELSE h.site END, '', h.week, count(*), count(*), 0"
        " FROM (SELECT c.week, coalesce(c.site, '') AS site FROM %s.classified c"
        "  WHERE c.ruleset_hash = $1 AND c.week IN (%s)) h"
        " GROUP BY GROUPING SETS ((h.week), (h.site, h.week))",
        schema, schema, touched);
    if (del == NULL || ins == NULL || totals == NULL)
        goto oom;
    if (cw_db_query(db, del, 2, params, NULL, NULL, err) == 0 &&
        cw_db_query(db, ins, 2, params, NULL, NULL, err) == 0 &&
        cw_db_query(db, totals, 2, params, NULL, NULL, err) == 0)
        rc = 0;
    goto done;
oom:
    cw_error_set(err, CW_EXIT_OSERR, "out of memory");
done:
    free(touched);
    free(del);
    free(ins);
    free(totals);
    return rc;
}
