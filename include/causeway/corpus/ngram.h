/*
 * ngram.h - the distinct 1-3-word phrases of a complaint, for phrase suggestions
 * (`causeway coverage`): candidates a rule author could paste into a rule as they are.
 *
 * Words are runs of letters and digits (ASCII, and any UTF-8 letter), with an apostrophe
 * or hyphen inside a word kept ("don't", "e-mail"; a typographic apostrophe becomes
 * ASCII), lower-cased (ASCII). A phrase is 1 to 3 consecutive words of one clause:
 * punctuation (. , ; : ! ? quotes, brackets, dashes, symbols, emoji) ends the clause,
 * spaces do not. Dropped, and ending the phrase they are in:
 *   - numbers (a word with a digit: "12", "3pm", "£351.99");
 *   - redactions: a word of only x's, at least two ("XXXX", as the CFPB writes them);
 *   - words longer than CW_NGRAM_MAX_WORD bytes (junk, URLs).
 * A phrase may not start or end with an English stop word ("the", "was", "my", ...);
 * "arrived late" and "parcel was damaged" are phrases, "the parcel" and "was" are not.
 * Each phrase counts once per complaint.
 *
 * Memory is bounded by the complaint: the buffers grow to the largest complaint seen.
 */
#ifndef CAUSEWAY_NGRAM_H
#define CAUSEWAY_NGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "causeway/util/error.h"

#define CW_NGRAM_MAX_WORDS 3u
#define CW_NGRAM_MAX_WORD  24u /* bytes */
/* Longest phrase text, NUL excluded: three words and two spaces. */
#define CW_NGRAM_MAX_TEXT (CW_NGRAM_MAX_WORDS * (CW_NGRAM_MAX_WORD + 1u) - 1u)

typedef struct cw_ngrams cw_ngrams; /* the stop words and the last complaint's phrases */

/* A phrase of the last complaint scanned. */
typedef struct cw_ngram {
    uint64_t hash;  /* of its text; phrases are told apart by it (64 bits) */
    uint32_t first; /* its first word, among the complaint's words */
    uint8_t words;  /* 1..3 */
} cw_ngram;

/* On failure *out is NULL and err is set (71). */
int cw_ngrams_new(cw_ngrams **out, cw_error *err);

/* NULL is a no-op. */
void cw_ngrams_free(cw_ngrams *g);

/*
 * Find the distinct phrases of text[0, len) (any bytes). On success they replace those of
 * the previous call; on failure (71) the previous ones are gone and none are held.
 */
int cw_ngrams_scan(cw_ngrams *g, const char *text, size_t len, cw_error *err);

/* The phrases of the last scan, in text order of their first occurrence (borrowed). */
const cw_ngram *cw_ngrams_items(const cw_ngrams *g, size_t *count);

/*
 * Write phrase p (of the last scan) into buf as its words joined by single spaces;
 * buf must hold CW_NGRAM_MAX_TEXT + 1 bytes. Returns its length.
 */
size_t cw_ngrams_text(const cw_ngrams *g, const cw_ngram *p, char *buf);

/* The hash cw_ngrams_scan gives the phrase `text` (lower-case words, single spaces). */
uint64_t cw_ngrams_hash_text(const char *text);

#endif
