/* labels.c - label maps, class maps and what a label counts as; see labels.h. */
#include "causeway/corpus/labels.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "causeway/util/hash.h"
#include "causeway/corpus/input.h"
#include "causeway/util/text.h"

#define NONE    SIZE_MAX
#define DROPPED (SIZE_MAX - 1) /* mapped by the class map to an ignored or negative label */

/* A string -> value table with linear probing; keys are owned copies. */
typedef struct strmap {
    char **keys;
    size_t *values;
    size_t cap, count;
} strmap;

static uint64_t str_hash(const char *s)
{
    return cw_hash_fnv(CW_HASH_FNV_OFFSET, s, strlen(s));
}

static size_t map_find(const strmap *m, const char *key)
{
    if (m->cap == 0)
        return NONE;
    for (size_t i = (size_t)str_hash(key) & (m->cap - 1); m->keys[i] != NULL;
         i = (i + 1) & (m->cap - 1))
        if (strcmp(m->keys[i], key) == 0)
            return m->values[i];
    return NONE;
}

static int map_grow(strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    char **keys = calloc(cap, sizeof(*keys));
    size_t *values = calloc(cap, sizeof(*values));
    if (keys == NULL || values == NULL) {
        free(keys);
        free(values);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == NULL)
            continue;
        size_t j = (size_t)str_hash(m->keys[i]) & (cap - 1);
        while (keys[j] != NULL)
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        values[j] = m->values[i];
    }
    free(m->keys);
    free(m->values);
    m->keys = keys;
    m->values = values;
    m->cap = cap;
    return 0;
}

/* Insert key -> value; 1 when the key was there already (unchanged), -1 out of memory. */
static int map_put(strmap *m, const char *key, size_t value)
{
    if ((m->count + 1) * 2 > m->cap && map_grow(m) != 0)
        return -1;
    size_t i = (size_t)str_hash(key) & (m->cap - 1);
    for (; m->keys[i] != NULL; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->keys[i], key) == 0)
            return 1;
    if ((m->keys[i] = strdup(key)) == NULL)
        return -1;
    m->values[i] = value;
    m->count++;
    return 0;
}

static void map_fini(strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof(*m));
}

/* What a label-map row resolves to, settled when the map is loaded. */
typedef struct mapped {
    cw_label label; /* CW_LABEL_NONE for an empty value */
    cw_strength strength;
} mapped;

struct cw_labels {
    char **classes;
    size_t class_count;
    strmap class_index;   /* class name -> index */
    strmap meaning;       /* label value -> (kind << 32 | index), see encode() */
    size_t *sym_class[2]; /* per rule set and symptom: class index, DROPPED, or NONE (unmapped) */
    const cw_rules *rules[2];
    size_t ruleset_count;
    bool have_map;
    strmap map; /* label-map key -> index into mapped */
    mapped *mapped;
    size_t mapped_count;
    char map_path[256];
    bool map_has_strength;
    bool have_strength_column;
    cw_strength min_strength;
    const char *negative[CW_LABELS_MAX_NAMES];
    size_t negative_count;
};

static size_t encode(cw_label_kind kind, size_t index)
{
    return (size_t)kind << 24 | index;
}

static cw_label decode(size_t v)
{
    return (cw_label){(cw_label_kind)(v >> 24), v & 0xffffffu};
}

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory loading labels");
}

int cw_strength_parse(const char *text)
{
    static const char *const names[] = {"weak", "medium", "strong"};
    for (int i = 0; i < 3; i++)
        if (strcasecmp(text, names[i]) == 0)
            return CW_STRENGTH_WEAK + i;
    return -1;
}

/* A strength as written: empty and "n/a..." are unrated; -1 when it means nothing. */
static int strength_of(const char *text)
{
    while (*text == ' ')
        text++;
    if (*text == '\0' || strncasecmp(text, "n/a", 3) == 0)
        return CW_STRENGTH_UNRATED;
    char word[16];
    size_t n = strcspn(text, " ");
    if (n >= sizeof(word))
        return -1;
    memcpy(word, text, n);
    word[n] = '\0';
    return text[n + strspn(text + n, " ")] == '\0' ? cw_strength_parse(word) : -1;
}

/* ---- reading the maps -------------------------------------------------------------- */

typedef struct table {
    FILE *f;
    cw_input *in;
    const char *path;
} table;

static int table_open(table *t, const char *path, cw_error *err)
{
    t->path = path;
    t->in = NULL;
    if (cw_input_open(&t->f, path, err) != 0)
        return -1;
    cw_input_options o = {.format = CW_INPUT_CSV, .table = true};
    return cw_input_new(&t->in, t->f, path, &o, err);
}

static void table_close(table *t)
{
    cw_input_free(t->in);
    if (t->f != NULL)
        fclose(t->f);
}

/* Index of header column `name`, or -1 after setting err. */
static long column(const table *t, const char *name, const char *option, cw_error *err)
{
    const char *const *names;
    size_t n = cw_input_header(t->in, &names);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    cw_error_set_at(err, CW_EXIT_DATAERR, t->path, 1, 1, "no column '%s' in the header row", name);
    cw_error_hint(err, "%s names the columns", option);
    return -1;
}

/* Trimmed copy of a cell in buf (cells of maps are short names). */
static const char *trimmed(char *buf, size_t size, const char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static bool is_name(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return true;
    return false;
}

/* Which rule sets have a symptom of this id: bit per rule set. */
static unsigned symptom_in(const cw_labels *l, const char *id)
{
    unsigned in = 0;
    for (size_t r = 0; r < l->ruleset_count; r++)
        if (cw_rules_find_symptom(l->rules[r], id) >= 0)
            in |= 1u << r;
    return in;
}

static int add_class(cw_labels *l, const char *name, size_t *index, cw_error *err)
{
    size_t found = map_find(&l->class_index, name);
    if (found != NONE) {
        *index = found;
        return 0;
    }
    char **c = realloc(l->classes, (l->class_count + 1) * sizeof(*c));
    if (c == NULL)
        return oom(err);
    l->classes = c;
    if ((c[l->class_count] = strdup(name)) == NULL ||
        map_put(&l->class_index, name, l->class_count) < 0)
        return oom(err);
    *index = l->class_count++;
    return 0;
}

static int load_class_map(cw_labels *l, const cw_labels_options *o, cw_error *err)
{
    table t;
    int rc = table_open(&t, o->class_map, err);
    const char *const *names;
    if (rc == 0 && cw_input_header(t.in, &names) < 2)
        rc = cw_error_set_at(err, CW_EXIT_DATAERR, o->class_map, 1, 1,
                             "a class map has two columns: symptom id, class");
    strmap seen = {0};
    cw_record rec;
    while (rc == 0 && (rc = cw_input_next(&rec, t.in, err)) == 1) {
        char id[128], cls[128];
        trimmed(id, sizeof(id), rec.cells[0]);
        trimmed(cls, sizeof(cls), rec.cells[1]);
        rc = 0;
        if (id[0] == '\0' && cls[0] == '\0')
            continue;
        unsigned in = symptom_in(l, id);
        if (in == 0) {
            rc = cw_error_set_at(err, CW_EXIT_DATAERR, o->class_map, (unsigned)rec.line, 1,
                                 "unknown symptom '%s' (not in the rule set)", id);
            break;
        }
        if (cls[0] == '\0') {
            rc = cw_error_set_at(err, CW_EXIT_DATAERR, o->class_map, (unsigned)rec.line, 1,
                                 "symptom '%s' has no class", id);
            break;
        }
        int dup = map_put(&seen, id, 0);
        if (dup != 0) {
            rc = dup < 0 ? oom(err)
                         : cw_error_set_at(err, CW_EXIT_DATAERR, o->class_map, (unsigned)rec.line,
                                           1, "symptom '%s' is mapped twice", id);
            break;
        }
        size_t c = DROPPED;
        bool dropped = is_name(o->ignored, o->ignored_count, cls) ||
                       is_name(o->negative, o->negative_count, cls);
        if (!dropped && (rc = add_class(l, cls, &c, err)) != 0)
            break;
        for (size_t r = 0; r < l->ruleset_count; r++)
            if (in & (1u << r))
                l->sym_class[r][cw_rules_find_symptom(l->rules[r], id)] = c;
    }
    map_fini(&seen);
    table_close(&t);
    return rc < 0 ? -1 : 0;
}

/* Without a class map, every symptom of every rule set is a class of its own. */
static int symptom_classes(cw_labels *l, cw_error *err)
{
    for (size_t r = 0; r < l->ruleset_count; r++)
        for (size_t s = 0; s < l->rules[r]->symptom_count; s++)
            if (add_class(l, l->rules[r]->symptoms[s].id, &l->sym_class[r][s], err) != 0)
                return -1;
    return 0;
}

/* What a label value (after the label map) means, or -1 with err set by the caller. */
static bool meaning_of(const cw_labels *l, const char *value, cw_label *out)
{
    if (value[0] == '\0') {
        *out = (cw_label){CW_LABEL_NONE, 0};
        return true;
    }
    size_t v = map_find(&l->meaning, value);
    if (v == NONE)
        return false;
    *out = decode(v);
    return true;
}

/* The table of label values and what they mean: negatives, ignored, classes, symptoms. */
static int build_meanings(cw_labels *l, const cw_labels_options *o, cw_error *err)
{
    for (size_t k = 0; k < o->negative_count; k++)
        if (map_put(&l->meaning, o->negative[k], encode(CW_LABEL_NEGATIVE, k)) < 0)
            return oom(err);
    for (size_t k = 0; k < o->ignored_count; k++)
        if (map_put(&l->meaning, o->ignored[k], encode(CW_LABEL_IGNORED, 0)) < 0)
            return oom(err);
    for (size_t c = 0; c < l->class_count; c++)
        if (map_put(&l->meaning, l->classes[c], encode(CW_LABEL_CLASS, c)) < 0)
            return oom(err);
    /* A symptom id stands for its class (a symptom predicting nothing: not scored). */
    for (size_t r = 0; r < l->ruleset_count; r++)
        for (size_t s = 0; s < l->rules[r]->symptom_count; s++) {
            size_t c = l->sym_class[r][s];
            size_t v = c < DROPPED ? encode(CW_LABEL_CLASS, c) : encode(CW_LABEL_IGNORED, 0);
            if (map_put(&l->meaning, l->rules[r]->symptoms[s].id, v) < 0)
                return oom(err);
        }
    return 0;
}

/* "LABEL,VALUE[,STRENGTH]" into up to three names. */
static int split_columns(char names[3][128], const char *spec, cw_error *err)
{
    size_t n = 0;
    for (const char *p = spec; n < 3;) {
        size_t k = strcspn(p, ",");
        if (k == 0 || k >= 128)
            break;
        memcpy(names[n], p, k);
        names[n++][k] = '\0';
        if (p[k] == '\0')
            return n >= 2 ? (int)n : -1;
        p += k + 1;
    }
    return cw_error_set(err, CW_EXIT_USAGE,
                        "--label-map-columns takes LABEL,VALUE or LABEL,VALUE,STRENGTH "
                        "(header names), not '%s'",
                        spec);
}

static int load_label_map(cw_labels *l, const cw_labels_options *o, cw_error *err)
{
    table t;
    snprintf(l->map_path, sizeof(l->map_path), "%s", o->label_map);
    if (table_open(&t, o->label_map, err) != 0) {
        table_close(&t);
        return -1;
    }
    long col[3] = {0, 1, -1};
    int rc = 0;
    if (o->label_map_columns != NULL) {
        char names[3][128];
        int n = split_columns(names, o->label_map_columns, err);
        if (n < 0)
            rc = -1;
        for (int i = 0; i < n && rc == 0; i++)
            if ((col[i] = column(&t, names[i], "--label-map-columns", err)) < 0)
                rc = -1;
    } else {
        const char *const *names;
        if (cw_input_header(t.in, &names) < 2)
            rc = cw_error_set_at(err, CW_EXIT_DATAERR, o->label_map, 1, 1,
                                 "a label map has at least two columns: label, value");
    }
    l->map_has_strength = col[2] >= 0;
    cw_record rec;
    while (rc == 0 && (rc = cw_input_next(&rec, t.in, err)) == 1) {
        char key[256], value[128];
        trimmed(key, sizeof(key), rec.cells[col[0]]);
        trimmed(value, sizeof(value), rec.cells[col[1]]);
        rc = 0;
        mapped m = {.label = {CW_LABEL_NONE, 0}};
        if (!meaning_of(l, value, &m.label)) {
            rc = cw_error_set_at(err, CW_EXIT_DATAERR, o->label_map, (unsigned)rec.line, 1,
                                 "label '%s' maps to '%s', which is no class, symptom, "
                                 "negative or ignored label",
                                 key, value);
            break;
        }
        if (col[2] >= 0) {
            int s = strength_of(rec.cells[col[2]]);
            if (s < 0) {
                rc = cw_error_set_at(err, CW_EXIT_DATAERR, o->label_map, (unsigned)rec.line, 1,
                                     "strength '%s' is not strong, medium, weak or empty",
                                     rec.cells[col[2]]);
                break;
            }
            m.strength = (cw_strength)s;
        }
        mapped *grown = realloc(l->mapped, (l->mapped_count + 1) * sizeof(*grown));
        if (grown == NULL) {
            rc = oom(err);
            break;
        }
        l->mapped = grown;
        int dup = map_put(&l->map, key, l->mapped_count);
        if (dup != 0) {
            rc = dup < 0 ? oom(err)
                         : cw_error_set_at(err, CW_EXIT_DATAERR, o->label_map, (unsigned)rec.line,
                                           1, "label '%s' is mapped twice", key);
            break;
        }
        l->mapped[l->mapped_count++] = m;
    }
    table_close(&t);
    return rc < 0 ? -1 : 0;
}

/* One warning naming the symptoms that predict nothing because the class map omits them. */
static void warn_unmapped(const cw_labels *l, const cw_log *log)
{
    char list[400] = "";
    size_t n = 0, len = 0;
    for (size_t r = 0; r < l->ruleset_count; r++)
        for (size_t s = 0; s < l->rules[r]->symptom_count; s++) {
            const char *id = l->rules[r]->symptoms[s].id;
            if (l->sym_class[r][s] != NONE || (r > 0 && symptom_in(l, id) & 1u))
                continue;
            n++;
            if (len + strlen(id) + 3 < sizeof(list))
                len +=
                    (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", id);
        }
    if (n > 0)
        cw_log_warn(log, "%zu symptom%s not in the class map predict%s no class: %s", n,
                    n == 1 ? "" : "s", n == 1 ? "s" : "", list);
}

int cw_labels_load(cw_labels **out, const cw_labels_options *o, const cw_rules *const *rules,
                   size_t n, const cw_log *log, cw_error *err)
{
    *out = NULL;
    cw_labels *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return oom(err);
    l->ruleset_count = n < 2 ? n : 2;
    l->min_strength = o->min_strength;
    l->have_strength_column = o->have_strength_column;
    l->negative_count = o->negative_count;
    for (size_t k = 0; k < o->negative_count; k++)
        l->negative[k] = o->negative[k];
    int rc = 0;
    for (size_t r = 0; r < l->ruleset_count && rc == 0; r++) {
        l->rules[r] = rules[r];
        l->sym_class[r] = malloc((rules[r]->symptom_count + 1) * sizeof(size_t));
        if (l->sym_class[r] == NULL)
            rc = oom(err);
        for (size_t s = 0; rc == 0 && s < rules[r]->symptom_count; s++)
            l->sym_class[r][s] = NONE;
    }
    if (rc == 0)
        rc = o->class_map != NULL ? load_class_map(l, o, err) : symptom_classes(l, err);
    if (rc == 0)
        rc = build_meanings(l, o, err);
    if (rc == 0 && o->label_map != NULL) {
        l->have_map = true;
        rc = load_label_map(l, o, err);
    }
    if (rc == 0 && o->min_strength != CW_STRENGTH_UNRATED && !o->have_strength_column &&
        !l->map_has_strength)
        rc = cw_error_set(err, CW_EXIT_USAGE,
                          "--min-strength needs strengths: --strength-column, or a strength "
                          "column in --label-map-columns");
    if (rc != 0) {
        cw_labels_free(l);
        return -1;
    }
    if (o->class_map != NULL)
        warn_unmapped(l, log);
    *out = l;
    return 0;
}

void cw_labels_free(cw_labels *l)
{
    if (l == NULL)
        return;
    for (size_t c = 0; c < l->class_count; c++)
        free(l->classes[c]);
    free(l->classes);
    map_fini(&l->class_index);
    map_fini(&l->meaning);
    map_fini(&l->map);
    free(l->mapped);
    for (size_t r = 0; r < 2; r++)
        free(l->sym_class[r]);
    free(l);
}

size_t cw_labels_class_count(const cw_labels *l)
{
    return l->class_count;
}

const char *cw_labels_class_name(const cw_labels *l, size_t c)
{
    return l->classes[c];
}

size_t cw_labels_negative_count(const cw_labels *l)
{
    return l->negative_count;
}

const char *cw_labels_negative_name(const cw_labels *l, size_t k)
{
    return l->negative[k];
}

/* A label or strength that means nothing: at file:line, or naming the complaint. */
static int label_error(const char *file, unsigned long line, const char *id, cw_error *err,
                       const char *msg)
{
    if (file != NULL)
        return cw_error_set_at(err, CW_EXIT_DATAERR, file, (unsigned)line, 1, "%s", msg);
    int rc = cw_error_set(err, CW_EXIT_DATAERR, "%s", msg);
    cw_error_detail(err, "complaint %s", id != NULL ? id : "(no id)");
    return rc;
}

int cw_labels_resolve(cw_label *out, const cw_labels *l, const char *label, const char *strength,
                      const char *file, unsigned long line, const char *id, cw_error *err)
{
    char value[256];
    trimmed(value, sizeof(value), label != NULL ? label : "");
    cw_strength s = CW_STRENGTH_UNRATED;
    if (value[0] == '\0') {
        *out = (cw_label){CW_LABEL_NONE, 0};
        return 0;
    }
    char msg[400];
    if (l->have_map) {
        size_t k = map_find(&l->map, value);
        if (k == NONE) {
            snprintf(msg, sizeof(msg), "label '%.80s' is not in the label map %.200s", value,
                     l->map_path);
            return label_error(file, line, id, err, msg);
        }
        *out = l->mapped[k].label;
        s = l->mapped[k].strength;
    } else if (!meaning_of(l, value, out)) {
        snprintf(msg, sizeof(msg), "label '%.80s' is no class, symptom, negative or ignored label",
                 value);
        return label_error(file, line, id, err, msg);
    }
    if (l->have_strength_column) {
        int parsed = strength_of(strength != NULL ? strength : "");
        if (parsed < 0) {
            snprintf(msg, sizeof(msg), "strength '%.80s' is not strong, medium, weak or empty",
                     strength != NULL ? strength : "");
            return label_error(file, line, id, err, msg);
        }
        s = (cw_strength)parsed;
    }
    if (out->kind == CW_LABEL_CLASS || out->kind == CW_LABEL_NEGATIVE)
        if (l->min_strength != CW_STRENGTH_UNRATED && s < l->min_strength)
            *out = (cw_label){CW_LABEL_BELOW, 0};
    return 0;
}

size_t cw_labels_predict(const cw_labels *l, size_t ruleset, const cw_hit *hits, size_t n,
                         size_t *out)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = l->sym_class[ruleset][hits[i].symptom];
        if (c >= DROPPED)
            continue;
        /* Insert in order, once: a complaint has a handful of hits. */
        size_t j = count;
        while (j > 0 && out[j - 1] > c)
            j--;
        if (j > 0 && out[j - 1] == c)
            continue;
        memmove(out + j + 1, out + j, (count - j) * sizeof(*out));
        out[j] = c;
        count++;
    }
    return count;
}
