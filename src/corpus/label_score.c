/* label_score.c - per-class precision, recall, F1 and confusion; see label_score.h. */
#include "causeway/corpus/label_score.h"

#include <stdlib.h>
#include <string.h>

#include "causeway/util/text.h"

struct cw_label_score {
    size_t classes, negatives;
    unsigned long long min_support;
    cw_class_score *per_class;
    unsigned long long *confusion; /* (classes + negatives) x (classes + 1) */
    unsigned long long kinds[CW_LABEL_KINDS];
};

int cw_label_score_new(cw_label_score **out, const cw_labels *l, unsigned long long min_support,
                       cw_error *err)
{
    *out = NULL;
    cw_label_score *s = calloc(1, sizeof(*s));
    if (s != NULL) {
        s->classes = cw_labels_class_count(l);
        s->negatives = cw_labels_negative_count(l);
        s->min_support = min_support;
        s->per_class = calloc(s->classes + 1, sizeof(*s->per_class));
        s->confusion =
            calloc((s->classes + s->negatives) * (s->classes + 1) + 1, sizeof(*s->confusion));
    }
    if (s == NULL || s->per_class == NULL || s->confusion == NULL) {
        cw_label_score_free(s);
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory for scores");
    }
    *out = s;
    return 0;
}

void cw_label_score_free(cw_label_score *s)
{
    if (s == NULL)
        return;
    free(s->per_class);
    free(s->confusion);
    free(s);
}

static void example(char (*slots)[CW_LABEL_SCORE_ID_MAX + 1], size_t *count, const char *id)
{
    if (id != NULL && *count < CW_LABEL_SCORE_EXAMPLES)
        cw_text_copy_cut(slots[(*count)++], CW_LABEL_SCORE_ID_MAX + 1, id);
}

void cw_label_score_add(cw_label_score *s, const cw_label *label, const size_t *pred, size_t n,
                        const char *id)
{
    s->kinds[label->kind]++;
    if (label->kind != CW_LABEL_CLASS && label->kind != CW_LABEL_NEGATIVE)
        return;
    bool is_class = label->kind == CW_LABEL_CLASS;
    size_t row = is_class ? label->index : s->classes + label->index;
    unsigned long long *confusion = s->confusion + row * (s->classes + 1);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        cw_class_score *c = &s->per_class[pred[i]];
        c->predicted++;
        confusion[pred[i]]++;
        if (is_class && pred[i] == label->index) {
            c->tp++;
            found = true;
        } else {
            c->fp++;
            example(c->fp_examples, &c->fp_count, id);
        }
    }
    if (n == 0)
        confusion[s->classes]++;
    if (!is_class)
        return;
    cw_class_score *own = &s->per_class[label->index];
    own->support++;
    if (!found) {
        own->fn++;
        example(own->fn_examples, &own->fn_count, id);
    }
}

cw_class_score cw_label_score_class(const cw_label_score *s, size_t c)
{
    cw_class_score x = s->per_class[c];
    x.precision = x.predicted > 0 ? (double)x.tp / (double)x.predicted : 0.0;
    x.recall = x.support > 0 ? (double)x.tp / (double)x.support : 0.0;
    x.f1 =
        x.precision + x.recall > 0 ? 2.0 * x.precision * x.recall / (x.precision + x.recall) : 0.0;
    x.cell = x.support > 0 && x.support >= s->min_support;
    return x;
}

double cw_label_score_macro_f1(const cw_label_score *s, size_t *cells)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t c = 0; c < s->classes; c++) {
        cw_class_score x = cw_label_score_class(s, c);
        if (x.cell) {
            sum += x.f1;
            n++;
        }
    }
    *cells = n;
    return n > 0 ? sum / (double)n : 0.0;
}

unsigned long long cw_label_score_confusion(const cw_label_score *s, size_t row, size_t col)
{
    return s->confusion[row * (s->classes + 1) + col];
}

unsigned long long cw_label_score_count(const cw_label_score *s, cw_label_kind kind)
{
    return s->kinds[kind];
}
