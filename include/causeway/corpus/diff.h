/*
 * diff.h - what changing a rule set changes (`causeway diff OLD NEW`): every complaint is
 * classified under both rule sets in one pass over the input, and per symptom and per
 * cause area (matched by id across the two) the complaints gained, lost and kept are
 * counted; the complaints whose symptom set changed are listed (up to a limit, with the
 * evidence that changed); in label mode both rule sets are scored against the labels.
 *
 * Memory is fixed by the two rule sets, the classes and the limit.
 */
#ifndef CAUSEWAY_DIFF_H
#define CAUSEWAY_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "causeway/corpus/corpus.h"
#include "causeway/corpus/coverage.h"
#include "causeway/corpus/labels.h"
#include "causeway/match/matcher.h"
#include "causeway/corpus/label_score.h"

#define CW_DIFF_SNIPPET 160u /* bytes of context shown around the evidence that changed */

typedef struct cw_diff_params {
    const cw_labels *labels; /* label mode (loaded for both rule sets, old first), or NULL */
    unsigned long long min_support;
    size_t limit; /* changed complaints listed */
} cw_diff_params;

typedef struct cw_diff cw_diff;

/* Compare `before` with `after` (borrowed, with p; they must outlive it). 71 on failure. */
int cw_diff_new(cw_diff **out, const cw_matcher *before, const cw_matcher *after,
                const cw_diff_params *p, cw_error *err);

void cw_diff_free(cw_diff *d);

/* Classify one complaint under both rule sets and count it. 0, or -1 with err. */
int cw_diff_add(cw_diff *d, const cw_corpus_item *item, cw_error *err);

/* Complaints read, and those whose symptom set changed. */
unsigned long long cw_diff_complaints(const cw_diff *d);
unsigned long long cw_diff_changed(const cw_diff *d);

/*
 * Write the comparison in `format` (table, md, csv as `section,item,metric,value` rows,
 * json per docs/diff.schema.json); `source` names the input. 0, or -1 (71).
 */
int cw_diff_write(FILE *out, const cw_diff *d, const char *source, cw_coverage_format format,
                  cw_error *err);

#endif
