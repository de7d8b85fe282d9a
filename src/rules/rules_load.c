/*
 * rules_load.c - load a rule set: read the file, run libcyaml, drive the semantic pass
 * (rules_check.c) and report; rules/README.md is the language reference, rules.h
 * the model (rules_model.c), rules_internal.h what the passes share.
 *
 * Three passes over one in-memory copy of the file:
 *  1. rules_pos.c checks the bytes and streams libyaml events once: it refuses
 *     what libcyaml 1.3.1 mishandles (aliases, a second document, deep nesting,
 *     duplicate keys) and records every node's position;
 *  2. libcyaml loads the typed structure and refuses unknown keys and wrong
 *     kinds; its first error is mapped back to a precise position through the
 *     position tree (its own log positions point at the previous event);
 *  3. the semantic pass (rules_check.c) builds the cw_rules model and collects every error
 *     (required keys, ids, numbers, weights, references), sorted by position.
 * Numbers (version, severity, weight, within) and booleans are loaded as strings and
 * parsed here: libcyaml accepts 1e3, 0x10, 010, 12abc and yes/on.
 */
#include "rules_internal.h"

#include <cyaml/cyaml.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causeway/util/embed.h"
#include "causeway/util/text.h"

#define CY_MAX_FRAMES 24
#define DEFAULT_NAME  "rules/default.yaml"

/* Every key is optional for libcyaml: the semantic pass reports all missing keys at once. */
#define OPT                    (CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER)
#define STR(key, type, member) CYAML_FIELD_STRING_PTR(key, OPT, type, member, 0, CYAML_UNLIMITED)
#define LIST(key, type, member)                                                                    \
    CYAML_FIELD_SEQUENCE(key, OPT, type, member, &string_entry, 0, CYAML_UNLIMITED)

static const cyaml_schema_value_t string_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t area_fields[] = {
    STR("id", y_area, id),
    STR("name", y_area, name),
    STR("owner", y_area, owner),
    STR("remediation", y_area, remediation),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t area_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, y_area, area_fields),
};

static const cyaml_schema_field_t near_fields[] = {
    STR("first", y_near, first),
    STR("then", y_near, then),
    STR("within", y_near, within),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t near_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, y_near, near_fields),
};

static const cyaml_schema_field_t match_fields[] = {
    LIST("any", y_match, any),
    LIST("regex", y_match, regex),
    LIST("all", y_match, all),
    LIST("unless", y_match, unless),
    CYAML_FIELD_SEQUENCE("near", OPT, y_match, near, &near_entry, 0, CYAML_UNLIMITED),
    STR("negation", y_match, negation),
    CYAML_FIELD_END,
};

/* Same order as cw_field. */
static const cyaml_schema_field_t where_fields[] = {
    LIST("channel", y_where, channel),
    LIST("site", y_where, site),
    LIST("product", y_where, product),
    LIST("segment", y_where, segment),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t cause_fields[] = {
    STR("area", y_cause, area),
    STR("weight", y_cause, weight),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t cause_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, y_cause, cause_fields),
};

static const cyaml_schema_field_t example_fields[] = {
    LIST("match", y_examples, match),
    LIST("no_match", y_examples, no_match),
    CYAML_FIELD_END,
};

static const cyaml_schema_field_t symptom_fields[] = {
    STR("id", y_symptom, id),
    STR("name", y_symptom, name),
    STR("severity", y_symptom, severity),
    STR("status", y_symptom, status),
    CYAML_FIELD_MAPPING_PTR("where", OPT, y_symptom, where, where_fields),
    CYAML_FIELD_MAPPING_PTR("match", OPT, y_symptom, match, match_fields),
    CYAML_FIELD_SEQUENCE("causes", OPT, y_symptom, causes, &cause_entry, 0, CYAML_UNLIMITED),
    CYAML_FIELD_MAPPING_PTR("examples", OPT, y_symptom, examples, example_fields),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t symptom_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, y_symptom, symptom_fields),
};

/* `terms` has free-form keys, which libcyaml cannot type: it is read from the position tree. */
static const cyaml_schema_field_t root_fields[] = {
    STR("version", y_rules, version),
    CYAML_FIELD_IGNORE("terms", CYAML_FLAG_OPTIONAL),
    CYAML_FIELD_SEQUENCE("cause_areas", OPT, y_rules, cause_areas, &area_entry, 0, CYAML_UNLIMITED),
    CYAML_FIELD_SEQUENCE("symptoms", OPT, y_rules, symptoms, &symptom_entry, 0, CYAML_UNLIMITED),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t root_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, y_rules, root_fields),
};

/* Which mapping a libcyaml error is in, named by the key that holds it. */
typedef struct schema_context {
    const char *holder; /* key holding the mapping; "" for the top level */
    const char *where;  /* for messages */
    const cyaml_schema_field_t *fields;
} schema_context;

static const schema_context contexts[] = {
    {"", "at the top level", root_fields},         {"cause_areas", "in a cause area", area_fields},
    {"symptoms", "in a symptom", symptom_fields},  {"where", "in 'where'", where_fields},
    {"match", "in 'match'", match_fields},         {"causes", "in a cause", cause_fields},
    {"examples", "in 'examples'", example_fields}, {"near", "in a 'near' entry", near_fields},
};

/* ---- the loader ---------------------------------------------------------- */

void ld_report(loader *ld, cw_pos pos, const char *fmt, ...)
{
    if (ld->ndiags == MAX_DIAGS) {
        ld->dropped++;
        return;
    }
    diag_entry *d = &ld->diags[ld->ndiags];
    d->pos = pos;
    d->seq = ld->ndiags++;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}

void *ld_calloc(loader *ld, size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = cw_rules_mem_realloc(&ld->mem, NULL, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

char *ld_strdup(loader *ld, const char *s)
{
    size_t len = strlen(s);
    char *p = cw_rules_mem_realloc(&ld->mem, NULL, len + 1);
    if (p != NULL)
        memcpy(p, s, len + 1);
    return p;
}

void ld_free(loader *ld, void *p)
{
    cw_rules_mem_realloc(&ld->mem, p, 0);
}

/*
 * Text from the rule file shown in a message: at most 40 bytes, cut on a
 * character boundary, control characters replaced, so a hostile value cannot
 * flood or drive the terminal.
 */
const char *ld_shown(char *buf, size_t size, const char *text)
{
    size_t max = size - 4 < 40 ? size - 4 : 40;
    size_t n = 0;
    for (; n < max && text[n] != '\0'; n++)
        buf[n] = ((unsigned char)text[n] < 0x20 || text[n] == 0x7f) ? '?' : text[n];
    if (text[n] != '\0') {
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
        memcpy(buf + n, "...", 4);
    } else {
        buf[n] = '\0';
    }
    return buf;
}

/* " (did you mean 'x'?)" or "" into buf. */
const char *did_you_mean(char *buf, size_t size, const char *word, const char *const *cands,
                         size_t n)
{
    const char *c = n <= MAX_SUGGEST_IDS ? cw_text_closest(word, cands, n) : NULL;
    buf[0] = '\0';
    if (c != NULL)
        snprintf(buf, size, " (did you mean '%s'?)", c);
    return buf;
}

/* ---- reading ------------------------------------------------------------- */

static int read_all(loader *ld, int fd, size_t hint, char **out, size_t *len, cw_error *err)
{
    size_t cap = hint + 1;
    char *buf = cw_rules_mem_realloc(&ld->mem, NULL, cap + 1);
    if (buf == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory reading '%s'", ld->name);
    size_t n = 0;
    /* Read at most one byte past the cap: a file that grew after fstat cannot exhaust memory. */
    while (n <= CW_RULES_MAX_FILE_BYTES) {
        if (n == cap) {
            size_t grown =
                cap * 2 > CW_RULES_MAX_FILE_BYTES + 1 ? CW_RULES_MAX_FILE_BYTES + 1 : cap * 2;
            char *p = cw_rules_mem_realloc(&ld->mem, buf, grown + 1);
            if (p == NULL) {
                ld_free(ld, buf);
                return cw_error_set(err, CW_EXIT_OSERR, "out of memory reading '%s'", ld->name);
            }
            buf = p;
            cap = grown;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            ld_free(ld, buf);
            return cw_error_set_at(err, CW_EXIT_NOINPUT, ld->name, 0, 0,
                                   "cannot read rule file: %s", strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static int read_file(loader *ld, const char *path, char **out, size_t *len, cw_error *err)
{
    *out = NULL;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return cw_error_set_at(err, CW_EXIT_NOINPUT, path, 0, 0, "cannot open rule file: %s",
                               strerror(errno));
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) != 0)
        cw_error_set_at(err, CW_EXIT_NOINPUT, path, 0, 0, "cannot read rule file: %s",
                        strerror(errno));
    else if (S_ISDIR(st.st_mode))
        cw_error_set_at(err, CW_EXIT_NOINPUT, path, 0, 0, "is a directory, not a rule file");
    else if (!S_ISREG(st.st_mode))
        cw_error_set_at(err, CW_EXIT_DATAERR, path, 0, 0,
                        "not a regular file: a rule file cannot be a FIFO, device or socket");
    else if (st.st_size > (off_t)CW_RULES_MAX_FILE_BYTES)
        cw_error_set_at(err, CW_EXIT_DATAERR, path, 0, 0,
                        "rule file is too large (%lld bytes; the limit is %u)",
                        (long long)st.st_size, CW_RULES_MAX_FILE_BYTES);
    else
        rc = read_all(ld, fd, (size_t)st.st_size, out, len, err);
    close(fd);
    return rc;
}

/* ---- libcyaml ------------------------------------------------------------ */

static void cy_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
    __attribute__((format(printf, 3, 0)));

/* libcyaml logs its error and a backtrace line by line; keep them to translate after. */
static void cy_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    cy_log *log = ctx;
    if (level < CYAML_LOG_ERROR || log->len >= sizeof(log->text) - 1)
        return;
    int n = vsnprintf(log->text + log->len, sizeof(log->text) - log->len, fmt, args);
    if (n > 0)
        log->len +=
            (size_t)n < sizeof(log->text) - log->len ? (size_t)n : sizeof(log->text) - 1 - log->len;
}

static void *cy_mem_fn(void *ctx, void *ptr, size_t size)
{
    return cw_rules_mem_realloc(ctx, ptr, size);
}

static cyaml_config_t cy_config(loader *ld)
{
    cyaml_config_t cfg = {
        .log_fn = cy_log_fn,
        .log_ctx = &ld->log,
        .mem_fn = cy_mem_fn,
        .mem_ctx = &ld->mem,
        .log_level = CYAML_LOG_ERROR,
        .flags = CYAML_CFG_NO_ALIAS,
    };
    return cfg;
}

typedef struct cy_frame {
    char kind; /* 'f' mapping field, 'e' sequence entry, 'm' mapping */
    char field[MAX_ID_BYTES + 8];
    unsigned long entry; /* 1-based */
    cw_pos pos;
} cy_frame;

typedef struct cy_failure {
    char msg[256];
    cy_frame frames[CY_MAX_FRAMES]; /* innermost first */
    size_t nframes;
} cy_failure;

static void parse_cy_line(cy_failure *f, const char *line)
{
    cy_frame fr = {0};
    if (strncmp(line, "  in ", 5) == 0) {
        if (f->nframes == CY_MAX_FRAMES)
            return;
        if (sscanf(line, "  in mapping field '%71[^']' (line: %u, column: %u)", fr.field,
                   &fr.pos.line, &fr.pos.column) == 3)
            fr.kind = 'f';
        else if (sscanf(line, "  in sequence entry '%lu' (line: %u, column: %u)", &fr.entry,
                        &fr.pos.line, &fr.pos.column) == 3)
            fr.kind = 'e';
        else if (sscanf(line, "  in mapping (line: %u, column: %u)", &fr.pos.line,
                        &fr.pos.column) == 2)
            fr.kind = 'm';
        if (fr.kind != 0)
            f->frames[f->nframes++] = fr;
    } else if (f->msg[0] == '\0' && strncmp(line, "Load: Backtrace", 15) != 0) {
        const char *m = strncmp(line, "Load: ", 6) == 0 ? line + 6 : line;
        snprintf(f->msg, sizeof(f->msg), "%.255s", m);
    }
}

static void parse_cy_log(cy_failure *f, const char *text)
{
    memset(f, 0, sizeof(*f));
    while (*text != '\0') {
        const char *eol = strchr(text, '\n');
        size_t n = eol != NULL ? (size_t)(eol - text) : strlen(text);
        char line[320];
        snprintf(line, sizeof(line), "%.*s", (int)(n < 319 ? n : 319), text);
        parse_cy_line(f, line);
        text += n + (eol != NULL);
    }
}

static const char *kind_phrase(const char *event)
{
    if (strncmp(event, "SEQUENCE", 8) == 0)
        return "a list";
    if (strncmp(event, "MAPPING", 7) == 0)
        return "a mapping";
    if (strncmp(event, "SCALAR", 6) == 0 || strncmp(event, "STRING", 6) == 0)
        return "a single value";
    return "something else";
}

static const schema_context *find_context(const char *holder)
{
    for (size_t i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++)
        if (strcmp(contexts[i].holder, holder) == 0)
            return &contexts[i];
    return &contexts[0];
}

static void unknown_key(loader *ld, const char *key, const char *holder, const cw_ynode *map,
                        cw_pos fallback, cw_error *err)
{
    const schema_context *ctx = find_context(holder);
    const char *keys[16];
    size_t n = 0;
    for (const cyaml_schema_field_t *f = ctx->fields; f->key != NULL && n < 16; f++)
        keys[n++] = f->key;
    const cw_ynode *k = cw_rules_pos_key(map, key);
    cw_pos pos = k != NULL ? k->pos : fallback;
    char hint[96];
    char buf[48];
    cw_error_set_at(err, CW_EXIT_DATAERR, ld->name, pos.line, pos.column, "unknown key '%s' %s%s",
                    ld_shown(buf, sizeof(buf), key), ctx->where,
                    did_you_mean(hint, sizeof(hint), key, keys, n));
}

static void wrong_kind(loader *ld, const char *msg, const char *holder, bool entry,
                       const cw_ynode *node, cw_pos fallback, cw_error *err)
{
    char want[32] = "";
    char got[32] = "";
    sscanf(msg, "Expecting %31s got event: %31s", want, got);
    want[strcspn(want, ",")] = '\0';
    cw_pos pos = node != NULL ? node->pos : fallback;
    bool empty = node != NULL && node->kind == CW_YNODE_SCALAR && node->len == 0 && node->plain;
    char subject[96];
    if (holder[0] == '\0')
        snprintf(subject, sizeof(subject), "the top level");
    else
        snprintf(subject, sizeof(subject), "%s'%s'", entry ? "each entry of " : "", holder);
    cw_error_set_at(err, CW_EXIT_DATAERR, ld->name, pos.line, pos.column, "%s must be %s, not %s",
                    subject, kind_phrase(want), empty ? "empty" : kind_phrase(got));
}

/* Map libcyaml's first error onto the position tree. */
static int cy_error(loader *ld, const cw_ynode *root, cw_error *err)
{
    cy_failure f;
    parse_cy_log(&f, ld->log.text);
    cw_pos fallback = f.nframes > 0 ? f.frames[0].pos : (cw_pos){0, 0};
    const cw_ynode *node = root;
    const char *holder = "";
    bool entry = false;
    for (size_t k = f.nframes; k-- > 0 && node != NULL;) {
        const cy_frame *fr = &f.frames[k];
        if (fr->kind == 'f') {
            node = cw_rules_pos_get(node, fr->field);
            holder = fr->field;
            entry = false;
        } else if (fr->kind == 'e') {
            node = fr->entry > 0 ? cw_rules_pos_at(node, fr->entry - 1) : NULL;
            entry = true;
        }
    }
    if (strncmp(f.msg, "Unexpected key: ", 16) == 0) {
        char key[256];
        snprintf(key, sizeof(key), "%.255s", f.msg + 16);
        key[strcspn(key, "\r\n")] = '\0';
        unknown_key(ld, key, holder, node, fallback, err);
    } else if (strncmp(f.msg, "Expecting ", 10) == 0) {
        wrong_kind(ld, f.msg, holder, entry, node, fallback, err);
    } else {
        f.msg[strcspn(f.msg, "\r\n")] = '\0';
        cw_error_set_at(err, CW_EXIT_DATAERR, ld->name, fallback.line, fallback.column,
                        "invalid rule file: %s", f.msg);
    }
    return -1;
}

static int cy_load(loader *ld, y_rules **out, const char *data, size_t len, const cw_ynode *root,
                   cw_error *err)
{
    *out = NULL;
    cyaml_config_t cfg = cy_config(ld);
    cyaml_err_t rc =
        cyaml_load_data((const uint8_t *)data, len, &cfg, &root_schema, (cyaml_data_t **)out, NULL);
    /* The position pass parsed these very bytes with libyaml already, so libyaml failing
     * on them inside libcyaml (logged as "libyaml: (null)") is out of memory, not the file. */
    bool libyaml_failed = rc == CYAML_ERR_LIBYAML_PARSER || rc == CYAML_ERR_LIBYAML_PARSER_INIT ||
                          rc == CYAML_ERR_LIBYAML_EVENT_INIT;
    if (rc == CYAML_ERR_OOM || ld->mem.failed || libyaml_failed)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory loading '%s'", ld->name);
    if (rc != CYAML_OK)
        return cy_error(ld, root, err);
    if (*out == NULL)
        return cw_error_set_at(err, CW_EXIT_SOFTWARE, ld->name, 1, 1,
                               "libcyaml returned no data for a non-empty document");
    return 0;
}

/* ---- driver -------------------------------------------------------------- */

static int cmp_diag(const void *a, const void *b)
{
    const diag_entry *x = a;
    const diag_entry *y = b;
    if (x->pos.line != y->pos.line)
        return x->pos.line < y->pos.line ? -1 : 1;
    if (x->pos.column != y->pos.column)
        return x->pos.column < y->pos.column ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Write every collected error in file order; the first also goes to err. */
static void emit_diags(loader *ld, cw_error *err)
{
    qsort(ld->diags, ld->ndiags, sizeof(ld->diags[0]), cmp_diag);
    for (size_t i = 0; i < ld->ndiags; i++) {
        const diag_entry *d = &ld->diags[i];
        cw_error_set_at(err, CW_EXIT_DATAERR, ld->name, d->pos.line, d->pos.column, "%s", d->msg);
        if (ld->diag != NULL)
            fprintf(ld->diag, "%s:%u:%u: error: %s\n", ld->name, d->pos.line, d->pos.column,
                    d->msg);
    }
    if (ld->dropped > 0 && ld->diag != NULL)
        fprintf(ld->diag, "%s: error: %zu more errors not shown\n", ld->name, ld->dropped);
}

static int build(loader *ld, cw_rules **out, const y_rules *y, const cw_ynode *root,
                 const char *data, size_t len, cw_error *err)
{
    cw_rules *r = ld_calloc(ld, 1, sizeof(*r));
    if (r == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory loading '%s'", ld->name);
    ld->rules = r;
    r->version = 1;
    r->path = ld_strdup(ld, ld->name);
    r->source = cw_rules_mem_realloc(&ld->mem, NULL, len + 1);
    int rc = r->path == NULL || r->source == NULL ? -1 : rules_build_model(ld, y, root);
    if (rc == 0 && ld->ndiags + ld->dropped == 0) {
        memcpy(r->source, data, len);
        r->source[len] = '\0';
        r->source_len = len;
        *out = r;
    } else {
        if (rc != 0 || ld->mem.failed)
            cw_error_set(err, CW_EXIT_OSERR, "out of memory loading '%s'", ld->name);
        else
            emit_diags(ld, err);
        cw_rules_free(r);
        rc = -1;
    }
    ld->rules = NULL;
    ld_free(ld, ld->areas);
    ld_free(ld, ld->terms);
    ld_free(ld, ld->area_seen);
    return rc;
}

static int parse_buffer(loader *ld, cw_rules **out, const char *data, size_t len, cw_error *err)
{
    if (len > CW_RULES_MAX_FILE_BYTES)
        return cw_error_set_at(err, CW_EXIT_DATAERR, ld->name, 0, 0,
                               "rule file is too large (%zu bytes; the limit is %u)", len,
                               CW_RULES_MAX_FILE_BYTES);
    cw_ydoc *doc = NULL;
    if (cw_rules_pos_parse(&doc, ld->name, data, len, &ld->mem, err) != 0)
        return -1;
    const cw_ynode *root = cw_rules_pos_root(doc);
    y_rules *y = NULL;
    int rc = cy_load(ld, &y, data, len, root, err);
    if (rc == 0)
        rc = build(ld, out, y, root, data, len, err);
    if (y != NULL) {
        cyaml_config_t cfg = cy_config(ld);
        cyaml_free(&cfg, &root_schema, y, 0);
    }
    cw_rules_pos_free(doc);
    return rc;
}

static void loader_init(loader *ld, const char *name, FILE *diag)
{
    memset(ld, 0, sizeof(*ld));
    ld->name = name;
    ld->diag = diag;
    cw_rules_mem_init(&ld->mem);
}

/* An allocation failure anywhere wins over whatever error it caused downstream. */
static int finish(loader *ld, int rc, cw_error *err)
{
    if (rc != 0 && ld->mem.failed && err->code != CW_EXIT_OSERR) {
        cw_error_clear(err);
        cw_error_set(err, CW_EXIT_OSERR, "out of memory loading '%s'", ld->name);
    }
    /* Semantic errors were written one per line already; everything else is a single error. */
    if (rc != 0 && ld->diag != NULL && (ld->ndiags == 0 || err->code == CW_EXIT_OSERR))
        cw_error_write(ld->diag, "causeway", err);
    return rc;
}

int cw_rules_parse(cw_rules **out, const char *name, const char *data, size_t len, FILE *diag,
                   cw_error *err)
{
    *out = NULL;
    loader *ld = malloc(sizeof(*ld));
    if (ld == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory loading '%s'", name);
    loader_init(ld, name, diag);
    int rc = finish(ld, parse_buffer(ld, out, data, len, err), err);
    free(ld);
    return rc;
}

int cw_rules_load(cw_rules **out, const char *path, FILE *diag, cw_error *err)
{
    *out = NULL;
    if (path == NULL || strcmp(path, "-") == 0) {
        cw_error_set(err, CW_EXIT_USAGE, "rules cannot be read from standard input: name a file");
        if (diag != NULL)
            cw_error_write(diag, "causeway", err);
        return -1;
    }
    loader *ld = malloc(sizeof(*ld));
    if (ld == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory loading '%s'", path);
    loader_init(ld, path, diag);
    char *data = NULL;
    size_t len = 0;
    int rc = read_file(ld, path, &data, &len, err);
    if (rc == 0)
        rc = parse_buffer(ld, out, data, len, err);
    ld_free(ld, data);
    rc = finish(ld, rc, err);
    free(ld);
    return rc;
}

int cw_rules_load_default(cw_rules **out, FILE *diag, cw_error *err)
{
    *out = NULL;
    if (cw_embedded_rules_count == 0 || cw_embedded_rules[0].data == NULL) {
        cw_error_set(err, CW_EXIT_SOFTWARE,
                     "this causeway was built without a default rule set (rules/default.yaml was "
                     "missing at build time)");
        if (diag != NULL)
            cw_error_write(diag, "causeway", err);
        return -1;
    }
    return cw_rules_parse(out, DEFAULT_NAME, cw_embedded_rules[0].data, cw_embedded_rules[0].size,
                          diag, err);
}
