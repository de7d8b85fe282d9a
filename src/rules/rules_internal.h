/*
 * rules_internal.h - internal to the rules module: what libcyaml loads (the y_*
 * structs, every value a string), and the loader the two passes share. rules_load.c reads
 * the file and runs libcyaml (the only file that includes <cyaml/cyaml.h>);
 * rules_check.c is the semantic pass that builds the cw_rules model from the y_* tree;
 * rules_model.c frees and queries the model.
 */
#ifndef CAUSEWAY_RULES_INTERNAL_H
#define CAUSEWAY_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "causeway/rules/rules.h"
#include "causeway/rules/rules_pos.h"

#define MAX_ID_BYTES     64
#define MAX_DIAGS        100
#define WEIGHT_TOLERANCE 1e-6
/* Suggestions compare against every id: skip them for absurdly many ids. */
#define MAX_SUGGEST_IDS 1000
#define CY_LOG_BYTES    4096

/* ---- what libcyaml loads ------------------------------------------------- */

typedef struct y_area {
    char *id;
    char *name;
    char *owner;
    char *remediation;
} y_area;

typedef struct y_near {
    char *first;
    char *then;
    char *within;
} y_near;

typedef struct y_match {
    char **any;
    unsigned any_count;
    char **regex;
    unsigned regex_count;
    char **all;
    unsigned all_count;
    char **unless;
    unsigned unless_count;
    y_near *near;
    unsigned near_count;
    char *negation;
} y_match;

typedef struct y_where {
    char **channel;
    unsigned channel_count;
    char **site;
    unsigned site_count;
    char **product;
    unsigned product_count;
    char **segment;
    unsigned segment_count;
} y_where;

typedef struct y_cause {
    char *area;
    char *weight;
} y_cause;

typedef struct y_examples {
    char **match;
    unsigned match_count;
    char **no_match;
    unsigned no_match_count;
} y_examples;

typedef struct y_symptom {
    char *id;
    char *name;
    char *severity;
    char *status;
    y_where *where;
    y_match *match;
    y_cause *causes;
    unsigned causes_count;
    y_examples *examples;
} y_symptom;

typedef struct y_rules {
    char *version;
    y_area *cause_areas;
    unsigned cause_areas_count;
    y_symptom *symptoms;
    unsigned symptoms_count;
} y_rules;

typedef struct diag_entry {
    cw_pos pos;
    size_t seq; /* report order, to keep the sort stable */
    char msg[320];
} diag_entry;

/* An id with where it was written, sorted by id for duplicate checks and lookups. */
typedef struct id_ref {
    const char *id;
    cw_pos pos;
    size_t index;
} id_ref;

typedef struct cy_log {
    char text[CY_LOG_BYTES];
    size_t len;
} cy_log;

typedef struct loader {
    const char *name;
    FILE *diag;
    cw_rules_mem mem;
    cw_rules *rules;   /* being built */
    id_ref *areas;     /* sorted by id */
    id_ref *terms;     /* sorted by name */
    size_t *area_seen; /* per area: 1 + index of the last symptom that listed it */
    diag_entry diags[MAX_DIAGS];
    size_t ndiags;
    size_t dropped; /* errors past MAX_DIAGS */
    cy_log log;
} loader;

/* Collect an error at pos (at most MAX_DIAGS are kept; the rest are counted). */
void ld_report(loader *ld, cw_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Zeroed memory from the loader's allocator, or NULL. */
void *ld_calloc(loader *ld, size_t n, size_t size);
/* A copy of s from the loader's allocator, or NULL. */
char *ld_strdup(loader *ld, const char *s);
/* Release p (from ld_calloc or ld_strdup); NULL is a no-op. */
void ld_free(loader *ld, void *p);
/*
 * Text from the rule file shown in a message: at most 40 bytes, cut on a
 * character boundary, control characters replaced. Returns buf.
 */
const char *ld_shown(char *buf, size_t size, const char *text);
/* " (did you mean 'x'?)" or "" into buf; returns buf. */
const char *did_you_mean(char *buf, size_t size, const char *word, const char *const *cands,
                         size_t n);

/*
 * rules_check.c: the semantic pass. Build ld->rules from the libcyaml tree y and its
 * position tree root, collecting every error with ld_report. Returns -1 only when out of
 * memory; errors in the file are counted in ld->ndiags.
 */
int rules_build_model(loader *ld, const y_rules *y, const cw_ynode *root);

#endif
