/*
 * rules_pos.h - a position tree of a YAML file (rule files, and the config file).
 *
 * libcyaml 1.3.1 reports no positions for values it accepted, expands aliases,
 * drops a second document and recurses on nesting. So before libcyaml runs, one
 * libyaml event pass (src/rules/rules_pos.c) checks the bytes (UTF-8, NUL, control
 * characters), rejects anchors, aliases, tags, a second document, deep nesting,
 * duplicate keys and oversized node counts, and records every node with its
 * start mark. The loader (src/rules/rules_load.c) then reads positions, presence of keys
 * and the free-form `terms` mapping from this tree.
 *
 * Used by src/rules/ and, through cw_rules_pos_parse_any, by src/store/config.c.
 */
#ifndef CAUSEWAY_RULES_POS_H
#define CAUSEWAY_RULES_POS_H

#include <stdbool.h>
#include <stddef.h>

#include "causeway/util/error.h"
#include "causeway/rules/rules.h"

/* Deeper than this cannot be a rule file (the language nests 5 levels). */
#define CW_RULES_POS_MAX_DEPTH 16
/* More nodes than this is not a hand-written rule set; keeps memory bounded. */
#define CW_RULES_POS_MAX_NODES 500000u

/*
 * The loader's allocator: realloc semantics, size 0 frees. Test builds
 * (CW_FAULT_HOOKS) fail the N-th call when CW_FAULT_RULES_ALLOC=N is set, so
 * tests can prove every allocation failure path ends in exit 71 without a leak.
 */
typedef struct cw_rules_mem {
    unsigned long calls;   /* allocations so far */
    unsigned long fail_at; /* 1-based call to fail; 0 = never */
    bool failed;           /* an allocation failed (injected or real) */
} cw_rules_mem;

/* Initialise mem (reads CW_FAULT_RULES_ALLOC in test builds). */
void cw_rules_mem_init(cw_rules_mem *mem);

/* realloc(ptr, size), or free(ptr) and NULL when size is 0. NULL on failure (mem->failed set). */
void *cw_rules_mem_realloc(cw_rules_mem *mem, void *ptr, size_t size);

typedef enum cw_ynode_kind {
    CW_YNODE_SCALAR = 0,
    CW_YNODE_SEQUENCE,
    CW_YNODE_MAPPING,
} cw_ynode_kind;

typedef struct cw_ynode {
    cw_ynode_kind kind;
    bool plain;             /* scalar written plain: no quotes, not a block scalar */
    cw_pos pos;             /* start mark (1-based) */
    const char *text;       /* scalar value, NUL-terminated, NUL-free; NULL otherwise */
    size_t len;             /* bytes of text */
    size_t count;           /* sequence: items; mapping: key/value pairs */
    struct cw_ynode *first; /* sequence: first item; mapping: first key, its next is its value */
    struct cw_ynode *next;  /* next sibling */
} cw_ynode;

typedef struct cw_ydoc cw_ydoc;

/*
 * Check `len` bytes of `data` and build the position tree of its one YAML
 * document. The root is a mapping on success. On failure returns -1, *out is
 * NULL and err holds one positioned error (`name` is the file name used):
 * CW_EXIT_DATAERR for bad input, CW_EXIT_OSERR when an allocation failed.
 * Allocates through `mem`; free with cw_rules_pos_free.
 */
int cw_rules_pos_parse(cw_ydoc **out, const char *name, const char *data, size_t len,
                       cw_rules_mem *mem, cw_error *err);

/*
 * The same checks and tree for another YAML file kind (`what` names it in
 * messages, e.g. "configuration file"), without the rule-file root check: the
 * root may be NULL (empty or comment-only file), a scalar or a collection.
 */
int cw_rules_pos_parse_any(cw_ydoc **out, const char *what, const char *name, const char *data,
                           size_t len, cw_rules_mem *mem, cw_error *err);

/* Release the tree; NULL is a no-op. */
void cw_rules_pos_free(cw_ydoc *doc);

/* The root node (borrowed, lives as long as doc); a mapping after cw_rules_pos_parse. */
const cw_ynode *cw_rules_pos_root(const cw_ydoc *doc);

/* Value / key node of `key` in a mapping; NULL when absent or `map` is not a mapping. */
const cw_ynode *cw_rules_pos_get(const cw_ynode *map, const char *key);
const cw_ynode *cw_rules_pos_key(const cw_ynode *map, const char *key);

/* Item `index` (0-based) of a sequence; NULL when out of range or not a sequence. */
const cw_ynode *cw_rules_pos_at(const cw_ynode *seq, size_t index);

#endif
