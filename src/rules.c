/*
 * rules.c - load and validate a rule set; rules/README.md is the language
 * reference, rules.h the model.
 *
 * Three passes over one in-memory copy of the file:
 *  1. rules_pos.c checks the bytes and streams libyaml events once: it refuses
 *     what libcyaml 1.3.1 mishandles (aliases, a second document, deep nesting,
 *     duplicate keys) and records every node's position;
 *  2. libcyaml loads the typed structure and refuses unknown keys and wrong
 *     kinds; its first error is mapped back to a precise position through the
 *     position tree (its own log positions point at the previous event);
 *  3. the semantic pass builds the cw_rules model and collects every error
 *     (required keys, ids, numbers, weights, references), sorted by position.
 * Numbers (version, severity, weight, within) and booleans are loaded as strings and
 * parsed here: libcyaml accepts 1e3, 0x10, 010, 12abc and yes/on.
 */
#include "causeway/rules.h"

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

#include "causeway/embed.h"
#include "causeway/rules_pos.h"
#include "causeway/text.h"

#define MAX_ID_BYTES     64
#define MAX_DIAGS        100
#define WEIGHT_TOLERANCE 1e-6
/* Suggestions compare against every id: skip them for absurdly many ids. */
#define MAX_SUGGEST_IDS 1000
#define CY_LOG_BYTES    4096
#define CY_MAX_FRAMES   24
#define DEFAULT_NAME    "rules/default.yaml"

/* ---- what libcyaml loads ------------------------------------------------- */

typedef struct y_area {
    char *id;
    char *name;
    char *owner;
    char *remediation;
} y_area;

typedef struct y_near {
    char *first;
    char *then;
    char *within;
} y_near;

typedef struct y_match {
    char **any;
    unsigned any_count;
    char **regex;
    unsigned regex_count;
    char **all;
    unsigned all_count;
    char **unless;
    unsigned unless_count;
    y_near *near;
    unsigned near_count;
    char *negation;
} y_match;

typedef struct y_where {
    char **channel;
    unsigned channel_count;
    char **site;
    unsigned site_count;
    char **product;
    unsigned product_count;
    char **segment;
    unsigned segment_count;
} y_where;

typedef struct y_cause {
    char *area;
    char *weight;
} y_cause;

typedef struct y_examples {
    char **match;
    unsigned match_count;
    char **no_match;
    unsigned no_match_count;
} y_examples;

typedef struct y_symptom {
    char *id;
    char *name;
    char *severity;
    char *status;
    y_where *where;
    y_match *match;
    y_cause *causes;
    unsigned causes_count;
    y_examples *examples;
} y_symptom;

typedef struct y_rules {
    char *version;
    y_area *cause_areas;
    unsigned cause_areas_count;
    y_symptom *symptoms;
    unsigned symptoms_count;
} y_rules;

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

typedef struct diag_entry {
    cw_pos pos;
    size_t seq; /* report order, to keep the sort stable */
    char msg[320];
} diag_entry;

/* An id with where it was written, sorted by id for duplicate checks and lookups. */
typedef struct id_ref {
    const char *id;
    cw_pos pos;
    size_t index;
} id_ref;

typedef struct cy_log {
    char text[CY_LOG_BYTES];
    size_t len;
} cy_log;

typedef struct loader {
    const char *name;
    FILE *diag;
    cw_rules_mem mem;
    cw_rules *rules;   /* being built */
    id_ref *areas;     /* sorted by id */
    id_ref *terms;     /* sorted by name */
    size_t *area_seen; /* per area: 1 + index of the last symptom that listed it */
    diag_entry diags[MAX_DIAGS];
    size_t ndiags;
    size_t dropped; /* errors past MAX_DIAGS */
    cy_log log;
} loader;

static void report(loader *ld, cw_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(loader *ld, cw_pos pos, const char *fmt, ...)
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

static void *ld_calloc(loader *ld, size_t n, size_t size)
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

static char *ld_strdup(loader *ld, const char *s)
{
    size_t len = strlen(s);
    char *p = cw_rules_mem_realloc(&ld->mem, NULL, len + 1);
    if (p != NULL)
        memcpy(p, s, len + 1);
    return p;
}

static void ld_free(loader *ld, void *p)
{
    cw_rules_mem_realloc(&ld->mem, p, 0);
}

/*
 * Text from the rule file shown in a message: at most 40 bytes, cut on a
 * character boundary, control characters replaced, so a hostile value cannot
 * flood or drive the terminal.
 */
static const char *shown(char *buf, size_t size, const char *text)
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

/* ---- small parsers ------------------------------------------------------- */

static bool is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_ID_BYTES || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

/* A plain decimal: 1, 0.6, 1.0, .5 (no sign, exponent, hex or trailing junk). */
static bool parse_decimal(const char *t, double *out)
{
    size_t i = 0;
    size_t whole = 0;
    size_t frac = 0;
    while (is_digit(t[i]))
        i++, whole++;
    if (t[i] == '.') {
        i++;
        while (is_digit(t[i]))
            i++, frac++;
        if (frac == 0)
            return false;
    }
    if (t[i] != '\0' || whole + frac == 0 || i > 32)
        return false;
    *out = strtod(t, NULL);
    return true;
}

/* A whole number written plainly in decimal: no sign, exponent, base prefix, leading zero or
 * trailing junk (libcyaml would take 1e3, 0x5, 05 and 5abc). */
static bool parse_whole(const char *t, unsigned *out)
{
    size_t n = strlen(t);
    if (n == 0 || n > 9 || (n > 1 && t[0] == '0'))
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(t[i]))
            return false;
        v = v * 10u + (unsigned)(t[i] - '0');
    }
    *out = v;
    return true;
}

/* " (did you mean 'x'?)" or "" into buf. */
static const char *did_you_mean(char *buf, size_t size, const char *word, const char *const *cands,
                                size_t n)
{
    const char *c = n <= MAX_SUGGEST_IDS ? cw_text_closest(word, cands, n) : NULL;
    buf[0] = '\0';
    if (c != NULL)
        snprintf(buf, size, " (did you mean '%s'?)", c);
    return buf;
}

/* Suggestion among sorted id_refs (areas or terms). */
static const char *did_you_mean_ref(loader *ld, char *buf, size_t size, const char *word,
                                    const id_ref *refs, size_t n)
{
    buf[0] = '\0';
    if (n == 0 || n > MAX_SUGGEST_IDS)
        return buf;
    const char **cands = ld_calloc(ld, n, sizeof(*cands));
    if (cands == NULL)
        return buf;
    for (size_t i = 0; i < n; i++)
        cands[i] = refs[i].id;
    did_you_mean(buf, size, word, cands, n);
    ld_free(ld, cands);
    return buf;
}

static int cmp_ref(const void *a, const void *b)
{
    const id_ref *x = a;
    const id_ref *y = b;
    int c = strcmp(x->id, y->id);
    if (c != 0)
        return c;
    return x->index < y->index ? -1 : (x->index > y->index);
}

/* Index (into the model array) of the first ref with this id, or -1. */
static long find_ref(const id_ref *refs, size_t n, const char *id)
{
    size_t lo = 0;
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(refs[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && strcmp(refs[lo].id, id) == 0)
        return (long)refs[lo].index;
    return -1;
}

/* Sort refs and report every id defined more than once. */
static void report_duplicates(loader *ld, const char *kind, id_ref *refs, size_t n)
{
    qsort(refs, n, sizeof(*refs), cmp_ref);
    char buf[48];
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(refs[i].id, refs[i - 1].id) != 0) {
            first = i;
            continue;
        }
        if (refs[i].id[0] != '\0')
            report(ld, refs[i].pos, "duplicate %s id '%s' (first defined at line %u)", kind,
                   shown(buf, sizeof(buf), refs[i].id), refs[first].pos.line);
    }
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
                    shown(buf, sizeof(buf), key), ctx->where,
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

/* ---- semantic pass: patterns --------------------------------------------- */

typedef enum pattern_kind {
    PK_PHRASE,      /* `any`, `all`, `unless`: may use {term} */
    PK_TERM_PHRASE, /* inside a term list: no {term} */
    PK_REGEX,
    PK_EXAMPLE,
} pattern_kind;

static bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit((char)c) || c >= 0x80;
}

static bool has_control(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* A {name} reference starting at t[i] == '{'; returns the index of the closing brace or 0. */
static size_t check_term_ref(loader *ld, const char *t, size_t i, cw_pos pos, bool allowed)
{
    const char *close = strchr(t + i, '}');
    char buf[48];
    if (close == NULL) {
        report(ld, pos, "unterminated term reference in phrase '%s'", shown(buf, sizeof(buf), t));
        return 0;
    }
    size_t end = (size_t)(close - t);
    char name[MAX_ID_BYTES + 2];
    if (end - i - 1 > MAX_ID_BYTES) {
        report(ld, pos, "term reference in phrase '%s' is not a valid name",
               shown(buf, sizeof(buf), t));
        return 0;
    }
    memcpy(name, t + i + 1, end - i - 1);
    name[end - i - 1] = '\0';
    char hint[96];
    if (!allowed)
        report(ld, pos, "term lists cannot use term references ('{%s}')", name);
    else if (!is_id(name))
        report(ld, pos, "'{%s}' is not a valid term reference: names are [a-z][a-z0-9_]*",
               shown(buf, sizeof(buf), name));
    else if (find_ref(ld->terms, ld->rules->term_count, name) < 0)
        report(ld, pos, "unknown term list '{%s}'%s", name,
               did_you_mean_ref(ld, hint, sizeof(hint), name, ld->terms, ld->rules->term_count));
    else
        return end;
    return 0;
}

static void check_phrase(loader *ld, const char *t, cw_pos pos, bool refs_allowed)
{
    char buf[48];
    size_t len = strlen(t);
    if (is_blank(t)) {
        report(ld, pos, "empty phrase");
        return;
    }
    if (len > CW_RULES_MAX_PATTERN_BYTES) {
        report(ld, pos, "phrase is longer than %u bytes", CW_RULES_MAX_PATTERN_BYTES);
        return;
    }
    if (has_control(t)) {
        report(ld, pos, "phrase '%s' contains a control character", shown(buf, sizeof(buf), t));
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char prev = i > 0 ? (unsigned char)t[i - 1] : 0;
        char next = t[i + 1];
        if (t[i] == '*' && (!is_word_byte(prev) || (next != '\0' && next != ' '))) {
            report(ld, pos, "'*' in phrase '%s' must end a word (as in 'refund*')",
                   shown(buf, sizeof(buf), t));
            return;
        }
        if (t[i] == '}') {
            report(ld, pos, "unmatched '}' in phrase '%s'", shown(buf, sizeof(buf), t));
            return;
        }
        if (t[i] == '{') {
            size_t end = check_term_ref(ld, t, i, pos, refs_allowed);
            if (end == 0)
                return;
            i = end;
        }
    }
}

static void check_pattern(loader *ld, pattern_kind kind, const char *t, cw_pos pos)
{
    char buf[48];
    switch (kind) {
    case PK_PHRASE:
    case PK_TERM_PHRASE:
        check_phrase(ld, t, pos, kind == PK_PHRASE);
        break;
    case PK_REGEX:
        if (t[0] == '\0')
            report(ld, pos, "empty regex");
        else if (strlen(t) > CW_RULES_MAX_PATTERN_BYTES)
            report(ld, pos, "regex is longer than %u bytes", CW_RULES_MAX_PATTERN_BYTES);
        else if (has_control(t))
            report(ld, pos, "regex '%s' contains a control character (write \\t or \\n instead)",
                   shown(buf, sizeof(buf), t));
        break;
    case PK_EXAMPLE:
        if (is_blank(t))
            report(ld, pos, "empty example");
        break;
    }
}

/* Copy a list of strings with their positions (items of `seq`) and check each. */
static int build_patterns(loader *ld, cw_pattern_list *out, char *const *items, unsigned count,
                          const cw_ynode *seq, pattern_kind kind)
{
    if (count == 0)
        return 0;
    out->items = ld_calloc(ld, count, sizeof(*out->items));
    if (out->items == NULL)
        return -1;
    const cw_ynode *n = seq != NULL ? seq->first : NULL;
    for (unsigned i = 0; i < count; i++) {
        cw_pattern *p = &out->items[out->count];
        p->pos = n != NULL ? n->pos : (seq != NULL ? seq->pos : (cw_pos){0, 0});
        p->text = ld_strdup(ld, items[i]);
        if (p->text == NULL)
            return -1;
        out->count++;
        check_pattern(ld, kind, items[i], p->pos);
        n = n != NULL ? n->next : NULL;
    }
    return 0;
}

/* ---- semantic pass: top level, terms, areas ------------------------------ */

/* The value node of a required key, or NULL after reporting it missing. */
static const cw_ynode *require(loader *ld, const cw_ynode *map, const char *key, const char *what)
{
    const cw_ynode *v = cw_rules_pos_get(map, key);
    if (v == NULL)
        report(ld, map->pos, "%s is missing required key '%s'", what, key);
    return v;
}

static void check_version(loader *ld, const y_rules *y, const cw_ynode *root)
{
    const cw_ynode *v = require(ld, root, "version", "rule file");
    char buf[48];
    if (v == NULL || y->version == NULL)
        return;
    if (!v->plain || strcmp(y->version, "1") != 0)
        report(ld, v->pos, "unsupported version %s%s%s: this causeway reads version 1",
               v->plain ? "" : "\"", shown(buf, sizeof(buf), y->version), v->plain ? "" : "\"");
}

static void check_name(loader *ld, const cw_ynode *node, const char *text, const char *what)
{
    char buf[48];
    if (!is_id(text))
        report(ld, node->pos,
               "invalid %s '%s': use lower-case letters, digits and '_', starting with a letter "
               "(at most %d)",
               what, shown(buf, sizeof(buf), text), MAX_ID_BYTES);
}

/* "symptom 'late'" or just "symptom" when the id is missing, for messages. */
static const char *describe(char *buf, size_t size, const char *kind, const char *id)
{
    char shown_id[48];
    if (id == NULL || id[0] == '\0')
        snprintf(buf, size, "%s", kind);
    else
        snprintf(buf, size, "%s '%s'", kind, shown(shown_id, sizeof(shown_id), id));
    return buf;
}

static int build_term(loader *ld, cw_term_list *term, const cw_ynode *key)
{
    const cw_ynode *value = key->next;
    term->pos = key->pos;
    term->name = ld_strdup(ld, key->text);
    if (term->name == NULL)
        return -1;
    check_name(ld, key, key->text, "term list name");
    if (value->kind != CW_YNODE_SEQUENCE || value->count == 0) {
        report(ld, value->pos, "term list '%s' must be a non-empty list of phrases", term->name);
        return 0;
    }
    term->phrases.items = ld_calloc(ld, value->count, sizeof(cw_pattern));
    if (term->phrases.items == NULL)
        return -1;
    for (const cw_ynode *n = value->first; n != NULL; n = n->next) {
        if (n->kind != CW_YNODE_SCALAR) {
            report(ld, n->pos, "each entry of term list '%s' must be a phrase, not %s", term->name,
                   n->kind == CW_YNODE_SEQUENCE ? "a list" : "a mapping");
            continue;
        }
        cw_pattern *p = &term->phrases.items[term->phrases.count];
        p->pos = n->pos;
        p->text = ld_strdup(ld, n->text);
        if (p->text == NULL)
            return -1;
        term->phrases.count++;
        check_pattern(ld, PK_TERM_PHRASE, n->text, n->pos);
    }
    return 0;
}

static int build_terms(loader *ld, const cw_ynode *root)
{
    cw_rules *r = ld->rules;
    const cw_ynode *t = cw_rules_pos_get(root, "terms");
    if (t == NULL)
        return 0;
    if (t->kind != CW_YNODE_MAPPING) {
        report(ld, t->pos, "'terms' must be a mapping of name: [phrases]");
        return 0;
    }
    r->terms = ld_calloc(ld, t->count, sizeof(*r->terms));
    ld->terms = ld_calloc(ld, t->count, sizeof(*ld->terms));
    if (r->terms == NULL || ld->terms == NULL)
        return -1;
    for (const cw_ynode *k = t->first; k != NULL && k->next != NULL; k = k->next->next) {
        /* Counted before it is filled, so cw_rules_free releases a half-built term. */
        cw_term_list *term = &r->terms[r->term_count++];
        if (build_term(ld, term, k) != 0)
            return -1;
        ld->terms[r->term_count - 1] = (id_ref){term->name, term->pos, r->term_count - 1};
    }
    /* Duplicate names are duplicate keys, refused by the position pass: sorting is for lookup. */
    qsort(ld->terms, r->term_count, sizeof(*ld->terms), cmp_ref);
    return 0;
}

/* Copy a required non-empty string; "" when missing (already reported). */
static char *required_text(loader *ld, const char *value, const cw_ynode *map, const char *key,
                           const char *what)
{
    const cw_ynode *node = require(ld, map, key, what);
    if (node != NULL && value != NULL && is_blank(value))
        report(ld, node->pos, "%s has an empty '%s'", what, key);
    return ld_strdup(ld, value != NULL ? value : "");
}

static int build_area(loader *ld, cw_cause_area *a, const y_area *ya, const cw_ynode *node)
{
    char what[80];
    describe(what, sizeof(what), "cause area", ya->id);
    a->pos = node->pos;
    a->id = required_text(ld, ya->id, node, "id", what);
    a->name = required_text(ld, ya->name, node, "name", what);
    a->owner = ld_strdup(ld, ya->owner != NULL ? ya->owner : "");
    a->remediation = ld_strdup(ld, ya->remediation != NULL ? ya->remediation : "");
    if (a->id == NULL || a->name == NULL || a->owner == NULL || a->remediation == NULL)
        return -1;
    const cw_ynode *id = cw_rules_pos_get(node, "id");
    if (id != NULL && a->id[0] != '\0')
        check_name(ld, id, a->id, "cause area id");
    return 0;
}

static int build_areas(loader *ld, const y_rules *y, const cw_ynode *root)
{
    cw_rules *r = ld->rules;
    const cw_ynode *seq = require(ld, root, "cause_areas", "rule file");
    if (seq != NULL && y->cause_areas_count == 0)
        report(ld, seq->pos, "'cause_areas' must list at least one cause area");
    r->areas = ld_calloc(ld, y->cause_areas_count, sizeof(*r->areas));
    ld->areas = ld_calloc(ld, y->cause_areas_count, sizeof(*ld->areas));
    ld->area_seen = ld_calloc(ld, y->cause_areas_count, sizeof(*ld->area_seen));
    if (r->areas == NULL || ld->areas == NULL || ld->area_seen == NULL)
        return -1;
    const cw_ynode *n = seq != NULL ? seq->first : NULL;
    for (unsigned i = 0; i < y->cause_areas_count && n != NULL; i++, n = n->next) {
        cw_cause_area *a = &r->areas[r->area_count++];
        if (build_area(ld, a, &y->cause_areas[i], n) != 0)
            return -1;
        const cw_ynode *id = cw_rules_pos_get(n, "id");
        ld->areas[i] = (id_ref){a->id, id != NULL ? id->pos : a->pos, i};
    }
    report_duplicates(ld, "cause area", ld->areas, r->area_count);
    return 0;
}

/* ---- semantic pass: symptoms --------------------------------------------- */

static void parse_severity(loader *ld, cw_symptom *s, const char *text, const cw_ynode *node)
{
    char buf[48];
    unsigned severity = 0;
    if (node == NULL || text == NULL)
        return;
    if (!node->plain)
        report(ld, node->pos, "severity must be a plain number from 1 to 5, not a quoted string");
    else if (!parse_whole(text, &severity) || severity < 1 || severity > 5)
        report(ld, node->pos, "severity must be a whole number from 1 to 5, not '%s'",
               shown(buf, sizeof(buf), text));
    else
        s->severity = (int)severity;
}

/* Same order as cw_symptom_status. */
static const char *const status_names[] = {"stable", "experimental", "deprecated"};

static void parse_status(loader *ld, cw_symptom *s, const char *text, const cw_ynode *map)
{
    if (text == NULL)
        return;
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(text, status_names[i]) == 0) {
            s->status = (cw_symptom_status)i;
            return;
        }
    }
    char buf[48];
    char hint[96];
    report(ld, cw_rules_pos_get(map, "status")->pos,
           "unknown status '%s'%s: use stable, experimental or deprecated",
           shown(buf, sizeof(buf), text), did_you_mean(hint, sizeof(hint), text, status_names, 3));
}

static char **where_list(const y_where *w, cw_field field, unsigned *count)
{
    switch (field) {
    case CW_FIELD_CHANNEL:
        *count = w->channel_count;
        return w->channel;
    case CW_FIELD_SITE:
        *count = w->site_count;
        return w->site;
    case CW_FIELD_PRODUCT:
        *count = w->product_count;
        return w->product;
    default:
        *count = w->segment_count;
        return w->segment;
    }
}

static int build_condition(loader *ld, cw_condition *c, const y_where *w, const cw_ynode *key)
{
    unsigned count = 0;
    /* libcyaml refused any other key, so the name parses. */
    c->field = (cw_field)cw_field_parse(key->text);
    c->pos = key->pos;
    char **items = where_list(w, c->field, &count);
    if (count == 0) {
        report(ld, key->next->pos, "'where: %s' must list at least one value", key->text);
        return 0;
    }
    c->values = ld_calloc(ld, count, sizeof(*c->values));
    if (c->values == NULL)
        return -1;
    const cw_ynode *n = key->next->first;
    for (unsigned i = 0; i < count; i++, n = n != NULL ? n->next : NULL) {
        c->values[c->count] = ld_strdup(ld, items[i]);
        if (c->values[c->count] == NULL)
            return -1;
        c->count++;
        if (is_blank(items[i]))
            report(ld, n != NULL ? n->pos : key->pos, "empty value in 'where: %s'", key->text);
    }
    return 0;
}

static int build_where(loader *ld, cw_symptom *s, const y_where *w, const cw_ynode *node)
{
    if (w == NULL || node == NULL)
        return 0;
    if (node->count == 0) {
        report(ld, node->pos, "'where' names no field: use channel, site, product or segment");
        return 0;
    }
    s->where = ld_calloc(ld, node->count, sizeof(*s->where));
    if (s->where == NULL)
        return -1;
    for (const cw_ynode *k = node->first; k != NULL && k->next != NULL; k = k->next->next) {
        if (build_condition(ld, &s->where[s->where_count++], w, k) != 0)
            return -1;
    }
    return 0;
}

static void parse_negation(loader *ld, cw_match_spec *m, const char *text, const cw_ynode *map)
{
    const cw_ynode *node = cw_rules_pos_get(map, "negation");
    m->negation = true;
    if (text == NULL || node == NULL)
        return;
    if (node->plain && strcmp(text, "true") == 0)
        return;
    if (node->plain && strcmp(text, "false") == 0) {
        m->negation = false;
        return;
    }
    char buf[48];
    report(ld, node->pos, "negation must be true or false, not %s'%s'",
           node->plain ? "" : "quoted ", shown(buf, sizeof(buf), text));
}

/* One phrase of a `near` entry; "" when missing (already reported), so the model stays freeable. */
static int build_near_phrase(loader *ld, cw_pattern *p, const char *text, const cw_ynode *node,
                             cw_pos fallback)
{
    p->pos = node != NULL ? node->pos : fallback;
    p->text = ld_strdup(ld, text != NULL ? text : "");
    if (p->text == NULL)
        return -1;
    if (node != NULL && text != NULL)
        check_pattern(ld, PK_PHRASE, text, p->pos);
    return 0;
}

static void parse_within(loader *ld, cw_near *e, const char *text, const cw_ynode *node)
{
    char buf[48];
    unsigned within = 0;
    if (node == NULL || text == NULL)
        return;
    if (!node->plain)
        report(ld, node->pos, "within must be a plain number from 0 to %u, not a quoted string",
               CW_RULES_MAX_NEAR_WITHIN);
    else if (!parse_whole(text, &within))
        report(ld, node->pos, "within must be a whole number from 0 to %u, not '%s'",
               CW_RULES_MAX_NEAR_WITHIN, shown(buf, sizeof(buf), text));
    else if (within > CW_RULES_MAX_NEAR_WITHIN)
        report(ld, node->pos,
               "within %u is out of range: at most %u words may stand between the phrases", within,
               CW_RULES_MAX_NEAR_WITHIN);
    else
        e->within = within;
}

static int build_near_entry(loader *ld, cw_near *e, const y_near *y, const cw_ynode *node)
{
    e->pos = node->pos;
    const cw_ynode *first = require(ld, node, "first", "'near' entry");
    const cw_ynode *then = require(ld, node, "then", "'near' entry");
    const cw_ynode *within = require(ld, node, "within", "'near' entry");
    if (build_near_phrase(ld, &e->first, y->first, first, node->pos) != 0 ||
        build_near_phrase(ld, &e->then, y->then, then, node->pos) != 0)
        return -1;
    parse_within(ld, e, y->within, within);
    return 0;
}

static int build_near(loader *ld, cw_match_spec *m, const y_match *y, const cw_ynode *seq)
{
    if (y->near_count == 0 || seq == NULL)
        return 0;
    m->near = ld_calloc(ld, y->near_count, sizeof(*m->near));
    if (m->near == NULL)
        return -1;
    /* Counted before the entries are filled, so cw_rules_free releases half-built ones. */
    m->near_count = y->near_count;
    const cw_ynode *n = seq->first;
    for (unsigned i = 0; i < y->near_count && n != NULL; i++, n = n->next)
        if (build_near_entry(ld, &m->near[i], &y->near[i], n) != 0)
            return -1;
    return 0;
}

static int build_match(loader *ld, cw_symptom *s, const y_match *y, const cw_ynode *node)
{
    cw_match_spec *m = &s->match;
    m->negation = true;
    if (y == NULL || node == NULL)
        return 0;
    if (build_patterns(ld, &m->any, y->any, y->any_count, cw_rules_pos_get(node, "any"),
                       PK_PHRASE) != 0 ||
        build_patterns(ld, &m->regex, y->regex, y->regex_count, cw_rules_pos_get(node, "regex"),
                       PK_REGEX) != 0 ||
        build_patterns(ld, &m->all, y->all, y->all_count, cw_rules_pos_get(node, "all"),
                       PK_PHRASE) != 0 ||
        build_patterns(ld, &m->unless, y->unless, y->unless_count, cw_rules_pos_get(node, "unless"),
                       PK_PHRASE) != 0 ||
        build_near(ld, m, y, cw_rules_pos_get(node, "near")) != 0)
        return -1;
    if (y->any_count + y->regex_count + y->near_count == 0)
        report(ld, node->pos,
               "'match' of symptom '%s' needs at least one 'any', 'regex' or 'near' entry", s->id);
    parse_negation(ld, m, y->negation, node);
    return 0;
}

/* One `causes` entry; returns its weight, or NAN when it is unusable for the sum. */
static double build_cause(loader *ld, cw_symptom *s, size_t symptom, const y_cause *yc,
                          const cw_ynode *node)
{
    char buf[48];
    char hint[96];
    double weight = NAN;
    const cw_ynode *area = require(ld, node, "area", "cause");
    const cw_ynode *wnode = require(ld, node, "weight", "cause");
    cw_cause_link *link = &s->causes[s->cause_count++];
    if (area != NULL && yc->area != NULL) {
        long idx = find_ref(ld->areas, ld->rules->area_count, yc->area);
        if (idx < 0)
            report(ld, area->pos, "unknown cause area '%s'%s", shown(buf, sizeof(buf), yc->area),
                   did_you_mean_ref(ld, hint, sizeof(hint), yc->area, ld->areas,
                                    ld->rules->area_count));
        else if (ld->area_seen[idx] == symptom + 1)
            report(ld, area->pos, "cause area '%s' is listed twice in symptom '%s'", yc->area,
                   s->id);
        else
            ld->area_seen[idx] = symptom + 1;
        link->area = idx < 0 ? 0 : (size_t)idx;
    }
    if (wnode == NULL || yc->weight == NULL)
        return NAN;
    if (!wnode->plain || !parse_decimal(yc->weight, &weight))
        report(ld, wnode->pos, "weight must be a plain decimal number such as 0.6, not %s'%s'",
               wnode->plain ? "" : "quoted ", shown(buf, sizeof(buf), yc->weight));
    else if (!(weight > 0.0 && weight <= 1.0))
        report(ld, wnode->pos, "weight %s is out of range: each weight must be > 0 and <= 1",
               shown(buf, sizeof(buf), yc->weight));
    else
        link->weight = weight;
    return link->weight > 0.0 ? weight : NAN;
}

static int build_causes(loader *ld, cw_symptom *s, size_t symptom, const y_symptom *y,
                        const cw_ynode *node)
{
    char what[80];
    const cw_ynode *seq =
        require(ld, node, "causes", describe(what, sizeof(what), "symptom", s->id));
    if (seq == NULL)
        return 0;
    if (y->causes_count == 0) {
        report(ld, seq->pos, "'causes' of symptom '%s' must list at least one cause area", s->id);
        return 0;
    }
    s->causes = ld_calloc(ld, y->causes_count, sizeof(*s->causes));
    if (s->causes == NULL)
        return -1;
    double sum = 0.0;
    const cw_ynode *n = seq->first;
    for (unsigned i = 0; i < y->causes_count && n != NULL; i++, n = n->next)
        sum += build_cause(ld, s, symptom, &y->causes[i], n);
    /* NAN when some weight was unusable: that error is already reported. */
    if (!isnan(sum) && fabs(sum - 1.0) > WEIGHT_TOLERANCE)
        report(ld, seq->pos,
               "weights of symptom '%s' sum to %.6g; they must sum to 1 (a complaint's symptom is "
               "split among its causes)",
               s->id, sum);
    return 0;
}

static int build_examples(loader *ld, cw_symptom *s, const y_examples *y, const cw_ynode *node)
{
    if (y == NULL || node == NULL)
        return 0;
    if (build_patterns(ld, &s->examples_match, y->match, y->match_count,
                       cw_rules_pos_get(node, "match"), PK_EXAMPLE) != 0)
        return -1;
    return build_patterns(ld, &s->examples_no_match, y->no_match, y->no_match_count,
                          cw_rules_pos_get(node, "no_match"), PK_EXAMPLE);
}

static int build_symptom(loader *ld, size_t index, const y_symptom *y, const cw_ynode *node)
{
    cw_symptom *s = &ld->rules->symptoms[index];
    char what[80];
    describe(what, sizeof(what), "symptom", y->id);
    s->pos = node->pos;
    s->status = CW_STATUS_STABLE;
    s->match.negation = true;
    s->id = required_text(ld, y->id, node, "id", what);
    s->name = required_text(ld, y->name, node, "name", what);
    if (s->id == NULL || s->name == NULL)
        return -1;
    const cw_ynode *id = cw_rules_pos_get(node, "id");
    if (id != NULL && s->id[0] != '\0')
        check_name(ld, id, s->id, "symptom id");
    parse_severity(ld, s, y->severity, require(ld, node, "severity", what));
    parse_status(ld, s, y->status, node);
    if (build_where(ld, s, y->where, cw_rules_pos_get(node, "where")) != 0)
        return -1;
    const cw_ynode *match = require(ld, node, "match", what);
    if (build_match(ld, s, y->match, match) != 0 || build_causes(ld, s, index, y, node) != 0)
        return -1;
    return build_examples(ld, s, y->examples, cw_rules_pos_get(node, "examples"));
}

static int build_symptoms(loader *ld, const y_rules *y, const cw_ynode *root)
{
    cw_rules *r = ld->rules;
    const cw_ynode *seq = require(ld, root, "symptoms", "rule file");
    if (seq != NULL && y->symptoms_count == 0)
        report(ld, seq->pos, "'symptoms' must list at least one symptom");
    r->symptoms = ld_calloc(ld, y->symptoms_count, sizeof(*r->symptoms));
    id_ref *refs = ld_calloc(ld, y->symptoms_count, sizeof(*refs));
    if (r->symptoms == NULL || refs == NULL) {
        ld_free(ld, refs);
        return -1;
    }
    int rc = 0;
    const cw_ynode *n = seq != NULL ? seq->first : NULL;
    for (unsigned i = 0; i < y->symptoms_count && n != NULL && rc == 0; i++, n = n->next) {
        r->symptom_count++;
        rc = build_symptom(ld, i, &y->symptoms[i], n);
        const cw_ynode *id = cw_rules_pos_get(n, "id");
        const char *sid = r->symptoms[i].id != NULL ? r->symptoms[i].id : "";
        refs[i] = (id_ref){sid, id != NULL ? id->pos : n->pos, i};
    }
    if (rc == 0)
        report_duplicates(ld, "symptom", refs, r->symptom_count);
    ld_free(ld, refs);
    return rc;
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

static int build_model(loader *ld, const y_rules *y, const cw_ynode *root)
{
    check_version(ld, y, root);
    if (build_terms(ld, root) != 0 || build_areas(ld, y, root) != 0 ||
        build_symptoms(ld, y, root) != 0)
        return -1;
    return 0;
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
    int rc = r->path == NULL || r->source == NULL ? -1 : build_model(ld, y, root);
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

/* ---- model --------------------------------------------------------------- */

static void free_patterns(cw_pattern_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].text);
    free(l->items);
}

static void free_symptom(cw_symptom *s)
{
    free(s->id);
    free(s->name);
    free_patterns(&s->match.any);
    free_patterns(&s->match.regex);
    free_patterns(&s->match.all);
    free_patterns(&s->match.unless);
    for (size_t i = 0; i < s->match.near_count; i++) {
        free(s->match.near[i].first.text);
        free(s->match.near[i].then.text);
    }
    free(s->match.near);
    for (size_t i = 0; i < s->where_count; i++) {
        for (size_t j = 0; j < s->where[i].count; j++)
            free(s->where[i].values[j]);
        free(s->where[i].values);
    }
    free(s->where);
    free(s->causes);
    free_patterns(&s->examples_match);
    free_patterns(&s->examples_no_match);
}

void cw_rules_free(cw_rules *rules)
{
    if (rules == NULL)
        return;
    for (size_t i = 0; i < rules->area_count; i++) {
        free(rules->areas[i].id);
        free(rules->areas[i].name);
        free(rules->areas[i].owner);
        free(rules->areas[i].remediation);
    }
    free(rules->areas);
    for (size_t i = 0; i < rules->symptom_count; i++)
        free_symptom(&rules->symptoms[i]);
    free(rules->symptoms);
    for (size_t i = 0; i < rules->term_count; i++) {
        free(rules->terms[i].name);
        free_patterns(&rules->terms[i].phrases);
    }
    free(rules->terms);
    free(rules->path);
    free(rules->source);
    free(rules);
}

long cw_rules_find_symptom(const cw_rules *rules, const char *id)
{
    for (size_t i = 0; i < rules->symptom_count; i++)
        if (strcmp(rules->symptoms[i].id, id) == 0)
            return (long)i;
    return -1;
}

long cw_rules_find_area(const cw_rules *rules, const char *id)
{
    for (size_t i = 0; i < rules->area_count; i++)
        if (strcmp(rules->areas[i].id, id) == 0)
            return (long)i;
    return -1;
}

const cw_term_list *cw_rules_find_terms(const cw_rules *rules, const char *name)
{
    for (size_t i = 0; i < rules->term_count; i++)
        if (strcmp(rules->terms[i].name, name) == 0)
            return &rules->terms[i];
    return NULL;
}

static const char *const field_names[CW_FIELD_COUNT] = {"channel", "site", "product", "segment"};

const char *cw_field_name(cw_field field)
{
    return (unsigned)field < CW_FIELD_COUNT ? field_names[field] : "unknown";
}

int cw_field_parse(const char *name)
{
    for (int i = 0; i < (int)CW_FIELD_COUNT; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}
