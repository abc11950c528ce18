/* json_scan.h: the JSON scanning primitives of the streaming Chrome trace reader, inline so the event parser compiles
 * into one tight loop. They work on a window [p, end) of the input that is followed by a NUL sentinel, and each
 * answers WP_JS_OK, WP_JS_MORE (the value runs past the window: refill and retry from a saved position) or
 * WP_JS_BAD (malformed: *bad points at the offending byte). Private to core/. */
#ifndef WP_JSON_SCAN_H
#define WP_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { WP_JS_OK = 0, WP_JS_MORE = 1, WP_JS_BAD = -1 };

/* A string value as it appears in the input, without the quotes; esc = 1 when it holds backslash escapes. */
typedef struct wp_jstr {
    const char *p;
    uint32_t len;
    uint8_t esc;
} wp_jstr;

static inline const char *wp_js_ws(const char *p)
{
    if ((unsigned char)*p > ' ') /* the usual case: no whitespace at all */
        return p;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

/* Offset of the first '"', '\\' or NUL in the 16 bytes at p, or 16. */
static inline unsigned wp_js_stop16(const char *p)
{
#ifdef __SSE2__
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmpeq_epi8(v, _mm_setzero_si128())));
    return m ? (unsigned)__builtin_ctz(m) : 16u;
#else
    for (unsigned i = 0; i < 16; i++)
        if (p[i] == '"' || p[i] == '\\' || p[i] == '\0')
            return i;
    return 16u;
#endif
}

/* p at the opening quote. On WP_JS_OK *next is past the closing quote. Scans 16 bytes at a time, so the window must
 * have WP_JS_PAD readable bytes after end (the reader's window does). */
#define WP_JS_PAD 64
static inline int wp_js_string(const char *p, const char *end, wp_jstr *out, const char **next)
{
    const char *start = p + 1, *q = start;
    uint8_t esc = 0;
    for (;;) {
        unsigned k = wp_js_stop16(q);
        q += k;
        if (k == 16)
            continue;
        if (*q == '"')
            break;
        if (q >= end)
            return WP_JS_MORE;
        if (*q == '\\') {
            esc = 1;
            q += 2; /* the escaped character cannot end the string */
            if (q > end)
                return WP_JS_MORE;
        } else {
            q++; /* a NUL byte inside the string: not JSON, but not ours to refuse */
        }
    }
    if (q >= end)
        return WP_JS_MORE;
    out->p = start;
    out->len = (uint32_t)(q - start);
    out->esc = esc;
    *next = q + 1;
    return WP_JS_OK;
}

/* A JSON number. Integers are exact over [-2^63, 2^64) (value kept mod 2^64 in *u, so a negative reads back through
 * an int64 cast); *is_int = 0 for fractions and exponents, whose integer part (truncated) is then in *u when it fits.
 * Absurdly long numbers are accepted syntactically and flagged with *overflow. */
static inline int wp_js_number(const char *p, const char *end, uint64_t *u, int *is_int, int *overflow,
                               const char **next, const char **bad)
{
    const char *s = p;
    int neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (*s < '0' || *s > '9') {
        if (s >= end)
            return WP_JS_MORE;
        *bad = s;
        return WP_JS_BAD;
    }
    uint64_t v = 0;
    int over = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            over = 1;
        v = v * 10 + d;
    }
    int integer = 1;
    if (*s == '.') {
        integer = 0;
        s++;
        if (*s < '0' || *s > '9')
            goto fail;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        integer = 0;
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (*s < '0' || *s > '9')
            goto fail;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (s >= end) /* the digits may go on past the window */
        return WP_JS_MORE;
    if (neg && v > (uint64_t)1 << 63)
        over = 1;
    *u = neg ? (uint64_t)0 - v : v;
    *is_int = integer;
    *overflow = over;
    *next = s;
    return WP_JS_OK;
fail:
    if (s >= end)
        return WP_JS_MORE;
    *bad = s;
    return WP_JS_BAD;
}

/* A timestamp in µs with up to three decimals (more are rounded) as exact int64 ns; no double in between, so
 * "4448798600224.330" is 4448798600224330 ns. Exponent forms fall back to strtod (is_exact = 0). */
int wp_js_us_to_ns(const char *p, const char *end, int64_t *ns, const char **next, const char **bad);

/* Skips any JSON value without building it (iterative: nesting depth costs no stack). Brackets are matched for the
 * first 64 levels; deeper levels are only counted. */
int wp_js_skip(const char *p, const char *end, const char **next, const char **bad);

/* Decodes the escapes of s into out (at least s->len bytes); returns the decoded length. Bad escapes and lone
 * surrogates become U+FFFD. */
size_t wp_js_unescape(const wp_jstr *s, char *out);

#endif
