/* json_emit.c: see json_emit.h. */
#include "json_emit.h"

#include "safe_text.h"

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

/* Writes the JSON form of the character at s (n > 0 bytes left) to o (room for 6 bytes): returns the bytes written
 * and sets *used to the bytes of s it stands for. */
static size_t json_char(const unsigned char *s, size_t n, char *o, size_t *used)
{
    static const char hex[] = "0123456789abcdef";
    unsigned c = s[0];
    *used = 1;
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        o[0] = (char)c;
        return 1;
    }
    if (c >= 0x80) {
        size_t len = wp_utf8_char_len((const char *)s, n);
        if (!len) {
            memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
            return 3;
        }
        memcpy(o, s, len);
        *used = len;
        return len;
    }
    o[0] = '\\';
    switch (c) {
    case '"': o[1] = '"'; return 2;
    case '\\': o[1] = '\\'; return 2;
    case '\n': o[1] = 'n'; return 2;
    case '\r': o[1] = 'r'; return 2;
    case '\t': o[1] = 't'; return 2;
    case '\b': o[1] = 'b'; return 2;
    case '\f': o[1] = 'f'; return 2;
    default:
        memcpy(o + 1, "u00", 3);
        o[4] = hex[c >> 4];
        o[5] = hex[c & 15];
        return 6;
    }
}

void wp_jbuf_str(wp_jbuf *b, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    /* Worst case: every byte becomes \u00XX (6) or U+FFFD (3). */
    if (reserve(b, len * 6 + 2) != 0)
        return;
    char *o = b->data + b->len;
    *o++ = '"';
    for (size_t i = 0, used; i < len; i += used) {
        if (s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\') { /* most of a trace's names: no call */
            *o++ = (char)s[i];
            used = 1;
        } else {
            o += json_char(s + i, len - i, o, &used);
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
}

void wp_json_put_str(FILE *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    char chunk[256];
    size_t fill = 0;
    chunk[fill++] = '"';
    for (size_t i = 0, used; i < len; i += used) {
        if (fill > sizeof(chunk) - 6) {
            fwrite(chunk, 1, fill, out);
            fill = 0;
        }
        fill += json_char(s + i, len - i, chunk + fill, &used);
    }
    chunk[fill++] = '"';
    fwrite(chunk, 1, fill, out);
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
