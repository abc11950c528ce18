/* test_json_scan.c: the JSON primitives under the Chrome format. Timestamps: µs text -> int64 ns exactly (rounding
 * past the third decimal, negatives, out of range refused) and back (wp_jbuf_us) for random values over +-2^62 ns;
 * strings: every control character and quote escaped so that cJSON (an independent parser) reads back the same
 * bytes, and wp_js_unescape decodes escapes, surrogate pairs and bad escapes (U+FFFD). */
#include "check.h"
#include "json_emit.h"
#include "json_scan.h"

#include <cjson/cJSON.h>

static int64_t ns_of(const char *text, int *rc)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s,", text); /* a delimiter, as inside an object */
    const char *next, *bad;
    int64_t ns = 0;
    *rc = wp_js_us_to_ns(buf, buf + strlen(buf), &ns, &next, &bad);
    return ns;
}

static void timestamps(void)
{
    static const struct {
        const char *text;
        int64_t ns;
    } ok[] = {{"4448798600224.330", 4448798600224330LL}, {"1.5", 1500}, {"12", 12000}, {"0.0004", 0},
              {"0.0005", 1},  {"-0.005", -5}, {"-1", -1000}, {"7.1239", 7124}, {"1e3", 1000000}, {"2.5E-3", 3},
              {"9223372036854775.807", INT64_MAX}, {"0", 0}, {"1790857026123456.789", 1790857026123456789LL}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int rc;
        int64_t ns = ns_of(ok[i].text, &rc);
        CHECK_EQ_INT(rc, WP_JS_OK);
        CHECK_EQ_INT(ns, ok[i].ns);
    }
    static const char *bad[] = {"9223372036854775.808", "99999999999999999999999", "1e999", "-", "1.", "x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc;
        ns_of(bad[i], &rc);
        CHECK_EQ_INT(rc, WP_JS_BAD);
    }
    uint64_t st = 88172645463325252ull;
    for (int i = 0; i < 100000; i++) {
        st ^= st << 13, st ^= st >> 7, st ^= st << 17;
        int64_t v = (int64_t)(st >> 1) - (INT64_C(1) << 62);
        v >>= (int)(st % 60); /* small and large magnitudes */
        wp_jbuf b = {0};
        wp_jbuf_us(&b, v);
        wp_jbuf_raw(&b, "", 1);
        int rc;
        int64_t back = ns_of(b.data, &rc);
        if (back != v || rc != WP_JS_OK) {
            CHECK_EQ_INT(back, v);
            break;
        }
        wp_jbuf_free(&b);
    }
}

static void strings(void)
{
    char in[256];
    size_t n = 0;
    for (int c = 1; c < 128; c++)
        in[n++] = (char)c;
    memcpy(in + n, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9); /* é € 😀 */
    n += 9;
    in[n] = '\0';
    wp_jbuf b = {0};
    wp_jbuf_str(&b, in, n);
    wp_jbuf_raw(&b, "", 1);
    cJSON *v = cJSON_Parse(b.data);
    CHECK(cJSON_IsString(v));
    CHECK_EQ_STR(cJSON_IsString(v) ? v->valuestring : "", in);
    cJSON_Delete(v);
    wp_jstr s = {b.data + 1, (uint32_t)(strlen(b.data) - 2), 1};
    char out[1024];
    size_t m = wp_js_unescape(&s, out);
    CHECK_EQ_INT(m, n);
    CHECK(memcmp(out, in, n) == 0);
    wp_jbuf_free(&b);

    const char *esc = "a\\u00e9\\ud83d\\ude00\\ud800x\\q\\/";
    wp_jstr e = {esc, (uint32_t)strlen(esc), 1};
    m = wp_js_unescape(&e, out);
    out[m] = '\0';
    CHECK_EQ_STR(out, "a\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx\xef\xbf\xbd/");
}

int main(void)
{
    timestamps();
    strings();
    return check_done();
}
