/*
 * labels.h - what a labelled complaint counts as when a rule set is scored against the
 * labels (`causeway coverage` and `causeway diff` in label mode).
 *
 * Classes. With a class map (CSV `symptom_id,class`, the format of rules/eval-classes.csv)
 * the classes are the map's classes and a rule set predicts, for a complaint, the classes
 * of the symptoms that fired; without one, every symptom is its own class. A symptom the
 * class map leaves out, or maps to an ignored label, predicts nothing.
 *
 * A complaint's label is the value of its label column, looked up in the label map when
 * one is given (CSV: a label column, a value column and optionally a strength column,
 * named by `label_map_columns`, default the first two), and then means:
 *   - a class, or a symptom id (its class, through the class map): the complaint is of
 *     that class;
 *   - a negative label (default `not_complaint`): of no class, so any prediction on it is
 *     a false positive;
 *   - an ignored label (default `other`): not scored (nothing counts for or against the
 *     rules);
 *   - empty or absent: unlabelled, not scored;
 *   - anything else: an error (65), naming the file and line.
 * Strength (strong > medium > weak) comes from the strength column of the complaints, or
 * else from the label map's; empty and "n/a..." mean unrated, anything else is an error.
 * With a minimum strength, complaints below it (and unrated ones) are not scored: a weak
 * label counts neither for nor against the rules.
 */
#ifndef CAUSEWAY_LABELS_H
#define CAUSEWAY_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#include "causeway/util/error.h"
#include "causeway/util/log.h"
#include "causeway/match/matcher.h"
#include "causeway/rules/rules.h"

#define CW_LABELS_MAX_NAMES 16 /* negative or ignored labels */

typedef enum cw_strength {
    CW_STRENGTH_UNRATED = 0,
    CW_STRENGTH_WEAK,
    CW_STRENGTH_MEDIUM,
    CW_STRENGTH_STRONG,
} cw_strength;

typedef struct cw_labels_options {
    const char *label_map;         /* CSV path, or NULL: label values are used as they are */
    const char *label_map_columns; /* "LABEL,VALUE[,STRENGTH]" header names, or NULL */
    const char *class_map;         /* CSV path, or NULL: one class per symptom */
    const char *negative[CW_LABELS_MAX_NAMES];
    size_t negative_count;
    const char *ignored[CW_LABELS_MAX_NAMES];
    size_t ignored_count;
    cw_strength min_strength;  /* CW_STRENGTH_UNRATED: every labelled complaint counts */
    bool have_strength_column; /* the complaints carry a strength column */
} cw_labels_options;

/* What a complaint's label makes of it. */
typedef enum cw_label_kind {
    CW_LABEL_CLASS = 0, /* of class `index` */
    CW_LABEL_NEGATIVE,  /* of no class: negative label `index` */
    CW_LABEL_IGNORED,   /* an ignored label: not scored */
    CW_LABEL_BELOW,     /* weaker than the minimum strength, or unrated: not scored */
    CW_LABEL_NONE,      /* no label: not scored */
    CW_LABEL_KINDS
} cw_label_kind;

typedef struct cw_label {
    cw_label_kind kind;
    size_t index;
} cw_label;

typedef struct cw_labels cw_labels;

/*
 * Load the maps and settle the classes for the rule sets rules[0, n) (one for coverage,
 * old and new for diff; borrowed, they must outlive the result). A class map or label
 * map naming a symptom none of them has is an error at `file:line:col` (65); so are
 * malformed maps (65) and unreadable ones (66). Symptoms the class map leaves out are
 * named in one warning on `log`. On failure *out is NULL.
 */
int cw_labels_load(cw_labels **out, const cw_labels_options *o, const cw_rules *const *rules,
                   size_t n, const cw_log *log, cw_error *err);

void cw_labels_free(cw_labels *l);

/* The classes, in order (class-map order, or rule order of the symptoms), and negatives. */
size_t cw_labels_class_count(const cw_labels *l);
const char *cw_labels_class_name(const cw_labels *l, size_t c);
size_t cw_labels_negative_count(const cw_labels *l);
const char *cw_labels_negative_name(const cw_labels *l, size_t k);

/*
 * What the complaint with label `label` (NULL: none) and strength `strength` (NULL: the
 * label map's, if any) counts as. A label or strength that means nothing is an error (65)
 * at `file:line` when file is not NULL, else naming complaint `id`.
 */
int cw_labels_resolve(cw_label *out, const cw_labels *l, const char *label, const char *strength,
                      const char *file, unsigned long line, const char *id, cw_error *err);

/*
 * The distinct classes rule set `ruleset` (index into the rules given to cw_labels_load)
 * predicts from its hits, ascending, into out[] (room for cw_labels_class_count); returns
 * how many.
 */
size_t cw_labels_predict(const cw_labels *l, size_t ruleset, const cw_hit *hits, size_t n,
                         size_t *out);

/* Parse "strong", "medium" or "weak" (ASCII case-insensitively); -1 otherwise. */
int cw_strength_parse(const char *text);

#endif
