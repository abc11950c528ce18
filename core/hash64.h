/* hash64.h: the one integer hash of the open-addressing tables (processes, kernel names, compiled regions, kernel
 * sequences): a 64-bit finaliser that spreads every key bit over the low bits a power-of-two mask keeps. */
#ifndef WP_HASH64_H
#define WP_HASH64_H

#include <stddef.h>
#include <stdint.h>

static inline size_t wp_hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

#endif
