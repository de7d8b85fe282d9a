/*
 * hash.h - the two hash functions the phrase counting and label tables share: FNV-1a
 * over bytes, and the splitmix64 finaliser that spreads a 64-bit value over all bits.
 * Header-only (static inline): they are called per word and per phrase.
 */
#ifndef CAUSEWAY_HASH_H
#define CAUSEWAY_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CW_HASH_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define CW_HASH_FNV_PRIME  UINT64_C(0x100000001b3)

/* FNV-1a of s[0, n), continuing from h (start with CW_HASH_FNV_OFFSET). */
static inline uint64_t cw_hash_fnv(uint64_t h, const void *s, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * CW_HASH_FNV_PRIME;
    return h;
}

/* splitmix64's finaliser: every output bit depends on every input bit. */
static inline uint64_t cw_hash_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

#endif
