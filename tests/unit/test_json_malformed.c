/* test_json_malformed.c: bad input never crashes the Chrome reader. Malformed JSON at various places (in an element,
 * between elements, at the top level, after the end) gives WP_ERR_FORMAT with the byte offset of the offending byte,
 * in plain and gzip'd files (uncompressed offsets); deep nesting, huge strings, an element larger than the reader's
 * window, tens of thousands of pids (a limit, then an error), absurd numbers, unknown categories and odd-but-valid
 * shapes are read or skipped with warnings; files that are empty, missing or not traces get a clear error naming the
 * file. */
#pragma GCC diagnostic ignored "-Wunused-function" /* only synth.h's collector is used here */
#include "synth.h"
#include "trace_read.h"

#include <unistd.h>
#include <zlib.h>

static char dir[] = "/tmp/wp_json_bad_XXXXXX";

static const char *put(const char *name, const char *data, size_t len, int gzip)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (gzip) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, data, (unsigned)len);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(data, 1, len, f);
        fclose(f);
    }
    return path;
}

typedef struct result {
    int rc;
    uint64_t events, skipped, warnings;
    int truncated;
    char error[1024];
} result;

static result read_text(const char *text, size_t len, int gzip)
{
    const char *path = put(gzip ? "t.json.gz" : "t.json", text, len, gzip);
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag = {0};
    wp_read_stats st;
    result r = {0};
    r.rc = wp_trace_read(path, strings, &got.tool, NULL, &diag, &st);
    r.events = st.events;
    r.skipped = st.skipped;
    r.truncated = st.truncated;
    r.warnings = diag.warnings;
    snprintf(r.error, sizeof(r.error), "%s", diag.error);
    free(got.events);
    wp_strtab_free(strings);
    return r;
}

#define EV                                                                                                           \
    "{\"ph\":\"X\",\"cat\":\"kernel\",\"name\":\"k\",\"pid\":1,\"tid\":7,\"ts\":1.5,\"dur\":2,\"args\":{\"device\":0}}"

/* Each case: the text, and a marker whose first byte is the one the reader must point at. */
static const struct {
    const char *text, *marker;
} bad_cases[] = {
    {"{\"traceEvents\":[" EV "@]}", "@]"},
    {"{\"traceEvents\":[{\"ph\":\"X\" \"cat\":\"kernel\"}]}", "\"cat"},
    {"{\"traceEvents\":[{\"ph\":\"X\",\"ts\":1.}]}", "}]"},
    {"{\"traceEvents\":[{\"ph\":\"X\",\"ts\":-x}]}", "x}"},
    {"{\"traceEvents\":[{\"ph\":\"X\",\"args\":{\"grid\":[1,2}}]}", "}}]"},
    {"{\"traceEvents\":[{\"ph\":\"X\",\"args\":{\"a\":tru}}]}", "}}]"},
    {"{\"traceEvents\":[{\"ph\":\"X\",\"cat\":\"kernel\"]]}", "]]"},
    {"{\"traceEvents\":[" EV "," EV "]} trailing", "trailing"},
    {"{\"traceEvents\": 5}", "5}"},
    {"{\"schemaVersion\":1 \"traceEvents\":[]}", "\"traceEvents"},
    {"[" EV ";" EV "]", ";"},
    {"{\"traceEvents\":[{ph:\"X\"}]}", "ph:"},
    {"{\"traceEvents\":[" EV ",\x01]}", "\x01"},
};

static void malformed(void)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        for (int gz = 0; gz < 2; gz++) {
            const char *t = bad_cases[i].text;
            size_t off = (size_t)(strstr(t, bad_cases[i].marker) - t);
            result r = read_text(t, strlen(t), gz);
            char want[64];
            snprintf(want, sizeof(want), "at byte %zu", off);
            int ok = r.rc == WP_ERR_FORMAT && strstr(r.error, want) && strstr(r.error, "t.json");
            if (!ok)
                fprintf(stderr, "case %zu%s: rc %d, \"%s\", wanted \"%s\"\n", i, gz ? " (gzip)" : "", r.rc, r.error,
                        want);
            CHECK(ok);
        }
    }
}

/* Valid but odd input: read, with the odd parts skipped and counted. */
static void odd_but_valid(void)
{
    /* Unknown categories, phases, string pids (Kineto's "Spans"), no args, extra keys, escapes, the array form. */
    const char *t = "{\"traceEvents\":[" EV ",{\"ph\":\"X\",\"cat\":\"Trace\",\"pid\":\"Spans\",\"tid\":\"x\","
                    "\"ts\":1,\"dur\":1},{\"ph\":\"B\",\"cat\":\"kernel\",\"ts\":3},{\"ph\":\"X\",\"cat\":\"cpu_op\","
                    "\"name\":\"a\\u00e9\\ud83d\\ude00\\n\",\"ts\":0.0004,\"dur\":0,\"pid\":1,\"tid\":1,\"extra\":"
                    "{\"deep\":[[[],{}],null,true,false,-1.5e-7]}}],\"otherKey\":{\"x\":[1,2,3]}}";
    result r = read_text(t, strlen(t), 0);
    CHECK_EQ_INT(r.rc, WP_OK);
    CHECK_EQ_INT(r.events, 2);
    CHECK_EQ_INT(r.skipped, 2);
    const char *newer = "{\"wanprof\":{\"format\":2},\"traceEvents\":[{\"name\":\"process_name\",\"ph\":\"M\","
                        "\"pid\":1,\"tid\":0,\"args\":{\"name\":\"p\",\"wp_index\":0}}," EV "]}";
    r = read_text(newer, strlen(newer), 0);
    CHECK_EQ_INT(r.rc, WP_OK);
    CHECK_EQ_INT(r.events, 1);
    CHECK_EQ_INT(r.warnings, 1); /* written by a newer wanprof */
    const char *arr = "[" EV "," EV "]";
    r = read_text(arr, strlen(arr), 1);
    CHECK_EQ_INT(r.rc, WP_OK);
    CHECK_EQ_INT(r.events, 2);
    CHECK_EQ_INT(r.truncated, 0);
}

/* Numbers no field can hold: the event is skipped with a warning, the file goes on. */
static void absurd_numbers(void)
{
    const char *t = "{\"traceEvents\":[{\"ph\":\"X\",\"cat\":\"kernel\",\"ts\":1e999,\"dur\":1,\"pid\":1,\"tid\":1},"
                    "{\"ph\":\"X\",\"cat\":\"kernel\",\"ts\":123456789012345678901234567890,\"pid\":1,\"tid\":1},"
                    "{\"ph\":\"X\",\"cat\":\"kernel\",\"ts\":1,\"dur\":-1e308,\"pid\":1,\"tid\":1},"
                    "{\"ph\":\"X\",\"cat\":\"kernel\",\"ts\":1,\"pid\":1,\"tid\":1,\"args\":{\"device\":"
                    "99999999999999999999999999}},"
                    "{\"ph\":\"X\",\"cat\":\"kernel\",\"ts\":1,\"pid\":1,\"tid\":1,\"args\":{\"unknown\":"
                    "-99999999999999999999999999.5e99999}}," EV "]}";
    result r = read_text(t, strlen(t), 0);
    CHECK_EQ_INT(r.rc, WP_OK);
    CHECK_EQ_INT(r.events, 2); /* the unknown arg's number is skipped, not needed */
    CHECK_EQ_INT(r.skipped, 4);
    CHECK(r.warnings >= 1);
}

/* Deep nesting costs no stack; an unclosed one is a truncated file, salvaged. */
static void deep_nesting(void)
{
    size_t depth = 200000;
    size_t cap = depth * 2 + 1024, n = 0;
    char *t = malloc(cap);
    n += (size_t)sprintf(t + n, "{\"traceEvents\":[" EV ",{\"ph\":\"X\",\"cat\":\"kernel\",\"ts\":1,\"args\":{\"a\":");
    memset(t + n, '[', depth);
    n += depth;
    memset(t + n, ']', depth);
    n += depth;
    n += (size_t)sprintf(t + n, "}}," EV "]}");
    result r = read_text(t, n, 1);
    CHECK_EQ_INT(r.rc, WP_OK);
    CHECK_EQ_INT(r.events, 3);
    r = read_text(t, n - depth - 20, 1); /* cut inside the brackets */
    CHECK_EQ_INT(r.rc, WP_OK);
    CHECK_EQ_INT(r.truncated, 1);
    CHECK_EQ_INT(r.events, 1);
    free(t);
}

/* A 1 MB name is read; an 80 MB one does not fit the reader's window (64 MB): that element is skipped with a
 * warning and the ones after it are read. */
static void huge_strings(void)
{
    for (int big = 0; big < 2; big++) {
        size_t slen = big ? (80u << 20) : (1u << 20);
        char *t = malloc(slen + 1024);
        size_t n = (size_t)sprintf(t, "{\"traceEvents\":[" EV ",{\"ph\":\"X\",\"cat\":\"kernel\",\"ts\":1,\"name\":\"");
        for (size_t i = 0; i < slen; i++)
            t[n + i] = (char)('a' + i % 26);
        n += slen;
        n += (size_t)sprintf(t + n, "\\\"\\\\\"}," EV "]}");
        result r = read_text(t, n, 1);
        CHECK_EQ_INT(r.rc, WP_OK);
        CHECK_EQ_INT(r.events, big ? 2 : 3);
        CHECK_EQ_INT(r.skipped, big ? 1 : 0);
        free(t);
    }
    /* The same for a top-level value: a 70 MB string before traceEvents. */
    size_t slen = 70u << 20;
    char *t = malloc(slen + 1024);
    size_t n = (size_t)sprintf(t, "{\"huge\": \"");
    memset(t + n, 'x', slen);
    n += slen;
    n += (size_t)sprintf(t + n, "\", \"traceEvents\":[" EV "]}");
    result r = read_text(t, n, 1);
    CHECK_EQ_INT(r.rc, WP_OK);
    CHECK_EQ_INT(r.events, 1);
    CHECK_EQ_INT(r.skipped, 1);
    CHECK_EQ_INT(r.truncated, 0);
    free(t);
}

/* One of our files (it has the "wanprof" marker) naming 70,000 different pids: a process each up to a limit, then a
 * clear error; the pid lookup is hashed, so this takes no quadratic time. */
static void many_processes(void)
{
    size_t cap = 70000 * 80 + 128, n = 0;
    char *t = malloc(cap);
    n += (size_t)sprintf(t, "{\"wanprof\":{\"format\":1},\"traceEvents\":[");
    for (int i = 0; i < 70000; i++)
        n += (size_t)sprintf(t + n, "%s{\"ph\":\"X\",\"cat\":\"overhead\",\"pid\":%d,\"tid\":1,\"ts\":1,\"dur\":1}",
                             i ? "," : "", i + 1);
    n += (size_t)sprintf(t + n, "]}");
    result r = read_text(t, n, 0);
    CHECK_EQ_INT(r.rc, WP_ERR_FORMAT);
    CHECK(strstr(r.error, "processes") != NULL);
    CHECK_EQ_INT(r.events, 65536);
    free(t);
}

static void not_traces(void)
{
    wp_diag diag = {0};
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    char missing[600];
    snprintf(missing, sizeof(missing), "%s/missing.json", dir);
    CHECK_EQ_INT(wp_trace_read(missing, strings, &got.tool, NULL, &diag, NULL), WP_ERR_IO);
    CHECK(strstr(diag.error, "missing.json") != NULL);
    const char *text = put("notes.txt", "hello, world\n", 13, 0);
    CHECK_EQ_INT(wp_format_detect(text, &diag), WP_FMT_UNKNOWN);
    CHECK_EQ_INT(wp_trace_read(text, strings, &got.tool, NULL, &diag, NULL), WP_ERR_FORMAT);
    CHECK(strstr(diag.error, "notes.txt") != NULL);
    const char *empty = put("empty.json.gz", "", 0, 1);
    CHECK_EQ_INT(wp_chrome_read(empty, strings, &got.tool, NULL, &diag, NULL), WP_ERR_FORMAT);
    const char *ws = put("ws.json", "   \n", 4, 0);
    CHECK_EQ_INT(wp_chrome_read(ws, strings, &got.tool, NULL, &diag, NULL), WP_ERR_FORMAT);
    CHECK_EQ_STR(wp_format_name(WP_FMT_JSON_GZ), "Chrome trace JSON (gzip)");
    CHECK_EQ_STR(wp_format_name(WP_FMT_UNKNOWN), "unknown");
    free(got.events);
    wp_strtab_free(strings);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    malformed();
    odd_but_valid();
    absurd_numbers();
    deep_nesting();
    huge_strings();
    many_processes();
    not_traces();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
    return check_done();
}
