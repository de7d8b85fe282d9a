/*
 * rules_pos.c - byte checks and the libyaml event pass that records where every
 * node of a rule file starts; see rules_pos.h for why it exists.
 *
 * Everything hostile is refused here, before libcyaml sees the bytes: libyaml
 * streams events without recursion, so a 40,000-deep nesting is refused at
 * depth 17 and an alias bomb at its first anchor, in microseconds.
 */
#include "causeway/rules/rules_pos.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Nodes and scalar texts live in chunks freed all at once. */
#define CHUNK_BYTES 65536u

typedef struct chunk {
    struct chunk *next;
    size_t used;
    size_t size;
    max_align_t data[];
} chunk;

struct cw_ydoc {
    cw_rules_mem *mem;
    chunk *chunks;
    cw_ynode *root;
    size_t nodes;
};

/* An open collection while events stream in. */
typedef struct open_node {
    cw_ynode *node;
    cw_ynode *last; /* last child, to append in O(1) */
    size_t kids;    /* children so far (keys and values for a mapping) */
} open_node;

typedef struct builder {
    cw_ydoc *doc;
    const char *name;
    const char *what; /* "rule file", "configuration file": named in messages */
    cw_error *err;
    open_node stack[CW_RULES_POS_MAX_DEPTH];
    size_t depth;
    unsigned documents;
} builder;

void cw_rules_mem_init(cw_rules_mem *mem)
{
    memset(mem, 0, sizeof(*mem));
#ifdef CW_FAULT_HOOKS
    const char *n = getenv("CW_FAULT_RULES_ALLOC");
    if (n != NULL)
        mem->fail_at = strtoul(n, NULL, 10);
#endif
}

void *cw_rules_mem_realloc(cw_rules_mem *mem, void *ptr, size_t size)
{
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    mem->calls++;
    if (mem->fail_at != 0 && mem->calls == mem->fail_at) {
        mem->failed = true;
        return NULL;
    }
    void *p = realloc(ptr, size);
    if (p == NULL)
        mem->failed = true;
    return p;
}

/* ---- byte checks ---------------------------------------------------------- */

/* Length of the UTF-8 sequence at s (at most `left` bytes), 0 when invalid; *cp gets it. */
/* Smallest code point of a 1..4 byte sequence: anything below is an overlong form. */
static const uint32_t utf8_min[5] = {0, 0, 0x80, 0x800, 0x10000};

static size_t utf8_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
    size_t n;
    uint32_t c = s[0];
    if (c < 0x80)
        n = 1;
    else if ((c & 0xE0) == 0xC0)
        n = 2, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 3, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 4, c &= 0x07;
    else
        return 0;
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    /* Overlong forms, UTF-16 surrogates and code points past Unicode are invalid. */
    if (c < utf8_min[n] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 0;
    *cp = c;
    return n;
}

/* Characters YAML forbids in a stream; libyaml would refuse them with a vaguer message. */
static bool is_forbidden_control(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x85)
        return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

/* Line breaks as libyaml counts them, so our columns agree with its marks. */
static size_t line_break_len(const unsigned char *s, size_t left, uint32_t cp, size_t n)
{
    if (cp == '\r' && left > 1 && s[1] == '\n')
        return 2;
    if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
        return n;
    return 0;
}

static int check_bytes(const char *name, const char *what, const unsigned char *s, size_t len,
                       cw_error *err)
{
    unsigned line = 1;
    unsigned col = 1;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (s[i] == 0)
            return cw_error_set_at(err, CW_EXIT_DATAERR, name, line, col,
                                   "NUL byte in %s (it must be UTF-8 text)", what);
        if (n == 0)
            return cw_error_set_at(err, CW_EXIT_DATAERR, name, line, col,
                                   "invalid UTF-8 byte 0x%02X (a %s is UTF-8 text)", s[i], what);
        if (is_forbidden_control(cp))
            return cw_error_set_at(err, CW_EXIT_DATAERR, name, line, col,
                                   "control character U+%04X is not allowed in a %s", (unsigned)cp,
                                   what);
        size_t br = line_break_len(s + i, len - i, cp, n);
        if (br > 0) {
            line++;
            col = 1;
            i += br;
        } else {
            col++;
            i += n;
        }
    }
    return 0;
}

/* ---- arena ---------------------------------------------------------------- */

static void *arena_alloc(cw_ydoc *doc, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    chunk *c = doc->chunks;
    if (c == NULL || c->size - c->used < size) {
        size_t cap = size > CHUNK_BYTES / 4 ? size : CHUNK_BYTES;
        c = cw_rules_mem_realloc(doc->mem, NULL, sizeof(chunk) + cap);
        if (c == NULL)
            return NULL;
        c->used = 0;
        c->size = cap;
        /* A big text gets its own chunk behind the current one, so the current keeps filling. */
        if (size > CHUNK_BYTES / 4 && doc->chunks != NULL) {
            c->next = doc->chunks->next;
            doc->chunks->next = c;
        } else {
            c->next = doc->chunks;
            doc->chunks = c;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

void cw_rules_pos_free(cw_ydoc *doc)
{
    if (doc == NULL)
        return;
    cw_rules_mem *mem = doc->mem;
    for (chunk *c = doc->chunks; c != NULL;) {
        chunk *next = c->next;
        cw_rules_mem_realloc(mem, c, 0);
        c = next;
    }
    cw_rules_mem_realloc(mem, doc, 0);
}

/* ---- event pass ----------------------------------------------------------- */

static int oom(builder *b)
{
    return cw_error_set(b->err, CW_EXIT_OSERR, "out of memory while reading %s '%s'", b->what,
                        b->name);
}

static int fail_at(builder *b, yaml_mark_t mark, const char *msg)
{
    return cw_error_set_at(b->err, CW_EXIT_DATAERR, b->name, (unsigned)mark.line + 1,
                           (unsigned)mark.column + 1, "%s", msg);
}

static int cmp_keys(const void *a, const void *b)
{
    const cw_ynode *x = *(const cw_ynode *const *)a;
    const cw_ynode *y = *(const cw_ynode *const *)b;
    int c = strcmp(x->text, y->text);
    if (c != 0)
        return c;
    if (x->pos.line != y->pos.line)
        return x->pos.line < y->pos.line ? -1 : 1;
    return x->pos.column < y->pos.column ? -1 : (x->pos.column > y->pos.column);
}

static bool pos_before(cw_pos a, cw_pos b)
{
    return a.line < b.line || (a.line == b.line && a.column < b.column);
}

/* Duplicate keys: libcyaml catches them only for schema fields, not inside `terms`. */
static int check_duplicate_keys(builder *b, const cw_ynode *map)
{
    if (map->count < 2)
        return 0;
    const cw_ynode **keys = cw_rules_mem_realloc(b->doc->mem, NULL, map->count * sizeof(*keys));
    if (keys == NULL)
        return oom(b);
    size_t n = 0;
    for (const cw_ynode *k = map->first; k != NULL && k->next != NULL; k = k->next->next)
        keys[n++] = k;
    qsort(keys, n, sizeof(*keys), cmp_keys);
    const cw_ynode *dup = NULL;
    const cw_ynode *orig = NULL;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(keys[i]->text, keys[i - 1]->text) == 0 &&
            (dup == NULL || pos_before(keys[i]->pos, dup->pos))) {
            dup = keys[i];
            orig = keys[i - 1];
        }
    }
    int rc = 0;
    if (dup != NULL)
        rc = cw_error_set_at(b->err, CW_EXIT_DATAERR, b->name, dup->pos.line, dup->pos.column,
                             "duplicate key '%.64s' (first at line %u)", dup->text, orig->pos.line);
    cw_rules_mem_realloc(b->doc->mem, keys, 0);
    return rc;
}

static cw_ynode *new_node(builder *b, cw_ynode_kind kind, yaml_mark_t mark)
{
    if (b->doc->nodes >= CW_RULES_POS_MAX_NODES) {
        cw_error_set_at(b->err, CW_EXIT_DATAERR, b->name, (unsigned)mark.line + 1,
                        (unsigned)mark.column + 1, "%s has more than %u YAML nodes", b->what,
                        CW_RULES_POS_MAX_NODES);
        return NULL;
    }
    cw_ynode *n = arena_alloc(b->doc, sizeof(*n));
    if (n == NULL) {
        oom(b);
        return NULL;
    }
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->pos.line = (unsigned)mark.line + 1;
    n->pos.column = (unsigned)mark.column + 1;
    b->doc->nodes++;
    return n;
}

/* Hang a finished or opening node under the innermost open collection. */
static int attach(builder *b, cw_ynode *n, yaml_mark_t mark)
{
    if (b->depth == 0) {
        b->doc->root = n;
        return 0;
    }
    open_node *parent = &b->stack[b->depth - 1];
    bool is_key = parent->node->kind == CW_YNODE_MAPPING && parent->kids % 2 == 0;
    if (is_key && n->kind != CW_YNODE_SCALAR)
        return fail_at(b, mark, "mapping keys must be plain words, not lists or mappings");
    if (parent->last == NULL)
        parent->node->first = n;
    else
        parent->last->next = n;
    parent->last = n;
    parent->kids++;
    if (parent->node->kind == CW_YNODE_SEQUENCE)
        parent->node->count++;
    else if (!is_key)
        parent->node->count++;
    return 0;
}

static int on_scalar(builder *b, const yaml_event_t *ev)
{
    size_t len = ev->data.scalar.length;
    /* A "\0" escape in a double-quoted scalar would silently cut libcyaml's C string. */
    if (memchr(ev->data.scalar.value, '\0', len) != NULL)
        return fail_at(b, ev->start_mark, "NUL character in a string");
    cw_ynode *n = new_node(b, CW_YNODE_SCALAR, ev->start_mark);
    if (n == NULL)
        return -1;
    char *text = arena_alloc(b->doc, len + 1);
    if (text == NULL)
        return oom(b);
    memcpy(text, ev->data.scalar.value, len);
    text[len] = '\0';
    n->text = text;
    n->len = len;
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return attach(b, n, ev->start_mark);
}

static int on_start(builder *b, const yaml_event_t *ev, cw_ynode_kind kind)
{
    if (b->depth == CW_RULES_POS_MAX_DEPTH) {
        char msg[96];
        snprintf(msg, sizeof(msg), "nesting deeper than %d levels", CW_RULES_POS_MAX_DEPTH);
        return fail_at(b, ev->start_mark, msg);
    }
    cw_ynode *n = new_node(b, kind, ev->start_mark);
    if (n == NULL || attach(b, n, ev->start_mark) != 0)
        return -1;
    b->stack[b->depth].node = n;
    b->stack[b->depth].last = NULL;
    b->stack[b->depth].kids = 0;
    b->depth++;
    return 0;
}

static int on_end(builder *b)
{
    b->depth--;
    const cw_ynode *n = b->stack[b->depth].node;
    return n->kind == CW_YNODE_MAPPING ? check_duplicate_keys(b, n) : 0;
}

/* Anchors and tags of node events; none are part of the language. */
static int check_properties(builder *b, const yaml_event_t *ev)
{
    const yaml_char_t *anchor = NULL;
    const yaml_char_t *tag = NULL;
    if (ev->type == YAML_SCALAR_EVENT) {
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
    } else if (ev->type == YAML_SEQUENCE_START_EVENT) {
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
    } else if (ev->type == YAML_MAPPING_START_EVENT) {
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
    }
    char msg[96];
    if (anchor != NULL || tag != NULL) {
        snprintf(msg, sizeof(msg), "YAML %s are not allowed in a %s",
                 anchor != NULL ? "anchors (&name)" : "tags (!name)", b->what);
        return fail_at(b, ev->start_mark, msg);
    }
    return 0;
}

static int on_event(builder *b, const yaml_event_t *ev)
{
    if (check_properties(b, ev) != 0)
        return -1;
    char msg[96];
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1) {
            snprintf(msg, sizeof(msg), "a second YAML document: a %s holds exactly one", b->what);
            return fail_at(b, ev->start_mark, msg);
        }
        return 0;
    case YAML_ALIAS_EVENT:
        snprintf(msg, sizeof(msg), "YAML aliases (*name) are not allowed in a %s", b->what);
        return fail_at(b, ev->start_mark, msg);
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(b, ev, CW_YNODE_SEQUENCE);
    case YAML_MAPPING_START_EVENT:
        return on_start(b, ev, CW_YNODE_MAPPING);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(b);
    default:
        return 0;
    }
}

static int parser_error(builder *b, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return oom(b);
    const char *problem = p->problem != NULL ? p->problem : "unknown error";
    if (p->error == YAML_READER_ERROR)
        return cw_error_set_at(b->err, CW_EXIT_DATAERR, b->name, 0, 0, "invalid YAML: %s", problem);
    unsigned line = (unsigned)p->problem_mark.line + 1;
    unsigned col = (unsigned)p->problem_mark.column + 1;
    if (p->context != NULL)
        return cw_error_set_at(b->err, CW_EXIT_DATAERR, b->name, line, col,
                               "invalid YAML: %s (%s at line %u)", problem, p->context,
                               (unsigned)p->context_mark.line + 1);
    return cw_error_set_at(b->err, CW_EXIT_DATAERR, b->name, line, col, "invalid YAML: %s",
                           problem);
}

static int run_events(builder *b, const char *data, size_t len)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return oom(b);
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    int rc = 0;
    bool done = false;
    while (rc == 0 && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_error(b, &parser);
            break;
        }
        rc = on_event(b, &ev);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

static int check_root(builder *b)
{
    const cw_ynode *root = b->doc->root;
    if (root == NULL || (root->kind == CW_YNODE_SCALAR && root->len == 0 && root->plain))
        return cw_error_set_at(b->err, CW_EXIT_DATAERR, b->name, 1, 1,
                               "rule file is empty: expected 'version: 1', 'cause_areas' and "
                               "'symptoms'");
    if (root->kind != CW_YNODE_MAPPING)
        return cw_error_set_at(b->err, CW_EXIT_DATAERR, b->name, root->pos.line, root->pos.column,
                               "the top level of a rule file must be a mapping with 'version', "
                               "'cause_areas' and 'symptoms'");
    return 0;
}

/* Byte checks and the event pass; a root check only when `check` is set (rule files). */
static int parse_doc(cw_ydoc **out, const char *what, bool check, const char *name,
                     const char *data, size_t len, cw_rules_mem *mem, cw_error *err)
{
    *out = NULL;
    if (check_bytes(name, what, (const unsigned char *)data, len, err) != 0)
        return -1;
    cw_ydoc *doc = cw_rules_mem_realloc(mem, NULL, sizeof(*doc));
    if (doc == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory while reading %s '%s'", what, name);
    memset(doc, 0, sizeof(*doc));
    doc->mem = mem;
    builder b = {.doc = doc, .name = name, .what = what, .err = err};
    if (run_events(&b, data, len) != 0 || (check && check_root(&b) != 0)) {
        cw_rules_pos_free(doc);
        return -1;
    }
    *out = doc;
    return 0;
}

int cw_rules_pos_parse(cw_ydoc **out, const char *name, const char *data, size_t len,
                       cw_rules_mem *mem, cw_error *err)
{
    return parse_doc(out, "rule file", true, name, data, len, mem, err);
}

int cw_rules_pos_parse_any(cw_ydoc **out, const char *what, const char *name, const char *data,
                           size_t len, cw_rules_mem *mem, cw_error *err)
{
    return parse_doc(out, what, false, name, data, len, mem, err);
}

const cw_ynode *cw_rules_pos_root(const cw_ydoc *doc)
{
    return doc->root;
}

const cw_ynode *cw_rules_pos_key(const cw_ynode *map, const char *key)
{
    if (map == NULL || map->kind != CW_YNODE_MAPPING)
        return NULL;
    for (const cw_ynode *k = map->first; k != NULL && k->next != NULL; k = k->next->next)
        if (strcmp(k->text, key) == 0)
            return k;
    return NULL;
}

const cw_ynode *cw_rules_pos_get(const cw_ynode *map, const char *key)
{
    const cw_ynode *k = cw_rules_pos_key(map, key);
    return k != NULL ? k->next : NULL;
}

const cw_ynode *cw_rules_pos_at(const cw_ynode *seq, size_t index)
{
    if (seq == NULL || seq->kind != CW_YNODE_SEQUENCE)
        return NULL;
    const cw_ynode *n = seq->first;
    for (size_t i = 0; n != NULL && i < index; i++)
        n = n->next;
    return n;
}
