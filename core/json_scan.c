/* json_scan.c: the out-of-line JSON primitives (see json_scan.h): exact µs -> ns timestamps, skipping values, and
 * unescaping strings. */
#include "json_scan.h"

#include <math.h>
#include <stdlib.h>

int wp_js_us_to_ns(const char *p, const char *end, int64_t *ns, const char **next, const char **bad)
{
    const char *s = p;
    int neg = *s == '-';
    s += neg;
    if (*s < '0' || *s > '9') {
        if (s >= end)
            return WP_JS_MORE;
        *bad = s;
        return WP_JS_BAD;
    }
    uint64_t us = 0;
    const char *digits0 = s;
    for (; *s >= '0' && *s <= '9'; s++)
        us = us * 10 + (uint64_t)(*s - '0');
    int over = s - digits0 > 16; /* up to 16 digits, us * 1000 + 999 fits in uint64; the int64 check comes below */
    uint64_t frac = 0;
    int digits = 0, round_up = 0;
    if (*s == '.') {
        s++;
        if ((*s < '0' || *s > '9') && s < end) {
            *bad = s;
            return WP_JS_BAD;
        }
        for (; *s >= '0' && *s <= '9'; s++, digits++) {
            if (digits < 3)
                frac = frac * 10 + (uint64_t)(*s - '0');
            else if (digits == 3)
                round_up = *s >= '5'; /* sub-ns digits: round half up */
        }
    }
    if (*s == 'e' || *s == 'E') { /* rare in traces: take the slow, inexact road */
        char *stop;
        double v = strtod(p, &stop);
        if (stop >= end)
            return WP_JS_MORE;
        if (stop == p || !isfinite(v * 1000.0) || fabs(v * 1000.0) > 9.2e18) {
            *bad = p;
            return WP_JS_BAD;
        }
        *ns = (int64_t)llround(v * 1000.0);
        *next = stop;
        return WP_JS_OK;
    }
    if (s >= end)
        return WP_JS_MORE;
    for (int d = digits; d < 3; d++)
        frac *= 10;
    uint64_t mag = us * 1000 + frac + (uint64_t)round_up;
    if (over || mag > (uint64_t)INT64_MAX) {
        *bad = p;
        return WP_JS_BAD;
    }
    *ns = neg ? -(int64_t)mag : (int64_t)mag;
    *next = s;
    return WP_JS_OK;
}

static int skip_literal(const char *p, const char *end, const char *word, size_t len, const char **next,
                        const char **bad)
{
    for (size_t i = 0; i < len; i++) {
        if (p + i >= end)
            return WP_JS_MORE;
        if (p[i] != word[i]) {
            *bad = p + i;
            return WP_JS_BAD;
        }
    }
    *next = p + len;
    return WP_JS_OK;
}

static int skip_scalar(const char *p, const char *end, const char **next, const char **bad)
{
    switch (*p) {
    case '"': {
        wp_jstr s;
        return wp_js_string(p, end, &s, next);
    }
    case 't': return skip_literal(p, end, "true", 4, next, bad);
    case 'f': return skip_literal(p, end, "false", 5, next, bad);
    case 'n': return skip_literal(p, end, "null", 4, next, bad);
    default: { /* a number nobody reads: only its extent matters, so its grammar is checked loosely */
        const char *s = p + (*p == '-');
        if (*s < '0' || *s > '9') {
            if (s >= end)
                return WP_JS_MORE;
            *bad = s;
            return WP_JS_BAD;
        }
        while ((*s >= '0' && *s <= '9') || *s == '.' || *s == 'e' || *s == 'E' || *s == '+' || *s == '-')
            s++;
        if (s >= end)
            return WP_JS_MORE;
        *next = s;
        return WP_JS_OK;
    }
    }
}

int wp_js_skip(const char *p, const char *end, const char **next, const char **bad)
{
    if (*p != '{' && *p != '[')
        return skip_scalar(p, end, next, bad);
    uint64_t kinds = 0; /* bit i: level i is an object */
    uint64_t depth = 0;
    for (;;) {
        p = wp_js_ws(p);
        if (p >= end)
            return WP_JS_MORE;
        char c = *p;
        if (c == '{' || c == '[') {
            if (depth < 64)
                kinds = (kinds & ~((uint64_t)1 << depth)) | ((uint64_t)(c == '{') << depth);
            depth++;
            p++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth < 64 && ((kinds >> depth) & 1) != (uint64_t)(c == '}')) {
                *bad = p;
                return WP_JS_BAD;
            }
            p++;
            if (depth == 0) {
                *next = p;
                return WP_JS_OK;
            }
        } else if (c == ',' || c == ':') {
            p++;
        } else {
            int rc = skip_scalar(p, end, &p, bad);
            if (rc != WP_JS_OK)
                return rc;
        }
    }
}

static int hex4(const char *p, const char *end, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        if (p + i >= end)
            return -1;
        char c = p[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3f));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* One \u escape at p (after the backslash-u), with a following low surrogate when it is a high one. Returns the
 * number of input bytes used after "\u". Output never exceeds the input used: 4 bytes of UTF-8 for 12 of escapes. */
static size_t unicode_escape(const char *p, const char *end, char **o)
{
    unsigned cp, lo;
    if (hex4(p, end, &cp) != 0) {
        *o = put_utf8(*o, 0xfffd);
        return 0;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && p + 10 <= end && p[4] == '\\' && p[5] == 'u' && hex4(p + 6, end, &lo) == 0 &&
        lo >= 0xdc00 && lo <= 0xdfff) {
        *o = put_utf8(*o, 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
        return 10;
    }
    *o = put_utf8(*o, cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
    return 4;
}

size_t wp_js_unescape(const wp_jstr *s, char *out)
{
    const char *p = s->p, *end = s->p + s->len;
    char *o = out;
    while (p < end) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        if (++p >= end)
            break;
        char c = *p++;
        switch (c) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': p += unicode_escape(p, end, &o); break;
        case '"':
        case '\\':
        case '/': *o++ = c; break;
        default: o = put_utf8(o, 0xfffd); break; /* 3 bytes out for 2 in: callers size out with len * 2 */
        }
    }
    return (size_t)(o - out);
}
