/*
 * rules.h - the rule set: cause areas, symptoms, how symptoms are recognised and
 * which cause areas they implicate. Loaded from strict YAML (rules/README.md is
 * the language reference); only src/rules/rules_load.c includes <cyaml/cyaml.h>.
 *
 * The loaded model is plain C owned by one cw_rules (free with cw_rules_free):
 * patterns are kept as the author wrote them (term references like {staff}
 * unexpanded) with their file position, so the matcher can report
 * `file:line:col` when Vectorscan refuses a pattern.
 */
#ifndef CAUSEWAY_RULES_H
#define CAUSEWAY_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "causeway/util/error.h"

/* Hard limits that keep a hostile rule file cheap to reject. */
#define CW_RULES_MAX_FILE_BYTES    (4u * 1024u * 1024u)
#define CW_RULES_MAX_PATTERN_BYTES 1024u

typedef struct cw_pos {
    unsigned line;   /* 1-based; 0 when unknown */
    unsigned column; /* 1-based; 0 when unknown */
} cw_pos;

typedef struct cw_pattern {
    char *text; /* as written in the file (phrase or regex source) */
    cw_pos pos; /* where the pattern's scalar starts */
} cw_pattern;

typedef struct cw_pattern_list {
    cw_pattern *items;
    size_t count;
} cw_pattern_list;

/* Most words a `near` entry may allow between its two phrases. */
#define CW_RULES_MAX_NEAR_WITHIN 10u

/*
 * `near: [{first: P, then: Q, within: N}]`: a match of phrase P followed, in the
 * same sentence, by a match of phrase Q that starts at or after P's end with at
 * most N words in between. It counts as an `any` hit spanning P's start to Q's end.
 */
typedef struct cw_near {
    cw_pattern first; /* phrase */
    cw_pattern then;  /* phrase */
    unsigned within;  /* 0..CW_RULES_MAX_NEAR_WITHIN words between them */
    cw_pos pos;       /* where the entry's mapping starts */
} cw_near;

/*
 * How a symptom is recognised in one complaint:
 *   fires  = (some `any` phrase, `regex` or `near` entry matches, not negated)
 *            and every `all` entry matches somewhere
 *            and no `unless` entry matches anywhere.
 * Phrases: case-insensitive, word-bounded, `word*` is a prefix wildcard,
 * `{name}` expands to the named term list. Regexes: Vectorscan syntax, caseless.
 */
typedef struct cw_match_spec {
    cw_pattern_list any;    /* phrases */
    cw_pattern_list regex;  /* regular expressions */
    cw_pattern_list all;    /* phrases that must also be present */
    cw_pattern_list unless; /* vetoes: phrases that cancel the symptom */
    cw_near *near;          /* word-proximity entries */
    size_t near_count;      /* entries of near */
    bool negation;          /* true (default): a negator shortly before a hit cancels it */
} cw_match_spec;

/* Complaint fields a symptom can be conditioned on. */
typedef enum cw_field {
    CW_FIELD_CHANNEL = 0,
    CW_FIELD_SITE,
    CW_FIELD_PRODUCT,
    CW_FIELD_SEGMENT,
    CW_FIELD_COUNT
} cw_field;

/* `where: {channel: [app, web]}`: the field's value must equal one of `values`
 * (case-insensitive). A complaint without the field does not satisfy it. */
typedef struct cw_condition {
    cw_field field;
    char **values;
    size_t count;
    cw_pos pos;
} cw_condition;

typedef struct cw_cause_link {
    size_t area;   /* index into cw_rules.areas */
    double weight; /* in (0, 1]; a symptom's weights sum to 1 (within 1e-6) */
} cw_cause_link;

typedef enum cw_symptom_status {
    CW_STATUS_STABLE = 0,
    CW_STATUS_EXPERIMENTAL,
    CW_STATUS_DEPRECATED,
} cw_symptom_status;

typedef struct cw_symptom {
    char *id;     /* [a-z][a-z0-9_]*, unique */
    char *name;   /* human name */
    int severity; /* 1 (minor) .. 5 (harm, legal or safety) */
    cw_symptom_status status;
    cw_match_spec match;
    cw_condition *where;
    size_t where_count;
    cw_cause_link *causes;
    size_t cause_count;
    cw_pattern_list examples_match;    /* texts that must fire this symptom */
    cw_pattern_list examples_no_match; /* texts that must not */
    cw_pos pos;                        /* position of the symptom's mapping */
} cw_symptom;

typedef struct cw_cause_area {
    char *id;          /* [a-z][a-z0-9_]*, unique */
    char *name;        /* "Process friendliness" */
    char *owner;       /* "Operations"; may be "" */
    char *remediation; /* what to do; may be "" */
    cw_pos pos;
} cw_cause_area;

typedef struct cw_term_list {
    char *name; /* referenced as {name} inside phrases */
    cw_pattern_list phrases;
    cw_pos pos;
} cw_term_list;

typedef struct cw_rules {
    char *path;  /* file name used in diagnostics ("rules/default.yaml") */
    int version; /* language version; 1 */
    cw_cause_area *areas;
    size_t area_count;
    cw_symptom *symptoms;
    size_t symptom_count;
    cw_term_list *terms;
    size_t term_count;
    char *source; /* the file's bytes, NUL-terminated (hashed to version results) */
    size_t source_len;
} cw_rules;

/*
 * Load and validate a rule file. `path` "-" is not accepted. On success *out
 * owns a fully validated rule set. On failure *out is NULL, err holds the first
 * error (file:line:col), and every error found is also written to `diag` (may
 * be NULL) as one `file:line:col: error: ...` line each, so an author sees all
 * mistakes of a file in one pass. Exit codes: 66 unreadable, 65 invalid.
 */
int cw_rules_load(cw_rules **out, const char *path, FILE *diag, cw_error *err);

/*
 * As cw_rules_load, from memory; `name` is used in diagnostics. Used for the
 * embedded default rule set and by tests and the fuzzer.
 */
int cw_rules_parse(cw_rules **out, const char *name, const char *data, size_t len, FILE *diag,
                   cw_error *err);

/*
 * Load the default rule set compiled into the binary (rules/default.yaml, see
 * embed.h); diagnostics name it "rules/default.yaml". Same contract as
 * cw_rules_load.
 */
int cw_rules_load_default(cw_rules **out, FILE *diag, cw_error *err);

/* Release everything; NULL is a no-op. */
void cw_rules_free(cw_rules *rules);

/* Index of the symptom / cause area with this id, or -1. */
long cw_rules_find_symptom(const cw_rules *rules, const char *id);
long cw_rules_find_area(const cw_rules *rules, const char *id);

/* Term list by name, or NULL. */
const cw_term_list *cw_rules_find_terms(const cw_rules *rules, const char *name);

/* Name of a complaint field ("channel") and the reverse (-1 when unknown). */
const char *cw_field_name(cw_field field);
int cw_field_parse(const char *name);

#endif
