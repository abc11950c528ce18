/* test_chrome_truncate.c: salvage. A .json.gz cut at random offsets: the synthetic run as we write it (50 cuts), two
 * real traces (issue 7's sweep), the Kineto sample and the runner recorded by our collector
 * (examples/runner_offload/layerwise.json.gz), 200 cuts each, and a plain .json cut at 20. They never crash and
 * deliver exactly the events that were complete before the cut: the same events, in the same order, as the first N
 * of a full read. N is found independently: the uncompressed bytes a cut file still holds are measured with zlib
 * directly, and the traceEvents elements of the full text are delimited by a bracket/string scan written here and
 * classified with cJSON. Also: a writer that is killed after wp_writer_flush leaves a file from which every event
 * written before the flush reads back, and one killed without any flush still leaves the part its own 16 MB
 * auto-flushes wrote. */
#pragma GCC diagnostic ignored "-Wunused-function" /* not every synth.h helper is used here */
#include "synth.h"
#include "trace_read.h"
#include "trace_write.h"

#include <cjson/cJSON.h>
#include <unistd.h>
#include <zlib.h>

typedef struct elem {
    size_t end;      /* offset just past the element's closing brace */
    int deliverable; /* an event of a category the model has */
} elem;

typedef struct text_info {
    elem *elems;
    size_t n;
    size_t array_start; /* just past the '[' of traceEvents */
    size_t json_end;    /* just past the top-level closing brace */
} text_info;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

/* Inflates as much of data as zlib can: what any gzip reader could recover from a cut file. */
static char *inflate_prefix(const char *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    inflateInit2(&z, 15 + 32);
    size_t cap = len * 20 + 4096;
    char *out = malloc(cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    int rc;
    do {
        if (z.total_out == cap)
            out = realloc(out, cap *= 2);
        z.next_out = (unsigned char *)out + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        rc = inflate(&z, Z_NO_FLUSH);
    } while (rc == Z_OK);
    *out_len = z.total_out;
    inflateEnd(&z);
    return out;
}

static int is_event(const char *text, size_t len)
{
    cJSON *e = cJSON_ParseWithLength(text, len);
    const cJSON *ph = cJSON_GetObjectItem(e, "ph"), *cat = cJSON_GetObjectItem(e, "cat");
    static const char *cats[] = {"kernel", "gpu_memcpy", "gpu_memset", "cuda_runtime", "cuda_driver", "cuda_sync",
                                 "cuda_memory", "user_annotation", "gpu_user_annotation", "cpu_op",
                                 "python_function", "overhead"};
    int yes = 0;
    if (cJSON_IsString(ph) && (!strcmp(ph->valuestring, "X") || !strcmp(ph->valuestring, "i")) && cJSON_IsString(cat))
        for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
            yes |= strcmp(cat->valuestring, cats[i]) == 0;
    cJSON_Delete(e);
    return yes;
}

/* Delimits the traceEvents elements of a complete trace text. */
static text_info scan_text(const char *t, size_t len)
{
    text_info info = {0};
    const char *key = strstr(t, "\"traceEvents\"");
    const char *p = strchr(key, '[') + 1;
    info.array_start = (size_t)(p - t);
    info.elems = malloc(sizeof(elem) * (len / 8 + 1));
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')
            p++;
        if (*p == ']')
            break;
        const char *s = p;
        int depth = 0, in_str = 0;
        for (;; p++) {
            if (in_str) {
                if (*p == '\\')
                    p++;
                else if (*p == '"')
                    in_str = 0;
            } else if (*p == '"') {
                in_str = 1;
            } else if (*p == '{' || *p == '[') {
                depth++;
            } else if ((*p == '}' || *p == ']') && --depth == 0) {
                break;
            }
        }
        p++;
        info.elems[info.n++] = (elem){(size_t)(p - t), is_event(s, (size_t)(p - s))};
    }
    const char *last = t + len;
    while (last > t && last[-1] != '}')
        last--;
    info.json_end = (size_t)(last - t);
    return info;
}

static int same_event(const wp_event *a, const wp_strtab *sa, const wp_event *b, const wp_strtab *sb)
{
    wp_event x = *a, y = *b;
    if (strcmp(wp_strtab_get(sa, x.name), wp_strtab_get(sb, y.name)) != 0)
        return 0;
    x.name = y.name = 0;
    if (x.kind == WP_EV_RANGE) {
        if (strcmp(wp_strtab_get(sa, x.u.range.domain), wp_strtab_get(sb, y.u.range.domain)) != 0 ||
            strcmp(wp_strtab_get(sa, x.u.range.args), wp_strtab_get(sb, y.u.range.args)) != 0)
            return 0;
        x.u.range.domain = y.u.range.domain = x.u.range.args = y.u.range.args = 0;
    }
    return memcmp(&x, &y, sizeof(x)) == 0;
}

typedef struct full_read {
    synth_collect c;
    wp_strtab *strings;
} full_read;

static void read_all(const char *path, full_read *f)
{
    synth_collect_init(&f->c);
    f->strings = wp_strtab_new();
    wp_diag diag = {0};
    CHECK_EQ_INT(wp_trace_read(path, f->strings, &f->c.tool, NULL, &diag, NULL), WP_OK);
}

/* Reads the cut file and checks it against the expectation from `avail` uncompressed bytes. */
static void check_cut(const char *cut_path, const text_info *info, size_t avail, const full_read *full, size_t at)
{
    size_t want = 0, last_end = 0;
    for (size_t i = 0; i < info->n && info->elems[i].end <= avail; i++) {
        want += info->elems[i].deliverable;
        last_end = info->elems[i].end;
    }
    if (!last_end && avail >= info->array_start)
        last_end = info->array_start;
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag = {0};
    wp_read_stats st;
    int rc = wp_chrome_read(cut_path, strings, &got.tool, NULL, &diag, &st);
    int ok = rc == WP_OK && got.count == want && st.events == want && st.bytes_read == avail;
    if (avail < info->json_end)
        ok &= st.truncated == 1 && st.bytes_lost == avail - last_end && diag.warnings >= 1;
    for (size_t i = 0; ok && i < got.count; i++)
        ok &= same_event(&got.events[i], strings, &full->c.events[i], full->strings);
    if (!ok)
        fprintf(stderr, "cut at %zu (%zu bytes inflated): rc %d (%s), %zu events, want %zu, lost %llu, want %zu\n",
                at, avail, rc, diag.error, got.count, want, (unsigned long long)st.bytes_lost, avail - last_end);
    CHECK(ok);
    free(got.events);
    wp_strtab_free(strings);
}

static void cut_many(const char *path, int gzip, int cuts, uint64_t seed, const char *tmp)
{
    size_t len, text_len;
    char *data = read_file(path, &len);
    char *text = gzip ? inflate_prefix(data, len, &text_len) : (text_len = len, data);
    text_info info = scan_text(text, text_len);
    CHECK(info.n > 100);
    full_read full;
    read_all(path, &full);
    size_t deliverable = 0;
    for (size_t i = 0; i < info.n; i++)
        deliverable += info.elems[i].deliverable;
    CHECK_EQ_INT(full.c.count, deliverable);
    uint64_t st = seed;
    for (int k = 0; k < cuts; k++) {
        size_t at = 1 + synth_rand(&st) % (len - 1);
        write_file(tmp, data, at);
        size_t avail = at;
        if (gzip)
            free(inflate_prefix(data, at, &avail));
        check_cut(tmp, &info, avail, &full, at);
    }
    free(full.c.events);
    wp_strtab_free(full.strings);
    free(info.elems);
    if (text != data)
        free(text);
    free(data);
    unlink(tmp);
}

/* A writer killed after a flush: the file as it was then holds every event emitted before the flush. */
static void killed_writer(const char *dir)
{
    char path[512], copy[512];
    snprintf(path, sizeof(path), "%s/live.json.gz", dir);
    snprintf(copy, sizeof(copy), "%s/killed.json.gz", dir);
    synth_run run;
    synth_build(&run, 8, 5);
    wp_diag diag = {0};
    wp_write_opts wo = {.force = 1, .in_place = 1};
    wp_writer *w = wp_chrome_writer_open(path, &wo, &diag);
    wp_tool *t = wp_writer_tool(w);
    t->strings = run.strings;
    for (int p = 0; p < 2; p++)
        t->process(t, &run.procs[p]);
    size_t half = run.count / 2;
    for (size_t i = 0; i < half; i++)
        wp_tool_event(t, &run.events[i]);
    CHECK_EQ_INT(wp_writer_flush(w, &diag), WP_OK);
    size_t len;
    char *data = read_file(path, &len); /* what a reader sees if the process dies now */
    write_file(copy, data, len);
    free(data);
    wp_writer_abort(w);
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_read_stats st;
    CHECK_EQ_INT(wp_chrome_read(copy, strings, &got.tool, NULL, &diag, &st), WP_OK);
    CHECK_EQ_INT(st.truncated, 1);
    CHECK_EQ_INT(got.count, half);
    CHECK_EQ_INT(got.nprocs, 2);
    int same = 1;
    for (size_t i = 0; i < half && i < got.count; i++)
        same &= same_event(&got.events[i], strings, &run.events[i], run.strings);
    CHECK(same);
    free(got.events);
    wp_strtab_free(strings);
    synth_free(&run);
    unlink(path);
    unlink(copy);
}

/* Without any wp_writer_flush, the writer flushes by itself every 16 MB of text: a writer killed after ~25 MB has
 * left at least the first 16 MB readable. */
static void auto_flush(const char *dir)
{
    char path[512], copy[512];
    snprintf(path, sizeof(path), "%s/auto.json.gz", dir);
    snprintf(copy, sizeof(copy), "%s/auto_killed.json.gz", dir);
    synth_run run;
    synth_build(&run, 1500, 11);
    wp_diag diag = {0};
    wp_write_opts wo = {.force = 1, .in_place = 1};
    wp_writer *w = wp_chrome_writer_open(path, &wo, &diag);
    wp_tool *t = wp_writer_tool(w);
    t->strings = run.strings;
    for (int p = 0; p < 2; p++)
        t->process(t, &run.procs[p]);
    for (size_t i = 0; i < run.count; i++)
        wp_tool_event(t, &run.events[i]);
    size_t len;
    char *data = read_file(path, &len);
    write_file(copy, data, len);
    free(data);
    wp_writer_abort(w);
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_read_stats st;
    CHECK_EQ_INT(wp_chrome_read(copy, strings, &got.tool, NULL, &diag, &st), WP_OK);
    CHECK_EQ_INT(st.truncated, 1);
    CHECK(st.bytes_read >= (16u << 20));
    CHECK(got.count > run.count / 2 && got.count < run.count);
    int same = 1;
    for (size_t i = 0; i < got.count; i++)
        same &= same_event(&got.events[i], strings, &run.events[i], run.strings);
    CHECK(same);
    free(got.events);
    wp_strtab_free(strings);
    synth_free(&run);
    unlink(path);
    unlink(copy);
}

int main(void)
{
    char dir[] = "/tmp/wp_chrome_cut_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char gz[512], json[512], tmp[512];
    snprintf(gz, sizeof(gz), "%s/run.json.gz", dir);
    snprintf(json, sizeof(json), "%s/run.json", dir);
    snprintf(tmp, sizeof(tmp), "%s/cut", dir);
    synth_run run;
    synth_build(&run, 27, 99);
    wp_diag diag = {0};
    wp_write_opts wo = {.force = 1};
    for (int i = 0; i < 2; i++) {
        wp_writer *w = wp_chrome_writer_open(i ? json : gz, &wo, &diag);
        synth_emit(&run, wp_writer_tool(w));
        CHECK_EQ_INT(wp_writer_close(w, &diag), WP_OK);
    }
    cut_many(gz, 1, 50, 12345, tmp);
    cut_many(check_fixture("kineto_sample.json.gz"), 1, 200, 777, tmp);
    cut_many(check_fixture("../../examples/runner_offload/layerwise.json.gz"), 1, 200, 31337, tmp);
    cut_many(json, 0, 20, 4242, tmp);
    killed_writer(dir);
    auto_flush(dir);
    synth_free(&run);
    unlink(gz);
    unlink(json);
    rmdir(dir);
    return check_done();
}
