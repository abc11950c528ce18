/* fuzz_json.c: the JSON scanning primitives and the event parser of the Chrome reader, in memory (thousands of times
 * faster than fuzz_chrome's file round trip, so the tokenizer's corners get most of the executions). The input is a
 * window as the reader hands it over: the bytes, a NUL sentinel at end, WP_JS_PAD readable bytes after it.
 * Byte 0 picks where the window ends (a cut mid-value must answer WP_JS_MORE, never read past the padding).
 * Checks each primitive's contract: positions returned stay inside the window, decoded strings fit their spans. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chrome_parse.h"
#include "json_scan.h"

static void check_pos(const char *p, const char *lo, const char *hi)
{
    if (p < lo || p > hi)
        abort(); /* a position outside [lo, hi]: the caller would read or resume from garbage */
}

static void unescape(const wp_jstr *s)
{
    if (!s->p || !s->esc)
        return;
    /* The room the reader gives (chrome_map.c: len * 2 + 4; a bad escape is 2 bytes in, 3 out). json_scan.h still
     * says "at least s->len bytes": wrong, and reported. */
    size_t cap = (size_t)s->len * 2 + 4;
    char *out = malloc(cap);
    size_t n = wp_js_unescape(s, out);
    if (n > cap)
        abort();
    free(out);
}

static void parse_events(const char *buf, const char *end)
{
    const char *p = buf;
    for (int guard = 0; guard < 4096; guard++) {
        p = wp_js_ws(p);
        while (p < end && (*p == ',' || *p == '['))
            p = wp_js_ws(p + 1);
        if (p >= end || *p != '{')
            return;
        wp_chrome_raw raw;
        memset(&raw, 0, sizeof(raw));
        const char *next = NULL, *bad = NULL;
        int rc = wp_chrome_parse_event(p, end, &raw, &next, &bad);
        if (rc == WP_JS_BAD) {
            check_pos(bad, p, end);
            return;
        }
        if (rc != WP_JS_OK)
            return;
        check_pos(next, p + 1, end);
        unescape(&raw.cat);
        unescape(&raw.name);
        for (int a = A_NUM_COUNT; a < A_COUNT; a++)
            unescape(&WP_RAW_STR(&raw, a));
        p = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t len = size - 1;
    if (data[0] < 255 && len) /* 255: the whole input; else a cut at data[0]/255 of it */
        len = len * data[0] / 255;
    char *buf = calloc(1, len + 1 + WP_JS_PAD);
    memcpy(buf, data + 1, len);
    const char *end = buf + len, *next = NULL, *bad = NULL;

    int rc = wp_js_skip(buf, end, &next, &bad);
    if (rc == WP_JS_OK)
        check_pos(next, buf, end);
    else if (rc == WP_JS_BAD)
        check_pos(bad, buf, end);

    int64_t ns;
    rc = wp_js_us_to_ns(buf, end, &ns, &next, &bad);
    if (rc == WP_JS_OK)
        check_pos(next, buf, end);

    uint64_t u;
    int is_int, overflow;
    const char *num = buf[0] == '"' ? buf + 1 : buf;
    rc = wp_js_number(num, end, &u, &is_int, &overflow, &next, &bad);
    if (rc == WP_JS_OK)
        check_pos(next, num, end);

    if (buf[0] == '"') {
        wp_jstr s;
        if (wp_js_string(buf, end, &s, &next) == WP_JS_OK) {
            check_pos(next, buf + 1, end);
            unescape(&s);
        }
    }
    parse_events(buf, end);
    free(buf);
    return 0;
}
