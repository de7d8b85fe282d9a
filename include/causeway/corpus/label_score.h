/*
 * label_score.h - precision, recall and F1 of a rule set against labels, per class
 * (`causeway coverage` and `causeway diff` in label mode; the scoring of issue 12).
 *
 * Every scored complaint (cw_label CLASS or NEGATIVE, see labels.h) adds, for each class
 * its rule set predicts: a true positive when it is the complaint's class, else a false
 * positive (the complaint is of another class, or of none); and a false negative for its
 * own class when that is not predicted. A complaint may be predicted several classes, so
 * one billing complaint that also shows a delay is a false positive for the delay class:
 * the labels name one class per complaint. A class is a *cell* when at least
 * `min_support` scored complaints are of it; macro-F1 is the mean F1 over the cells.
 * Precision is 0 when a class is never predicted (so is F1).
 */
#ifndef CAUSEWAY_SCORE_H
#define CAUSEWAY_SCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "causeway/util/error.h"
#include "causeway/corpus/labels.h"

/* Example ids kept per class for false positives / negatives. */
#define CW_LABEL_SCORE_EXAMPLES 3u
/* Bytes of an example id kept; longer ones end in "...". */
#define CW_LABEL_SCORE_ID_MAX 63u

typedef struct cw_class_score {
    unsigned long long support; /* scored complaints of the class */
    unsigned long long predicted, tp, fp, fn;
    double precision, recall, f1;
    bool cell;                 /* support >= min_support: counts in macro-F1 */
    size_t fp_count, fn_count; /* examples kept */
    char fp_examples[CW_LABEL_SCORE_EXAMPLES][CW_LABEL_SCORE_ID_MAX + 1];
    char fn_examples[CW_LABEL_SCORE_EXAMPLES][CW_LABEL_SCORE_ID_MAX + 1];
} cw_class_score;

typedef struct cw_label_score cw_label_score;

/* Scores over the classes of `l` (borrowed). On failure *out is NULL (71). */
int cw_label_score_new(cw_label_score **out, const cw_labels *l, unsigned long long min_support,
                       cw_error *err);

void cw_label_score_free(cw_label_score *s);

/*
 * Add one complaint (id borrowed, may be NULL) of label `label` for which the rule set
 * predicts the distinct classes pred[0, n). Unscored labels are only counted.
 */
void cw_label_score_add(cw_label_score *s, const cw_label *label, const size_t *pred, size_t n,
                        const char *id);

/* Class c's numbers, with precision, recall, F1 and `cell` worked out. */
cw_class_score cw_label_score_class(const cw_label_score *s, size_t c);

/* Mean F1 over the cells, and their number (0 cells: 0). */
double cw_label_score_macro_f1(const cw_label_score *s, size_t *cells);

/*
 * Confusion counts: row r < class count is a class, then the negative labels; column
 * k < class count a predicted class, column class count "nothing predicted". A complaint
 * predicted several classes counts in each of their columns.
 */
unsigned long long cw_label_score_confusion(const cw_label_score *s, size_t row, size_t col);

/* Complaints added with each label kind (scored: CLASS and NEGATIVE). */
unsigned long long cw_label_score_count(const cw_label_score *s, cw_label_kind kind);

#endif
