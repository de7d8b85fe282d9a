/* config.c - run configuration: defaults and validation; see config.h. */
#include "causeway/config.h"

#include <stdlib.h>
#include <string.h>

static const char *const column_names[CW_COL_COUNT] = {
    "id", "received_at", "body", "channel", "site", "product", "segment",
};
static const char *const exposure_names[CW_EXP_COUNT] = {"week", "site", "volume"};

const char *cw_config_column_name(cw_source_column col)
{
    return column_names[col];
}

const char *cw_config_exposure_column_name(cw_exposure_column col)
{
    return exposure_names[col];
}

int cw_config_set(char **slot, const char *value, cw_error *err)
{
    char *copy = NULL;
    if (value != NULL && (copy = strdup(value)) == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    free(*slot);
    *slot = copy;
    return 0;
}

int cw_config_init(cw_config *c, cw_error *err)
{
    memset(c, 0, sizeof(*c));
    c->lookback_weeks = 104;
    c->baseline_weeks = 26;
    c->recent_weeks = 4;
    c->top = 10;
    int rc = cw_config_set(&c->schema, "causeway", err) | cw_config_set(&c->timezone, "UTC", err) |
             cw_config_set(&c->source_table, "public.complaints", err);
    for (int i = 0; i < CW_COL_COUNT && rc == 0; i++)
        rc = cw_config_set(&c->columns[i], column_names[i], err);
    for (int i = 0; i < CW_EXP_COUNT && rc == 0; i++)
        rc = cw_config_set(&c->exposure_columns[i], exposure_names[i], err);
    if (rc != 0)
        cw_config_fini(c);
    return rc;
}

void cw_config_fini(cw_config *c)
{
    free(c->dbname);
    free(c->schema);
    free(c->rules_path);
    free(c->timezone);
    free(c->source_table);
    free(c->exposure_table);
    for (int i = 0; i < CW_COL_COUNT; i++)
        free(c->columns[i]);
    for (int i = 0; i < CW_EXP_COUNT; i++)
        free(c->exposure_columns[i]);
    memset(c, 0, sizeof(*c));
}

static int is_ident(const char *s, size_t len, int lower_only)
{
    if (len == 0 || len > 63)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        int ok = (ch >= 'a' && ch <= 'z') || ch == '_' || (i > 0 && ch >= '0' && ch <= '9') ||
                 (!lower_only && ch >= 'A' && ch <= 'Z');
        if (!ok)
            return 0;
    }
    return 1;
}

static int is_table_name(const char *s)
{
    const char *dot = strchr(s, '.');
    if (dot == NULL)
        return is_ident(s, strlen(s), 0);
    return is_ident(s, (size_t)(dot - s), 0) && is_ident(dot + 1, strlen(dot + 1), 0);
}

void cw_config_split_table(char schema[64], char name[64], const char *table)
{
    const char *dot = strchr(table, '.');
    if (dot == NULL) {
        schema[0] = '\0';
        snprintf(name, 64, "%s", table);
    } else {
        snprintf(schema, 64, "%.*s", (int)(dot - table), table);
        snprintf(name, 64, "%s", dot + 1);
    }
}

static int check_columns(char *const *cols, const char *const *names, int count, int required,
                         const char *section, cw_error *err)
{
    for (int i = 0; i < count; i++) {
        if (cols[i] == NULL) {
            if (i < required)
                return cw_error_set(err, CW_EXIT_CONFIG, "%s.columns.%s is required", section,
                                    names[i]);
            continue;
        }
        if (!is_ident(cols[i], strlen(cols[i]), 0))
            return cw_error_set(err, CW_EXIT_CONFIG,
                                "%s.columns.%s: '%s' is not a plain column name "
                                "(letters, digits, underscores)",
                                section, names[i], cols[i]);
    }
    return 0;
}

int cw_config_check_schema(const char *schema, cw_error *err)
{
    if (schema == NULL || !is_ident(schema, strlen(schema), 1))
        return cw_error_set(err, CW_EXIT_CONFIG,
                            "schema: '%s' is not a valid schema name ([a-z_][a-z0-9_]*)",
                            schema != NULL ? schema : "");
    return 0;
}

int cw_config_validate(const cw_config *c, cw_error *err)
{
    if (cw_config_check_schema(c->schema, err) != 0)
        return -1;
    if (c->source_table == NULL || !is_table_name(c->source_table))
        return cw_error_set(err, CW_EXIT_CONFIG,
                            "source.table: '%s' is not a table name ([schema.]name)",
                            c->source_table != NULL ? c->source_table : "");
    if (c->exposure_table != NULL && !is_table_name(c->exposure_table))
        return cw_error_set(err, CW_EXIT_CONFIG,
                            "exposure.table: '%s' is not a table name ([schema.]name)",
                            c->exposure_table);
    if (check_columns(c->columns, column_names, CW_COL_COUNT, 3, "source", err) != 0)
        return -1;
    if (c->exposure_table != NULL &&
        check_columns(c->exposure_columns, exposure_names, CW_EXP_COUNT, 3, "exposure", err) != 0)
        return -1;
    if (c->timezone == NULL || c->timezone[0] == '\0' || strlen(c->timezone) > 64)
        return cw_error_set(err, CW_EXIT_CONFIG, "timezone: must be an IANA zone name");
    if (c->lookback_weeks < 8 || c->lookback_weeks > 1040)
        return cw_error_set(err, CW_EXIT_CONFIG, "lookback_weeks: %u is outside 8..1040",
                            c->lookback_weeks);
    if (c->baseline_weeks < 4 || c->baseline_weeks >= c->lookback_weeks)
        return cw_error_set(err, CW_EXIT_CONFIG,
                            "baseline_weeks: %u must be at least 4 and below lookback_weeks (%u)",
                            c->baseline_weeks, c->lookback_weeks);
    if (c->recent_weeks < 1 || c->recent_weeks > 26)
        return cw_error_set(err, CW_EXIT_CONFIG, "recent_weeks: %u is outside 1..26",
                            c->recent_weeks);
    return 0;
}
