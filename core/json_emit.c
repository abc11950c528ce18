/* json_emit.c: see json_emit.h. */
#include "json_emit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(wp_jbuf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra)
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data) {
        b->oom = 1;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

void wp_jbuf_free(wp_jbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

void wp_jbuf_raw(wp_jbuf *b, const char *s, size_t len)
{
    if (reserve(b, len) != 0)
        return;
    memcpy(b->data + b->len, s, len);
    b->len += len;
}

void wp_jbuf_cstr(wp_jbuf *b, const char *s)
{
    wp_jbuf_raw(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not one (overlong forms, surrogates and
 * code points past U+10FFFF count as invalid, as in RFC 3629). */
static size_t utf8_valid(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = c & (0x3fu >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void wp_jbuf_str(wp_jbuf *b, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    /* Worst case: every byte becomes \u00XX (6) or U+FFFD (3). */
    if (reserve(b, len * 6 + 2) != 0)
        return;
    char *o = b->data + b->len;
    *o++ = '"';
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            i++;
        } else if (c < 0x80) {
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            default:
                memcpy(o, "u00", 3);
                o += 3;
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
            }
            i++;
        } else {
            size_t n = utf8_valid(s + i, len - i);
            if (n) {
                memcpy(o, s + i, n);
                o += n;
                i += n;
            } else {
                memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
                o += 3;
                i++;
            }
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
}

void wp_jbuf_u64(wp_jbuf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (reserve(b, (size_t)n) != 0)
        return;
    while (n)
        b->data[b->len++] = tmp[--n];
}

void wp_jbuf_i64(wp_jbuf *b, int64_t v)
{
    if (v < 0) {
        wp_jbuf_raw(b, "-", 1);
        wp_jbuf_u64(b, (uint64_t)0 - (uint64_t)v); /* exact for INT64_MIN too */
    } else {
        wp_jbuf_u64(b, (uint64_t)v);
    }
}

void wp_jbuf_us(wp_jbuf *b, int64_t ns)
{
    uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    if (ns < 0)
        wp_jbuf_raw(b, "-", 1);
    wp_jbuf_u64(b, mag / 1000);
    unsigned frac = (unsigned)(mag % 1000);
    char tail[4] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10), (char)('0' + frac % 10)};
    wp_jbuf_raw(b, tail, 4);
}

void wp_jbuf_double(wp_jbuf *b, double v)
{
    if (!isfinite(v)) {
        wp_jbuf_raw(b, "null", 4);
        return;
    }
    char tmp[40];
    int n = snprintf(tmp, sizeof(tmp), "%.17g", v);
    wp_jbuf_raw(b, tmp, (size_t)n);
}
