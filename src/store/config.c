/*
 * config.c - run configuration: defaults, the YAML file loader and validation;
 * see config.h.
 *
 * The loader reuses the rule loader's position pass (rules_pos.c): it checks
 * the bytes, refuses aliases, anchors, tags, a second document, deep nesting
 * and duplicate keys, and gives every node its position. The file is small and
 * fixed in shape, so the tree is walked directly (no libcyaml: only rules_load.c
 * includes it) and numbers are parsed here, strictly (no 1e3, 0x10, 010, 12abc).
 * The first error wins and is reported as `file:line:col: error: message`.
 */
#include "causeway/store/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causeway/store/db.h"
#include "causeway/rules/rules_pos.h"

#define WHAT "configuration file"

static const char *const column_names[CW_COL_COUNT] = {
    "id", "received_at", "body", "channel", "site", "product", "segment", "updated_at",
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

int cw_config_is_dimension(cw_source_column col)
{
    return col == CW_COL_SITE || col == CW_COL_CHANNEL || col == CW_COL_PRODUCT ||
           col == CW_COL_SEGMENT;
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
    c->connect_retry = -1;
    c->baseline_weeks = 26;
    c->recent_weeks = 4;
    c->top = 10;
    /* Bounded waits: a run behind a lock on the source (a migration, a VACUUM FULL)
     * fails with 75 instead of waiting forever. A weekly run's longest statement is
     * the COPY of the new complaints: minutes for millions of rows. */
    c->lock_timeout = CW_DB_LOCK_TIMEOUT;
    c->statement_timeout = CW_DB_STATEMENT_TIMEOUT;
    c->dimensions[CW_COL_SITE] = 1; /* symptom x site: the default breakdown */
    int rc = cw_config_set(&c->schema, "causeway", err) | cw_config_set(&c->timezone, "UTC", err) |
             cw_config_set(&c->source_table, "public.complaints", err);
    /* updated_at is mapped only when configured: most sources have no such column. */
    for (int i = 0; i < CW_COL_COUNT && rc == 0; i++)
        if (i != CW_COL_UPDATED_AT)
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
    /* Site is always a dimension: without a site column it just has no series. */
    for (int i = 0; i < CW_COL_COUNT; i++)
        if (i != CW_COL_SITE && c->dimensions[i] && c->columns[i] == NULL)
            return cw_error_set(err, CW_EXIT_CONFIG,
                                "dimensions: '%s' is not mapped in source.columns",
                                column_names[i]);
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

/* ---- the YAML loader ------------------------------------------------------ */

typedef struct cfg_loader {
    const char *name;
    cw_rules_mem mem;
    cw_error *err;
} cfg_loader;

static int fail(cfg_loader *ld, const cw_ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(cfg_loader *ld, const cw_ynode *n, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return cw_error_set_at(ld->err, CW_EXIT_DATAERR, ld->name, n->pos.line, n->pos.column, "%s",
                           msg);
}

static int oom(cfg_loader *ld)
{
    return cw_error_set(ld->err, CW_EXIT_OSERR, "out of memory loading '%s'", ld->name);
}

/* A YAML null written plainly: `key:`, `key: ~`, `key: null`. */
static bool is_null(const cw_ynode *n)
{
    return n->kind == CW_YNODE_SCALAR && n->plain &&
           (n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
            strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0);
}

static const char *kind_name(const cw_ynode *n)
{
    if (n->kind == CW_YNODE_MAPPING)
        return "a mapping";
    if (n->kind == CW_YNODE_SEQUENCE)
        return "a list";
    return is_null(n) ? "null" : "a scalar";
}

/*
 * A string setting. `nullable`: null (or "") clears it (NULL = absent / not
 * configured); otherwise a non-empty string is required.
 */
static int set_string(cfg_loader *ld, char **slot, const cw_ynode *v, const char *key,
                      bool nullable)
{
    if (v->kind != CW_YNODE_SCALAR || (is_null(v) && !nullable))
        return fail(ld, v, "'%s' must be a string, not %s", key, kind_name(v));
    if (is_null(v) || v->len == 0) {
        if (!nullable)
            return fail(ld, v, "'%s' must not be empty", key);
        return cw_config_set(slot, NULL, ld->err);
    }
    return cw_config_set(slot, v->text, ld->err);
}

/* A whole number written plainly in decimal: no sign, exponent, base prefix or leading zero. */
static int set_unsigned(cfg_loader *ld, unsigned *slot, const cw_ynode *v, const char *key,
                        unsigned min, unsigned max)
{
    if (v->kind != CW_YNODE_SCALAR || !v->plain || is_null(v))
        return fail(ld, v, "'%s' must be a whole number, not %s", key,
                    v->kind == CW_YNODE_SCALAR && !is_null(v) ? "a quoted string" : kind_name(v));
    bool ok = v->len > 0 && v->len <= 9 && !(v->len > 1 && v->text[0] == '0');
    for (size_t i = 0; ok && i < v->len; i++)
        ok = v->text[i] >= '0' && v->text[i] <= '9';
    char range[48];
    snprintf(range, sizeof(range), "%u..%u", min, max);
    if (!ok)
        return fail(ld, v, "'%s' must be a whole number in %s, written in plain decimal", key,
                    range);
    unsigned long n = strtoul(v->text, NULL, 10);
    if (n < min || n > max)
        return fail(ld, v, "'%s' is outside %s", key, range);
    *slot = (unsigned)n;
    return 0;
}

static int want_mapping(cfg_loader *ld, const cw_ynode *v, const char *key)
{
    if (v->kind != CW_YNODE_MAPPING)
        return fail(ld, v, "'%s' must be a mapping, not %s", key, kind_name(v));
    return 0;
}

static int unknown_key(cfg_loader *ld, const cw_ynode *k, const char *where)
{
    char shown[48];
    snprintf(shown, sizeof(shown), "%.40s%s", k->text, k->len > 40 ? "..." : "");
    for (char *p = shown; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return fail(ld, k, "unknown key '%s' %s", shown, where);
}

/* columns: { name: column, ... }; optional columns (index >= required) may be null or "". */
static int load_columns(cfg_loader *ld, char **cols, const char *const *names, int count,
                        int required, const cw_ynode *map, const char *section)
{
    char where[48];
    snprintf(where, sizeof(where), "in '%s.columns'", section);
    char label[64];
    snprintf(label, sizeof(label), "%s.columns", section);
    if (want_mapping(ld, map, label) != 0)
        return -1;
    for (const cw_ynode *k = map->first; k != NULL && k->next != NULL; k = k->next->next) {
        int i = 0;
        while (i < count && strcmp(k->text, names[i]) != 0)
            i++;
        if (i == count)
            return unknown_key(ld, k, where);
        snprintf(label, sizeof(label), "%s.columns.%s", section, names[i]);
        if (set_string(ld, &cols[i], k->next, label, i >= required) != 0)
            return -1;
    }
    return 0;
}

static int load_table_section(cfg_loader *ld, char **table, char **cols, const char *const *names,
                              int count, const cw_ynode *map, const char *section,
                              bool table_nullable)
{
    if (want_mapping(ld, map, section) != 0)
        return -1;
    char here[48];
    snprintf(here, sizeof(here), "in '%s'", section);
    char label[48];
    snprintf(label, sizeof(label), "%s.table", section);
    for (const cw_ynode *k = map->first; k != NULL && k->next != NULL; k = k->next->next) {
        int rc;
        if (strcmp(k->text, "table") == 0)
            rc = set_string(ld, table, k->next, label, table_nullable);
        else if (strcmp(k->text, "columns") == 0)
            rc = load_columns(ld, cols, names, count, 3, k->next, section);
        else
            rc = unknown_key(ld, k, here);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* A relative rules path is relative to the configuration file's directory. */
static int set_rules_path(cfg_loader *ld, cw_config *c, const cw_ynode *v)
{
    if (set_string(ld, &c->rules_path, v, "rules", true) != 0)
        return -1;
    const char *slash = strrchr(ld->name, '/');
    if (c->rules_path == NULL || c->rules_path[0] == '/' || slash == NULL)
        return 0;
    int dir = (int)(slash - ld->name);
    size_t size = (size_t)dir + 2 + strlen(c->rules_path);
    char *joined = malloc(size);
    if (joined == NULL)
        return oom(ld);
    snprintf(joined, size, "%.*s/%s", dir, ld->name, c->rules_path);
    free(c->rules_path);
    c->rules_path = joined;
    return 0;
}

/*
 * dimensions: [site, channel, ...] - the source columns whose values split every
 * symptom into series of their own. Site is always one (the default); a list
 * names the further ones, and may name site too.
 */
static int load_dimensions(cfg_loader *ld, cw_config *c, const cw_ynode *v)
{
    if (v->kind != CW_YNODE_SEQUENCE)
        return fail(ld, v, "'dimensions' must be a list of source columns, not %s", kind_name(v));
    unsigned char seen[CW_COL_COUNT] = {0};
    for (const cw_ynode *item = v->first; item != NULL; item = item->next) {
        int col = CW_COL_COUNT;
        if (item->kind == CW_YNODE_SCALAR)
            for (col = 0; col < CW_COL_COUNT; col++)
                if (cw_config_is_dimension((cw_source_column)col) &&
                    strcmp(item->text, column_names[col]) == 0)
                    break;
        if (col == CW_COL_COUNT)
            return fail(ld, item, "'dimensions' entries are site, channel, product or segment");
        if (seen[col])
            return fail(ld, item, "'dimensions' names '%s' twice", column_names[col]);
        seen[col] = 1;
    }
    memcpy(c->dimensions, seen, sizeof(seen));
    c->dimensions[CW_COL_SITE] = 1;
    return 0;
}

static int load_key(cfg_loader *ld, cw_config *c, const cw_ynode *k)
{
    const cw_ynode *v = k->next;
    const char *key = k->text;
    if (strcmp(key, "database") == 0)
        return set_string(ld, &c->dbname, v, key, true);
    if (strcmp(key, "schema") == 0)
        return set_string(ld, &c->schema, v, key, false);
    if (strcmp(key, "rules") == 0)
        return set_rules_path(ld, c, v);
    if (strcmp(key, "timezone") == 0)
        return set_string(ld, &c->timezone, v, key, false);
    if (strcmp(key, "lookback_weeks") == 0)
        return set_unsigned(ld, &c->lookback_weeks, v, key, 8, 1040);
    if (strcmp(key, "baseline_weeks") == 0)
        return set_unsigned(ld, &c->baseline_weeks, v, key, 4, 1039);
    if (strcmp(key, "recent_weeks") == 0)
        return set_unsigned(ld, &c->recent_weeks, v, key, 1, 26);
    if (strcmp(key, "top") == 0)
        return set_unsigned(ld, &c->top, v, key, 0, 100000);
    if (strcmp(key, "lock_timeout") == 0)
        return set_unsigned(ld, &c->lock_timeout, v, key, 1, 86400);
    if (strcmp(key, "statement_timeout") == 0)
        return set_unsigned(ld, &c->statement_timeout, v, key, 1, 86400);
    if (strcmp(key, "connect_retry") == 0) {
        unsigned seconds = 0;
        if (set_unsigned(ld, &seconds, v, key, 0, CW_CONFIG_MAX_CONNECT_RETRY) != 0)
            return -1;
        c->connect_retry = (int)seconds;
        return 0;
    }
    if (strcmp(key, "dimensions") == 0)
        return load_dimensions(ld, c, v);
    if (strcmp(key, "source") == 0)
        return load_table_section(ld, &c->source_table, c->columns, column_names, CW_COL_COUNT, v,
                                  "source", false);
    if (strcmp(key, "exposure") == 0)
        return load_table_section(ld, &c->exposure_table, c->exposure_columns, exposure_names,
                                  CW_EXP_COUNT, v, "exposure", true);
    return unknown_key(ld, k, "at the top level");
}

static int load_tree(cfg_loader *ld, cw_config *c, const cw_ynode *root)
{
    /* An empty or comment-only file overrides nothing. */
    if (root == NULL || is_null(root))
        return 0;
    if (root->kind != CW_YNODE_MAPPING)
        return fail(ld, root, "the top level of a %s must be a mapping of settings, not %s", WHAT,
                    kind_name(root));
    for (const cw_ynode *k = root->first; k != NULL && k->next != NULL; k = k->next->next)
        if (load_key(ld, c, k) != 0)
            return -1;
    return 0;
}

static int read_config(cfg_loader *ld, char **out, size_t *len)
{
    *out = NULL;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
    int fd = open(ld->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return cw_error_set_at(ld->err, CW_EXIT_NOINPUT, ld->name, 0, 0,
                               "cannot open configuration file: %s", strerror(errno));
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) != 0)
        cw_error_set_at(ld->err, CW_EXIT_NOINPUT, ld->name, 0, 0,
                        "cannot read configuration file: %s", strerror(errno));
    else if (S_ISDIR(st.st_mode))
        cw_error_set_at(ld->err, CW_EXIT_NOINPUT, ld->name, 0, 0,
                        "is a directory, not a configuration file");
    else if (!S_ISREG(st.st_mode))
        cw_error_set_at(ld->err, CW_EXIT_DATAERR, ld->name, 0, 0,
                        "not a regular file: a configuration file cannot be a FIFO, device or "
                        "socket");
    else if (st.st_size > (off_t)CW_CONFIG_MAX_FILE_BYTES)
        cw_error_set_at(ld->err, CW_EXIT_DATAERR, ld->name, 0, 0,
                        "configuration file is too large (%lld bytes; the limit is %u)",
                        (long long)st.st_size, CW_CONFIG_MAX_FILE_BYTES);
    else {
        /* One byte past the cap detects a file that grew after fstat. */
        char *buf = cw_rules_mem_realloc(&ld->mem, NULL, CW_CONFIG_MAX_FILE_BYTES + 2);
        size_t n = 0;
        rc = buf == NULL ? oom(ld) : 0;
        while (rc == 0 && n <= CW_CONFIG_MAX_FILE_BYTES) {
            ssize_t r = read(fd, buf + n, CW_CONFIG_MAX_FILE_BYTES + 1 - n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                rc = cw_error_set_at(ld->err, CW_EXIT_NOINPUT, ld->name, 0, 0,
                                     "cannot read configuration file: %s", strerror(errno));
            if (r <= 0)
                break;
            n += (size_t)r;
        }
        if (rc == 0 && n > CW_CONFIG_MAX_FILE_BYTES)
            rc = cw_error_set_at(ld->err, CW_EXIT_DATAERR, ld->name, 0, 0,
                                 "configuration file is too large (the limit is %u bytes)",
                                 CW_CONFIG_MAX_FILE_BYTES);
        if (rc == 0) {
            *out = buf;
            *len = n;
        } else {
            cw_rules_mem_realloc(&ld->mem, buf, 0);
        }
    }
    close(fd);
    return rc;
}

int cw_config_parse(cw_config *c, const char *name, const char *data, size_t len, FILE *diag,
                    cw_error *err)
{
    cfg_loader ld = {.name = name, .err = err};
    cw_rules_mem_init(&ld.mem);
    cw_ydoc *doc = NULL;
    int rc = cw_rules_pos_parse_any(&doc, WHAT, name, data, len, &ld.mem, err);
    if (rc == 0)
        rc = load_tree(&ld, c, cw_rules_pos_root(doc));
    cw_rules_pos_free(doc);
    if (rc != 0 && diag != NULL)
        cw_error_write(diag, "causeway", err);
    return rc;
}

int cw_config_load(cw_config *c, const char *path, FILE *diag, cw_error *err)
{
    cfg_loader ld = {.name = path, .err = err};
    cw_rules_mem_init(&ld.mem);
    char *data = NULL;
    size_t len = 0;
    int rc = read_config(&ld, &data, &len);
    if (rc == 0) {
        rc = cw_config_parse(c, path, data, len, NULL, err);
    }
    cw_rules_mem_realloc(&ld.mem, data, 0);
    if (rc != 0 && diag != NULL)
        cw_error_write(diag, "causeway", err);
    return rc;
}
