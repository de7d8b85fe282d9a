/*
 * config_load.c - the YAML configuration file (causeway(1), CONFIGURATION),
 * read as strictly as a rule file: the rule loader's libyaml position pass
 * (rules_pos.h) rejects bad bytes, aliases, tags, duplicate keys and a second
 * document and gives every value its line and column; this file walks the
 * tree. Unknown keys, wrong kinds and lax numbers are errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causeway/config.h"
#include "causeway/rules_pos.h"
#include "causeway/text.h"

#define CONFIG_MAX_BYTES (1024u * 1024u)

typedef struct walker {
    cw_config *c;
    const char *path;
    FILE *diag;
    cw_error *err;
    unsigned errors;
} walker;

static void report(walker *w, cw_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(walker *w, cw_pos pos, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (w->diag != NULL)
        fprintf(w->diag, "%s:%u:%u: error: %s\n", w->path, pos.line, pos.column, msg);
    cw_error_set_at(w->err, CW_EXIT_DATAERR, w->path, pos.line, pos.column, "%s", msg);
    w->errors++;
}

static bool is_null(const cw_ynode *v)
{
    return v->kind == CW_YNODE_SCALAR && v->plain &&
           (v->len == 0 || strcmp(v->text, "null") == 0 || strcmp(v->text, "~") == 0);
}

static void set_string(walker *w, char **slot, const cw_ynode *key, const cw_ynode *v,
                       bool nullable)
{
    if (v->kind != CW_YNODE_SCALAR) {
        report(w, v->pos, "'%s' must be a string", key->text);
        return;
    }
    if (is_null(v) && !nullable) {
        report(w, v->pos, "'%s' must not be empty", key->text);
        return;
    }
    cw_error tmp;
    cw_error_clear(&tmp);
    if (cw_config_set(slot, is_null(v) ? NULL : v->text, &tmp) != 0)
        report(w, v->pos, "out of memory");
}

/* Plain decimal digits only: 1e3, 0x10, 010 and 12abc are mistakes here. */
static void set_count(walker *w, unsigned *slot, const cw_ynode *key, const cw_ynode *v)
{
    bool ok = v->kind == CW_YNODE_SCALAR && v->plain && v->len > 0 && v->len <= 6 &&
              (v->text[0] != '0' || v->len == 1);
    for (size_t i = 0; ok && i < v->len; i++)
        ok = v->text[i] >= '0' && v->text[i] <= '9';
    if (!ok) {
        report(w, v->pos, "'%s' must be a whole number written in digits, not '%s'", key->text,
               v->kind == CW_YNODE_SCALAR ? v->text : "(a list or mapping)");
        return;
    }
    *slot = (unsigned)strtoul(v->text, NULL, 10);
}

/* `rules:` relative to the configuration file's folder, so a config can travel with its rules. */
static void set_rules(walker *w, const cw_ynode *key, const cw_ynode *v)
{
    set_string(w, &w->c->rules_path, key, v, false);
    const char *r = w->c->rules_path;
    const char *slash = strrchr(w->path, '/');
    if (r == NULL || r[0] == '/' || slash == NULL)
        return;
    char *joined = cw_text_printf("%.*s/%s", (int)(slash - w->path), w->path, r);
    if (joined == NULL) {
        report(w, v->pos, "out of memory");
        return;
    }
    free(w->c->rules_path);
    w->c->rules_path = joined;
}

static void walk_columns(walker *w, const cw_ynode *map, char **slots, int count,
                         const char *(*name)(int), int required)
{
    if (map->kind != CW_YNODE_MAPPING) {
        report(w, map->pos, "'columns' must be a mapping of setting: column name");
        return;
    }
    for (const cw_ynode *k = map->first; k != NULL && k->next != NULL; k = k->next->next) {
        int col = -1;
        for (int i = 0; i < count; i++)
            if (strcmp(k->text, name(i)) == 0)
                col = i;
        if (col < 0)
            report(w, k->pos, "unknown column setting '%s'", k->text);
        else
            set_string(w, &slots[col], k, k->next, col >= required);
    }
}

static const char *source_name(int i)
{
    return cw_config_column_name((cw_source_column)i);
}

static const char *exposure_name(int i)
{
    return cw_config_exposure_column_name((cw_exposure_column)i);
}

static void walk_section(walker *w, const cw_ynode *key, const cw_ynode *map, bool exposure)
{
    if (map->kind != CW_YNODE_MAPPING) {
        report(w, map->pos, "'%s' must be a mapping with 'table' and 'columns'", key->text);
        return;
    }
    for (const cw_ynode *k = map->first; k != NULL && k->next != NULL; k = k->next->next) {
        if (strcmp(k->text, "table") == 0)
            set_string(w, exposure ? &w->c->exposure_table : &w->c->source_table, k, k->next,
                       exposure);
        else if (strcmp(k->text, "columns") == 0)
            walk_columns(w, k->next, exposure ? w->c->exposure_columns : w->c->columns,
                         exposure ? CW_EXP_COUNT : CW_COL_COUNT,
                         exposure ? exposure_name : source_name, 3);
        else
            report(w, k->pos, "unknown key '%s' in '%s'", k->text, key->text);
    }
}

static void walk(walker *w, const cw_ynode *root)
{
    cw_config *c = w->c;
    for (const cw_ynode *k = root->first; k != NULL && k->next != NULL; k = k->next->next) {
        const cw_ynode *v = k->next;
        const char *key = k->text;
        if (strcmp(key, "database") == 0)
            set_string(w, &c->dbname, k, v, true);
        else if (strcmp(key, "schema") == 0)
            set_string(w, &c->schema, k, v, false);
        else if (strcmp(key, "rules") == 0)
            set_rules(w, k, v);
        else if (strcmp(key, "timezone") == 0)
            set_string(w, &c->timezone, k, v, false);
        else if (strcmp(key, "lookback_weeks") == 0)
            set_count(w, &c->lookback_weeks, k, v);
        else if (strcmp(key, "baseline_weeks") == 0)
            set_count(w, &c->baseline_weeks, k, v);
        else if (strcmp(key, "recent_weeks") == 0)
            set_count(w, &c->recent_weeks, k, v);
        else if (strcmp(key, "top") == 0)
            set_count(w, &c->top, k, v);
        else if (strcmp(key, "source") == 0 || strcmp(key, "exposure") == 0)
            walk_section(w, k, v, key[0] == 'e');
        else
            report(w, k->pos, "unknown key '%s'", key);
    }
}

static int read_config(const char *path, char **out, size_t *len, cw_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return cw_error_set_at(err, CW_EXIT_NOINPUT, path, 0, 0,
                               "cannot open configuration file: %s", strerror(errno));
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        cw_error_set_at(err, CW_EXIT_NOINPUT, path, 0, 0,
                        "not a regular file: a configuration file cannot be a directory, FIFO "
                        "or device");
    else if (st.st_size > (off_t)CONFIG_MAX_BYTES)
        cw_error_set_at(err, CW_EXIT_DATAERR, path, 0, 0,
                        "configuration file is too large (the limit is %u bytes)",
                        CONFIG_MAX_BYTES);
    else if ((*out = malloc((size_t)st.st_size + 1)) == NULL)
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    else {
        ssize_t n = read(fd, *out, (size_t)st.st_size);
        if (n != st.st_size) {
            cw_error_set_at(err, CW_EXIT_NOINPUT, path, 0, 0, "cannot read configuration file");
            free(*out);
            *out = NULL;
        } else {
            (*out)[n] = '\0';
            *len = (size_t)n;
            rc = 0;
        }
    }
    close(fd);
    return rc;
}

/* Only comments and blank lines: a valid file that changes nothing. */
static bool only_comments(const char *s)
{
    bool comment = false;
    for (; *s != '\0'; s++) {
        if (*s == '\n')
            comment = false;
        else if (*s == '#')
            comment = true;
        else if (!comment && *s != ' ' && *s != '\t' && *s != '\r')
            return false;
    }
    return true;
}

int cw_config_load(cw_config *c, const char *path, FILE *diag, cw_error *err)
{
    char *data = NULL;
    size_t len = 0;
    if (read_config(path, &data, &len, err) != 0)
        goto fail;
    if (only_comments(data)) {
        free(data);
        return 0;
    }
    cw_rules_mem mem;
    cw_rules_mem_init(&mem);
    cw_ydoc *doc = NULL;
    if (cw_rules_pos_parse(&doc, path, data, len, &mem, err) != 0)
        goto fail;
    walker w = {.c = c, .path = path, .diag = diag, .err = err};
    walk(&w, cw_rules_pos_root(doc));
    cw_rules_pos_free(doc);
    free(data);
    return w.errors > 0 ? -1 : 0;
fail:
    free(data);
    if (diag != NULL)
        cw_error_write(diag, "causeway", err);
    return -1;
}
