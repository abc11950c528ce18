/* test_chrome_roundtrip.c: the synthetic run written as .json and .json.gz reads back field for field (ns-exact
 * times, processes, devices, metadata, drop counts); the output is valid JSON (checked with cJSON, an independent
 * parser), X events nest properly on every track, strings with quotes, control characters and invalid UTF-8 survive
 * (invalid bytes as U+FFFD), and a time-ordered read delivers the same events in start order. */
#include "synth.h"
#include "trace_read.h"
#include "trace_write.h"

#include <cjson/cJSON.h>
#include <unistd.h>
#include <zlib.h>

static char *slurp_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    int got;
    while (f && (got = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    if (f)
        gzclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void write_run(const synth_run *run, const char *path)
{
    wp_diag diag = {0};
    wp_write_opts wo = {.force = 1};
    wp_writer *w = wp_chrome_writer_open(path, &wo, &diag);
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK_EQ_INT(synth_emit(run, wp_writer_tool(w)), 0);
    CHECK_EQ_INT(wp_writer_flush(w, &diag), WP_OK);
    CHECK_EQ_INT(wp_writer_close(w, &diag), WP_OK);
}

/* Every X event on a (pid, tid) track either nests in or follows the ones before it, ordered by start. cJSON reads
 * numbers as doubles, whose resolution at 1.8e15 µs is 0.25 µs, hence the tolerance (the synthetic run's gaps are
 * 100 ns and more, its partial overlaps would be µs). */
static int cmp_x(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    if (x[1] != y[1])
        return x[1] < y[1] ? -1 : 1;
    if (x[2] != y[2])
        return x[2] < y[2] ? -1 : 1;
    return x[3] > y[3] ? -1 : x[3] < y[3]; /* longer first */
}

static void check_json_and_nesting(const char *path)
{
    size_t len;
    char *text = slurp_gz(path, &len);
    cJSON *root = cJSON_Parse(text);
    CHECK(root != NULL);
    const cJSON *evs = cJSON_GetObjectItem(root, "traceEvents");
    CHECK(cJSON_IsArray(evs));
    int n = cJSON_GetArraySize(evs), nx = 0;
    double *x = malloc(sizeof(double) * 4 * (size_t)(n + 1));
    const cJSON *e;
    cJSON_ArrayForEach(e, evs)
    {
        const cJSON *ph = cJSON_GetObjectItem(e, "ph");
        if (!cJSON_IsString(ph) || strcmp(ph->valuestring, "X") != 0)
            continue;
        double *r = &x[4 * nx++];
        r[0] = cJSON_GetObjectItem(e, "pid")->valuedouble;
        r[1] = cJSON_GetObjectItem(e, "tid")->valuedouble;
        r[2] = cJSON_GetObjectItem(e, "ts")->valuedouble;
        r[3] = r[2] + cJSON_GetObjectItem(e, "dur")->valuedouble;
    }
    qsort(x, (size_t)nx, sizeof(double) * 4, cmp_x);
    int bad = 0;
    double stack[64];
    int depth = 0;
    for (int i = 0; i < nx; i++) {
        double *r = &x[4 * i];
        if (i && (r[0] != x[4 * i - 4] || r[1] != x[4 * i - 3]))
            depth = 0;
        while (depth && stack[depth - 1] <= r[2] + 0.5)
            depth--;
        if (depth && r[3] > stack[depth - 1] + 0.5)
            bad++;
        if (depth < 64)
            stack[depth++] = r[3];
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(root, "deviceProperties")) == 2);
    /* The whole-file summary: processes with their metadata and drop counts. */
    const cJSON *procs = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "wanprofRun"), "processes");
    CHECK_EQ_INT(cJSON_GetArraySize(procs), 2);
    const cJSON *p1 = cJSON_GetArrayItem(procs, 1);
    CHECK_EQ_INT(cJSON_GetObjectItem(p1, "dropped") ? cJSON_GetObjectItem(p1, "dropped")->valuedouble : -1, 3);
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(cJSON_GetObjectItem(p1, "meta"), "command")));
    CHECK(cJSON_GetObjectItem(root, "wanprof") != NULL);
    free(x);
    cJSON_Delete(root);
    free(text);
}

static void roundtrip(const synth_run *run, const char *path, wp_format want_fmt, int time_ordered)
{
    wp_diag diag = {0};
    CHECK_EQ_INT(wp_format_detect(path, &diag), want_fmt);
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_read_stats st;
    wp_read_opts ro = {.time_ordered = time_ordered};
    int rc = wp_trace_read(path, strings, &got.tool, &ro, &diag, &st);
    CHECK_EQ_INT(rc, WP_OK);
    if (rc != WP_OK)
        fprintf(stderr, "%s\n", diag.error);
    CHECK_EQ_INT(st.events, run->count);
    CHECK_EQ_INT(st.truncated, 0);
    CHECK_EQ_INT(st.skipped, 0);
    CHECK_EQ_INT(st.processes, 2);
    CHECK_EQ_INT(got.nprocs, 2);
    CHECK_EQ_INT(got.ndevs, 2);
    for (int p = 0; p < 2 && got.nprocs == 2 && got.ndevs == 2; p++) {
        CHECK_EQ_INT(got.procs[p].index, run->procs[p].index);
        CHECK_EQ_INT(got.procs[p].pid, run->procs[p].pid);
        CHECK_EQ_INT(got.procs[p].rank, run->procs[p].rank);
        CHECK_EQ_STR(wp_strtab_get(strings, got.procs[p].host), wp_strtab_get(run->strings, run->procs[p].host));
        CHECK_EQ_STR(wp_strtab_get(strings, got.procs[p].label), wp_strtab_get(run->strings, run->procs[p].label));
        wp_device a = run->devs[p], b = got.devs[p];
        CHECK_EQ_STR(wp_strtab_get(strings, b.name), wp_strtab_get(run->strings, a.name));
        a.name = b.name = 0;
        CHECK(memcmp(&a, &b, sizeof(a)) == 0);
        CHECK_EQ_INT(got.dropped[p], run->dropped[p]);
    }
    CHECK_EQ_INT(st.dropped, run->dropped[0] + run->dropped[1]);
    CHECK_EQ_STR(got.meta_command, "[\"python3\",\"gen.py\",\"--steps\",\"27\"]");
    if (time_ordered) {
        size_t unordered = 0;
        for (size_t i = 1; i < got.count; i++)
            unordered += got.events[i].start < got.events[i - 1].start;
        CHECK_EQ_INT(unordered, 0);
    }
    wp_event *want = malloc(run->count * sizeof(*want));
    memcpy(want, run->events, run->count * sizeof(*want));
    synth_compare(want, run->count, run->strings, got.events, got.count, strings);
    free(want);
    free(got.events);
    wp_strtab_free(strings);
}

/* Names with every awkward byte: quotes, backslashes, control characters, invalid UTF-8. */
static void awkward_strings(const char *path)
{
    synth_run run;
    synth_build(&run, 1, 7);
    static const char bad_utf8[] = "kernel \xff\xfe end \xc3\x28 \xe2\x82 ok \xe2\x82\xac";
    static const char ctrl[] = "ctl \x01\x02\x1f\t\r\n\b\f \\ \" / done";
    run.events[1].name = wp_strtab_intern_cstr(run.strings, ctrl);
    run.events[2].name = wp_strtab_intern_cstr(run.strings, bad_utf8);
    write_run(&run, path);
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag = {0};
    CHECK_EQ_INT(wp_trace_read(path, strings, &got.tool, NULL, &diag, NULL), WP_OK);
    int seen_ctrl = 0, seen_utf8 = 0;
    for (size_t i = 0; i < got.count; i++) {
        const char *s = wp_strtab_get(strings, got.events[i].name);
        seen_ctrl += strcmp(s, ctrl) == 0;
        seen_utf8 += strcmp(s, "kernel \xef\xbf\xbd\xef\xbf\xbd end \xef\xbf\xbd( \xef\xbf\xbd\xef\xbf\xbd"
                               " ok \xe2\x82\xac") == 0;
    }
    CHECK_EQ_INT(seen_ctrl, 1);
    CHECK_EQ_INT(seen_utf8, 1);
    free(got.events);
    wp_strtab_free(strings);
    synth_free(&run);
}

/* A host call of 1 us on thread 4000. */
static wp_event *push_call(synth_run *run, int64_t start, const char *name)
{
    wp_event *ev = synth_push(run);
    ev->kind = WP_EV_API;
    ev->tid = 4000;
    ev->device = ev->stream = WP_NONE;
    ev->start = start;
    ev->end = start + 1000;
    ev->name = wp_strtab_intern_cstr(run->strings, name);
    return ev;
}

/* Two calls on one thread that overlap partially (bad input, but it happens with clock skew): Perfetto would drop
 * one, so the writer moves the second to a sibling track; both read back exactly, with their real thread. */
static void partial_overlap(const char *path)
{
    synth_run run;
    synth_build(&run, 1, 3);
    run.count = 0;
    for (int i = 0; i < 2; i++)
        push_call(&run, 1000000 + i * 500, "cudaMemcpy");
    write_run(&run, path);
    size_t len;
    char *text = slurp_gz(path, &len);
    CHECK(strstr(text, "\"tid\":4000,\"ts\":1000.000") != NULL);
    CHECK(strstr(text, "\"tid\":536874912,\"ts\":1000.500") != NULL); /* 4000 | WP_CHROME_OVERLAP_BIT */
    CHECK(strstr(text, "(overlapping)") != NULL);
    free(text);
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag = {0};
    CHECK_EQ_INT(wp_trace_read(path, strings, &got.tool, NULL, &diag, NULL), WP_OK);
    synth_compare(run.events, run.count, run.strings, got.events, got.count, strings);
    free(got.events);
    wp_strtab_free(strings);
    synth_free(&run);
}

/* An arrow starts only at a call that puts work on the GPU, and each one ends at that work: a cudaGetDevice or a
 * host function queued on a stream, each with a correlation id (CUPTI gives every call one), starts none; a driver
 * launch (named as Kineto names it, without CUPTI's version suffix) and a HIP launch (a ROCm trace) do. */
static void flow_arrows(const char *path)
{
    synth_run run;
    synth_build(&run, 1, 5);
    run.count = 0;
    static const char *calls[] = {"cudaGetDevice_v3020", "cuLaunchKernel", "cudaLaunchHostFunc_v10000",
                                  "hipLaunchKernel"};
    for (int i = 0; i < 4; i++)
        push_call(&run, 1000000 + i * 5000, calls[i])->correlation = 70u + (uint64_t)i;
    for (int i = 0; i < 2; i++) { /* the launches' kernels: correlations 71 and 73 */
        wp_event *k = synth_push(&run);
        k->kind = WP_EV_KERNEL;
        k->device = 0;
        k->stream = 7;
        k->start = 1030000 + i * 20000;
        k->end = k->start + 10000;
        k->correlation = 71u + 2u * (uint64_t)i;
        k->name = wp_strtab_intern_cstr(run.strings, "gemm");
    }
    write_run(&run, path);
    size_t len;
    char *text = slurp_gz(path, &len);
    cJSON *root = cJSON_Parse(text);
    CHECK(root != NULL);
    int starts = 0, ends = 0;
    double start_ids = 0, end_ids = 0; /* the ids' sums: the same pair of ids on both sides */
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(root, "traceEvents"))
    {
        const cJSON *ph = cJSON_GetObjectItem(e, "ph");
        if (!cJSON_IsString(ph) || (strcmp(ph->valuestring, "s") != 0 && strcmp(ph->valuestring, "f") != 0))
            continue;
        int start = ph->valuestring[0] == 's';
        starts += start;
        ends += !start;
        *(start ? &start_ids : &end_ids) += cJSON_GetObjectItem(e, "id")->valuedouble;
    }
    CHECK_EQ_INT(starts, 2);
    CHECK_EQ_INT(ends, 2);
    CHECK(start_ids == end_ids && start_ids == 71 + 73);
    cJSON_Delete(root);
    free(text);
    synth_free(&run);
}

/* Metadata values that are not one JSON value are kept as JSON strings, so the file stays valid. */
static void bad_meta(const char *path)
{
    synth_run run;
    synth_build(&run, 1, 9);
    wp_diag diag = {0};
    wp_write_opts wo = {.force = 1};
    wp_writer *w = wp_chrome_writer_open(path, &wo, &diag);
    wp_tool *t = wp_writer_tool(w);
    t->strings = run.strings;
    t->process(t, &run.procs[0]);
    t->meta(t, 0, "command", "[1] trailing");
    CHECK_EQ_INT(wp_writer_close(w, &diag), WP_OK);
    size_t len;
    char *text = slurp_gz(path, &len);
    cJSON *root = cJSON_Parse(text);
    CHECK(root != NULL);
    cJSON_Delete(root);
    free(text);
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    CHECK_EQ_INT(wp_trace_read(path, strings, &got.tool, NULL, &diag, NULL), WP_OK);
    CHECK_EQ_STR(got.meta_command, "\"[1] trailing\"");
    free(got.events);
    wp_strtab_free(strings);
    synth_free(&run);
}

int main(void)
{
    char dir[] = "/tmp/wp_chrome_rt_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char json[256], gz[256], odd[256];
    snprintf(json, sizeof(json), "%s/run.json", dir);
    snprintf(gz, sizeof(gz), "%s/run.json.gz", dir);
    snprintf(odd, sizeof(odd), "%s/odd.json.gz", dir);
    synth_run run;
    synth_build(&run, 27, 42);
    write_run(&run, json);
    write_run(&run, gz);
    roundtrip(&run, json, WP_FMT_JSON, 0);
    roundtrip(&run, gz, WP_FMT_JSON_GZ, 0);
    roundtrip(&run, gz, WP_FMT_JSON_GZ, 1);
    check_json_and_nesting(json);
    check_json_and_nesting(gz);
    awkward_strings(odd);
    partial_overlap(odd);
    flow_arrows(odd);
    bad_meta(odd);
    synth_free(&run);
    unlink(json);
    unlink(gz);
    unlink(odd);
    rmdir(dir);
    return check_done();
}
