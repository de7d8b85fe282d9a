/*
 * rules_check.c - the semantic pass of the rules loader (pass 3 in rules_load.c): build
 * the cw_rules model from what libcyaml loaded, and collect every error (required
 * keys, ids, numbers, weights, references, patterns) with its position.
 */
#include "rules_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/text.h"

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
            ld_report(ld, refs[i].pos, "duplicate %s id '%s' (first defined at line %u)", kind,
                      ld_shown(buf, sizeof(buf), refs[i].id), refs[first].pos.line);
    }
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
        ld_report(ld, pos, "unterminated term reference in phrase '%s'",
                  ld_shown(buf, sizeof(buf), t));
        return 0;
    }
    size_t end = (size_t)(close - t);
    char name[MAX_ID_BYTES + 2];
    if (end - i - 1 > MAX_ID_BYTES) {
        ld_report(ld, pos, "term reference in phrase '%s' is not a valid name",
                  ld_shown(buf, sizeof(buf), t));
        return 0;
    }
    memcpy(name, t + i + 1, end - i - 1);
    name[end - i - 1] = '\0';
    char hint[96];
    if (!allowed)
        ld_report(ld, pos, "term lists cannot use term references ('{%s}')", name);
    else if (!is_id(name))
        ld_report(ld, pos, "'{%s}' is not a valid term reference: names are [a-z][a-z0-9_]*",
                  ld_shown(buf, sizeof(buf), name));
    else if (find_ref(ld->terms, ld->rules->term_count, name) < 0)
        ld_report(ld, pos, "unknown term list '{%s}'%s", name,
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
        ld_report(ld, pos, "empty phrase");
        return;
    }
    if (len > CW_RULES_MAX_PATTERN_BYTES) {
        ld_report(ld, pos, "phrase is longer than %u bytes", CW_RULES_MAX_PATTERN_BYTES);
        return;
    }
    if (has_control(t)) {
        ld_report(ld, pos, "phrase '%s' contains a control character",
                  ld_shown(buf, sizeof(buf), t));
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char prev = i > 0 ? (unsigned char)t[i - 1] : 0;
        char next = t[i + 1];
        if (t[i] == '*' && (!is_word_byte(prev) || (next != '\0' && next != ' '))) {
            ld_report(ld, pos, "'*' in phrase '%s' must end a word (as in 'refund*')",
                      ld_shown(buf, sizeof(buf), t));
            return;
        }
        if (t[i] == '}') {
            ld_report(ld, pos, "unmatched '}' in phrase '%s'", ld_shown(buf, sizeof(buf), t));
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
            ld_report(ld, pos, "empty regex");
        else if (strlen(t) > CW_RULES_MAX_PATTERN_BYTES)
            ld_report(ld, pos, "regex is longer than %u bytes", CW_RULES_MAX_PATTERN_BYTES);
        else if (has_control(t))
            ld_report(ld, pos, "regex '%s' contains a control character (write \\t or \\n instead)",
                      ld_shown(buf, sizeof(buf), t));
        break;
    case PK_EXAMPLE:
        if (is_blank(t))
            ld_report(ld, pos, "empty example");
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
        ld_report(ld, map->pos, "%s is missing required key '%s'", what, key);
    return v;
}

static void check_version(loader *ld, const y_rules *y, const cw_ynode *root)
{
    const cw_ynode *v = require(ld, root, "version", "rule file");
    char buf[48];
    if (v == NULL || y->version == NULL)
        return;
    if (!v->plain || strcmp(y->version, "1") != 0)
        ld_report(ld, v->pos, "unsupported version %s%s%s: this causeway reads version 1",
                  v->plain ? "" : "\"", ld_shown(buf, sizeof(buf), y->version),
                  v->plain ? "" : "\"");
}

static void check_name(loader *ld, const cw_ynode *node, const char *text, const char *what)
{
    char buf[48];
    if (!is_id(text))
        ld_report(ld, node->pos,
                  "invalid %s '%s': use lower-case letters, digits and '_', starting with a letter "
                  "(at most %d)",
                  what, ld_shown(buf, sizeof(buf), text), MAX_ID_BYTES);
}

/* "symptom 'late'" or just "symptom" when the id is missing, for messages. */
static const char *describe(char *buf, size_t size, const char *kind, const char *id)
{
    char shown_id[48];
    if (id == NULL || id[0] == '\0')
        snprintf(buf, size, "%s", kind);
    else
        snprintf(buf, size, "%s '%s'", kind, ld_shown(shown_id, sizeof(shown_id), id));
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
        ld_report(ld, value->pos, "term list '%s' must be a non-empty list of phrases", term->name);
        return 0;
    }
    term->phrases.items = ld_calloc(ld, value->count, sizeof(cw_pattern));
    if (term->phrases.items == NULL)
        return -1;
    for (const cw_ynode *n = value->first; n != NULL; n = n->next) {
        if (n->kind != CW_YNODE_SCALAR) {
            ld_report(ld, n->pos, "each entry of term list '%s' must be a phrase, not %s",
                      term->name, n->kind == CW_YNODE_SEQUENCE ? "a list" : "a mapping");
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
        ld_report(ld, t->pos, "'terms' must be a mapping of name: [phrases]");
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
        ld_report(ld, node->pos, "%s has an empty '%s'", what, key);
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
        ld_report(ld, seq->pos, "'cause_areas' must list at least one cause area");
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
        ld_report(ld, node->pos,
                  "severity must be a plain number from 1 to 5, not a quoted string");
    else if (!parse_whole(text, &severity) || severity < 1 || severity > 5)
        ld_report(ld, node->pos, "severity must be a whole number from 1 to 5, not '%s'",
                  ld_shown(buf, sizeof(buf), text));
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
    ld_report(ld, cw_rules_pos_get(map, "status")->pos,
              "unknown status '%s'%s: use stable, experimental or deprecated",
              ld_shown(buf, sizeof(buf), text),
              did_you_mean(hint, sizeof(hint), text, status_names, 3));
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
        ld_report(ld, key->next->pos, "'where: %s' must list at least one value", key->text);
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
            ld_report(ld, n != NULL ? n->pos : key->pos, "empty value in 'where: %s'", key->text);
    }
    return 0;
}

static int build_where(loader *ld, cw_symptom *s, const y_where *w, const cw_ynode *node)
{
    if (w == NULL || node == NULL)
        return 0;
    if (node->count == 0) {
        ld_report(ld, node->pos, "'where' names no field: use channel, site, product or segment");
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
    ld_report(ld, node->pos, "negation must be true or false, not %s'%s'",
              node->plain ? "" : "quoted ", ld_shown(buf, sizeof(buf), text));
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
        ld_report(ld, node->pos, "within must be a plain number from 0 to %u, not a quoted string",
                  CW_RULES_MAX_NEAR_WITHIN);
    else if (!parse_whole(text, &within))
        ld_report(ld, node->pos, "within must be a whole number from 0 to %u, not '%s'",
                  CW_RULES_MAX_NEAR_WITHIN, ld_shown(buf, sizeof(buf), text));
    else if (within > CW_RULES_MAX_NEAR_WITHIN)
        ld_report(ld, node->pos,
                  "within %u is out of range: at most %u words may stand between the phrases",
                  within, CW_RULES_MAX_NEAR_WITHIN);
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
        ld_report(ld, node->pos,
                  "'match' of symptom '%s' needs at least one 'any', 'regex' or 'near' entry",
                  s->id);
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
            ld_report(ld, area->pos, "unknown cause area '%s'%s",
                      ld_shown(buf, sizeof(buf), yc->area),
                      did_you_mean_ref(ld, hint, sizeof(hint), yc->area, ld->areas,
                                       ld->rules->area_count));
        else if (ld->area_seen[idx] == symptom + 1)
            ld_report(ld, area->pos, "cause area '%s' is listed twice in symptom '%s'", yc->area,
                      s->id);
        else
            ld->area_seen[idx] = symptom + 1;
        link->area = idx < 0 ? 0 : (size_t)idx;
    }
    if (wnode == NULL || yc->weight == NULL)
        return NAN;
    if (!wnode->plain || !parse_decimal(yc->weight, &weight))
        ld_report(ld, wnode->pos, "weight must be a plain decimal number such as 0.6, not %s'%s'",
                  wnode->plain ? "" : "quoted ", ld_shown(buf, sizeof(buf), yc->weight));
    else if (!(weight > 0.0 && weight <= 1.0))
        ld_report(ld, wnode->pos, "weight %s is out of range: each weight must be > 0 and <= 1",
                  ld_shown(buf, sizeof(buf), yc->weight));
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
        ld_report(ld, seq->pos, "'causes' of symptom '%s' must list at least one cause area",
                  s->id);
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
        ld_report(
            ld, seq->pos,
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
        ld_report(ld, seq->pos, "'symptoms' must list at least one symptom");
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

int rules_build_model(loader *ld, const y_rules *y, const cw_ynode *root)
{
    check_version(ld, y, root);
    if (build_terms(ld, root) != 0 || build_areas(ld, y, root) != 0 ||
        build_symptoms(ld, y, root) != 0)
        return -1;
    return 0;
}
