/*
 * matcher.h - recognise a rule set's symptoms in complaint text with Vectorscan.
 *
 * Every pattern of every symptom (phrases, regexes, `near` phrases, `all`
 * entries, `unless` vetoes) is compiled into ONE Vectorscan database, so classifying a complaint
 * is one linear pass over its body whatever the size of the rule set. Phrases
 * become plain literals (fast); regexes are in that pass too, without start
 * offsets, and only a regex that fired there is scanned again, alone and with
 * start offsets, to find its span. Only src/match/ includes <hs/hs.h>.
 *
 * Semantics ("causeway-matcher/1"; a change here must bump cw_matcher_version):
 *   - The body is matched as if every run of whitespace were one space and
 *     typographic apostrophes (U+2018, U+2019) were ASCII ones; spans are
 *     still given in bytes of the original body.
 *   - Phrases are case-insensitive (ASCII) and word-bounded: "late" matches
 *     "LATE!" but not "later" or "chocolate". Word characters are ASCII
 *     letters, digits, '_' and non-ASCII letters (UTF-8; punctuation, spaces
 *     and symbols such as curly quotes or a no-break space are not; invalid
 *     bytes count as word characters, so a match never splits one).
 *   - A space in a phrase matches any run of whitespace (spaces, tabs, newlines).
 *   - `word*` is a prefix wildcard: "refund*" matches "refund", "refunds",
 *     "refunded"; the evidence span covers the whole word.
 *   - `{name}` expands to the alternatives of term list `name`.
 *   - An apostrophe in a phrase also matches the typographic one.
 *   - Other punctuation in a phrase is literal.
 *   - Regexes are Vectorscan syntax, caseless, as written (no word bounds
 *     added, no UTF-8 mode: bodies are untrusted bytes and are never
 *     validated), over the normalised text described above.
 *   - `near: {first: P, then: Q, within: N}` hits where a match of phrase P is
 *     followed by a match of phrase Q starting at or after P's end, with at
 *     most N words (runs of word characters, as above) and no sentence end
 *     (. ! ? ;) between them. The hit spans P's start to Q's end and is an
 *     ordinary hit otherwise: negation looks before P's start.
 *   - Negation (`negation: true`, the default): an `any`/`regex`/`near` hit is
 *     cancelled when a negator (not, no, never, n't, without, nothing, none,
 *     hardly, neither, nor, cannot, ...) occurs among the 3 words before it in the
 *     same clause. The look-back stops at . ! ? ; and at "but", and is bounded in
 *     bytes, so "was not rude" is no discourtesy while "not only late but rude"
 *     is; "not only"/"not just" are intensifiers, not negators.
 *   - A symptom fires when it has at least one hit that is not negated, every
 *     `all` entry matches somewhere in the body, no `unless` entry matches
 *     anywhere, and every `where` condition holds (the complaint's field equals
 *     one of the listed values, ASCII case-insensitively; an absent field fails).
 *   - Evidence is the non-negated hit that starts first (ties: ends first).
 *
 * Bodies are arbitrary bytes (NUL, invalid UTF-8, binary junk, 10 MB): time is
 * linear in the body (near pairs: plus sorting their matches), memory is
 * bounded by the rule set and the body (a scan keeps its near match buffers,
 * grown to the largest body it has seen, until it is freed).
 */
#ifndef CAUSEWAY_MATCHER_H
#define CAUSEWAY_MATCHER_H

#include <stddef.h>
#include <stdio.h>

#include "causeway/util/error.h"
#include "causeway/rules/rules.h"

/* Refuse rule sets that would make Vectorscan compile for minutes or build a huge database. */
#define CW_MATCHER_MAX_EXPANDED_BYTES (64u * 1024u)        /* one pattern after {term} expansion */
#define CW_MATCHER_MAX_TOTAL_BYTES    (8u * 1024u * 1024u) /* all patterns after expansion */
#define CW_MATCHER_MAX_REPEAT         1000u                /* largest {n,m} bound in a regex */

typedef struct cw_matcher cw_matcher; /* compiled from a cw_rules; immutable after new */
typedef struct cw_scan cw_scan;       /* per-thread scratch and hit buffers */

/* One complaint to classify; everything is borrowed for the duration of the call. */
typedef struct cw_complaint {
    const char *id;                     /* may be NULL */
    const char *body;                   /* need not be NUL-terminated, may be invalid UTF-8 */
    size_t body_len;                    /* bytes of body */
    const char *fields[CW_FIELD_COUNT]; /* channel, site, product, segment; NULL = absent */
} cw_complaint;

/* A symptom that fires, with the span of its evidence. */
typedef struct cw_hit {
    size_t symptom;    /* index into rules->symptoms */
    size_t start, end; /* byte span [start, end) in the body of the evidence */
} cw_hit;

/*
 * Compile every pattern of `rules` (borrowed: it must outlive the matcher) into
 * *out. On failure *out is NULL and err holds the reason: 65 with
 * `file:line:col` of the offending pattern ("pattern '...' cannot be compiled:
 * <vectorscan message>", or a compile-budget refusal, see the limits above),
 * 71 when out of memory.
 */
int cw_matcher_new(cw_matcher **out, const cw_rules *rules, cw_error *err);

/*
 * As cw_matcher_new, and every rule-set error (65) is also written to `diag` as one
 * `file:line:col: error: ...` line: each regex that cannot be compiled, not only the
 * first, so an author sees them all in one pass (as cw_rules_load does). err holds the
 * first; 70 and 71 are only in err. For `causeway check`.
 */
int cw_matcher_new_diag(cw_matcher **out, const cw_rules *rules, FILE *diag, cw_error *err);

/*
 * The compiled databases of `m` as one blob (*blob malloc'ed, caller frees), so that a
 * later run of the same rule set can skip the compile (0.25 s for the default rules)
 * with cw_matcher_load. The blob fits only the same rules, cw_matcher_build_id and CPU
 * family. Returns 0, or -1 (71).
 */
int cw_matcher_save(char **blob, size_t *len, const cw_matcher *m, cw_error *err);

/*
 * As cw_matcher_new, with the databases taken from a cw_matcher_save blob of a matcher
 * built from the same `rules`. Returns 0; 1 with *out NULL and err untouched when the
 * blob does not fit (another build or CPU, or damaged: compile instead); -1 (71).
 * The blob is trusted as Vectorscan's own output: keep it where only causeway writes.
 */
int cw_matcher_load(cw_matcher **out, const cw_rules *rules, const char *blob, size_t len,
                    cw_error *err);

/* What a saved blob depends on besides the rules: matcher semantics and Vectorscan. */
const char *cw_matcher_build_id(void);

/* Release a matcher; NULL is a no-op. Every cw_scan of it must be freed first. */
void cw_matcher_free(cw_matcher *m);

/*
 * Per-thread state for classifying with `m` (borrowed; must outlive the scan).
 * A matcher may have any number of scans, each used by one thread at a time.
 * On failure *out is NULL and err is set (71 out of memory).
 */
int cw_scan_new(cw_scan **out, const cw_matcher *m, cw_error *err);

/* Release a scan; NULL is a no-op. */
void cw_scan_free(cw_scan *s);

/*
 * Classify one complaint: ONE Vectorscan pass over the (normalised) body for
 * all patterns of all symptoms, plus one pass per regex that fired in it. On
 * success *hits points to *count hits sorted by symptom index, at most one per
 * symptom, owned by `scan` and valid until the next call on it. On failure
 * *hits is NULL, *count 0 and err is set (65 when the body is longer than
 * 4 GiB - 1, 70 when Vectorscan fails, 71 out of memory).
 */
int cw_matcher_classify(const cw_hit **hits, size_t *count, cw_scan *scan, const cw_complaint *c,
                        cw_error *err);

/*
 * Scan body[0, len) with the rule set's main database only, and count
 * Vectorscan's reports without interpreting them: no normalising, no word
 * bounds, no pairing, no regex spans, no verdicts. What that costs is the
 * ceiling of cw_matcher_classify's speed for a rule set, which `make
 * bench-classify` reports beside it. Returns the number of reports, or -1 with
 * err set (65 when the body is longer than 4 GiB - 1, 70 when Vectorscan fails).
 */
long long cw_matcher_count_reports(cw_scan *scan, const char *body, size_t len, cw_error *err);

/* Why a symptom fired or not in the last cw_matcher_classify call of a scan. */
typedef enum cw_matcher_why {
    CW_WHY_FIRED = 0,
    CW_WHY_NO_HIT,      /* no `any` phrase, `regex` or `near` entry matched */
    CW_WHY_NEGATED,     /* every hit had a negator shortly before it */
    CW_WHY_ALL_MISSING, /* an `all` entry matched nowhere */
    CW_WHY_VETOED,      /* an `unless` entry matched */
    CW_WHY_WHERE,       /* a `where` condition does not hold */
} cw_matcher_why;

/*
 * Explain symptom `symptom` (index into the rules' symptoms) for the complaint
 * of the last successful cw_matcher_classify on `scan` (which must have
 * happened, and whose complaint must still be valid). For `causeway check`.
 */
cw_matcher_why cw_matcher_explain(const cw_scan *scan, size_t symptom);

/* The rule set the matcher was compiled from (borrowed). */
const cw_rules *cw_matcher_rules(const cw_matcher *m);

/* ---- rule-entry statistics (`causeway coverage`) -------------------------------------------
 *
 * Every entry of the rule set a complaint can match is numbered: per symptom, in rule-file
 * order of the lists, its `any` phrases, `regex`es, `near` entries, `all` phrases, `unless`
 * vetoes and `where` conditions; then every phrase of every term list. A scan counts, per
 * entry and per symptom, what the complaints it classified did, once per complaint, only
 * after cw_scan_stats_enable: a scan without statistics runs the same code as before they
 * existed (the counting is a separate instantiation of the match callback), so classify and
 * run pay nothing for them. Classification itself is identical either way.
 */

typedef enum cw_entry_kind {
    CW_ENTRY_ANY = 0,
    CW_ENTRY_REGEX,
    CW_ENTRY_NEAR,
    CW_ENTRY_ALL,
    CW_ENTRY_UNLESS,
    CW_ENTRY_WHERE,
    CW_ENTRY_TERM,
} cw_entry_kind;

/* One numbered entry; everything is borrowed from the rule set. */
typedef struct cw_entry {
    cw_entry_kind kind;
    size_t owner; /* symptom index; for CW_ENTRY_TERM the term-list index */
    size_t index; /* position in its list (any[index], near[index], where[index], phrases[index]) */
    cw_pos pos;   /* where it is written */
    /*
     * CW_ENTRY_TERM: whether any compiled literal uses this term phrase. A term list used only
     * inside phrases too large to expand (they are compiled as one regex) cannot be told
     * apart in a match: such entries are not counted, and are not reported as dead.
     */
    bool tracked;
} cw_entry;

/*
 * Per entry, in complaints (each complaint counts at most once per number):
 *   hits:       it matched: any/regex/near/term phrases with a match not cancelled by a
 *               negator (a term phrase counts when a phrase using it matched; for the
 *               phrases of a `near` entry, paired or not), all/unless phrases when present,
 *               where conditions when they hold;
 *   negated:    any/regex/near/term: it matched, but every match had a negator before it;
 *   suppressed: unless: it matched where its symptom would otherwise have fired; where:
 *               the condition failed where its symptom had a hit, its `all` entries and
 *               no veto (so it held the symptom back).
 */
typedef struct cw_entry_stats {
    unsigned long long hits, negated, suppressed;
} cw_entry_stats;

/*
 * Per symptom, in complaints: `fired`, and the complaints each mechanism alone kept it from
 * firing (it would have fired without that one mechanism, the others unchanged):
 *   negated:    all its hits were negated;
 *   vetoed:     an `unless` entry matched;
 *   held_all:   an `all` entry was missing;
 *   held_where: a `where` condition failed.
 */
typedef struct cw_symptom_stats {
    unsigned long long fired, negated, vetoed, held_all, held_where;
} cw_symptom_stats;

typedef struct cw_match_stats {
    unsigned long long complaints; /* classified with statistics on */
    cw_entry_stats *entries;       /* cw_matcher_entry_count of them */
    cw_symptom_stats *symptoms;    /* one per symptom */
} cw_match_stats;

/* Number of entries of the matcher's rule set, and entry i (< count; borrowed). */
size_t cw_matcher_entry_count(const cw_matcher *m);
const cw_entry *cw_matcher_entry(const cw_matcher *m, size_t i);

/*
 * Start counting: every later successful cw_matcher_classify on `scan` adds its complaint
 * to the scan's statistics (all zero at first). Idempotent. On failure (71) the scan is
 * unchanged and still classifies, without statistics.
 */
int cw_scan_stats_enable(cw_scan *scan, cw_error *err);

/* The statistics of `scan` (owned by it), or NULL when they were never enabled. */
const cw_match_stats *cw_scan_stats(const cw_scan *scan);

/*
 * "causeway-matcher/1": the version of the semantics above. It is part of the
 * rule-set hash, so a change of semantics re-classifies stored complaints.
 */
const char *cw_matcher_version(void);

#endif
