/*
 * matcher.c - one Vectorscan database for a whole rule set; see matcher.h for
 * the semantics. Phrases are translated to regexes here; word bounds that
 * Vectorscan's ASCII \b cannot express exactly (UTF-8 bytes count as word bytes
 * for us) and negation are checked in the match callback, which only ever looks
 * at a bounded neighbourhood of the match.
 */
#include "causeway/matcher.h"

#include <assert.h>
#include <hs/hs.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NEG_WORDS    3u  /* a negator this many words before a hit cancels it */
#define NEG_LOOKBACK 96u /* ... and never more bytes back than this */

typedef enum role { ROLE_HIT, ROLE_ALL, ROLE_UNLESS } role;

/* What a Vectorscan expression id stands for. */
typedef struct pattern_ref {
    const cw_pattern *src; /* for diagnostics */
    size_t symptom;
    size_t slot; /* ROLE_ALL: index into cw_scan.all_seen */
    role role;
    bool lead_check;  /* the byte before the match must not be a word byte (needs SOM) */
    bool trail_check; /* the byte after the match must not be a word byte */
    bool negatable;   /* the symptom has negation on */
} pattern_ref;

struct cw_matcher {
    const cw_rules *rules;
    hs_database_t *db; /* NULL when the rule set has no pattern at all */
    pattern_ref *refs;
    size_t ref_count;
    size_t all_total; /* `all` entries over all symptoms */
    size_t *all_base; /* per symptom: its first slot in cw_scan.all_seen */
};

struct cw_scan {
    const cw_matcher *m;
    hs_scratch_t *scratch;
    size_t *best_start; /* per symptom: start of the best evidence, SIZE_MAX = none */
    size_t *best_end;
    unsigned char *vetoed;   /* per symptom: an `unless` entry matched */
    unsigned char *negated;  /* per symptom: a hit was cancelled by a negator */
    unsigned char *all_seen; /* per `all` entry */
    cw_hit *hits;
    /* The body being scanned (set for the duration of one call). */
    const unsigned char *body;
    size_t len;
    const cw_complaint *last; /* the last complaint classified, for cw_matcher_explain */
};

const char *cw_matcher_version(void)
{
    return "causeway-matcher/1";
}

const cw_rules *cw_matcher_rules(const cw_matcher *m)
{
    return m->rules;
}

static bool is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c >= 0x80;
}

static bool is_alnum_ascii(unsigned char c)
{
    return is_word(c) && c < 0x80;
}

/*
 * Word characters beyond ASCII, for exact bounds: letters of any script are
 * word characters, while spaces, punctuation, symbols and emoji (curly quotes
 * around “rude”, a no-break space, an em dash) are not.
 */
static bool cp_is_word(uint32_t cp)
{
    if (cp < 0x80)
        return is_word((unsigned char)cp);
    if (cp <= 0xbf || cp == 0xd7 || cp == 0xf7 || cp == 0xfeff)
        return false;
    if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) ||
        (cp >= 0xfe30 && cp <= 0xfe6f) || (cp >= 0xff00 && cp <= 0xff20) ||
        (cp >= 0x1f000 && cp <= 0x1faff))
        return false;
    return true;
}

/* Decode the UTF-8 character at p[0..n); false when it is not one valid character. */
static bool decode(const unsigned char *p, size_t n, uint32_t *cp, size_t *used)
{
    size_t k = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (k == 0 || k > n || p[0] > 0xf4)
        return false;
    uint32_t v = p[0] & (0x7fu >> k);
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return false;
        v = (v << 6) | (p[i] & 0x3fu);
    }
    *cp = v;
    *used = k;
    return true;
}

/* Is the character starting at b[at] (at < len) a word character? Invalid bytes are. */
static bool word_at(const unsigned char *b, size_t len, size_t at)
{
    uint32_t cp;
    size_t used;
    if (b[at] < 0x80)
        return is_word(b[at]);
    return !decode(b + at, len - at, &cp, &used) || cp_is_word(cp);
}

/* Is the character ending just before b[at] (at > 0) a word character? */
static bool word_before(const unsigned char *b, size_t at)
{
    if (b[at - 1] < 0x80)
        return is_word(b[at - 1]);
    size_t k = at - 1;
    while (k > 0 && at - k < 4 && (b[k] & 0xc0) == 0x80)
        k--;
    uint32_t cp;
    size_t used;
    if (!decode(b + k, at - k, &cp, &used) || used != at - k)
        return true;
    return cp_is_word(cp);
}

/* ---- phrase to regex ----------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

#define WORD_CLASS "[0-9A-Za-z_\\x80-\\xff]"
#define APOSTROPHE "(?:'|\\xe2\\x80\\x99)"

/* Edges of a phrase as the callback sees them: does it begin / end with a word? */
typedef struct edges {
    bool lead, trail;
} edges;

static const cw_term_list *term_at(const cw_rules *r, const char *t, size_t *close)
{
    const char *end = strchr(t, '}');
    char name[128];
    size_t n = end != NULL ? (size_t)(end - t - 1) : 0;
    if (end == NULL || n == 0 || n >= sizeof(name))
        return NULL;
    memcpy(name, t + 1, n);
    name[n] = '\0';
    *close = (size_t)(end - t);
    return cw_rules_find_terms(r, name);
}

static edges translate(sbuf *b, const cw_rules *r, const char *t, bool at_start, bool at_end);

/* Emit the word bound Vectorscan can check before/after byte c (ASCII \b, else \B). */
static void bound(sbuf *b, unsigned char c)
{
    if (is_alnum_ascii(c))
        puts_(b, "\\b");
    else if (c >= 0x80)
        puts_(b, "\\B"); /* prev/next is not an ASCII word byte; the callback does the rest */
}

/*
 * Append the regex for phrase t. at_start/at_end: t begins/ends the whole
 * phrase, so word bounds belong there. Returns whether the phrase starts/ends
 * with a word (for the callback's exact checks).
 */
static edges translate(sbuf *b, const cw_rules *r, const char *t, bool at_start, bool at_end)
{
    edges e = {false, false};
    size_t n = strlen(t);
    while (n > 0 && t[n - 1] == ' ')
        n--;
    size_t i = 0;
    while (i < n && t[i] == ' ')
        i++;
    bool first = true;
    while (i < n) {
        unsigned char c = (unsigned char)t[i];
        bool last_char = i + 1 == n;
        if (c == '{') {
            size_t close = 0;
            const cw_term_list *term = term_at(r, t + i, &close);
            if (term != NULL) {
                bool is_last = i + close + 1 == n;
                edges all = {true, true};
                puts_(b, "(?:");
                for (size_t k = 0; k < term->phrases.count; k++) {
                    if (k > 0)
                        puts_(b, "|");
                    edges sub = translate(b, r, term->phrases.items[k].text, at_start && first,
                                          at_end && is_last);
                    all.lead = all.lead && sub.lead;
                    all.trail = all.trail && sub.trail;
                }
                puts_(b, ")");
                if (first)
                    e.lead = all.lead;
                if (is_last)
                    e.trail = all.trail;
                i += close + 1;
                first = false;
                continue;
            }
        }
        if (first) {
            e.lead = is_word(c);
            if (at_start)
                bound(b, c);
        }
        first = false;
        if (c == ' ') {
            while (i + 1 < n && t[i + 1] == ' ')
                i++;
            puts_(b, "\\s+");
        } else if (c == '*') {
            puts_(b, WORD_CLASS "*");
        } else if (c == '\'') {
            puts_(b, APOSTROPHE);
        } else if (c == 0xe2 && i + 2 < n && (unsigned char)t[i + 1] == 0x80 &&
                   (unsigned char)t[i + 2] == 0x99) {
            puts_(b, APOSTROPHE);
            i += 2;
            last_char = i + 1 == n;
        } else if (is_alnum_ascii(c)) {
            put(b, (const char *)&c, 1);
        } else {
            char esc[8];
            if (c >= 0x80)
                snprintf(esc, sizeof(esc), "\\x%02x", c);
            else
                snprintf(esc, sizeof(esc), "\\%c", c);
            puts_(b, esc);
        }
        if (last_char) {
            e.trail = is_word(c) || c == '*';
            if (at_end && c != '*')
                bound(b, c);
        }
        i++;
    }
    return e;
}

/* ---- compile budget -------------------------------------------------------- */

/* The largest bound of a counted repeat {n}, {n,}, {n,m} in a regex (0 when none). */
static unsigned long largest_repeat(const char *t)
{
    unsigned long largest = 0;
    bool in_class = false;
    for (size_t i = 0; t[i] != '\0'; i++) {
        if (t[i] == '\\') {
            if (t[i + 1] == '\0')
                break;
            i++;
            continue;
        }
        if (in_class) {
            in_class = t[i] != ']';
            continue;
        }
        if (t[i] == '[') {
            in_class = true;
            if (t[i + 1] == ']')
                i++;
            continue;
        }
        if (t[i] != '{')
            continue;
        size_t j = i + 1;
        while ((t[j] >= '0' && t[j] <= '9') || t[j] == ',' || t[j] == ' ') {
            if (t[j] >= '0' && t[j] <= '9') {
                unsigned long v = 0;
                while (t[j] >= '0' && t[j] <= '9') {
                    if (v < 100000000ul)
                        v = v * 10ul + (unsigned long)(t[j] - '0');
                    j++;
                }
                if (v > largest)
                    largest = v;
            } else {
                j++;
            }
        }
    }
    return largest;
}

static void shown(char *buf, size_t size, const char *t)
{
    size_t n = strlen(t);
    if (n + 1 <= size) {
        memcpy(buf, t, n + 1);
        return;
    }
    /* Cut on a UTF-8 character start so the message stays valid text. */
    size_t cut = size - 4;
    while (cut > 0 && ((unsigned char)t[cut] & 0xc0) == 0x80)
        cut--;
    memcpy(buf, t, cut);
    memcpy(buf + cut, "...", 4);
}

static int pattern_error(cw_error *err, const cw_rules *r, const cw_pattern *p, const char *why)
{
    char text[80];
    shown(text, sizeof(text), p->text);
    return cw_error_set_at(err, CW_EXIT_DATAERR, r->path, p->pos.line, p->pos.column,
                           "pattern '%s' cannot be compiled: %s", text, why);
}

/* ---- building the database ------------------------------------------------- */

typedef struct builder {
    const cw_rules *rules;
    pattern_ref *refs;
    char **exprs;
    unsigned *flags;
    unsigned *ids;
    size_t count, cap;
    size_t total_bytes;
} builder;

static int add(builder *bd, const cw_pattern *p, size_t symptom, role ro, size_t slot, bool phrase,
               bool negatable, cw_error *err)
{
    const cw_rules *r = bd->rules;
    sbuf b = {0};
    edges e = {false, false};
    if (phrase) {
        e = translate(&b, r, p->text, true, true);
    } else {
        unsigned long rep = largest_repeat(p->text);
        if (rep > CW_MATCHER_MAX_REPEAT) {
            char why[96];
            snprintf(why, sizeof(why), "repeat count %lu exceeds the compile budget (at most %u)",
                     rep, CW_MATCHER_MAX_REPEAT);
            return pattern_error(err, r, p, why);
        }
        puts_(&b, p->text);
    }
    if (b.oom) {
        free(b.p);
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
    }
    if (b.len > CW_MATCHER_MAX_EXPANDED_BYTES) {
        free(b.p);
        char why[96];
        snprintf(why, sizeof(why), "%s exceeds the compile budget (at most %u bytes)",
                 phrase ? "its expansion" : "it", CW_MATCHER_MAX_EXPANDED_BYTES);
        return pattern_error(err, r, p, why);
    }
    bd->total_bytes += b.len;
    if (bd->total_bytes > CW_MATCHER_MAX_TOTAL_BYTES) {
        free(b.p);
        return pattern_error(err, r, p,
                             "the rule set's patterns exceed the compile budget (8 MiB expanded)");
    }
    if (bd->count == bd->cap) {
        size_t cap = bd->cap ? bd->cap * 2 : 64;
        pattern_ref *refs = realloc(bd->refs, cap * sizeof(*refs));
        if (refs != NULL)
            bd->refs = refs;
        char **exprs = realloc(bd->exprs, cap * sizeof(*exprs));
        if (exprs != NULL)
            bd->exprs = exprs;
        unsigned *flags = realloc(bd->flags, cap * sizeof(*flags));
        if (flags != NULL)
            bd->flags = flags;
        unsigned *ids = realloc(bd->ids, cap * sizeof(*ids));
        if (ids != NULL)
            bd->ids = ids;
        if (refs == NULL || exprs == NULL || flags == NULL || ids == NULL) {
            free(b.p);
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
        }
        bd->cap = cap;
    }
    size_t i = bd->count++;
    bd->exprs[i] = b.p;
    /* Start offsets cost Vectorscan work: only evidence (hits) needs them. */
    bd->flags[i] = HS_FLAG_CASELESS | (ro == ROLE_HIT ? HS_FLAG_SOM_LEFTMOST : 0u);
    bd->ids[i] = (unsigned)i;
    bd->refs[i] = (pattern_ref){
        .src = p,
        .symptom = symptom,
        .slot = slot,
        .role = ro,
        .lead_check = phrase && e.lead && ro == ROLE_HIT,
        .trail_check = phrase && e.trail,
        .negatable = negatable,
    };
    return 0;
}

static int add_list(builder *bd, const cw_pattern_list *list, size_t symptom, role ro, size_t *slot,
                    bool phrase, bool negatable, cw_error *err)
{
    for (size_t k = 0; k < list->count; k++) {
        if (add(bd, &list->items[k], symptom, ro, slot != NULL ? (*slot)++ : 0, phrase, negatable,
                err) != 0)
            return -1;
    }
    return 0;
}

static void builder_fini(builder *bd)
{
    for (size_t i = 0; i < bd->count; i++)
        free(bd->exprs[i]);
    free(bd->exprs);
    free(bd->flags);
    free(bd->ids);
    free(bd->refs);
}

int cw_matcher_new(cw_matcher **out, const cw_rules *rules, cw_error *err)
{
    *out = NULL;
    builder bd = {.rules = rules};
    hs_compile_error_t *cerr = NULL;
    cw_matcher *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
        goto fail;
    }
    m->rules = rules;
    m->all_base = calloc(rules->symptom_count + 1, sizeof(size_t));
    if (m->all_base == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
        goto fail;
    }
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_match_spec *spec = &rules->symptoms[s].match;
        m->all_base[s] = m->all_total;
        if (add_list(&bd, &spec->any, s, ROLE_HIT, NULL, true, spec->negation, err) != 0 ||
            add_list(&bd, &spec->regex, s, ROLE_HIT, NULL, false, spec->negation, err) != 0 ||
            add_list(&bd, &spec->all, s, ROLE_ALL, &m->all_total, true, false, err) != 0 ||
            add_list(&bd, &spec->unless, s, ROLE_UNLESS, NULL, true, false, err) != 0)
            goto fail;
    }
    if (bd.count > 0) {
        if (bd.count > UINT_MAX) {
            cw_error_set_at(err, CW_EXIT_DATAERR, rules->path, 0, 0, "too many patterns");
            goto fail;
        }
        hs_error_t rc = hs_compile_multi((const char *const *)bd.exprs, bd.flags, bd.ids,
                                         (unsigned)bd.count, HS_MODE_BLOCK, NULL, &m->db, &cerr);
        if (rc != HS_SUCCESS) {
            const char *why = cerr != NULL && cerr->message != NULL ? cerr->message : "unknown";
            if (cerr != NULL && cerr->expression >= 0 && (size_t)cerr->expression < bd.count)
                pattern_error(err, rules, bd.refs[cerr->expression].src, why);
            else if (rc == HS_NOMEM)
                cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
            else
                cw_error_set_at(err, CW_EXIT_DATAERR, rules->path, 0, 0,
                                "the rule set cannot be compiled: %s", why);
            m->db = NULL;
            goto fail;
        }
    }
    m->refs = bd.refs;
    m->ref_count = bd.count;
    bd.refs = NULL;
    builder_fini(&bd);
    *out = m;
    return 0;
fail:
    hs_free_compile_error(cerr);
    builder_fini(&bd);
    cw_matcher_free(m);
    return -1;
}

void cw_matcher_free(cw_matcher *m)
{
    if (m == NULL)
        return;
    hs_free_database(m->db);
    free(m->refs);
    free(m->all_base);
    free(m);
}

/* ---- scanning ---------------------------------------------------------------- */

int cw_scan_new(cw_scan **out, const cw_matcher *m, cw_error *err)
{
    *out = NULL;
    size_t n = m->rules->symptom_count + 1; /* never a zero-size allocation */
    cw_scan *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto oom;
    s->m = m;
    s->best_start = malloc(n * sizeof(size_t));
    s->best_end = malloc(n * sizeof(size_t));
    s->vetoed = malloc(n);
    s->negated = malloc(n);
    s->all_seen = malloc(m->all_total + 1);
    s->hits = malloc(n * sizeof(cw_hit));
    if (s->best_start == NULL || s->best_end == NULL || s->vetoed == NULL || s->negated == NULL ||
        s->all_seen == NULL || s->hits == NULL)
        goto oom;
    if (m->db != NULL) {
        hs_error_t rc = hs_alloc_scratch(m->db, &s->scratch);
        if (rc == HS_NOMEM)
            goto oom;
        if (rc != HS_SUCCESS) {
            cw_scan_free(s);
            return cw_error_set(err, CW_EXIT_SOFTWARE, "vectorscan could not allocate scratch (%d)",
                                rc);
        }
    }
    *out = s;
    return 0;
oom:
    cw_scan_free(s);
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory preparing the matcher");
}

void cw_scan_free(cw_scan *s)
{
    if (s == NULL)
        return;
    hs_free_scratch(s->scratch);
    free(s->best_start);
    free(s->best_end);
    free(s->vetoed);
    free(s->negated);
    free(s->all_seen);
    free(s->hits);
    free(s);
}

static bool word_is(const unsigned char *w, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    if (n != k)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = w[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lit[i])
            return false;
    }
    return true;
}

static bool ends_with(const unsigned char *w, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && word_is(w + n - k, k, lit);
}

static bool is_negator(const unsigned char *w, size_t n)
{
    static const char *const words[] = {
        "not",     "no",      "never",    "without", "nothing", "none",  "hardly",
        "neither", "nor",     "cannot",   "nobody",  "nowhere", "dont",  "didnt",
        "doesnt",  "wasnt",   "werent",   "isnt",    "arent",   "wont",  "cant",
        "couldnt", "wouldnt", "shouldnt", "havent",  "hasnt",   "hadnt", "aint",
    };
    if (n > 12)
        return false;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (word_is(w, n, words[i]))
            return true;
    return ends_with(w, n, "n't") || ends_with(w, n, "n\xe2\x80\x99t");
}

static bool neg_word_byte(unsigned char c)
{
    return is_word(c) || c == '\'';
}

/*
 * Is a hit starting at `from` negated? Looks back over at most NEG_WORDS words
 * and NEG_LOOKBACK bytes of the same clause.
 */
static bool negated(const unsigned char *b, size_t from)
{
    size_t lo = from > NEG_LOOKBACK ? from - NEG_LOOKBACK : 0;
    size_t i = from;
    unsigned words = 0;
    const unsigned char *next = NULL; /* the word after the current one, in text order */
    size_t next_len = 0;
    while (i > lo && words < NEG_WORDS) {
        unsigned char c = b[i - 1];
        if (c == '.' || c == '!' || c == '?' || c == ';')
            return false;
        if (!neg_word_byte(c)) {
            i--;
            continue;
        }
        size_t end = i;
        while (i > lo && neg_word_byte(b[i - 1]))
            i--;
        const unsigned char *w = b + i;
        size_t n = end - i;
        words++;
        if (word_is(w, n, "but"))
            return false;
        if (is_negator(w, n)) {
            /* "not only late but rude", "not just rude": intensifiers */
            bool intensifier = word_is(w, n, "not") && next != NULL &&
                               (word_is(next, next_len, "only") || word_is(next, next_len, "just"));
            if (!intensifier)
                return true;
        }
        next = w;
        next_len = n;
    }
    return false;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)flags;
    cw_scan *s = ctx;
    const pattern_ref *r = &s->m->refs[id];
    const unsigned char *b = s->body;
    if (r->trail_check && to < s->len && word_at(b, s->len, (size_t)to))
        return 0;
    switch (r->role) {
    case ROLE_ALL:
        s->all_seen[r->slot] = 1;
        return 0;
    case ROLE_UNLESS:
        s->vetoed[r->symptom] = 1;
        return 0;
    case ROLE_HIT:
        break;
    }
    if (r->lead_check && from > 0 && word_before(b, (size_t)from))
        return 0;
    size_t st = (size_t)from, en = (size_t)to;
    size_t *bs = &s->best_start[r->symptom], *be = &s->best_end[r->symptom];
    if (*bs != SIZE_MAX && (*bs < st || (*bs == st && *be <= en)))
        return 0; /* no better than the evidence we have */
    if (r->negatable && negated(b, st)) {
        s->negated[r->symptom] = 1;
        return 0;
    }
    *bs = st;
    *be = en;
    return 0;
}

static bool where_holds(const cw_symptom *sym, const cw_complaint *c)
{
    for (size_t k = 0; k < sym->where_count; k++) {
        const cw_condition *cond = &sym->where[k];
        const char *v = c->fields[cond->field];
        bool ok = false;
        for (size_t j = 0; v != NULL && j < cond->count && !ok; j++)
            ok = strcasecmp(v, cond->values[j]) == 0;
        if (!ok)
            return false;
    }
    return true;
}

/* Why symptom s fires or not after a scan (the order of checks is the order of the explanation). */
static cw_matcher_why verdict(const cw_scan *scan, size_t s, const cw_complaint *c)
{
    const cw_symptom *sym = &scan->m->rules->symptoms[s];
    if (scan->best_start[s] == SIZE_MAX)
        return scan->negated[s] ? CW_WHY_NEGATED : CW_WHY_NO_HIT;
    for (size_t k = 0; k < sym->match.all.count; k++)
        if (!scan->all_seen[scan->m->all_base[s] + k])
            return CW_WHY_ALL_MISSING;
    if (scan->vetoed[s])
        return CW_WHY_VETOED;
    if (!where_holds(sym, c))
        return CW_WHY_WHERE;
    return CW_WHY_FIRED;
}

int cw_matcher_classify(const cw_hit **hits, size_t *count, cw_scan *scan, const cw_complaint *c,
                        cw_error *err)
{
    *hits = NULL;
    *count = 0;
    const cw_matcher *m = scan->m;
    const cw_rules *r = m->rules;
    if (c->body_len > UINT_MAX)
        return cw_error_set(err, CW_EXIT_DATAERR,
                            "complaint %s: body of %zu bytes is too long to classify",
                            c->id != NULL ? c->id : "(no id)", c->body_len);
    for (size_t s = 0; s < r->symptom_count; s++) {
        scan->best_start[s] = SIZE_MAX;
        scan->best_end[s] = SIZE_MAX;
        scan->vetoed[s] = 0;
        scan->negated[s] = 0;
    }
    memset(scan->all_seen, 0, m->all_total);
    if (m->db != NULL && c->body_len > 0) {
        scan->body = (const unsigned char *)c->body;
        scan->len = c->body_len;
        hs_error_t rc =
            hs_scan(m->db, c->body, (unsigned)c->body_len, 0, scan->scratch, on_match, scan);
        scan->body = NULL;
        scan->len = 0;
        if (rc != HS_SUCCESS)
            return cw_error_set(err, CW_EXIT_SOFTWARE, "vectorscan scan failed (error %d)", rc);
    }
    size_t n = 0;
    for (size_t s = 0; s < r->symptom_count; s++) {
        if (verdict(scan, s, c) == CW_WHY_FIRED)
            scan->hits[n++] = (cw_hit){s, scan->best_start[s], scan->best_end[s]};
    }
    scan->last = c;
    *hits = scan->hits;
    *count = n;
    return 0;
}

cw_matcher_why cw_matcher_explain(const cw_scan *scan, size_t symptom)
{
    assert(scan->last != NULL && symptom < scan->m->rules->symptom_count);
    return verdict(scan, symptom, scan->last);
}
