/* test_sqlite_nsys.c: an nsys export (tests/fixtures/nsys_export_small.sql, built from NVIDIA's documented schema:
 * extra columns, no indexes, lazily missing tables, nsys enum numbering) is detected as one and every kernel, memcpy,
 * memset, runtime/driver call, allocation and NVTX row comes through with the right values, in file order and in time
 * order; converting it to our format (read straight into the SQLite writer) and reading that back changes nothing. */
#include "check.h"
#include "sqlite_format.h"
#pragma GCC diagnostic ignored "-Wunused-function" /* synth.h: only its collector is used here */
#include "synth.h"
#include "trace_read.h"
#include "trace_write.h"

#include <sqlite3.h>
#include <unistd.h>

#define T0 1790857026000000000LL

static int build_db(const char *sql_path, const char *db_path)
{
    char *sql = check_slurp(sql_path);
    sqlite3 *db = NULL;
    char *err = NULL;
    unlink(db_path);
    int rc = sql && sqlite3_open(db_path, &db) == SQLITE_OK && sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK;
    if (!rc)
        fprintf(stderr, "%s: %s\n", sql_path, err ? err : "cannot load");
    sqlite3_free(err);
    sqlite3_close(db);
    free(sql);
    return rc ? 0 : -1;
}

static const wp_event *find(const synth_collect *c, uint32_t kind, int64_t start)
{
    for (size_t i = 0; i < c->count; i++)
        if (c->events[i].kind == kind && c->events[i].start == start)
            return &c->events[i];
    fprintf(stderr, "no %s event at T0+%lld\n", wp_event_kind_name(kind), (long long)(start - T0));
    return NULL;
}

static void check_gpu(const synth_collect *c, const wp_strtab *s)
{
    const wp_event *e = find(c, WP_EV_KERNEL, T0 + 4500);
    if (e) {
        CHECK_EQ_INT(e->end, T0 + 104503);
        CHECK_EQ_STR(wp_strtab_get(s, e->name), "void gemm_kernel<float, 128>(float*, int)");
        CHECK_EQ_INT(e->proc, 0);
        CHECK_EQ_INT(e->device, 0);
        CHECK_EQ_INT(e->stream, 7);
        CHECK_EQ_INT(e->correlation, 11);
        CHECK_EQ_INT(e->tid, 0);
        CHECK_EQ_INT(e->u.kernel.registers_per_thread, 168);
        CHECK_EQ_INT(e->u.kernel.grid[0], 132);
        CHECK_EQ_INT(e->u.kernel.grid[1], 2);
        CHECK_EQ_INT(e->u.kernel.grid[2], 1);
        CHECK_EQ_INT(e->u.kernel.block[0], 256);
        CHECK_EQ_INT(e->u.kernel.static_shared, 1024);
        CHECK_EQ_INT(e->u.kernel.dynamic_shared, 49152);
    }
    if ((e = find(c, WP_EV_KERNEL, T0 + 105000)))
        CHECK_EQ_STR(wp_strtab_get(s, e->name), "ncclDevKernel_AllReduce_Sum_bf16_RING_LL");
    if ((e = find(c, WP_EV_KERNEL, T0 + 9800))) {
        CHECK_EQ_INT(e->proc, 1);
        CHECK_EQ_INT(e->device, 1);
        CHECK_EQ_INT(e->correlation, 21);
    }
    if ((e = find(c, WP_EV_MEMCPY, T0 + 7500))) {
        CHECK_EQ_INT(e->end, T0 + 207511);
        CHECK_EQ_INT(e->u.memcpy.bytes, 1048577);
        CHECK_EQ_INT(e->u.memcpy.copy_kind, WP_COPY_HTOD);
        CHECK_EQ_INT(e->u.memcpy.src_kind, WP_MEM_PAGEABLE);
        CHECK_EQ_INT(e->u.memcpy.dst_kind, WP_MEM_DEVICE);
        CHECK_EQ_INT(e->u.memcpy.src_device, WP_NONE);
        CHECK_EQ_INT(e->u.memcpy.dst_device, 0);
        CHECK_EQ_INT(e->stream, 8);
        CHECK_EQ_INT(e->correlation, 12);
    }
    if ((e = find(c, WP_EV_MEMCPY, T0 + 210000))) {
        CHECK_EQ_INT(e->u.memcpy.copy_kind, WP_COPY_DTOH);
        CHECK_EQ_INT(e->u.memcpy.src_kind, WP_MEM_DEVICE);
        CHECK_EQ_INT(e->u.memcpy.dst_kind, WP_MEM_PINNED);
        CHECK_EQ_INT(e->u.memcpy.dst_device, WP_NONE);
    }
    if ((e = find(c, WP_EV_MEMCPY, T0 + 30000))) {
        CHECK_EQ_INT(e->u.memcpy.copy_kind, WP_COPY_PTOP);
        CHECK_EQ_INT(e->u.memcpy.bytes, 268435456);
        CHECK_EQ_INT(e->u.memcpy.src_device, 1);
        CHECK_EQ_INT(e->u.memcpy.dst_device, 0);
        CHECK_EQ_INT(e->proc, 1);
    }
    if ((e = find(c, WP_EV_MEMSET, T0 + 300000))) {
        CHECK_EQ_INT(e->u.memset.bytes, 8192);
        CHECK_EQ_INT(e->u.memset.mem_kind, WP_MEM_DEVICE);
        CHECK_EQ_INT(e->correlation, 16);
    }
    if ((e = find(c, WP_EV_MEMORY, T0 + 12050))) {
        CHECK_EQ_INT(e->end, e->start);
        CHECK_EQ_INT(e->u.memory.op, WP_MEMORY_ALLOC);
        CHECK_EQ_INT(e->u.memory.bytes, 1073741824);
        CHECK_EQ_INT(e->u.memory.address, 139637976727552LL);
        CHECK_EQ_INT(e->u.memory.mem_kind, WP_MEM_DEVICE);
        CHECK_EQ_INT(e->u.memory.async, 0);
        CHECK_EQ_INT(e->stream, WP_NONE);
    }
    if ((e = find(c, WP_EV_MEMORY, T0 + 50000))) {
        CHECK_EQ_INT(e->u.memory.op, WP_MEMORY_FREE);
        CHECK_EQ_INT(e->u.memory.async, 1); /* from a stream-ordered pool */
        CHECK_EQ_INT(e->proc, 1);
        CHECK_EQ_INT(e->device, 1);
    }
}

static void check_host(const synth_collect *c, const wp_strtab *s)
{
    const wp_event *e = find(c, WP_EV_API, T0 + 1000);
    if (e) {
        CHECK_EQ_STR(wp_strtab_get(s, e->name), "cudaLaunchKernel_v7000");
        CHECK_EQ_INT(e->u.api.domain, WP_API_RUNTIME);
        CHECK_EQ_INT(e->tid, 1234);
        CHECK_EQ_INT(e->correlation, 11);
        CHECK_EQ_INT(e->end, T0 + 4001);
    }
    if ((e = find(c, WP_EV_API, T0 + 5003)))
        CHECK_EQ_INT(e->tid, 1236);
    if ((e = find(c, WP_EV_API, T0 + 9001))) {
        CHECK_EQ_STR(wp_strtab_get(s, e->name), "cuLaunchKernel");
        CHECK_EQ_INT(e->u.api.domain, WP_API_DRIVER);
        CHECK_EQ_INT(e->proc, 1);
        CHECK_EQ_INT(e->tid, 1245);
    }
    if ((e = find(c, WP_EV_API, T0 + 12000)))
        CHECK_EQ_INT(e->u.api.return_value, 2);
    if ((e = find(c, WP_EV_RANGE, T0 + 500))) {
        CHECK_EQ_STR(wp_strtab_get(s, e->name), "step 0");
        CHECK_EQ_INT(e->end, T0 + 300500);
        CHECK_EQ_INT(e->u.range.payload_type, WP_PAYLOAD_INT);
        CHECK_EQ_INT(e->u.range.payload.i, 0);
        CHECK_EQ_INT(e->u.range.domain, 0);
        CHECK_EQ_INT(e->u.range.source, WP_RANGE_NVTX);
        CHECK_EQ_INT(e->u.range.flags, 0);
    }
    if ((e = find(c, WP_EV_RANGE, T0 + 600))) {
        CHECK_EQ_STR(wp_strtab_get(s, e->name), "registered range"); /* textId, not text */
        CHECK_EQ_STR(wp_strtab_get(s, e->u.range.domain), "wanprof");
        CHECK_EQ_INT(e->u.range.color, 0xff00ff00u);
        CHECK_EQ_INT(e->u.range.payload_type, WP_PAYLOAD_UINT);
        CHECK_EQ_INT(e->u.range.payload.u, 42);
    }
    if ((e = find(c, WP_EV_RANGE, T0 + 12060))) {
        CHECK_EQ_STR(wp_strtab_get(s, e->name), "expert switch");
        CHECK_EQ_INT(e->end, e->start);
        CHECK_EQ_INT(e->u.range.flags, WP_RANGE_FLAG_INSTANT);
        CHECK_EQ_INT(e->u.range.payload_type, WP_PAYLOAD_DOUBLE);
        CHECK_NEAR(e->u.range.payload.d, 3.25, 0);
        CHECK_EQ_INT(e->tid, 1236);
    }
    if ((e = find(c, WP_EV_RANGE, T0 + 9000))) {
        CHECK_EQ_STR(wp_strtab_get(s, e->name), "all_reduce");
        CHECK_EQ_INT(e->proc, 1);
        CHECK_EQ_INT(e->u.range.payload_type, WP_PAYLOAD_INT);
        CHECK_EQ_INT(e->u.range.payload.i, -3);
    }
}

static void check_procs(const synth_collect *c, const wp_strtab *s)
{
    CHECK_EQ_INT(c->nprocs, 2);
    CHECK_EQ_INT(c->ndevs, 2);
    if (c->nprocs < 2 || c->ndevs < 2)
        return;
    CHECK_EQ_INT(c->procs[0].index, 0);
    CHECK_EQ_INT(c->procs[0].pid, 1234);
    CHECK_EQ_INT(c->procs[1].pid, 1240);
    CHECK_EQ_INT(c->procs[1].rank, -1);
    CHECK_EQ_STR(wp_strtab_get(s, c->procs[1].label), "python3 train.py --rank 1");
    CHECK_EQ_INT(c->devs[0].proc, 0);
    CHECK_EQ_INT(c->devs[1].proc, 1);
    CHECK_EQ_INT(c->devs[1].id, 0); /* the CUDA ordinal as process 1240 saw GPU 1 */
    CHECK_EQ_STR(wp_strtab_get(s, c->devs[0].name), "NVIDIA H200");
    CHECK_EQ_INT(c->devs[0].cc_major, 9);
    CHECK_EQ_INT(c->devs[0].sm_count, 132);
    CHECK_EQ_INT(c->devs[0].total_memory, 150109880320LL);
}

static void count_kinds(const synth_collect *c, int counts[WP_EV_KIND_COUNT])
{
    memset(counts, 0, WP_EV_KIND_COUNT * sizeof(*counts));
    for (size_t i = 0; i < c->count; i++)
        if (c->events[i].kind < WP_EV_KIND_COUNT)
            counts[c->events[i].kind]++;
}

int main(void)
{
    const char *db = "test_sqlite_nsys.sqlite", *ours = "test_sqlite_nsys_ours.sqlite";
    if (build_db(check_fixture("nsys_export_small.sql"), db) != 0)
        return 1;
    CHECK_EQ_INT(wp_sqlite_probe(db), WP_FMT_NSYS_SQLITE);
    synth_collect first = {0};
    wp_strtab *first_strings = NULL;
    for (int ordered = 0; ordered < 2; ordered++) {
        synth_collect c;
        synth_collect_init(&c);
        wp_strtab *s = wp_strtab_new();
        wp_diag diag = {0};
        wp_read_opts opts = {.time_ordered = ordered};
        wp_read_stats stats;
        int rc = wp_sqlite_read(db, s, &c.tool, &opts, &diag, &stats);
        if (rc != WP_OK)
            fprintf(stderr, "read: %s\n", diag.error);
        CHECK_EQ_INT(rc, WP_OK);
        CHECK_EQ_INT(stats.events, 17);
        CHECK_EQ_INT(c.count, 17);
        int counts[WP_EV_KIND_COUNT];
        count_kinds(&c, counts);
        CHECK_EQ_INT(counts[WP_EV_KERNEL], 3);
        CHECK_EQ_INT(counts[WP_EV_MEMCPY], 3);
        CHECK_EQ_INT(counts[WP_EV_MEMSET], 1);
        CHECK_EQ_INT(counts[WP_EV_API], 4); /* the CUDABACKTRACE row is a call stack, not a call */
        CHECK_EQ_INT(counts[WP_EV_RANGE], 4); /* domain, category and thread-name rows are not ranges */
        CHECK_EQ_INT(counts[WP_EV_MEMORY], 2);
        CHECK_EQ_INT(counts[WP_EV_SYNC] + counts[WP_EV_OVERHEAD], 0);
        check_procs(&c, s);
        check_gpu(&c, s);
        check_host(&c, s);
        for (size_t i = 1; ordered && i < c.count; i++)
            CHECK(c.events[i].start >= c.events[i - 1].start);
        if (!ordered) {
            first = c;
            first_strings = s;
        } else {
            free(c.events);
            wp_strtab_free(s);
        }
    }

    /* nsys -> ours -> events: nothing changes. */
    wp_diag diag = {0};
    wp_write_opts wopts = {.force = 1};
    wp_writer *w = wp_sqlite_writer_open(ours, &wopts, &diag);
    CHECK(w != NULL);
    wp_strtab *conv = wp_strtab_new();
    CHECK_EQ_INT(wp_sqlite_read(db, conv, wp_writer_tool(w), NULL, &diag, NULL), WP_OK);
    CHECK_EQ_INT(wp_writer_close(w, &diag), WP_OK);
    CHECK_EQ_INT(wp_sqlite_probe(ours), WP_FMT_SQLITE);
    synth_collect back;
    synth_collect_init(&back);
    wp_strtab *back_strings = wp_strtab_new();
    CHECK_EQ_INT(wp_sqlite_read(ours, back_strings, &back.tool, NULL, &diag, NULL), WP_OK);
    check_procs(&back, back_strings);
    synth_compare(first.events, first.count, first_strings, back.events, back.count, back_strings);
    free(first.events);
    free(back.events);
    wp_strtab_free(first_strings);
    wp_strtab_free(back_strings);
    wp_strtab_free(conv);
    return check_done();
}
