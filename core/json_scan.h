/* json_scan.h: the JSON scanning primitives of the streaming Chrome trace reader, inline so the event parser compiles
 * into one tight loop. They work on a window [p, end) of the input that is followed by a NUL sentinel, and each
 * answers WP_JS_OK, WP_JS_MORE (the value runs past the window: refill and retry from a saved position) or
 * WP_JS_BAD (malformed: *bad points at the offending byte). Private to core/. */
#ifndef WP_JSON_SCAN_H
#define WP_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { WP_JS_OK = 0, WP_JS_MORE = 1, WP_JS_BAD = -1 };

/* A string value as it appears in the input, without the quotes; esc = 1 when it holds backslash escapes. */
typedef struct wp_jstr {
    const char *p;
    uint32_t len;
    uint8_t esc;
} wp_jstr;

static inline const char *wp_js_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

/* p at the opening quote. On WP_JS_OK *next is past the closing quote. memchr does the scanning (SIMD in libc). */
static inline int wp_js_string(const char *p, const char *end, wp_jstr *out, const char **next)
{
    const char *start = p + 1, *q = start;
    for (;;) {
        const char *r = memchr(q, '"', (size_t)(end - q));
        if (!r)
            return WP_JS_MORE;
        const char *b = r;
        while (b > start && b[-1] == '\\')
            b--;
        if (((r - b) & 1) == 0) {
            out->p = start;
            out->len = (uint32_t)(r - start);
            out->esc = memchr(start, '\\', (size_t)(r - start)) != NULL;
            *next = r + 1;
            return WP_JS_OK;
        }
        q = r + 1;
    }
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
