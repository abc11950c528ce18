/* test_chrome_kineto.c: the real torch.profiler trace (tests/fixtures/kineto_sample.json.gz, H200, torch.compile,
 * pageable copies) reads with every kernel, memcpy, memset, runtime/driver call, annotation and overhead event
 * accounted for. The expected figures come from an independent pass over the same file in this test: zlib + cJSON
 * (a DOM parser, fine for a 3 MB fixture), classifying elements by "ph" and "cat" and parsing memcpy names with
 * sscanf. Times are compared within 1 ns (cJSON reads them as doubles); bytes, directions, memory kinds, devices,
 * streams and correlations exactly, element by element in file order. */
#pragma GCC diagnostic ignored "-Wunused-function" /* only synth.h's collector is used here */
#include "synth.h"
#include "trace_read.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <unistd.h>
#include <zlib.h>

static char *slurp_gz(const char *path)
{
    gzFile f = gzopen(path, "rb");
    size_t cap = 1 << 22, n = 0;
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
    return buf;
}

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num_of(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* The independent expectation for one element: kind (0 = not an event), and for memcpys the parsed name. */
static int expected_kind(const cJSON *e)
{
    const char *ph = str_of(e, "ph"), *cat = str_of(e, "cat");
    if (strcmp(ph, "X") != 0 && strcmp(ph, "i") != 0)
        return 0;
    static const struct {
        const char *cat;
        int kind;
    } cats[] = {{"kernel", WP_EV_KERNEL},           {"gpu_memcpy", WP_EV_MEMCPY},
                {"gpu_memset", WP_EV_MEMSET},       {"cuda_runtime", WP_EV_API},
                {"cuda_driver", WP_EV_API},         {"user_annotation", WP_EV_RANGE},
                {"gpu_user_annotation", WP_EV_RANGE}, {"cpu_op", WP_EV_RANGE},
                {"python_function", WP_EV_RANGE},   {"overhead", WP_EV_OVERHEAD}};
    for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
        if (strcmp(cat, cats[i].cat) == 0)
            return cats[i].kind;
    return 0;
}

static int copy_kind_of(const char *dir)
{
    static const char *names[] = {"?", "HtoD", "DtoH", "HtoA", "AtoH", "AtoA", "AtoD", "DtoA", "DtoD", "HtoH", "PtoP"};
    for (int i = 1; i < 11; i++)
        if (strcmp(dir, names[i]) == 0)
            return i;
    return 0;
}

static int mem_kind_of(const char *k)
{
    static const char *names[] = {"Pageable", "Pinned", "Device", "Array", "Managed"};
    for (int i = 0; i < 5; i++)
        if (strcmp(k, names[i]) == 0)
            return i;
    return -1;
}

static void compare_one(const cJSON *e, const wp_event *ev, const wp_strtab *strings, int *bad)
{
    const char *cat = str_of(e, "cat");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(e, "args");
    int gpu = !strcmp(cat, "kernel") || !strcmp(cat, "gpu_memcpy") || !strcmp(cat, "gpu_memset") ||
              !strcmp(cat, "gpu_user_annotation");
    double ts = num_of(e, "ts", 0) * 1000.0, dur = num_of(e, "dur", 0) * 1000.0;
    int ok = fabs((double)ev->start - ts) <= 1.0 && fabs((double)(ev->end - ev->start) - dur) <= 1.0;
    ok &= strcmp(wp_strtab_get(strings, ev->name), str_of(e, "name")) == 0;
    ok &= ev->correlation == (uint64_t)num_of(args, "correlation", 0);
    if (gpu) {
        ok &= ev->device == (uint32_t)num_of(args, "device", num_of(e, "pid", -1));
        ok &= ev->stream == (uint32_t)num_of(args, "stream", num_of(e, "tid", -1));
    } else {
        ok &= ev->device == WP_NONE && ev->tid == (uint32_t)num_of(e, "tid", 0);
    }
    if (!strcmp(cat, "gpu_memcpy")) {
        char dir[16] = "", src[32] = "", dst[32] = "";
        ok &= sscanf(str_of(e, "name"), "Memcpy %15s (%31[^ ] -> %31[^)])", dir, src, dst) == 3;
        ok &= ev->u.memcpy.copy_kind == copy_kind_of(dir);
        ok &= ev->u.memcpy.src_kind == mem_kind_of(src) && ev->u.memcpy.dst_kind == mem_kind_of(dst);
        ok &= ev->u.memcpy.bytes == (uint64_t)num_of(args, "bytes", -1);
    }
    if (!strcmp(cat, "kernel")) {
        const cJSON *grid = cJSON_GetObjectItemCaseSensitive(args, "grid");
        ok &= cJSON_GetArraySize(grid) == 3 &&
              ev->u.kernel.grid[0] == (uint32_t)cJSON_GetArrayItem(grid, 0)->valuedouble;
        ok &= ev->u.kernel.registers_per_thread == (uint32_t)num_of(args, "registers per thread", -1);
    }
    if (!strcmp(cat, "cuda_runtime"))
        ok &= ev->u.api.cbid == (uint32_t)num_of(args, "cbid", -1) && ev->u.api.domain == WP_API_RUNTIME;
    if (!ok && (*bad)++ < 5)
        fprintf(stderr, "element %s \"%s\" at ts %.3f does not match what was read\n", cat, str_of(e, "name"),
                num_of(e, "ts", 0));
}

/* A Kineto file of rank 3 (distributedInfo), with deviceProperties after traceEvents as some writers put it: the
 * process carries the rank, the devices come after it, GPU events without device/stream args take pid/tid. */
static void rank_and_late_devices(void)
{
    const char *text =
        "{\"distributedInfo\": {\"backend\": \"nccl\", \"rank\": 3, \"world_size\": 8},\n\"traceEvents\": [\n"
        "{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": \"cudaLaunchKernel\", \"pid\": 77, \"tid\": 78, "
        "\"ts\": 10.25, \"dur\": 1, \"args\": {\"correlation\": 5, \"cbid\": 211}},\n"
        "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"pid\": 2, \"tid\": 13, \"ts\": 12, \"dur\": 3.5, "
        "\"args\": {\"correlation\": 5}},\n"
        "{\"ph\": \"X\", \"cat\": \"gpu_memcpy\", \"name\": \"Memcpy PtoP (Device -> Device)\", \"pid\": 2, "
        "\"tid\": 13, \"ts\": 20, \"dur\": 1, \"args\": {\"bytes\": 1048576, \"fromDevice\": 2, \"toDevice\": 5}},\n"
        "{\"ph\": \"X\", \"cat\": \"gpu_memset\", \"name\": \"Memset (Device)\", \"pid\": 2, \"tid\": 13, "
        "\"ts\": 30, \"dur\": 1, \"args\": {\"bytes\": 4096}}\n],\n"
        "\"deviceProperties\": [{\"id\": 2, \"name\": \"NVIDIA H200\", \"numSms\": 132}]}\n";
    char path[] = "/tmp/wp_kineto_rank_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag = {0};
    CHECK_EQ_INT(wp_trace_read(path, strings, &got.tool, NULL, &diag, NULL), WP_OK);
    CHECK_EQ_INT(got.nprocs, 1);
    CHECK_EQ_INT(got.procs[0].rank, 3);
    CHECK_EQ_INT(got.procs[0].pid, 77);
    CHECK_EQ_INT(got.ndevs, 1);
    CHECK_EQ_INT(got.devs[0].id, 2);
    CHECK_EQ_INT(got.count, 4);
    if (got.count == 4) {
        CHECK_EQ_INT(got.events[0].tid, 78);
        CHECK_EQ_INT(got.events[0].start, 10250);
        CHECK_EQ_INT(got.events[1].device, 2);
        CHECK_EQ_INT(got.events[1].stream, 13);
        CHECK_EQ_INT(got.events[1].end, 15500);
        CHECK_EQ_INT(got.events[2].u.memcpy.copy_kind, WP_COPY_PTOP);
        CHECK_EQ_INT(got.events[2].u.memcpy.src_kind, WP_MEM_DEVICE);
        CHECK_EQ_INT(got.events[2].u.memcpy.src_device, 2);
        CHECK_EQ_INT(got.events[2].u.memcpy.dst_device, 5);
        CHECK_EQ_INT(got.events[3].kind, WP_EV_MEMSET);
        CHECK_EQ_INT(got.events[3].u.memset.mem_kind, WP_MEM_DEVICE);
        CHECK_EQ_INT(got.events[3].u.memset.bytes, 4096);
    }
    free(got.events);
    wp_strtab_free(strings);
    unlink(path);
}

int main(void)
{
    const char *path = check_fixture("kineto_sample.json.gz");
    char *text = slurp_gz(path);
    cJSON *root = cJSON_Parse(text);
    CHECK(root != NULL);
    if (!root)
        return check_done();
    const cJSON *evs = cJSON_GetObjectItemCaseSensitive(root, "traceEvents");

    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag = {0};
    wp_read_stats st;
    CHECK_EQ_INT(wp_format_detect(path, &diag), WP_FMT_JSON_GZ);
    int rc = wp_trace_read(path, strings, &got.tool, NULL, &diag, &st);
    CHECK_EQ_INT(rc, WP_OK);

    /* Independent expectation, element by element in file order. */
    size_t want_by_kind[WP_EV_KIND_COUNT] = {0}, got_by_kind[WP_EV_KIND_COUNT] = {0}, skipped = 0, i = 0;
    int bad = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, evs)
    {
        int kind = expected_kind(e);
        const char *ph = str_of(e, "ph");
        if (!kind) {
            skipped += !strcmp(ph, "X") || !strcmp(ph, "i"); /* events of categories outside the model */
            continue;
        }
        want_by_kind[kind]++;
        if (i < got.count) {
            CHECK_EQ_INT(got.events[i].kind, kind);
            compare_one(e, &got.events[i], strings, &bad);
        }
        i++;
    }
    CHECK_EQ_INT(got.count, i);
    CHECK_EQ_INT(bad, 0);
    for (size_t k = 0; k < got.count; k++)
        got_by_kind[got.events[k].kind]++;
    for (int k = 1; k < WP_EV_KIND_COUNT; k++)
        CHECK_EQ_INT(got_by_kind[k], want_by_kind[k]);
    CHECK(want_by_kind[WP_EV_KERNEL] > 0 && want_by_kind[WP_EV_MEMCPY] > 0 && want_by_kind[WP_EV_API] > 0);
    CHECK_EQ_INT(st.events, got.count);
    CHECK_EQ_INT(st.skipped, skipped);
    CHECK_EQ_INT(st.truncated, 0);

    /* Every GPU op's correlation names a runtime call of the file (the launch -> op link survives). */
    size_t orphans = 0;
    for (size_t k = 0; k < got.count; k++) {
        const wp_event *op = &got.events[k];
        if (op->kind != WP_EV_KERNEL && op->kind != WP_EV_MEMCPY)
            continue;
        int found = 0;
        for (size_t j = 0; j < got.count && !found; j++)
            found = got.events[j].kind == WP_EV_API && got.events[j].correlation == op->correlation;
        orphans += !found;
    }
    CHECK_EQ_INT(orphans, 0);

    /* One process (the host pid of the CPU events), the devices of deviceProperties. */
    CHECK_EQ_INT(st.processes, 1);
    CHECK_EQ_INT(got.nprocs, 1);
    const cJSON *first = cJSON_GetArrayItem(evs, 0);
    CHECK_EQ_INT(got.procs[0].pid, (int64_t)num_of(first, "pid", -1));
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "deviceProperties");
    CHECK_EQ_INT(got.ndevs, cJSON_GetArraySize(props));
    if (got.ndevs > 0) {
        const cJSON *d0 = cJSON_GetArrayItem(props, 0);
        CHECK_EQ_STR(wp_strtab_get(strings, got.devs[0].name), str_of(d0, "name"));
        CHECK_EQ_INT(got.devs[0].sm_count, (int)num_of(d0, "numSms", -1));
        CHECK_EQ_INT(got.devs[0].total_memory, (uint64_t)num_of(d0, "totalGlobalMem", -1));
    }
    rank_and_late_devices();
    printf("kineto sample: %zu kernels, %zu memcpys, %zu API calls, %zu ranges, %zu skipped\n",
           got_by_kind[WP_EV_KERNEL], got_by_kind[WP_EV_MEMCPY], got_by_kind[WP_EV_API], got_by_kind[WP_EV_RANGE],
           (size_t)st.skipped);
    free(got.events);
    wp_strtab_free(strings);
    cJSON_Delete(root);
    free(text);
    return check_done();
}
