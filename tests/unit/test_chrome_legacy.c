/* test_chrome_legacy.c: Kineto traces of other eras and platforms read into the exact events they hold. Each fixture is
 * hand-written after the format libkineto/src/output_json.cpp wrote at the time (values are ours):
 *   kineto_torch19.json        torch <= 1.9: "Operator", "Runtime", "Kernel", "Memcpy", "Memset", "User" categories,
 *                              tids as strings ("31337", "stream 7", "stream 7 user"), "[memory]" instants without a
 *                              category or address;
 *   kineto_torch111.json       torch 1.10/1.11: ActivityType names for host work, capitalised GPU categories,
 *                              "gpu_user_Annotation" (misspelt then);
 *   kineto_rocm_copies.json    ROCm builds: copies named "Memcpy HtoD (Host -> Device)" (the host side's kind unknown);
 *   kineto_memory_events.json  torch 2.x "[memory]" instants (category cpu_instant_event, with "Addr"): CUDA ones are
 *                              allocations and frees, host ones are skipped and counted. */
#pragma GCC diagnostic ignored "-Wunused-function" /* only synth.h's collector is used here */
#include "chrome_names.h"
#include "synth.h"
#include "trace_read.h"
#include "trace_write.h"

#include <unistd.h>

typedef struct read_result {
    synth_collect got;
    wp_strtab *strings;
    wp_read_stats st;
    wp_diag diag;
    int rc;
} read_result;

static void read_fixture(const char *name, read_result *r)
{
    memset(r, 0, sizeof(*r));
    synth_collect_init(&r->got);
    r->strings = wp_strtab_new();
    r->rc = wp_trace_read(check_fixture(name), r->strings, &r->got.tool, NULL, &r->diag, &r->st);
    if (r->rc != WP_OK)
        fprintf(stderr, "%s: %s\n", name, r->diag.error);
    CHECK_EQ_INT(r->rc, WP_OK);
}

static void free_result(read_result *r)
{
    free(r->got.events);
    wp_strtab_free(r->strings);
}

/* The fields every event has; times in ns. */
static void check_common(const read_result *r, size_t i, uint32_t kind, const char *name, int64_t start, int64_t end,
                         uint32_t device, uint32_t stream, uint32_t tid, uint64_t correlation)
{
    if (i >= r->got.count) {
        CHECK(i < r->got.count);
        return;
    }
    const wp_event *e = &r->got.events[i];
    CHECK_EQ_INT(e->kind, kind);
    CHECK_EQ_STR(wp_strtab_get(r->strings, e->name), name);
    CHECK_EQ_INT(e->start, start);
    CHECK_EQ_INT(e->end, end);
    CHECK_EQ_INT(e->proc, 0);
    CHECK_EQ_INT(e->device, device);
    CHECK_EQ_INT(e->stream, stream);
    CHECK_EQ_INT(e->tid, tid);
    CHECK_EQ_INT(e->correlation, correlation);
}

static const wp_event *at(const read_result *r, size_t i)
{
    static const wp_event none;
    return i < r->got.count ? &r->got.events[i] : &none;
}

static void check_copy(const read_result *r, size_t i, uint64_t bytes, int copy_kind, int src, int dst,
                       uint32_t src_device, uint32_t dst_device)
{
    const wp_memcpy_info *m = &at(r, i)->u.memcpy;
    CHECK_EQ_INT(m->bytes, bytes);
    CHECK_EQ_INT(m->copy_kind, copy_kind);
    CHECK_EQ_INT(m->src_kind, src);
    CHECK_EQ_INT(m->dst_kind, dst);
    CHECK_EQ_INT(m->src_device, src_device);
    CHECK_EQ_INT(m->dst_device, dst_device);
    CHECK_EQ_INT(m->async, 0);
}

static void check_alloc(const read_result *r, size_t i, uint64_t address, uint64_t bytes, int op)
{
    const wp_memory_info *m = &at(r, i)->u.memory;
    CHECK_EQ_INT(m->address, address);
    CHECK_EQ_INT(m->bytes, bytes);
    CHECK_EQ_INT(m->op, op);
    CHECK_EQ_INT(m->mem_kind, WP_MEM_DEVICE);
    CHECK_EQ_INT(m->async, 0);
}

#define US19(us) ((int64_t)(1623000000000000LL + (us)) * 1000) /* the torch 1.9 fixture's times */

static void torch19(void)
{
    read_result r;
    read_fixture("kineto_torch19.json", &r);
    CHECK_EQ_INT(r.got.count, 10);
    CHECK_EQ_INT(r.st.events, 10);
    /* the host "[memory]" record, the "Trace" span and the two uncategorised instants */
    CHECK_EQ_INT(r.st.skipped, 4);
    CHECK_EQ_INT(r.diag.warnings, 1); /* the host allocations; Kineto's markers are not worth one */
    CHECK_EQ_INT(r.got.nprocs, 1);
    CHECK_EQ_INT(r.got.procs[0].pid, 31337);
    CHECK_EQ_INT(r.got.ndevs, 2);

    check_common(&r, 0, WP_EV_RANGE, "aten::to", US19(100), US19(140), WP_NONE, WP_NONE, 31337, 0);
    CHECK_EQ_INT(at(&r, 0)->u.range.source, WP_RANGE_CPU_OP);
    CHECK_EQ_INT(at(&r, 0)->u.range.flags, 0);

    check_common(&r, 1, WP_EV_MEMORY, "[memory]", US19(120), US19(120), 0, WP_NONE, 31337, 0);
    check_alloc(&r, 1, 0, 1048576, WP_MEMORY_ALLOC);

    check_common(&r, 2, WP_EV_API, "cudaMemcpyAsync", US19(130), US19(155), WP_NONE, WP_NONE, 31337, 501);
    CHECK_EQ_INT(at(&r, 2)->u.api.cbid, 41);
    CHECK_EQ_INT(at(&r, 2)->u.api.domain, WP_API_RUNTIME);

    check_common(&r, 3, WP_EV_MEMCPY, "Memcpy HtoD (Pageable -> Device)", US19(150), US19(450), 0, 7, 0, 501);
    check_copy(&r, 3, 1048576, WP_COPY_HTOD, WP_MEM_PAGEABLE, WP_MEM_DEVICE, WP_NONE, WP_NONE);

    check_common(&r, 4, WP_EV_API, "cudaLaunchKernel", US19(200), US19(208), WP_NONE, WP_NONE, 31337, 502);
    CHECK_EQ_INT(at(&r, 4)->u.api.cbid, 211);

    check_common(&r, 5, WP_EV_KERNEL, "volta_sgemm_128x64_nn", US19(460), US19(580), 0, 7, 0, 502);
    const wp_kernel_info *k = &at(&r, 5)->u.kernel;
    CHECK_EQ_INT(k->grid[0], 128);
    CHECK_EQ_INT(k->grid[1], 1);
    CHECK_EQ_INT(k->block[0], 256);
    CHECK_EQ_INT(k->registers_per_thread, 126);
    CHECK_EQ_INT(k->static_shared, 12288); /* Kineto's "shared memory" is static + dynamic */
    CHECK_EQ_INT(k->dynamic_shared, 0);

    check_common(&r, 6, WP_EV_MEMSET, "Memset (Device)", US19(600), US19(602), 0, 7, 0, 503);
    CHECK_EQ_INT(at(&r, 6)->u.memset.bytes, 4096);
    CHECK_EQ_INT(at(&r, 6)->u.memset.mem_kind, WP_MEM_DEVICE);

    /* CUpti_ActivityMemcpy2's record: no "device" arg (the pid is it), the two ends in fromDevice / toDevice */
    check_common(&r, 7, WP_EV_MEMCPY, "Memcpy PtoP (Device -> Device)", US19(700), US19(750), 0, 7, 0, 504);
    check_copy(&r, 7, 65536, WP_COPY_PTOP, WP_MEM_DEVICE, WP_MEM_DEVICE, 0, 1);

    /* "User": the GPU span of an annotation, its stream only in the tid "stream 7 user" */
    check_common(&r, 8, WP_EV_RANGE, "ProfilerStep#3", US19(460), US19(760), 0, 7, 0, 0);
    CHECK_EQ_INT(at(&r, 8)->u.range.source, WP_RANGE_GPU_USER_ANNOTATION);

    check_common(&r, 9, WP_EV_MEMORY, "[memory]", US19(800), US19(800), 0, WP_NONE, 31337, 0);
    check_alloc(&r, 9, 0, 1048576, WP_MEMORY_FREE);
    free_result(&r);
}

#define US111(us) ((int64_t)(1646000000000000LL + (us)) * 1000)

static void torch111(void)
{
    read_result r;
    read_fixture("kineto_torch111.json", &r);
    CHECK_EQ_INT(r.got.count, 8);
    CHECK_EQ_INT(r.st.skipped, 3); /* "Trace", "Iteration Start", "Record Window End" */
    CHECK_EQ_INT(r.diag.warnings, 0);
    CHECK_EQ_INT(r.got.nprocs, 1);
    CHECK_EQ_INT(r.got.procs[0].pid, 4242);
    CHECK_EQ_INT(r.got.ndevs, 1);

    check_common(&r, 0, WP_EV_RANGE, "ProfilerStep#2", US111(900), US111(1400), WP_NONE, WP_NONE, 4242, 0);
    CHECK_EQ_INT(at(&r, 0)->u.range.source, WP_RANGE_USER_ANNOTATION);
    check_common(&r, 1, WP_EV_RANGE, "nn.Module: Linear_0", US111(950), US111(1150), WP_NONE, WP_NONE, 4242, 0);
    CHECK_EQ_INT(at(&r, 1)->u.range.source, WP_RANGE_PYTHON);
    check_common(&r, 2, WP_EV_RANGE, "aten::add", US111(1000), US111(1020), WP_NONE, WP_NONE, 4242, 0);
    CHECK_EQ_INT(at(&r, 2)->u.range.source, WP_RANGE_CPU_OP);

    check_common(&r, 3, WP_EV_API, "cudaLaunchKernel", US111(1005), US111(1012), WP_NONE, WP_NONE, 4242, 601);
    CHECK_EQ_INT(at(&r, 3)->u.api.cbid, 211);

    check_common(&r, 4, WP_EV_KERNEL,
                 "void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>, "
                 "at::detail::Array<char*, 3> >(int, at::native::CUDAFunctor_add<float>, at::detail::Array<char*, 3>)",
                 US111(1020), US111(1023), 0, 7, 0, 601);
    CHECK_EQ_INT(at(&r, 4)->u.kernel.block[0], 128);
    CHECK_EQ_INT(at(&r, 4)->u.kernel.registers_per_thread, 16);

    check_common(&r, 5, WP_EV_MEMCPY, "Memcpy DtoH (Device -> Pinned)", US111(1100), US111(1104), 0, 7, 0, 602);
    check_copy(&r, 5, 32, WP_COPY_DTOH, WP_MEM_DEVICE, WP_MEM_PINNED, WP_NONE, WP_NONE);

    /* a zero-length memset: its bandwidth is the string "N/A", which is not ours to read */
    check_common(&r, 6, WP_EV_MEMSET, "Memset (Device)", US111(1110), US111(1110), 0, 7, 0, 603);
    CHECK_EQ_INT(at(&r, 6)->u.memset.bytes, 512);

    check_common(&r, 7, WP_EV_RANGE, "ProfilerStep#2", US111(1020), US111(1114), 0, 7, 0, 0);
    CHECK_EQ_INT(at(&r, 7)->u.range.source, WP_RANGE_GPU_USER_ANNOTATION);
    free_result(&r);
}

static void rocm_copies(void)
{
    read_result r;
    read_fixture("kineto_rocm_copies.json", &r);
    CHECK_EQ_INT(r.got.count, 6);
    CHECK_EQ_INT(r.st.skipped, 0);
    CHECK_EQ_INT(r.got.procs[0].pid, 5150);
    const int64_t t0 = 5120000000000LL; /* ns */

    /* its "stream" arg is a HIP stream handle ("0x55d2c0a1e4b0"), not a stream number: no stream */
    check_common(&r, 0, WP_EV_API, "hipMemcpyWithStream", t0 + 125, t0 + 412625, WP_NONE, WP_NONE, 5150, 901);
    CHECK_EQ_INT(at(&r, 0)->u.api.cbid, 0);

    check_common(&r, 1, WP_EV_MEMCPY, "Memcpy HtoD (Host -> Device)", t0 + 300, t0 + 400550, 2, 1, 0, 901);
    check_copy(&r, 1, 8388608, WP_COPY_HTOD, WP_MEM_UNKNOWN, WP_MEM_DEVICE, WP_NONE, WP_NONE);
    check_common(&r, 2, WP_EV_MEMCPY, "Memcpy DtoH (Device -> Host)", t0 + 500000, t0 + 503500, 2, 1, 0, 902);
    check_copy(&r, 2, 4096, WP_COPY_DTOH, WP_MEM_DEVICE, WP_MEM_UNKNOWN, WP_NONE, WP_NONE);
    check_common(&r, 3, WP_EV_MEMCPY, "Memcpy DtoD (Device -> Device)", t0 + 600000, t0 + 601750, 2, 1, 0, 903);
    check_copy(&r, 3, 1048576, WP_COPY_DTOD, WP_MEM_DEVICE, WP_MEM_DEVICE, WP_NONE, WP_NONE);
    check_common(&r, 4, WP_EV_MEMCPY, "Memcpy HtoH (Host -> Host)", t0 + 700000, t0 + 701000, 2, 1, 0, 904);
    check_copy(&r, 4, 64, WP_COPY_HTOH, WP_MEM_UNKNOWN, WP_MEM_UNKNOWN, WP_NONE, WP_NONE);
    check_common(&r, 5, WP_EV_MEMCPY, "Memcpy <unknown> (? -> ?)", t0 + 800000, t0 + 801000, 2, 1, 0, 905);
    check_copy(&r, 5, 16, WP_COPY_UNKNOWN, WP_MEM_UNKNOWN, WP_MEM_UNKNOWN, WP_NONE, WP_NONE);
    free_result(&r);

    /* The side-name table: "Host" is host memory of unknown kind; the writer still prints CUPTI's "Unknown". */
    CHECK_EQ_INT(wp_chrome_mem_parse("Host", 4), WP_MEM_UNKNOWN);
    CHECK_EQ_INT(wp_chrome_mem_parse("Pinned", 6), WP_MEM_PINNED);
    CHECK_EQ_INT(wp_chrome_mem_parse("Managed Static", 14), WP_MEM_MANAGED_STATIC);
    CHECK_EQ_INT(wp_chrome_mem_parse("Unrecognized", 12), -1);
    CHECK_EQ_STR(wp_chrome_mem_label(WP_MEM_UNKNOWN), "Unknown");
    CHECK_EQ_STR(wp_chrome_mem_label(WP_MEM_DEVICE), "Device");
}

/* Our writer of path, fed from the events of r, read back: the same events. */
static void round_trip(const read_result *r, const char *path)
{
    wp_diag diag = {0};
    wp_write_opts wo = {.force = 1};
    wp_writer *w = wp_writer_open(path, &wo, &diag);
    CHECK(w != NULL);
    if (!w)
        return;
    wp_tool *t = wp_writer_tool(w);
    t->strings = r->strings;
    wp_process p = r->got.procs[0];
    CHECK_EQ_INT(t->process ? t->process(t, &p) : 0, 0);
    for (size_t i = 0; i < r->got.count; i++)
        CHECK_EQ_INT(wp_tool_event(t, &r->got.events[i]), 0);
    CHECK_EQ_INT(wp_writer_close(w, &diag), WP_OK);
    synth_collect back;
    synth_collect_init(&back);
    wp_strtab *back_strings = wp_strtab_new();
    CHECK_EQ_INT(wp_trace_read(path, back_strings, &back.tool, NULL, &diag, NULL), WP_OK);
    wp_event *want = malloc(r->got.count * sizeof(*want));
    memcpy(want, r->got.events, r->got.count * sizeof(*want));
    synth_compare(want, r->got.count, r->strings, back.events, back.count, back_strings);
    free(want);
    free(back.events);
    wp_strtab_free(back_strings);
    unlink(path);
}

static void memory_events(void)
{
    read_result r;
    read_fixture("kineto_memory_events.json", &r);
    CHECK_EQ_INT(r.got.count, 3);
    CHECK_EQ_INT(r.st.skipped, 2); /* the host allocation and "Record Window End" */
    CHECK_EQ_INT(r.diag.warnings, 1);
    const int64_t t0 = 4448798600000000LL; /* ns */
    check_common(&r, 0, WP_EV_RANGE, "aten::empty", t0, t0 + 12500, WP_NONE, WP_NONE, 4242, 0);
    check_common(&r, 1, WP_EV_MEMORY, "[memory]", t0 + 3250, t0 + 3250, 1, WP_NONE, 4242, 0);
    check_alloc(&r, 1, 139855440953344ULL, 4194304, WP_MEMORY_ALLOC);
    check_common(&r, 2, WP_EV_MEMORY, "[memory]", t0 + 20125, t0 + 20125, 1, WP_NONE, 4242, 0);
    check_alloc(&r, 2, 139855440953344ULL, 4194304, WP_MEMORY_FREE);

    char json[] = "/tmp/wp_legacy_XXXXXX", db[] = "/tmp/wp_legacy_db_XXXXXX";
    int fd = mkstemp(json);
    close(fd);
    unlink(json);
    fd = mkstemp(db);
    close(fd);
    unlink(db);
    char json_path[64], db_path[64];
    snprintf(json_path, sizeof(json_path), "%s.json", json);
    snprintf(db_path, sizeof(db_path), "%s.sqlite", db);
    round_trip(&r, json_path);
    round_trip(&r, db_path);
    free_result(&r);
}

int main(void)
{
    torch19();
    torch111();
    rocm_copies();
    memory_events();
    return check_done();
}
