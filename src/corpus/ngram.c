/* ngram.c - the distinct 1-3-word phrases of a complaint; see ngram.h. */
#include "causeway/corpus/ngram.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/hash.h"

#define STOP_BITS  9u /* the stop-word set has 512 slots, over twice its words */
#define STOP_SLOTS (1u << STOP_BITS)

/* What a word may do in a phrase. */
enum {
    WORD_CONTENT = 0, /* anything */
    WORD_STOP,        /* neither start nor end a phrase, nor stand alone */
    WORD_NEGATOR,     /* start one ("not working", "never arrived"), but not end it */
};

struct cw_ngrams {
    uint64_t stop_hash[STOP_SLOTS]; /* 0 = free slot */
    unsigned char stop_kind[STOP_SLOTS];
    /* The words of the last complaint, lower-cased, one space apart: a phrase is a slice. */
    char *low;
    size_t low_len, low_cap;
    uint32_t *word_start; /* per word: offset in low */
    uint64_t *word_hash;
    unsigned char *word_kind;
    size_t word_count, word_cap;
    cw_ngram *items; /* the distinct phrases */
    size_t count, cap;
    /* Set of the hashes in items; a slot is used when its stamp is the current one. */
    uint64_t *set_hash;
    uint32_t *set_stamp;
    size_t set_cap;
    uint32_t stamp;
};

static const char *const stop_words[] = {
    "a",          "about",     "above",  "after",   "against", "all",        "also",    "am",
    "an",         "and",       "any",    "are",     "as",      "at",         "be",      "because",
    "been",       "before",    "being",  "below",   "between", "both",       "but",     "by",
    "can",        "could",     "did",    "do",      "does",    "doing",      "down",    "during",
    "each",       "few",       "for",    "from",    "further", "get",        "got",     "had",
    "has",        "have",      "having", "he",      "he'd",    "he'll",      "he's",    "her",
    "here",       "here's",    "hers",   "herself", "him",     "himself",    "his",     "how",
    "how's",      "i",         "i'd",    "i'll",    "i'm",     "i've",       "if",      "im",
    "in",         "into",      "is",     "it",      "it's",    "its",        "itself",  "ive",
    "just",       "let's",     "me",     "more",    "most",    "my",         "myself",  "of",
    "off",        "on",        "once",   "only",    "or",      "other",      "ought",   "our",
    "ours",       "ourselves", "out",    "over",    "own",     "same",       "she",     "she'd",
    "she'll",     "she's",     "should", "so",      "some",    "such",       "than",    "that",
    "that's",     "the",       "their",  "theirs",  "them",    "themselves", "then",    "there",
    "there's",    "these",     "they",   "they'd",  "they'll", "they're",    "they've", "this",
    "those",      "through",   "to",     "too",     "under",   "until",      "up",      "us",
    "very",       "was",       "we",     "we'd",    "we'll",   "we're",      "we've",   "were",
    "what",       "what's",    "when",   "when's",  "where",   "where's",    "which",   "while",
    "who",        "who's",     "whom",   "why",     "why's",   "will",       "with",    "would",
    "you",        "you'd",     "you'll", "you're",  "you've",  "your",       "yours",   "yourself",
    "yourselves",
};

static const char *const negators[] = {
    "no",        "not",      "never",  "nothing", "nobody",   "nor",     "without",  "cannot",
    "can't",     "cant",     "don't",  "dont",    "didn't",   "didnt",   "doesn't",  "doesnt",
    "won't",     "wont",     "wasn't", "wasnt",   "isn't",    "isnt",    "haven't",  "havent",
    "hasn't",    "hasnt",    "hadn't", "hadnt",   "couldn't", "couldnt", "wouldn't", "wouldnt",
    "shouldn't", "shouldnt", "aren't", "arent",   "weren't",  "werent",
};

/* FNV-1a over a word's bytes; never 0 (0 marks a free slot). */
static uint64_t word_hash(const char *w, size_t n)
{
    uint64_t h = cw_hash_fnv(CW_HASH_FNV_OFFSET, w, n);
    return h != 0 ? h : 1;
}

/* The hash of a phrase from the hashes of its words; never 0. */
static uint64_t phrase_hash(const uint64_t *words, size_t n)
{
    uint64_t h = words[0];
    for (size_t i = 1; i < n; i++)
        h = cw_hash_mix(h * UINT64_C(0x9e3779b97f4a7c15) + words[i]);
    h = cw_hash_mix(h + n);
    return h != 0 ? h : 1;
}

static size_t stop_slot(uint64_t h)
{
    return (size_t)(h >> (64u - STOP_BITS));
}

static void stop_add(cw_ngrams *g, const char *w, unsigned char kind)
{
    uint64_t h = word_hash(w, strlen(w));
    size_t i = stop_slot(h);
    while (g->stop_hash[i] != 0 && g->stop_hash[i] != h)
        i = (i + 1) % STOP_SLOTS;
    g->stop_hash[i] = h;
    g->stop_kind[i] = kind;
}

static unsigned char kind_of(const cw_ngrams *g, uint64_t h)
{
    for (size_t i = stop_slot(h); g->stop_hash[i] != 0; i = (i + 1) % STOP_SLOTS)
        if (g->stop_hash[i] == h)
            return g->stop_kind[i];
    return WORD_CONTENT;
}

int cw_ngrams_new(cw_ngrams **out, cw_error *err)
{
    *out = NULL;
    cw_ngrams *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    static_assert(sizeof(stop_words) / sizeof(stop_words[0]) +
                          sizeof(negators) / sizeof(negators[0]) <
                      STOP_SLOTS / 2,
                  "keep the stop-word set sparse");
    for (size_t i = 0; i < sizeof(stop_words) / sizeof(stop_words[0]); i++)
        stop_add(g, stop_words[i], WORD_STOP);
    for (size_t i = 0; i < sizeof(negators) / sizeof(negators[0]); i++)
        stop_add(g, negators[i], WORD_NEGATOR);
    *out = g;
    return 0;
}

void cw_ngrams_free(cw_ngrams *g)
{
    if (g == NULL)
        return;
    free(g->low);
    free(g->word_start);
    free(g->word_hash);
    free(g->word_kind);
    free(g->items);
    free(g->set_hash);
    free(g->set_stamp);
    free(g);
}

/* ---- characters ------------------------------------------------------------------- */

typedef enum cls { C_SPACE, C_BREAK, C_WORD, C_JOIN } cls;

/*
 * The class of the character at t[i] and its length in bytes: letters and digits (and
 * UTF-8 letters) are word characters, apostrophes and hyphens join words, whitespace
 * separates them, everything else ends a clause. Beyond ASCII this follows the matcher's
 * word characters (matcher.h): general punctuation, symbols and arrows (U+2000-U+2BFF),
 * CJK punctuation, full-width punctuation and emoji are not letters; the spaces among them
 * separate words, the rest end the clause. Other UTF-8 and invalid bytes count as letters.
 */
static cls classify(const unsigned char *t, size_t n, size_t i, size_t *len, bool *apostrophe)
{
    unsigned char c = t[i];
    *len = 1;
    *apostrophe = false;
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            return C_WORD;
        if (c == '\'' || c == '-') {
            *apostrophe = c == '\'';
            return C_JOIN;
        }
        return c == ' ' || (c >= '\t' && c <= '\r') ? C_SPACE : C_BREAK;
    }
    unsigned char d = i + 1 < n ? t[i + 1] : 0, e = i + 2 < n ? t[i + 2] : 0;
    if (c == 0xc2 && d >= 0x80 && d <= 0xbf) { /* Latin-1 punctuation and symbols */
        *len = 2;
        return d == 0xa0 ? C_SPACE : C_BREAK;
    }
    if ((c == 0xc3 && (d == 0x97 || d == 0xb7))) { /* multiplication and division signs */
        *len = 2;
        return C_BREAK;
    }
    if (c == 0xe2 && d >= 0x80 && d <= 0xaf && e >= 0x80 && e <= 0xbf) { /* U+2000-U+2BFF */
        *len = 3;
        if (d == 0x80 && (e == 0x98 || e == 0x99)) { /* typographic apostrophes */
            *apostrophe = true;
            return C_JOIN;
        }
        if (d == 0x80 && (e == 0x90 || e == 0x91)) /* hyphens */
            return C_JOIN;
        if (d == 0x80 && (e <= 0x8f || (e >= 0xa8 && e <= 0xaf))) /* spaces, separators */
            return C_SPACE;
        return C_BREAK;
    }
    if ((c == 0xe3 && d == 0x80) || (c == 0xef && d == 0xbc && e <= 0xa0) ||
        (c == 0xef && d == 0xbb && e == 0xbf)) { /* CJK and full-width punctuation, BOM */
        *len = i + 3 <= n ? 3 : n - i;
        return c == 0xef && d == 0xbb ? C_SPACE : C_BREAK;
    }
    if (c == 0xf0 && d == 0x9f) { /* emoji and pictographs */
        *len = i + 4 <= n ? 4 : n - i;
        return C_BREAK;
    }
    return C_WORD;
}

/* ---- growing buffers ----------------------------------------------------------------- */

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (q == NULL)
        return false;
    *p = q;
    *cap = n;
    return true;
}

static bool grow_words(cw_ngrams *g, size_t need)
{
    if (need <= g->word_cap)
        return true;
    size_t cap = g->word_cap, c1 = cap, c2 = cap;
    if (!grow((void **)&g->word_start, &cap, need, sizeof(*g->word_start)) ||
        !grow((void **)&g->word_hash, &c1, need, sizeof(*g->word_hash)) ||
        !grow((void **)&g->word_kind, &c2, need, sizeof(*g->word_kind)))
        return false;
    g->word_cap = cap;
    return true;
}

/* Room for twice the phrases found so far, rehashing those of this complaint. */
static bool grow_set(cw_ngrams *g)
{
    size_t cap = g->set_cap ? g->set_cap * 2 : 256;
    uint64_t *h = calloc(cap, sizeof(*h));
    uint32_t *s = calloc(cap, sizeof(*s));
    if (h == NULL || s == NULL) {
        free(h);
        free(s);
        return false;
    }
    free(g->set_hash);
    free(g->set_stamp);
    g->set_hash = h;
    g->set_stamp = s;
    g->set_cap = cap;
    g->stamp = 1;
    for (size_t k = 0; k < g->count; k++) {
        size_t i = (size_t)g->items[k].hash & (cap - 1);
        while (s[i] == 1)
            i = (i + 1) & (cap - 1);
        h[i] = g->items[k].hash;
        s[i] = 1;
    }
    return true;
}

/* Add the phrase of `n` words ending at word `last`, unless this complaint has it already. */
static bool offer(cw_ngrams *g, size_t last, size_t n)
{
    size_t first = last + 1 - n;
    unsigned char head = g->word_kind[first], tail = g->word_kind[last];
    if (head == WORD_STOP || tail != WORD_CONTENT)
        return true;
    uint64_t h = phrase_hash(g->word_hash + first, n);
    if ((g->count + 1) * 2 > g->set_cap && !grow_set(g))
        return false;
    size_t mask = g->set_cap - 1, i = (size_t)h & mask;
    for (; g->set_stamp[i] == g->stamp; i = (i + 1) & mask)
        if (g->set_hash[i] == h)
            return true;
    if (!grow((void **)&g->items, &g->cap, g->count + 1, sizeof(*g->items)))
        return false;
    g->set_hash[i] = h;
    g->set_stamp[i] = g->stamp;
    g->items[g->count++] = (cw_ngram){h, (uint32_t)first, (uint8_t)n};
    return true;
}

/* ASCII character classes, for the fast path of the scan (see classify for the meaning). */
enum { A_SPACE = 0, A_BREAK, A_LETTER, A_DIGIT, A_JOIN, A_HIGH };

static const unsigned char ascii_class[256] = {
    /* everything else below 0x80 is punctuation: A_BREAK, filled in by the ranges below */
    ['\t'] = A_SPACE + 8,
    ['\n'] = A_SPACE + 8,
    ['\v'] = A_SPACE + 8,
    ['\f'] = A_SPACE + 8,
    ['\r'] = A_SPACE + 8,
    [' '] = A_SPACE + 8,
    ['\''] = A_JOIN + 8,
    ['-'] = A_JOIN + 8,
    ['0'] = A_DIGIT + 8,
    ['1'] = A_DIGIT + 8,
    ['2'] = A_DIGIT + 8,
    ['3'] = A_DIGIT + 8,
    ['4'] = A_DIGIT + 8,
    ['5'] = A_DIGIT + 8,
    ['6'] = A_DIGIT + 8,
    ['7'] = A_DIGIT + 8,
    ['8'] = A_DIGIT + 8,
    ['9'] = A_DIGIT + 8,
#define L(c) [c] = A_LETTER + 8, [c - 'a' + 'A'] = A_LETTER + 8
    L('a'),
    L('b'),
    L('c'),
    L('d'),
    L('e'),
    L('f'),
    L('g'),
    L('h'),
    L('i'),
    L('j'),
    L('k'),
    L('l'),
    L('m'),
    L('n'),
    L('o'),
    L('p'),
    L('q'),
    L('r'),
    L('s'),
    L('t'),
    L('u'),
    L('v'),
    L('w'),
    L('x'),
    L('y'),
    L('z'),
#undef L
};

/* The class of byte c: entries are stored +8 so that 0 (unlisted ASCII) means A_BREAK. */
static unsigned char byte_class(unsigned char c)
{
    return c >= 0x80 ? A_HIGH : ascii_class[c] == 0 ? A_BREAK : (unsigned char)(ascii_class[c] - 8);
}

/*
 * One word from t[*at] (a word character): its lower-cased bytes into g->low + start (at
 * most CW_NGRAM_MAX_WORD of them), its length, hash and whether it is dropped (a number,
 * a redaction, too long). ASCII letters and digits take the fast path; anything else goes
 * through classify().
 */
static size_t read_word(cw_ngrams *g, const unsigned char *t, size_t len, size_t *at, size_t start,
                        uint64_t *hash, bool *drop)
{
    size_t i = *at, n = 0;
    uint64_t h = CW_HASH_FNV_OFFSET;
    bool digit = false, xs = true;
    char *out = g->low + start;
    while (i < len) {
        unsigned char c = t[i], k = byte_class(c);
        size_t clen = 1;
        bool apostrophe = c == '\'';
        if (k == A_HIGH) {
            cls x = classify(t, len, i, &clen, &apostrophe);
            k = x == C_WORD ? A_LETTER : x == C_JOIN ? A_JOIN : A_BREAK;
        }
        if (k == A_JOIN) {
            /* A join character belongs to the word only between two word characters. */
            size_t next = i + clen;
            if (next >= len)
                break;
            unsigned char nk = byte_class(t[next]);
            if (nk == A_HIGH) {
                size_t nl;
                bool na;
                nk = classify(t, len, next, &nl, &na) == C_WORD ? A_LETTER : A_BREAK;
            }
            if (nk != A_LETTER && nk != A_DIGIT)
                break;
            unsigned char b = apostrophe ? '\'' : '-';
            if (n < CW_NGRAM_MAX_WORD)
                out[n] = (char)b;
            h = (h ^ b) * CW_HASH_FNV_PRIME;
            xs = false;
            n++;
            i = next;
            continue;
        }
        if (k != A_LETTER && k != A_DIGIT)
            break;
        for (size_t j = 0; j < clen; j++, n++) {
            unsigned char b = t[i + j];
            if (b >= 'A' && b <= 'Z')
                b = (unsigned char)(b + ('a' - 'A'));
            if (n < CW_NGRAM_MAX_WORD)
                out[n] = (char)b;
            h = (h ^ b) * CW_HASH_FNV_PRIME;
            xs = xs && b == 'x';
        }
        digit = digit || k == A_DIGIT;
        i += clen;
    }
    *at = i;
    *hash = h != 0 ? h : 1;
    *drop = n > CW_NGRAM_MAX_WORD || digit || (xs && n >= 2);
    return n;
}

int cw_ngrams_scan(cw_ngrams *g, const char *text, size_t len, cw_error *err)
{
    const unsigned char *t = (const unsigned char *)text;
    g->count = g->word_count = g->low_len = 0;
    if (++g->stamp == 0) { /* stamps wrapped: forget every slot */
        if (g->set_stamp != NULL)
            memset(g->set_stamp, 0, g->set_cap * sizeof(*g->set_stamp));
        g->stamp = 1;
    }
    /* A word and the space after it take at most one byte more than the text they came
     * from: room for all of them at once keeps the loop free of checks. */
    if (!grow((void **)&g->low, &g->low_cap, len + 2, 1))
        goto oom;
    size_t run = 0; /* words of the current clause, up to CW_NGRAM_MAX_WORDS */
    size_t i = 0;
    while (i < len) {
        unsigned char k = byte_class(t[i]);
        size_t clen = 1;
        if (k == A_HIGH) {
            bool apostrophe;
            cls c = classify(t, len, i, &clen, &apostrophe);
            k = c == C_WORD ? A_LETTER : c == C_SPACE ? A_SPACE : A_BREAK;
        }
        if (k != A_LETTER && k != A_DIGIT) {
            if (k != A_SPACE)
                run = 0; /* punctuation, and a join character outside a word, end the clause */
            i += clen;
            continue;
        }
        size_t start = g->low_len;
        uint64_t h;
        bool drop;
        size_t n = read_word(g, t, len, &i, start, &h, &drop);
        if (drop) {
            run = 0;
            continue;
        }
        if (!grow_words(g, g->word_count + 1))
            goto oom;
        size_t w = g->word_count++;
        g->word_start[w] = (uint32_t)start;
        g->word_hash[w] = h;
        g->word_kind[w] = kind_of(g, h);
        g->low_len = start + n;
        g->low[g->low_len++] = ' ';
        if (run < CW_NGRAM_MAX_WORDS)
            run++;
        for (size_t j = 1; j <= run; j++)
            if (!offer(g, w, j))
                goto oom;
    }
    return 0;
oom:
    g->count = 0;
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory splitting a complaint into phrases");
}

const cw_ngram *cw_ngrams_items(const cw_ngrams *g, size_t *count)
{
    *count = g->count;
    return g->items;
}

size_t cw_ngrams_text(const cw_ngrams *g, const cw_ngram *p, char *buf)
{
    size_t last = p->first + p->words - 1u;
    size_t from = g->word_start[p->first];
    /* The last word ends where the space after it was written. */
    size_t to = last + 1 < g->word_count ? g->word_start[last + 1] - 1 : g->low_len - 1;
    size_t n = to - from;
    memcpy(buf, g->low + from, n);
    buf[n] = '\0';
    return n;
}

uint64_t cw_ngrams_hash_text(const char *text)
{
    uint64_t words[CW_NGRAM_MAX_WORDS];
    size_t n = 0;
    for (const char *p = text; *p != '\0' && n < CW_NGRAM_MAX_WORDS;) {
        size_t k = strcspn(p, " ");
        words[n++] = word_hash(p, k);
        p += k;
        while (*p == ' ')
            p++;
    }
    return n > 0 ? phrase_hash(words, n) : 1;
}
