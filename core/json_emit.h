/* json_emit.h: a growable byte buffer with the JSON formatting the Chrome trace writer needs: escaped strings (control
 * characters escaped, invalid UTF-8 replaced by U+FFFD so the output always parses), integers without printf, and ns
 * timestamps as µs with exactly three decimals, formatted from the integer so no ns is ever lost to a double. */
#ifndef WP_JSON_EMIT_H
#define WP_JSON_EMIT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

typedef struct wp_jbuf {
    char *data;
    size_t len, cap;
    int oom; /* set once an allocation failed; later appends are dropped */
} wp_jbuf;

void wp_jbuf_free(wp_jbuf *b);
void wp_jbuf_raw(wp_jbuf *b, const char *s, size_t len);
void wp_jbuf_cstr(wp_jbuf *b, const char *s); /* raw, NUL-terminated */
/* A JSON string literal with its quotes. */
void wp_jbuf_str(wp_jbuf *b, const char *s, size_t len);
/* The same literal written to out (the --json outputs stream theirs). */
void wp_json_put_str(FILE *out, const char *s, size_t len);
void wp_jbuf_i64(wp_jbuf *b, int64_t v);
void wp_jbuf_u64(wp_jbuf *b, uint64_t v);
/* ns as µs: 1234567 -> "1234.567", -5 -> "-0.005". */
void wp_jbuf_us(wp_jbuf *b, int64_t ns);
/* Shortest text that reads back to the same double (%.17g); NaN/inf become null (JSON has neither). */
void wp_jbuf_double(wp_jbuf *b, double v);

#endif
