/*
 * coverage.h - how a rule set does on a corpus (`causeway coverage`): what share no rule
 * catches, what each symptom and each rule entry catches, what negation and the vetoes
 * suppress, which symptoms overlap, which phrases the uncategorised complaints have that
 * the matched ones lack, and, with labels, precision, recall and F1 per class with the
 * phrases the missed complaints share.
 *
 * Memory is fixed by the rule set, the number of classes and the phrase sketches
 * (topk.h), never by the number of complaints: every count is a running total.
 */
#ifndef CAUSEWAY_COVERAGE_H
#define CAUSEWAY_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "causeway/corpus/corpus.h"
#include "causeway/util/error.h"
#include "causeway/corpus/labels.h"
#include "causeway/match/matcher.h"
#include "causeway/corpus/label_score.h"
#include "causeway/corpus/topk.h"

/* Counters of the phrase sketches (topk.h): about 17 MB for the uncategorised phrases. */
#define CW_COVERAGE_SKETCH        65536u
#define CW_COVERAGE_CMS_BITS      16u    /* 2^16 blocks of 64 bytes: 4 MiB, shared */
#define CW_COVERAGE_CLASS_SKETCH  2048u  /* per class, in label mode ... */
#define CW_COVERAGE_CLASS_BUDGET  32768u /* ... and at most this many over all classes */
#define CW_COVERAGE_MIN_COUNT     2u     /* a suggested phrase is in at least two complaints */
#define CW_COVERAGE_CLASS_PHRASES 5u     /* missed phrases listed per class */

/* What to work out (the sections of the report). */
enum {
    CW_COVERAGE_SUMMARY = 1u << 0,
    CW_COVERAGE_SYMPTOMS = 1u << 1,
    CW_COVERAGE_ENTRIES = 1u << 2,
    CW_COVERAGE_SUPPRESSED = 1u << 3,
    CW_COVERAGE_OVERLAPS = 1u << 4,
    CW_COVERAGE_SUGGESTIONS = 1u << 5,
    CW_COVERAGE_LABELS = 1u << 6,
    CW_COVERAGE_ALL = (1u << 7) - 1,
};

/* Parse a section name ("summary", ..., "labels"); 0 when unknown. */
unsigned cw_coverage_section(const char *name);

typedef struct cw_coverage_params {
    unsigned sections;       /* CW_COVERAGE_* bits */
    long suggest;            /* symptom whose candidate synonyms to rank, or -1 */
    const cw_labels *labels; /* label mode (borrowed), or NULL */
    unsigned long long min_support;
    size_t top; /* rows of the ranked lists (overlaps, suggestions) */
} cw_coverage_params;

typedef struct cw_coverage cw_coverage;

/*
 * Counting with matcher `m` (borrowed, as is everything in p; both must outlive the
 * result). On failure *out is NULL (71).
 */
int cw_coverage_new(cw_coverage **out, const cw_matcher *m, const cw_coverage_params *p,
                    cw_error *err);

void cw_coverage_free(cw_coverage *c);

/* Classify one complaint and count it. Returns 0, or -1 with err (65 bad label, 71, 70). */
int cw_coverage_add(cw_coverage *c, const cw_corpus_item *item, cw_error *err);

/* ---- the result ------------------------------------------------------------------------ */

typedef struct cw_coverage_symptom {
    unsigned long long matched, only;
    cw_symptom_stats stats; /* fired (= matched), and what kept it from firing */
} cw_coverage_symptom;

typedef struct cw_coverage_pair {
    size_t a, b; /* symptom indices, a < b */
    unsigned long long both;
    double jaccard; /* both / (a or b) */
} cw_coverage_pair;

typedef struct cw_coverage_class {
    cw_class_score score;
    cw_topk_item *missed; /* phrases of its false negatives against its true positives */
    size_t missed_count;
} cw_coverage_class;

/* Everything the report shows, worked out by cw_coverage_finish (owned by it). */
typedef struct cw_coverage_report {
    const cw_rules *rules;
    const cw_matcher *matcher;
    const cw_coverage_params *params;
    char source[300]; /* what was read (cw_corpus_info) */
    unsigned long long complaints, bytes;
    unsigned long long by_count[4]; /* complaints with 0, 1, 2 and 3 or more symptoms */
    cw_coverage_symptom *symptoms;  /* per symptom */
    const cw_match_stats *stats;    /* per entry (cw_matcher_entry) */
    cw_coverage_pair *pairs;        /* symptom pairs that fired together, largest first */
    size_t pair_count;
    cw_topk_item *suggestions; /* over-represented in the uncategorised complaints */
    size_t suggestion_count;
    unsigned long long suggest_target, suggest_reference;
    cw_topk_item *synonyms; /* with --suggest: TARGET its matches, AUX uncategorised */
    size_t synonym_count;
    const cw_label_score *score; /* label mode, else NULL */
    cw_coverage_class *classes;
    double macro_f1;
    size_t cells;
} cw_coverage_report;

/*
 * Work out the report of everything added (phrases that would fire a symptom on their
 * own are left out of the suggestions: they are in uncategorised complaints only because
 * negation or a veto held them back). `source` names the input. The report borrows from
 * c; release it with cw_coverage_report_fini. Returns 0 or -1 (71).
 */
int cw_coverage_finish(cw_coverage_report *r, cw_coverage *c, const char *source, cw_error *err);

void cw_coverage_report_fini(cw_coverage_report *r);

/* ---- output (coverage_write.c) ------------------------------------------------------------ */

/* The JSON form's layout (docs/coverage.schema.json). */
#define CW_COVERAGE_JSON_SCHEMA "causeway.coverage/1"

typedef enum cw_coverage_format {
    CW_COVERAGE_TABLE = 0,
    CW_COVERAGE_MARKDOWN,
    CW_COVERAGE_CSV,
    CW_COVERAGE_JSON,
} cw_coverage_format;

/* Parse "table", "md" / "markdown", "csv" or "json"; -1 when unknown. */
int cw_coverage_parse_format(const char *name);

/*
 * Write the report's sections (params->sections) in `format`: table and md for people,
 * csv as rows `section,item,metric,value`, json per docs/coverage.schema.json. Returns 0,
 * or -1 (71); write errors are the stream's.
 */
int cw_coverage_write(FILE *out, const cw_coverage_report *r, cw_coverage_format format,
                      cw_error *err);

#endif
