/*
 * matcher_build.c - the second stage of the matcher: every pattern of a rule set
 * compiled into Vectorscan databases (the literals and probes in one, each regex in
 * its own with start-of-match), saved and loaded as a blob; see matcher_scan.c for the design.
 */
#include "matcher_internal.h"

#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t literal_key(const char *lit)
{
    return word_key((const unsigned char *)lit, strlen(lit));
}

/* Fill the open-addressing set of negator keys that is_negator looks words up in. */
static void negators_init(uint64_t set[NEGATOR_SLOTS])
{
    static const char *const words[] = {
        "not",     "no",      "never",    "without", "nothing", "none",  "hardly",
        "neither", "nor",     "cannot",   "nobody",  "nowhere", "dont",  "didnt",
        "doesnt",  "wasnt",   "werent",   "isnt",    "arent",   "wont",  "cant",
        "couldnt", "wouldnt", "shouldnt", "havent",  "hasnt",   "hadnt", "aint",
    };
    static_assert(sizeof(words) / sizeof(words[0]) < NEGATOR_SLOTS / 2, "keep the set sparse");
    memset(set, 0, NEGATOR_SLOTS * sizeof(set[0]));
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        uint64_t key = literal_key(words[i]);
        assert(key != 0);
        size_t h = negator_slot(key);
        while (set[h] != 0 && set[h] != key)
            h = (h + 1) % NEGATOR_SLOTS;
        set[h] = key;
    }
}

/* ---- building the databases ----------------------------------------------- */

#define MAX_ALTERNATIVES 4096 /* literals one phrase may expand to before it becomes a regex */

typedef struct builder {
    const cw_rules *rules;
    pattern_ref *refs;
    char **exprs;
    size_t count, cap;
    size_t total_bytes;
    /* Per ref, for entry statistics (kept apart from refs, which the match callback reads). */
    size_t *ref_entry, *ref_terms;
    unsigned *ref_term_n;
    size_t *term_uses;
    size_t term_use_count, term_use_cap;
} builder;

/* Room for the per-ref arrays of bd->cap refs; false when out of memory. */
static bool grow_ref_info(builder *bd, size_t cap)
{
    size_t *e = realloc(bd->ref_entry, cap * sizeof(*e));
    if (e != NULL)
        bd->ref_entry = e;
    size_t *t = realloc(bd->ref_terms, cap * sizeof(*t));
    if (t != NULL)
        bd->ref_terms = t;
    unsigned *n = realloc(bd->ref_term_n, cap * sizeof(*n));
    if (n != NULL)
        bd->ref_term_n = n;
    return e != NULL && t != NULL && n != NULL;
}

/* Record the term phrases (entries uses[0, n)) of the ref pushed next; false when out of memory. */
static bool push_term_uses(builder *bd, const size_t *uses, size_t n)
{
    if (n == 0)
        return true;
    if (bd->term_use_count + n > bd->term_use_cap) {
        size_t cap = bd->term_use_cap ? bd->term_use_cap : 256;
        while (cap < bd->term_use_count + n)
            cap *= 2;
        size_t *p = realloc(bd->term_uses, cap * sizeof(*p));
        if (p == NULL)
            return false;
        bd->term_uses = p;
        bd->term_use_cap = cap;
    }
    memcpy(bd->term_uses + bd->term_use_count, uses, n * sizeof(*uses));
    bd->term_use_count += n;
    return true;
}

/*
 * Append one expression for entry `entry`, made of the term phrases recorded last by
 * push_term_uses (`nterms` of them); takes ownership of expr and ref.tail (freed on failure).
 */
static int push(builder *bd, char *expr, pattern_ref ref, size_t entry, size_t nterms,
                cw_error *err)
{
    size_t len = strlen(expr);
    bd->total_bytes += len;
    if (len > CW_MATCHER_MAX_EXPANDED_BYTES || bd->total_bytes > CW_MATCHER_MAX_TOTAL_BYTES) {
        free(expr);
        free(ref.tail);
        char why[96];
        snprintf(why, sizeof(why), "%s exceeds the compile budget (%u bytes)",
                 len > CW_MATCHER_MAX_EXPANDED_BYTES ? "it" : "the rule set",
                 len > CW_MATCHER_MAX_EXPANDED_BYTES ? CW_MATCHER_MAX_EXPANDED_BYTES
                                                     : CW_MATCHER_MAX_TOTAL_BYTES);
        return pattern_error(err, bd->rules, ref.src, why);
    }
    if (bd->count == bd->cap) {
        size_t cap = bd->cap ? bd->cap * 2 : 256;
        pattern_ref *refs = realloc(bd->refs, cap * sizeof(*refs));
        if (refs != NULL)
            bd->refs = refs;
        char **exprs = realloc(bd->exprs, cap * sizeof(*exprs));
        if (exprs != NULL)
            bd->exprs = exprs;
        if (refs == NULL || exprs == NULL || !grow_ref_info(bd, cap)) {
            free(expr);
            free(ref.tail);
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory compiling the rule set");
        }
        bd->cap = cap;
    }
    bd->exprs[bd->count] = expr;
    bd->ref_entry[bd->count] = entry;
    bd->ref_terms[bd->count] = bd->term_use_count - nterms;
    bd->ref_term_n[bd->count] = (unsigned)nterms;
    bd->refs[bd->count++] = ref;
    return 0;
}

/*
 * The term phrases alternative k of `a` is made of, as entries (see alts), recorded with
 * push_term_uses and marked as tracked. Returns how many, or -1 when out of memory.
 */
static long term_uses_of(builder *bd, cw_matcher *m, const alts *a, size_t k)
{
    size_t uses[64];
    size_t n = a->term_count < 64 ? a->term_count : 64;
    for (size_t i = a->term_count; i-- > 0;) {
        const cw_term_list *term = &bd->rules->terms[a->terms[i]];
        size_t item = k % term->phrases.count;
        k /= term->phrases.count;
        if (i < n) {
            uses[i] = m->term_base[a->terms[i]] + item;
            m->entries[uses[i]].tracked = true;
        }
    }
    return push_term_uses(bd, uses, n) ? (long)n : -1;
}

static int add_phrase(builder *bd, cw_matcher *m, pattern_ref ref, size_t entry, cw_error *err)
{
    alts a;
    const char *t = ref.src->text;
    if (!expand_phrase(&a, bd->rules, t, MAX_ALTERNATIVES)) {
        sbuf b = {0};
        bool lead, trail;
        phrase_regex(&b, bd->rules, t, &lead, &trail);
        if (b.oom) {
            free(b.p);
            return oom(err);
        }
        ref.lead_check = lead;
        ref.trail_check = trail;
        return push(bd, b.p, ref, entry, 0, err);
    }
    if (a.oom) {
        alts_free(&a);
        return oom(err);
    }
    for (size_t k = 0; k < a.count; k++) {
        const char *s = a.items[k];
        size_t n = strlen(s);
        if (n == 0)
            continue; /* a term alternative that normalises to nothing */
        /*
         * Vectorscan looks for the literal up to the first wildcard; the rest
         * ("* was rude" of "agent* was rude") is checked in the callback from
         * the literal's end, so every phrase stays a literal of known length.
         */
        const char *star = strchr(s, '*');
        pattern_ref r = ref;
        r.literal = true;
        r.lead_check = is_word((unsigned char)s[0]);
        r.trail_check = is_word((unsigned char)s[n - 1]) && s[n - 1] != '*';
        r.len = star != NULL ? (size_t)(star - s) : n;
        r.tail = star != NULL ? strdup(star) : NULL;
        sbuf b = {0};
        sbuf_put(&b, "", 0);
        for (size_t i = 0; i < r.len; i++)
            sbuf_lit(&b, (unsigned char)s[i]);
        long nterms = b.oom ? -1 : term_uses_of(bd, m, &a, k);
        if (nterms < 0 || (star != NULL && r.tail == NULL)) {
            free(b.p);
            free(r.tail);
            alts_free(&a);
            return oom(err);
        }
        if (push(bd, b.p, r, entry, (size_t)nterms, err) != 0) {
            alts_free(&a);
            return -1;
        }
    }
    alts_free(&a);
    return 0;
}

static int add_regex(builder *bd, pattern_ref ref, size_t entry, cw_error *err)
{
    unsigned long rep = largest_repeat(ref.src->text);
    if (rep > CW_MATCHER_MAX_REPEAT) {
        char why[96];
        snprintf(why, sizeof(why), "repeat count %lu exceeds the compile budget (at most %u)", rep,
                 CW_MATCHER_MAX_REPEAT);
        return pattern_error(err, bd->rules, ref.src, why);
    }
    char *copy = strdup(ref.src->text);
    if (copy == NULL)
        return oom(err);
    return push(bd, copy, ref, entry, 0, err);
}

/* The entries of `list` are numbered from `entry` on. */
static int add_list(builder *bd, cw_matcher *m, const cw_pattern_list *list, size_t symptom,
                    role ro, size_t *slot, bool phrase, bool negatable, size_t entry, cw_error *err)
{
    for (size_t k = 0; k < list->count; k++) {
        pattern_ref ref = {
            .src = &list->items[k],
            .symptom = symptom,
            .slot = slot != NULL ? (*slot)++ : 0,
            .role = ro,
            .negatable = negatable,
        };
        if ((phrase ? add_phrase(bd, m, ref, entry + k, err)
                    : add_regex(bd, ref, entry + k, err)) != 0)
            return -1;
    }
    return 0;
}

/* The two phrases of each `near` entry: literals like `any` phrases, with roles that only record
 * where they matched. Negation is checked when the pairs are resolved, at the first's start. */
static int add_near(builder *bd, cw_matcher *m, size_t symptom, const cw_match_spec *spec,
                    size_t entry, cw_error *err)
{
    for (size_t k = 0; k < spec->near_count; k++) {
        const cw_near *e = &spec->near[k];
        size_t slot = m->near_total++;
        m->near[slot] = (near_ref){.symptom = symptom,
                                   .entry = entry + k,
                                   .within = e->within,
                                   .negatable = spec->negation};
        pattern_ref first = {
            .src = &e->first, .symptom = symptom, .slot = slot, .role = ROLE_NEAR_FIRST};
        pattern_ref then = first;
        then.src = &e->then;
        then.role = ROLE_NEAR_THEN;
        if (add_phrase(bd, m, first, entry + k, err) != 0 ||
            add_phrase(bd, m, then, entry + k, err) != 0)
            return -1;
    }
    return 0;
}

static void free_tails(pattern_ref *refs, size_t count)
{
    for (size_t i = 0; refs != NULL && i < count; i++)
        free(refs[i].tail);
}

static void builder_fini(builder *bd)
{
    free_tails(bd->refs, bd->count);
    for (size_t i = 0; i < bd->count; i++)
        free(bd->exprs[i]);
    free(bd->exprs);
    free(bd->refs);
    free(bd->ref_entry);
    free(bd->ref_terms);
    free(bd->ref_term_n);
    free(bd->term_uses);
}

/*
 * A regex as a probe of the first pass: it only has to match wherever the regex
 * does, in normalised text, where every whitespace run is one ASCII space. So
 * \s runs become that space (\s+ and \s match one, \s* and \s? at most one)
 * and \b assertions are dropped: fewer automata for Vectorscan to run (the
 * default rules' probes scan ~1.5x as fast). Character classes are left alone.
 * Returns a new string, or NULL when out of memory.
 */
static char *probe_form(const char *re)
{
    size_t n = strlen(re), k = 0;
    char *out = malloc(2 * n + 1);
    if (out == NULL)
        return NULL;
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char c = re[i], next = i + 1 < n ? re[i + 1] : '\0';
        if (c == '\\' && next != '\0') {
            char after = i + 2 < n ? re[i + 2] : '\0';
            if (!in_class && next == 'b') {
                i++;
                continue;
            }
            if (!in_class && next == 's' && after != '{') {
                out[k++] = ' ';
                if (after == '*' || after == '?')
                    out[k++] = '?';
                i += after == '+' || after == '*' || after == '?' ? 2 : 1;
                continue;
            }
            out[k++] = c;
            out[k++] = next;
            i++;
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = true;
            out[k++] = c;
            /* A ']' right after '[' or '[^' is a member, not the end. */
            if (next == '^')
                out[k++] = re[++i];
            if (i + 1 < n && re[i + 1] == ']')
                out[k++] = re[++i];
            continue;
        }
        if (c == ']' && in_class)
            in_class = false;
        out[k++] = c;
    }
    out[k] = '\0';
    return out;
}

/* Compile exprs[idx[k]] for k < n; the Vectorscan id of each is its index into refs. */
static int compile(hs_database_t **db, const builder *bd, const size_t *idx, size_t n, bool som,
                   cw_error *err)
{
    *db = NULL;
    const char **exprs = calloc(n + 1, sizeof(*exprs));
    unsigned *flags = calloc(n + 1, sizeof(*flags));
    unsigned *ids = calloc(n + 1, sizeof(*ids));
    hs_compile_error_t *cerr = NULL;
    int rc = -1;
    size_t made = 0; /* exprs[0, made) are set; the probes among them are ours to free */
    if (exprs == NULL || flags == NULL || ids == NULL) {
        oom(err);
        goto done;
    }
    for (size_t k = 0; k < n; k++, made++) {
        const pattern_ref *r = &bd->refs[idx[k]];
        exprs[k] = !som && !r->literal ? probe_form(bd->exprs[idx[k]]) : bd->exprs[idx[k]];
        if (exprs[k] == NULL) {
            oom(err);
            goto done;
        }
        ids[k] = (unsigned)idx[k];
        /* In the first pass a non-literal pattern is only a probe: one report is enough. */
        flags[k] = HS_FLAG_CASELESS | (som          ? HS_FLAG_SOM_LEFTMOST
                                       : r->literal ? 0u
                                                    : HS_FLAG_SINGLEMATCH);
    }
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, db, &cerr) !=
        HS_SUCCESS) {
        const char *why = cerr != NULL && cerr->message != NULL ? cerr->message : "unknown";
        *db = NULL;
        /* Vectorscan reports an allocation failure as a compile error ("Unable to allocate
         * memory."): that is exit 71, not a fault of the pattern it was compiling. */
        if (strstr(why, "allocate memory") != NULL)
            oom(err);
        else if (cerr != NULL && cerr->expression >= 0 && (size_t)cerr->expression < n)
            pattern_error(err, bd->rules, bd->refs[idx[cerr->expression]].src, why);
        else
            cw_error_set_at(err, CW_EXIT_DATAERR, bd->rules->path, 0, 0,
                            "the rule set cannot be compiled: %s", why);
        goto done;
    }
    rc = 0;
done:
    hs_free_compile_error(cerr);
    for (size_t k = 0; k < made; k++)
        if (exprs[k] != bd->exprs[idx[k]])
            free((char *)exprs[k]);
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

/* The non-literals' own databases, compiled on a second thread while the main one compiles. */
typedef struct solo_job {
    cw_matcher *m;
    const builder *bd;
    FILE *diag;   /* every pattern error goes here too; NULL: stop at the first */
    size_t shown; /* errors written to diag */
    cw_error err; /* the first error */
    int rc;
} solo_job;

/* Each regex alone, so that with a diag an author sees every one that does not compile. */
static void *compile_solos(void *arg)
{
    solo_job *j = arg;
    for (size_t i = 0; i < j->bd->count; i++) {
        size_t idx = i;
        if (j->bd->refs[i].literal)
            continue;
        cw_error e;
        cw_error_clear(&e);
        if (compile(&j->m->solo[i], j->bd, &idx, 1, true, &e) == 0)
            continue;
        if (j->rc == 0) {
            j->err = e;
            j->rc = -1;
        }
        if (j->diag == NULL || e.code != CW_EXIT_DATAERR)
            break;
        cw_error_write(j->diag, "causeway", &e);
        j->shown++;
    }
    return NULL;
}

/*
 * Compile the main database and the solo ones: on two threads, since the two
 * halves take about as long and a run pays for them at every start (Vectorscan's
 * compiler keeps no shared state; each call builds its own database). The solo
 * databases' error wins when both fail, as when they were compiled first.
 */
static int compile_all(cw_matcher *m, const builder *bd, size_t *idx, FILE *diag, size_t *shown,
                       cw_error *err)
{
    solo_job job = {.m = m, .bd = bd, .diag = diag};
    cw_error_clear(&job.err);
    pthread_t thread;
    bool threaded = pthread_create(&thread, NULL, compile_solos, &job) == 0;
    if (!threaded)
        compile_solos(&job);
    for (size_t i = 0; i < bd->count; i++)
        idx[i] = i;
    cw_error main_err;
    cw_error_clear(&main_err);
    int rc = bd->count > 0 ? compile(&m->db, bd, idx, bd->count, false, &main_err) : 0;
    if (threaded)
        pthread_join(thread, NULL);
    *shown = job.shown;
    if (job.rc != 0)
        *err = job.err;
    else if (rc != 0)
        *err = main_err;
    return job.rc != 0 || rc != 0 ? -1 : 0;
}

#ifdef CW_FAULT_HOOKS
/* CW_FAULT_HS_NOMEM (test builds): Vectorscan cannot allocate a database. */
static void *no_memory(size_t size)
{
    (void)size;
    return NULL;
}
#endif

/* Number the rule set's entries (see matcher.h): symptom by symptom, then the term phrases. */
static int number_entries(cw_matcher *m, const cw_rules *rules)
{
    size_t n = 0;
    m->entry_base = calloc(rules->symptom_count + 1, sizeof(size_t));
    m->term_base = calloc(rules->term_count + 1, sizeof(size_t));
    if (m->entry_base == NULL || m->term_base == NULL)
        return -1;
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_symptom *sym = &rules->symptoms[s];
        const cw_match_spec *sp = &sym->match;
        m->entry_base[s] = n;
        n += sp->any.count + sp->regex.count + sp->near_count + sp->all.count + sp->unless.count +
             sym->where_count;
    }
    for (size_t t = 0; t < rules->term_count; t++) {
        m->term_base[t] = n;
        n += rules->terms[t].phrases.count;
    }
    m->entries = calloc(n + 1, sizeof(*m->entries));
    if (m->entries == NULL)
        return -1;
    m->entry_count = n;
    cw_entry *e = m->entries;
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_symptom *sym = &rules->symptoms[s];
        const cw_match_spec *sp = &sym->match;
        const struct {
            cw_entry_kind kind;
            const cw_pattern_list *list;
        } lists[] = {{CW_ENTRY_ANY, &sp->any}, {CW_ENTRY_REGEX, &sp->regex}};
        for (size_t l = 0; l < 2; l++)
            for (size_t k = 0; k < lists[l].list->count; k++)
                *e++ = (cw_entry){lists[l].kind, s, k, lists[l].list->items[k].pos, false};
        for (size_t k = 0; k < sp->near_count; k++)
            *e++ = (cw_entry){CW_ENTRY_NEAR, s, k, sp->near[k].pos, false};
        for (size_t k = 0; k < sp->all.count; k++)
            *e++ = (cw_entry){CW_ENTRY_ALL, s, k, sp->all.items[k].pos, false};
        for (size_t k = 0; k < sp->unless.count; k++)
            *e++ = (cw_entry){CW_ENTRY_UNLESS, s, k, sp->unless.items[k].pos, false};
        for (size_t k = 0; k < sym->where_count; k++)
            *e++ = (cw_entry){CW_ENTRY_WHERE, s, k, sym->where[k].pos, false};
    }
    for (size_t t = 0; t < rules->term_count; t++)
        for (size_t k = 0; k < rules->terms[t].phrases.count; k++)
            *e++ = (cw_entry){CW_ENTRY_TERM, t, k, rules->terms[t].phrases.items[k].pos, false};
    return 0;
}

int cw_matcher_new(cw_matcher **out, const cw_rules *rules, cw_error *err)
{
    return cw_matcher_new_diag(out, rules, NULL, err);
}

/*
 * Compiled databases saved by cw_matcher_save: a magic line, the number of patterns,
 * then the main database and each pattern's solo database, each as a native-endian
 * uint64_t length (0: none) and Vectorscan's serialized bytes.
 */
#define SAVED_MAGIC "causeway-hs/1\n"

typedef struct saved {
    const char *at, *end;
} saved;

static int saved_take(saved *s, hs_database_t **db)
{
    uint64_t n;
    *db = NULL;
    if ((size_t)(s->end - s->at) < sizeof(n))
        return -1;
    memcpy(&n, s->at, sizeof(n));
    s->at += sizeof(n);
    if (n > (uint64_t)(s->end - s->at))
        return -1;
    if (n > 0 && hs_deserialize_database(s->at, (size_t)n, db) != HS_SUCCESS)
        return -1;
    s->at += n;
    return 0;
}

/* The databases from `blob` in place of compile_all; -1 when it does not fit. */
static int load_all(cw_matcher *m, const builder *bd, const char *blob, size_t len)
{
    saved s = {blob, blob + len};
    size_t magic = strlen(SAVED_MAGIC);
    uint64_t count;
    if (len < magic + sizeof(count) || memcmp(blob, SAVED_MAGIC, magic) != 0)
        return -1;
    memcpy(&count, blob + magic, sizeof(count));
    s.at += magic + sizeof(count);
    if (count != bd->count || saved_take(&s, &m->db) != 0 || (m->db == NULL) != (bd->count == 0))
        return -1;
    for (size_t i = 0; i < bd->count; i++)
        if (saved_take(&s, &m->solo[i]) != 0 || (m->solo[i] == NULL) != bd->refs[i].literal)
            return -1;
    return s.at == s.end ? 0 : -1;
}

static int save_one(FILE *f, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t n = 0;
    if (db != NULL && hs_serialize_database(db, &bytes, &n) != HS_SUCCESS)
        return -1;
    uint64_t len = n;
    int rc =
        fwrite(&len, sizeof(len), 1, f) == 1 && (n == 0 || fwrite(bytes, n, 1, f) == 1) ? 0 : -1;
    free(bytes);
    return rc;
}

int cw_matcher_save(char **blob, size_t *len, const cw_matcher *m, cw_error *err)
{
    *blob = NULL;
    *len = 0;
    FILE *f = open_memstream(blob, len);
    if (f == NULL)
        return oom(err);
    uint64_t count = m->ref_count;
    int rc = fputs(SAVED_MAGIC, f) >= 0 && fwrite(&count, sizeof(count), 1, f) == 1 &&
                     save_one(f, m->db) == 0
                 ? 0
                 : -1;
    for (size_t i = 0; rc == 0 && i < m->ref_count; i++)
        rc = save_one(f, m->solo[i]);
    if (fclose(f) != 0 || rc != 0) {
        free(*blob);
        *blob = NULL;
        *len = 0;
        return oom(err);
    }
    return 0;
}

#define STR_(x) #x
#define STR(x)  STR_(x)

const char *cw_matcher_build_id(void)
{
    return "causeway-matcher/1 vectorscan/" STR(HS_MAJOR) "." STR(HS_MINOR) "." STR(HS_PATCH);
}

static int matcher_build(cw_matcher **out, const cw_rules *rules, FILE *diag, const char *blob,
                         size_t blob_len, cw_error *err)
{
    size_t shown = 0;
    int rc = -1;
#ifdef CW_FAULT_HOOKS
    if (getenv("CW_FAULT_HS_NOMEM") != NULL)
        hs_set_database_allocator(no_memory, free);
#endif
    *out = NULL;
    builder bd = {.rules = rules};
    size_t *idx = NULL;
    cw_matcher *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        oom(err);
        goto fail;
    }
    m->rules = rules;
    negators_init(m->negators);
    m->keys.but = literal_key("but");
    m->keys.not_ = literal_key("not");
    m->keys.only = literal_key("only");
    m->keys.just = literal_key("just");
    m->all_base = calloc(rules->symptom_count + 1, sizeof(size_t));
    size_t near_count = 0;
    for (size_t s = 0; s < rules->symptom_count; s++)
        near_count += rules->symptoms[s].match.near_count;
    m->near = calloc(near_count + 1, sizeof(*m->near));
    if (m->all_base == NULL || m->near == NULL || number_entries(m, rules) != 0) {
        oom(err);
        goto fail;
    }
    for (size_t s = 0; s < rules->symptom_count; s++) {
        const cw_match_spec *spec = &rules->symptoms[s].match;
        /* Entry numbers of the lists, in the order of number_entries. */
        size_t any = m->entry_base[s], regex = any + spec->any.count,
               near = regex + spec->regex.count, all = near + spec->near_count,
               unless = all + spec->all.count;
        m->all_base[s] = m->all_total;
        if (add_list(&bd, m, &spec->any, s, ROLE_HIT, NULL, true, spec->negation, any, err) != 0 ||
            add_list(&bd, m, &spec->regex, s, ROLE_HIT, NULL, false, spec->negation, regex, err) !=
                0 ||
            add_list(&bd, m, &spec->all, s, ROLE_ALL, &m->all_total, true, false, all, err) != 0 ||
            add_list(&bd, m, &spec->unless, s, ROLE_UNLESS, NULL, true, false, unless, err) != 0 ||
            add_near(&bd, m, s, spec, near, err) != 0)
            goto fail;
    }
    if (bd.count > UINT_MAX / 2) {
        cw_error_set_at(err, CW_EXIT_DATAERR, rules->path, 0, 0, "too many patterns");
        goto fail;
    }
    idx = malloc((bd.count + 1) * sizeof(*idx));
    if (idx == NULL) {
        oom(err);
        goto fail;
    }
    /* Each non-literal gets its own database with start offsets, scanned only when it may
     * match: its own, because Vectorscan's start-of-match compile grows steeply with the
     * number of patterns. */
    m->solo = calloc(bd.count + 1, sizeof(*m->solo));
    if (m->solo == NULL) {
        oom(err);
        goto fail;
    }
    m->ref_count = bd.count; /* so that cw_matcher_free releases what is compiled so far */
    if (blob != NULL) {
        if (load_all(m, &bd, blob, blob_len) != 0) {
            rc = 1;
            goto fail;
        }
    } else if (compile_all(m, &bd, idx, diag, &shown, err) != 0) {
        goto fail;
    }
    m->refs = bd.refs;
    m->ref_entry = bd.ref_entry;
    m->ref_terms = bd.ref_terms;
    m->ref_term_n = bd.ref_term_n;
    m->term_uses = bd.term_uses;
    bd.refs = NULL;
    bd.ref_entry = bd.ref_terms = bd.term_uses = NULL;
    bd.ref_term_n = NULL;
    builder_fini(&bd);
    free(idx);
    *out = m;
    return 0;
fail:
    /* The regexes' errors are in diag already; any other rule-set error goes there too. */
    if (rc < 0 && diag != NULL && shown == 0 && err->code == CW_EXIT_DATAERR)
        cw_error_write(diag, "causeway", err);
    free(idx);
    builder_fini(&bd);
    cw_matcher_free(m);
    return rc;
}

int cw_matcher_new_diag(cw_matcher **out, const cw_rules *rules, FILE *diag, cw_error *err)
{
    return matcher_build(out, rules, diag, NULL, 0, err);
}

int cw_matcher_load(cw_matcher **out, const cw_rules *rules, const char *blob, size_t len,
                    cw_error *err)
{
    return matcher_build(out, rules, NULL, blob, len, err);
}

void cw_matcher_free(cw_matcher *m)
{
    if (m == NULL)
        return;
    hs_free_database(m->db);
    for (size_t i = 0; m->solo != NULL && i < m->ref_count; i++)
        hs_free_database(m->solo[i]);
    free(m->solo);
    free_tails(m->refs, m->ref_count);
    free(m->refs);
    free(m->all_base);
    free(m->near);
    free(m->entries);
    free(m->entry_base);
    free(m->term_base);
    free(m->ref_entry);
    free(m->ref_terms);
    free(m->ref_term_n);
    free(m->term_uses);
    free(m);
}
