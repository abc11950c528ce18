/* test_safe_text.c: names from a trace shown safely (core/safe_text.h): cutting on UTF-8 character boundaries, control
 * characters and bad bytes escaped for the terminal and for markup, and the --json string form (json_emit.h) keeping
 * the exact bytes of valid text. */
#include "check.h"
#include "json_emit.h"
#include "safe_text.h"

/* What f wrote for s, in buf. */
static const char *written(void (*f)(FILE *, const char *), const char *s, char *buf, size_t cap)
{
    buf[0] = '\0'; /* fmemopen writes no NUL when nothing was written */
    FILE *m = fmemopen(buf, cap, "w");
    f(m, s);
    fclose(m);
    return buf;
}

static void test_cut(void)
{
    const char *e30 = "x\xc3\xa9\xc3\xa9\xc3\xa9"; /* x then three 2-byte characters: 7 bytes */
    CHECK_EQ_INT(wp_utf8_cut(e30, 7), 7);
    CHECK_EQ_INT(wp_utf8_cut(e30, 6), 5); /* byte 6 would split the third character */
    CHECK_EQ_INT(wp_utf8_cut(e30, 2), 1);
    CHECK_EQ_INT(wp_utf8_cut(e30, 100), 7);
    CHECK_EQ_INT(wp_utf8_cut("\xe2\x82\xac", 2), 0);        /* a 3-byte euro sign does not fit in 2 */
    CHECK_EQ_INT(wp_utf8_cut("\xf0\x9f\x98\x80z", 4), 4);   /* a 4-byte emoji */
    CHECK_EQ_INT(wp_utf8_cut("a\xff\xfe" "b", 3), 3);       /* invalid bytes are characters of their own */
    CHECK_EQ_INT(wp_utf8_cut("\xc3" "A", 1), 1);            /* a lead byte without its continuation is invalid */
    CHECK_EQ_INT(wp_utf8_cut(NULL, 9), 0);
}

static void test_validity(void)
{
    CHECK_EQ_INT(wp_utf8_char_len("A", 1), 1);
    CHECK_EQ_INT(wp_utf8_char_len("\xc3\xa9", 2), 2);
    CHECK_EQ_INT(wp_utf8_char_len("\xc3\xa9", 1), 0);        /* cut */
    CHECK_EQ_INT(wp_utf8_char_len("\xc0\x80", 2), 0);        /* overlong NUL */
    CHECK_EQ_INT(wp_utf8_char_len("\xed\xa0\x80", 3), 0);    /* a UTF-16 surrogate */
    CHECK_EQ_INT(wp_utf8_char_len("\xf4\x90\x80\x80", 4), 0); /* past U+10FFFF */
}

static void test_text(void)
{
    char buf[256];
    CHECK_EQ_STR(written(wp_text_put, "evil\x1b]2;T\x07\r\n\tok", buf, sizeof(buf)),
                 "evil\\x1b]2;T\\x07\\x0d\\x0a\\x09ok");
    CHECK_EQ_STR(written(wp_text_put, "caf\xc3\xa9 \x7f \xc2\x9b \xff", buf, sizeof(buf)),
                 "caf\xc3\xa9 \\x7f \\xc2\\x9b \\xff"); /* DEL, C1 CSI (U+009B) and a bad byte escaped, é kept */
    /* Bidirectional overrides and isolates reorder the rest of the line: RLO, LRI and RLM escaped; other 3-byte
     * characters (the euro sign) kept. */
    static const char bidi[] = "k\xe2\x80\xae" "abc\xe2\x81\xa6" "d\xe2\x80\x8f \xe2\x82\xac";
    CHECK_EQ_STR(written(wp_text_put, bidi, buf, sizeof(buf)),
                 "k\\xe2\\x80\\xaeabc\\xe2\\x81\\xa6d\\xe2\\x80\\x8f \xe2\x82\xac");
    CHECK_EQ_STR(written(wp_text_put, NULL, buf, sizeof(buf)), "");
}

static void test_markup(void)
{
    char buf[256];
    CHECK_EQ_STR(written(wp_markup_put, "<a&b>\n\t\x1b\r\xff\"", buf, sizeof(buf)),
                 "&lt;a&amp;b&gt;\n\t\\x1b\\x0d\\xff\"");
}

static void test_json(void)
{
    char buf[256];
    FILE *m = fmemopen(buf, sizeof(buf), "w");
    const char s[] = "\x1b\"\\\n\xc3\xa9\xff\x7f";
    wp_json_put_str(m, s, sizeof(s) - 1);
    fclose(m);
    CHECK_EQ_STR(buf, "\"\\u001b\\\"\\\\\\n\xc3\xa9\xef\xbf\xbd\x7f\""); /* the bad byte as U+FFFD */
    wp_jbuf b = {0};
    wp_jbuf_str(&b, s, sizeof(s) - 1);
    CHECK(!b.oom && b.len == strlen(buf) && memcmp(b.data, buf, b.len) == 0); /* one escaper for both sinks */
    wp_jbuf_free(&b);
}

int main(void)
{
    test_cut();
    test_validity();
    test_text();
    test_markup();
    test_json();
    return check_done();
}
