/* coverage.c - counting a rule set's coverage of a corpus; see coverage.h. */
#include "causeway/corpus/coverage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/corpus/ngram.h"

struct cw_coverage {
    const cw_matcher *m;
    const cw_rules *rules;
    cw_coverage_params p;
    cw_scan *scan;  /* counting: entry statistics */
    cw_scan *plain; /* for the suggestions' check, which must not count */
    cw_ngrams *ngrams;
    cw_cms *cms; /* the REFERENCE counts of every phrase sketch below, each with its salt */
    unsigned long long complaints, bytes;
    unsigned long long by_count[4];
    unsigned long long *only; /* per symptom */
    unsigned long long *both; /* symptom pairs, upper triangle of symptom_count^2 */
    cw_topk *uncategorised;   /* TARGET uncategorised, REFERENCE matched */
    cw_topk *synonyms;        /* TARGET the --suggest symptom's, REFERENCE other matched,
                                 AUX uncategorised */
    cw_label_score *score;
    cw_topk **missed; /* per class: TARGET its false negatives, REFERENCE its true positives */
    size_t *pred;     /* scratch: predicted classes */
};

unsigned cw_coverage_section(const char *name)
{
    static const char *const names[] = {"summary",  "symptoms",    "entries", "suppressed",
                                        "overlaps", "suggestions", "labels"};
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return 1u << i;
    return 0;
}

static bool wants(const cw_coverage *c, unsigned section)
{
    return (c->p.sections & section) != 0;
}

int cw_coverage_new(cw_coverage **out, const cw_matcher *m, const cw_coverage_params *p,
                    cw_error *err)
{
    *out = NULL;
    cw_coverage *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    c->m = m;
    c->rules = cw_matcher_rules(m);
    c->p = *p;
    size_t s = c->rules->symptom_count;
    int rc = cw_scan_new(&c->scan, m, err);
    if (rc == 0)
        rc = cw_scan_stats_enable(c->scan, err);
    if (rc == 0)
        rc = cw_scan_new(&c->plain, m, err);
    if (rc == 0) {
        c->only = calloc(s + 1, sizeof(*c->only));
        c->both = calloc(s * s + 1, sizeof(*c->both));
        if (c->only == NULL || c->both == NULL)
            rc = cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    bool labels = p->labels != NULL && wants(c, CW_COVERAGE_LABELS);
    bool phrases = wants(c, CW_COVERAGE_SUGGESTIONS) || labels;
    if (rc == 0 && phrases)
        rc = cw_ngrams_new(&c->ngrams, err);
    if (rc == 0 && phrases)
        rc = cw_cms_new(&c->cms, CW_COVERAGE_CMS_BITS, err);
    uint64_t salt = 0;
    if (rc == 0 && wants(c, CW_COVERAGE_SUGGESTIONS)) {
        rc = cw_topk_new(&c->uncategorised, CW_COVERAGE_SKETCH, c->cms, salt++, false, err);
        if (rc == 0 && p->suggest >= 0)
            rc = cw_topk_new(&c->synonyms, CW_COVERAGE_SKETCH, c->cms, salt++, true, err);
    }
    if (rc == 0 && labels) {
        size_t classes = cw_labels_class_count(p->labels);
        size_t per = classes > 0 ? CW_COVERAGE_CLASS_BUDGET / classes : 1;
        per = per > CW_COVERAGE_CLASS_SKETCH ? CW_COVERAGE_CLASS_SKETCH : per < 64 ? 64 : per;
        rc = cw_label_score_new(&c->score, p->labels, p->min_support, err);
        c->missed = calloc(classes + 1, sizeof(*c->missed));
        c->pred = calloc(classes + 1, sizeof(*c->pred));
        if (rc == 0 && (c->missed == NULL || c->pred == NULL))
            rc = cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        for (size_t k = 0; rc == 0 && k < classes; k++)
            rc = cw_topk_new(&c->missed[k], per, c->cms, salt++, false, err);
    }
    if (rc != 0) {
        cw_coverage_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void cw_coverage_free(cw_coverage *c)
{
    if (c == NULL)
        return;
    cw_scan_free(c->scan);
    cw_scan_free(c->plain);
    cw_ngrams_free(c->ngrams);
    free(c->only);
    free(c->both);
    cw_topk_free(c->uncategorised);
    cw_topk_free(c->synonyms);
    if (c->missed != NULL && c->p.labels != NULL)
        for (size_t k = 0; k < cw_labels_class_count(c->p.labels); k++)
            cw_topk_free(c->missed[k]);
    free(c->missed);
    free(c->pred);
    cw_label_score_free(c->score);
    cw_cms_free(c->cms);
    free(c);
}

/* Label mode: score the complaint, and feed its class's sketch of missed phrases. */
static int add_label(cw_coverage *c, const cw_corpus_item *item, const cw_hit *hits, size_t count,
                     cw_error *err)
{
    cw_label label;
    if (cw_labels_resolve(&label, c->p.labels, item->label, item->strength, item->file, item->line,
                          item->c.id, err) != 0)
        return -1;
    size_t n = cw_labels_predict(c->p.labels, 0, hits, count, c->pred);
    cw_label_score_add(c->score, &label, c->pred, n, item->c.id);
    if (label.kind != CW_LABEL_CLASS)
        return 0;
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found = found || c->pred[i] == label.index;
    cw_topk_add(c->missed[label.index], found ? CW_TOPK_REFERENCE : CW_TOPK_TARGET, item->c.id,
                c->ngrams);
    return 0;
}

int cw_coverage_add(cw_coverage *c, const cw_corpus_item *item, cw_error *err)
{
    const cw_hit *hits = NULL;
    size_t count = 0;
    if (cw_matcher_classify(&hits, &count, c->scan, &item->c, err) != 0)
        return -1;
    c->complaints++;
    c->bytes += item->c.body_len;
    c->by_count[count < 3 ? count : 3]++;
    size_t s = c->rules->symptom_count;
    if (count == 1)
        c->only[hits[0].symptom]++;
    for (size_t i = 0; i < count; i++)
        for (size_t j = i + 1; j < count; j++)
            c->both[hits[i].symptom * s + hits[j].symptom]++; /* hits are sorted by symptom */
    if (c->ngrams == NULL)
        return 0;
    if (cw_ngrams_scan(c->ngrams, item->c.body, item->c.body_len, err) != 0)
        return -1;
    if (c->uncategorised != NULL)
        cw_topk_add(c->uncategorised, count == 0 ? CW_TOPK_TARGET : CW_TOPK_REFERENCE, item->c.id,
                    c->ngrams);
    if (c->synonyms != NULL) {
        bool has = false;
        for (size_t i = 0; i < count; i++)
            has = has || hits[i].symptom == (size_t)c->p.suggest;
        cw_topk_role role = has ? CW_TOPK_TARGET : count > 0 ? CW_TOPK_REFERENCE : CW_TOPK_AUX;
        cw_topk_add(c->synonyms, role, item->c.id, c->ngrams);
    }
    if (c->score != NULL)
        return add_label(c, item, hits, count, err);
    return 0;
}

/* ---- finishing --------------------------------------------------------------------------- */

/* A phrase may be suggested unless it fires a symptom on its own (`only`: that symptom). */
typedef struct filter {
    cw_coverage *c;
    long only;
    cw_error err; /* the first failure; the phrase is then kept */
} filter;

static bool keep_phrase(void *user, const char *text)
{
    filter *f = user;
    cw_complaint one = {.id = "phrase", .body = text, .body_len = strlen(text)};
    const cw_hit *hits;
    size_t count;
    if (cw_matcher_classify(&hits, &count, f->c->plain, &one, &f->err) != 0)
        return true;
    for (size_t i = 0; i < count; i++)
        if (f->only < 0 || hits[i].symptom == (size_t)f->only)
            return false;
    return true;
}

static int by_overlap(const void *pa, const void *pb)
{
    const cw_coverage_pair *a = pa, *b = pb;
    if (a->both != b->both)
        return a->both > b->both ? -1 : 1;
    if (a->jaccard != b->jaccard)
        return a->jaccard > b->jaccard ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

static int finish_pairs(cw_coverage_report *r, const cw_coverage *c, cw_error *err)
{
    size_t s = c->rules->symptom_count, n = 0;
    for (size_t i = 0; i < s * s; i++)
        n += c->both[i] > 0;
    r->pairs = calloc(n + 1, sizeof(*r->pairs));
    if (r->pairs == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    for (size_t a = 0; a < s; a++)
        for (size_t b = a + 1; b < s; b++) {
            unsigned long long both = c->both[a * s + b];
            if (both == 0)
                continue;
            double either = (double)(r->symptoms[a].matched + r->symptoms[b].matched - both);
            r->pairs[r->pair_count++] = (cw_coverage_pair){a, b, both, (double)both / either};
        }
    qsort(r->pairs, r->pair_count, sizeof(*r->pairs), by_overlap);
    return 0;
}

static int ranked(cw_topk_item **items, size_t *n, size_t max, const cw_topk *k, bool need_aux,
                  filter *f, cw_error *err)
{
    *items = calloc(max + 1, sizeof(**items));
    if (*items == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    if (cw_topk_rank(n, *items, max, k, CW_COVERAGE_MIN_COUNT, need_aux, keep_phrase, f, err) != 0)
        return -1;
    if (f->err.code != 0) {
        *err = f->err;
        return -1;
    }
    return 0;
}

static int finish_labels(cw_coverage_report *r, cw_coverage *c, cw_error *err)
{
    size_t classes = cw_labels_class_count(c->p.labels);
    r->score = c->score;
    r->classes = calloc(classes + 1, sizeof(*r->classes));
    if (r->classes == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    r->macro_f1 = cw_label_score_macro_f1(c->score, &r->cells);
    filter f = {.c = c, .only = -1};
    cw_error_clear(&f.err);
    for (size_t k = 0; k < classes; k++) {
        r->classes[k].score = cw_label_score_class(c->score, k);
        if (ranked(&r->classes[k].missed, &r->classes[k].missed_count, CW_COVERAGE_CLASS_PHRASES,
                   c->missed[k], false, &f, err) != 0)
            return -1;
    }
    return 0;
}

int cw_coverage_finish(cw_coverage_report *r, cw_coverage *c, const char *source, cw_error *err)
{
    memset(r, 0, sizeof(*r));
    r->rules = c->rules;
    r->matcher = c->m;
    r->params = &c->p;
    snprintf(r->source, sizeof(r->source), "%s", source);
    r->complaints = c->complaints;
    r->bytes = c->bytes;
    memcpy(r->by_count, c->by_count, sizeof(r->by_count));
    r->stats = cw_scan_stats(c->scan);
    size_t s = c->rules->symptom_count;
    r->symptoms = calloc(s + 1, sizeof(*r->symptoms));
    if (r->symptoms == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    for (size_t i = 0; i < s; i++)
        r->symptoms[i] = (cw_coverage_symptom){.matched = r->stats->symptoms[i].fired,
                                               .only = c->only[i],
                                               .stats = r->stats->symptoms[i]};
    if (finish_pairs(r, c, err) != 0)
        goto fail;
    filter f = {.c = c, .only = -1};
    cw_error_clear(&f.err);
    if (c->uncategorised != NULL) {
        r->suggest_target = cw_topk_total(c->uncategorised, CW_TOPK_TARGET);
        r->suggest_reference = cw_topk_total(c->uncategorised, CW_TOPK_REFERENCE);
        if (ranked(&r->suggestions, &r->suggestion_count, c->p.top, c->uncategorised, false, &f,
                   err) != 0)
            goto fail;
    }
    if (c->synonyms != NULL) {
        f.only = c->p.suggest;
        if (ranked(&r->synonyms, &r->synonym_count, c->p.top, c->synonyms, true, &f, err) != 0)
            goto fail;
    }
    if (c->score != NULL && finish_labels(r, c, err) != 0)
        goto fail;
    return 0;
fail:
    cw_coverage_report_fini(r);
    return -1;
}

void cw_coverage_report_fini(cw_coverage_report *r)
{
    free(r->symptoms);
    free(r->pairs);
    free(r->suggestions);
    free(r->synonyms);
    if (r->classes != NULL && r->params != NULL && r->params->labels != NULL)
        for (size_t k = 0; k < cw_labels_class_count(r->params->labels); k++)
            free(r->classes[k].missed);
    free(r->classes);
    memset(r, 0, sizeof(*r));
}
