/* source.c - the complaint source, quoted and checked; see source.h. */
#include "causeway/store/source.h"

#include <stdlib.h>
#include <string.h>

#include "causeway/util/text.h"

static int quote_relation(char **out, cw_db *db, const char *table, cw_error *err)
{
    char schema[64], name[64];
    char *qs = NULL, *qn = NULL;
    cw_config_split_table(schema, name, table);
    int rc = cw_db_quote_ident(&qn, db, name, err);
    if (rc == 0 && schema[0] != '\0')
        rc = cw_db_quote_ident(&qs, db, schema, err);
    if (rc == 0) {
        *out = qs != NULL ? cw_text_printf("%s.%s", qs, qn) : cw_text_printf("%s", qn);
        if (*out == NULL)
            rc = cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    free(qs);
    free(qn);
    return rc;
}

static int first_bool(void *user, int ncols, const char *const *values, const size_t *lens,
                      cw_error *err)
{
    (void)lens;
    (void)err;
    *(bool *)user = ncols > 0 && values[0] != NULL && values[0][0] == 't';
    return 0;
}

static int text_value(void *user, int ncols, const char *const *values, const size_t *lens,
                      cw_error *err)
{
    (void)lens;
    char **out = user;
    if (ncols > 0 && values[0] != NULL && *out == NULL && (*out = strdup(values[0])) == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    return 0;
}

/* Run `sql` (expected to return no rows) and turn a missing relation or
 * column into a configuration error naming the setting. */
static int probe(cw_db *db, const char *sql, const char *setting, const char *value, cw_error *err)
{
    if (cw_db_query(db, sql, 0, NULL, NULL, NULL, err) == 0)
        return 0;
    if (err->code == CW_EXIT_CONFIG) {
        cw_error_detail(err, "setting %s is '%s'", setting, value);
        cw_error_hint(err, "map the source in the configuration file (see causeway(1), "
                           "CONFIGURATION)");
    }
    return -1;
}

static int check_source(cw_source *s, cw_db *db, const cw_config *c, cw_error *err)
{
    char *relation_sql = cw_text_printf("SELECT 1 FROM %s s LIMIT 0", s->relation);
    int relation_rc = relation_sql == NULL
                          ? cw_error_set(err, CW_EXIT_OSERR, "out of memory")
                          : probe(db, relation_sql, "source.table", c->source_table, err);
    free(relation_sql);
    if (relation_rc != 0)
        return -1;
    for (int i = 0; i < CW_COL_COUNT; i++) {
        if (s->columns[i] == NULL)
            continue;
        char *sql = cw_text_printf("SELECT s.%s FROM %s s LIMIT 0", s->columns[i], s->relation);
        char setting[64];
        snprintf(setting, sizeof(setting), "source.columns.%s",
                 cw_config_column_name((cw_source_column)i));
        int rc = sql == NULL ? cw_error_set(err, CW_EXIT_OSERR, "out of memory")
                             : probe(db, sql, setting, c->columns[i], err);
        free(sql);
        if (rc != 0)
            return -1;
    }
    /*
     * Unknown zones would silently become UTC in some drivers: refuse them. Setting
     * the zone (and UTC again) asks the server's own lookup, which refuses an unknown
     * one (22023); listing pg_timezone_names read every zone file, 40-120 ms a run.
     */
    const char *params[] = {c->timezone};
    if (cw_db_query(db,
                    "SELECT pg_catalog.set_config('TimeZone', $1, true),"
                    " pg_catalog.set_config('TimeZone', 'UTC', true)",
                    1, params, NULL, NULL, err) != 0) {
        if (strcmp(err->sqlstate, "22023") != 0)
            return -1;
        cw_error_clear(err);
        return cw_error_set(err, CW_EXIT_CONFIG, "unknown time zone '%s'", c->timezone);
    }
    const char *uparams[] = {s->relation, c->columns[CW_COL_ID]};
    /* format_type quotes and qualifies what needs it: the text is SQL as it stands. */
    if (cw_db_query(db,
                    "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod)"
                    " FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::pg_catalog.regclass"
                    " AND a.attname = $2",
                    2, uparams, text_value, &s->id_type, err) != 0)
        return -1;
    if (s->id_type == NULL)
        return cw_error_set(err, CW_EXIT_CONFIG, "source.columns.id: no column '%s'",
                            c->columns[CW_COL_ID]);
    return cw_db_query(db,
                       "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i"
                       " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid"
                       " AND a.attnum = i.indkey[0]"
                       " WHERE i.indrelid = $1::pg_catalog.regclass AND i.indisunique"
                       " AND i.indnatts = 1 AND i.indpred IS NULL AND a.attname = $2)",
                       2, uparams, first_bool, &s->unique_ids, err);
}

static int check_exposure(cw_source *s, cw_db *db, const cw_config *c, cw_error *err)
{
    char *sql = cw_text_printf("SELECT e.%s, e.%s, e.%s FROM %s e LIMIT 0",
                               s->exposure_columns[CW_EXP_WEEK], s->exposure_columns[CW_EXP_SITE],
                               s->exposure_columns[CW_EXP_VOLUME], s->exposure_relation);
    int rc = sql == NULL ? cw_error_set(err, CW_EXIT_OSERR, "out of memory")
                         : probe(db, sql, "exposure", c->exposure_table, err);
    free(sql);
    return rc;
}

int cw_source_prepare(cw_source *s, cw_db *db, const cw_config *c, cw_error *err)
{
    memset(s, 0, sizeof(*s));
    int rc = quote_relation(&s->relation, db, c->source_table, err);
    for (int i = 0; i < CW_COL_COUNT && rc == 0; i++)
        if (c->columns[i] != NULL && c->columns[i][0] != '\0')
            rc = cw_db_quote_ident(&s->columns[i], db, c->columns[i], err);
    if (rc == 0)
        rc = cw_db_quote_literal(&s->timezone, db, c->timezone, err);
    if (rc == 0 && c->exposure_table != NULL) {
        rc = quote_relation(&s->exposure_relation, db, c->exposure_table, err);
        for (int i = 0; i < CW_EXP_COUNT && rc == 0; i++)
            rc = cw_db_quote_ident(&s->exposure_columns[i], db, c->exposure_columns[i], err);
    }
    if (rc == 0)
        rc = check_source(s, db, c, err);
    if (rc == 0 && s->exposure_relation != NULL)
        rc = check_exposure(s, db, c, err);
    if (rc != 0)
        cw_source_fini(s);
    return rc;
}

void cw_source_fini(cw_source *s)
{
    free(s->relation);
    free(s->id_type);
    free(s->timezone);
    free(s->exposure_relation);
    for (int i = 0; i < CW_COL_COUNT; i++)
        free(s->columns[i]);
    for (int i = 0; i < CW_EXP_COUNT; i++)
        free(s->exposure_columns[i]);
    memset(s, 0, sizeof(*s));
}

char *cw_source_column_sql(const cw_source *s, cw_source_column col)
{
    if (s->columns[col] == NULL)
        return cw_text_printf("NULL::text");
    return cw_text_printf("s.%s::text", s->columns[col]);
}

int cw_source_extra_column(char **out, cw_db *db, const cw_source *s, const char *column,
                           const char *option, cw_error *err)
{
    *out = NULL;
    char *quoted = NULL;
    if (cw_db_quote_ident(&quoted, db, column, err) != 0)
        return -1;
    char *sql = cw_text_printf("SELECT s.%s FROM %s s LIMIT 0", quoted, s->relation);
    int rc = sql == NULL ? cw_error_set(err, CW_EXIT_OSERR, "out of memory")
                         : cw_db_query(db, sql, 0, NULL, NULL, NULL, err);
    free(sql);
    if (rc != 0 && err->code == CW_EXIT_CONFIG)
        cw_error_detail(err, "%s is '%s'", option, column);
    if (rc == 0 && (*out = cw_text_printf("s.%s::text", quoted)) == NULL)
        rc = cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    free(quoted);
    return rc;
}
