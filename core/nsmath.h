/* nsmath.h: saturating arithmetic on nanosecond timestamps. A trace is input like any other: a kernel may end at
 * INT64_MAX or start at INT64_MIN, and the difference or sum of two such times must clamp, not wrap (signed overflow
 * is undefined behaviour, and a wrapped duration turns an hour into a negative number). */
#ifndef WP_NSMATH_H
#define WP_NSMATH_H

#include <stdint.h>

/* a - b, clamped to [INT64_MIN, INT64_MAX]. */
static inline int64_t wp_ns_sub(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* a + b, clamped to [INT64_MIN, INT64_MAX]. */
static inline int64_t wp_ns_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b < 0 ? INT64_MIN : INT64_MAX;
    return r;
}

/* The length of [start, end) as a duration: 0 when end <= start, INT64_MAX when it does not fit. */
static inline int64_t wp_ns_span(int64_t start, int64_t end)
{
    return end > start ? wp_ns_sub(end, start) : 0;
}

/* The end of a window [start, end) cut so that end - start fits in int64 (a window over 292 years long can only come
 * from crafted timestamps): every consumer of a step or phase window can then subtract its ends. */
static inline int64_t wp_ns_fit_end(int64_t start, int64_t end)
{
    return end > start && (uint64_t)end - (uint64_t)start > (uint64_t)INT64_MAX ? (int64_t)((uint64_t)start + INT64_MAX)
                                                                               : end;
}

/* A duration computed in floating point, as nanoseconds: clamped to the int64 range (NaN: 0). */
static inline int64_t wp_ns_from_double(double ns)
{
    if (!(ns == ns))
        return 0;
    if (ns >= 9223372036854775807.0)
        return INT64_MAX;
    if (ns <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)ns;
}

#endif
