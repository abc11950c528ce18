/* safe_text.c: see safe_text.h. */
#include "safe_text.h"

#include <limits.h>
#include <string.h>

size_t wp_utf8_char_len(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
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

/* The character at s of a NUL-terminated string, in bytes: an invalid byte is one. */
static size_t char_len(const char *s)
{
    size_t n = wp_utf8_char_len(s, strnlen(s, 4));
    return n ? n : 1;
}

int wp_utf8_cut(const char *s, size_t max)
{
    if (max > INT_MAX)
        max = INT_MAX;
    size_t i = 0;
    while (s && s[i]) {
        size_t n = char_len(s + i);
        if (i + n > max)
            break;
        i += n;
    }
    return (int)i;
}

/* C1 controls (U+0080 to U+009F) are valid UTF-8, but terminals may act on them as they do on ESC sequences. */
static int is_c1(const unsigned char *s, size_t n)
{
    return n == 2 && s[0] == 0xc2 && s[1] <= 0x9f;
}

/* Bidirectional formatting characters (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069) are valid UTF-8 too,
 * but reorder what follows them on the line ("Trojan source"): a name could make a line read other than it is. */
static int is_bidi(const unsigned char *s, size_t n)
{
    if (n == 2)
        return s[0] == 0xd8 && s[1] == 0x9c;
    return n == 3 && s[0] == 0xe2 &&
           ((s[1] == 0x80 && (s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xaa && s[2] <= 0xae))) ||
            (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9));
}

/* The next character of s as text to show: written to piece (at most 12 bytes, a 3-byte character as \xNN each,
 * not NUL-terminated), its length in *plen; returns how many bytes of s it stands for. */
static size_t text_piece(const char *s, char piece[16], size_t *plen)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t n = wp_utf8_char_len(s, strnlen(s, 4));
    int escape = n == 0 || u[0] < 0x20 || u[0] == 0x7f || is_c1(u, n) || is_bidi(u, n);
    size_t used = n ? n : 1;
    if (!escape) {
        memcpy(piece, s, used);
        *plen = used;
        return used;
    }
    *plen = 0;
    for (size_t i = 0; i < used; i++) {
        piece[(*plen)++] = '\\';
        piece[(*plen)++] = 'x';
        piece[(*plen)++] = hex[u[i] >> 4];
        piece[(*plen)++] = hex[u[i] & 15];
    }
    return used;
}

void wp_text_put(FILE *out, const char *s)
{
    char piece[16];
    size_t plen;
    while (s && *s) {
        s += text_piece(s, piece, &plen);
        fwrite(piece, 1, plen, out);
    }
}

void wp_markup_put(FILE *out, const char *s)
{
    char piece[16];
    size_t plen;
    while (s && *s) {
        switch (*s) {
        case '&': fputs("&amp;", out); s++; break;
        case '<': fputs("&lt;", out); s++; break;
        case '>': fputs("&gt;", out); s++; break;
        case '\t': case '\n': fputc(*s++, out); break; /* the text's own layout (the report's <pre>) */
        default:
            s += text_piece(s, piece, &plen);
            fwrite(piece, 1, plen, out);
        }
    }
}
