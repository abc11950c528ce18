/* synth.h: a deterministic synthetic run (every event kind, two ranks, nested ranges with payloads, all memcpy
 * directions and memory kinds) and a collector that records what a reader delivers, for round-trip tests: write the
 * run with a writer, read it back into a collector, and synth_compare() the two event lists field by field. */
#ifndef WP_SYNTH_H
#define WP_SYNTH_H

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tool.h"

typedef struct synth_run {
    wp_strtab *strings;
    wp_process procs[2];
    wp_device devs[2];
    wp_event *events;
    size_t count, cap;
    uint64_t dropped[2];
} synth_run;

static uint64_t synth_rand(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* Makes room for n more events, so that pointers from the next n synth_push calls stay valid together. */
static void synth_reserve(synth_run *r, size_t n)
{
    if (r->count + n > r->cap) {
        r->cap = (r->count + n) * 2;
        r->events = realloc(r->events, r->cap * sizeof(*r->events));
    }
}

static wp_event *synth_push(synth_run *r)
{
    if (r->count == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->events = realloc(r->events, r->cap * sizeof(*r->events));
    }
    wp_event *ev = &r->events[r->count++];
    memset(ev, 0, sizeof(*ev));
    return ev;
}

/* Builds steps * (a few dozen) events per rank. Timestamps are large absolute ns values with odd last digits, so a
 * writer that rounds to µs or goes through a double loses them. */
static void synth_build(synth_run *r, int steps, uint64_t seed)
{
    memset(r, 0, sizeof(*r));
    r->strings = wp_strtab_new();
    static const char *kernels[] = {"ampere_bf16_s16816gemm_bf16_128x128", "flash_fwd_kernel<128, true>",
                                    "void at::native::vectorized_elementwise_kernel<4>(int, float*)",
                                    "ncclDevKernel_AllReduce_Sum_bf16_RING_LL"};
    uint64_t st = seed | 1;
    for (int p = 0; p < 2; p++) {
        r->procs[p] = (wp_process){.index = (uint32_t)p, .pid = 4000 + p, .rank = p,
                                   .host = wp_strtab_intern_cstr(r->strings, "gpu-node-7"),
                                   .label = wp_strtab_intern_cstr(r->strings, p ? "rank 1" : "rank 0")};
        r->devs[p] = (wp_device){.proc = (uint32_t)p, .id = (uint32_t)p,
                                 .name = wp_strtab_intern_cstr(r->strings, "NVIDIA H200"), .cc_major = 9,
                                 .cc_minor = 0, .sm_count = 132, .total_memory = 150109880320ull};
        r->dropped[p] = (uint64_t)p * 3;
        int64_t t = 1790857026123456789LL + p * 1001;
        uint64_t corr = 1;
        for (int s = 0; s < steps; s++) {
            synth_reserve(r, 64); /* a step pushes 28 events and keeps pointers to them */
            wp_event *step = synth_push(r);
            size_t step_index = r->count - 1; /* synth_push may move the array: step is stale after it */
            int64_t step_start = t;
            step->kind = WP_EV_RANGE;
            step->proc = (uint32_t)p;
            step->tid = 4000u + (uint32_t)p;
            step->device = step->stream = WP_NONE;
            char text[64];
            snprintf(text, sizeof(text), "step %d", s);
            step->name = wp_strtab_intern_cstr(r->strings, text);
            step->u.range.source = WP_RANGE_NVTX;
            step->u.range.domain = wp_strtab_intern_cstr(r->strings, "wanprof");
            step->u.range.payload_type = WP_PAYLOAD_INT;
            step->u.range.payload.i = s;
            step->u.range.color = 0xff00ff00u;
            for (int k = 0; k < 12; k++) {
                int64_t launch = t + 1000 + (int64_t)(synth_rand(&st) % 5000);
                wp_event *api = synth_push(r);
                api->kind = WP_EV_API;
                api->proc = (uint32_t)p;
                api->tid = 4000u + (uint32_t)p;
                api->device = api->stream = WP_NONE;
                api->start = launch;
                api->end = launch + 3001 + (int64_t)(synth_rand(&st) % 999);
                api->correlation = corr;
                api->u.api.domain = k % 5 == 0 ? WP_API_DRIVER : WP_API_RUNTIME;
                api->u.api.cbid = 211 + (uint32_t)k;
                wp_event *op = synth_push(r);
                op->proc = (uint32_t)p;
                op->device = (uint32_t)p;
                op->stream = 7u + (uint32_t)(k % 3);
                op->correlation = corr++;
                op->start = api->end + 1234;
                op->end = op->start + 10007 + (int64_t)(synth_rand(&st) % 1000003);
                switch (k % 4) {
                case 0:
                case 1:
                    op->kind = WP_EV_KERNEL;
                    op->name = wp_strtab_intern_cstr(r->strings, kernels[synth_rand(&st) % 4]);
                    op->u.kernel = (wp_kernel_info){{132, 2, 1}, {256, 1, 1}, 168, 1024, 49152};
                    api->name = wp_strtab_intern_cstr(r->strings, "cudaLaunchKernel");
                    break;
                case 2:
                    op->kind = WP_EV_MEMCPY;
                    op->u.memcpy.bytes = 1 + synth_rand(&st) % (1ull << 34);
                    op->u.memcpy.copy_kind = (uint8_t[]){WP_COPY_HTOD, WP_COPY_DTOH, WP_COPY_DTOD, WP_COPY_PTOP}[s % 4];
                    op->u.memcpy.src_kind = (uint8_t)(s % 3 == 0 ? WP_MEM_PAGEABLE : WP_MEM_PINNED);
                    op->u.memcpy.dst_kind = WP_MEM_DEVICE;
                    op->u.memcpy.async = (uint8_t)(s % 2);
                    op->u.memcpy.src_device = op->u.memcpy.copy_kind == WP_COPY_PTOP ? 1u - (uint32_t)p : WP_NONE;
                    op->u.memcpy.dst_device = (uint32_t)p;
                    api->name = wp_strtab_intern_cstr(r->strings, "cudaMemcpyAsync");
                    break;
                default:
                    op->kind = WP_EV_MEMSET;
                    op->u.memset = (wp_memset_info){.bytes = 4096u * (uint64_t)(k + 1), .value = 0,
                                                    .mem_kind = WP_MEM_DEVICE, .async = 1};
                    api->name = wp_strtab_intern_cstr(r->strings, "cudaMemsetAsync");
                    break;
                }
                t = op->end + 100;
            }
            wp_event *sync = synth_push(r);
            sync->kind = WP_EV_SYNC;
            sync->proc = (uint32_t)p;
            sync->tid = 4000u + (uint32_t)p;
            sync->device = (uint32_t)p;
            sync->stream = 7;
            sync->start = t;
            sync->end = t + 77777;
            sync->u.sync.type = WP_SYNC_STREAM;
            wp_event *mem = synth_push(r);
            mem->kind = WP_EV_MEMORY;
            mem->proc = (uint32_t)p;
            mem->device = (uint32_t)p;
            mem->stream = WP_NONE;
            mem->start = mem->end = t + 5;
            mem->u.memory = (wp_memory_info){.address = 0x7f0000000000ull + (uint64_t)s * 4096,
                                             .bytes = 1ull << 30, .op = (uint8_t)(s % 2), .mem_kind = WP_MEM_DEVICE};
            wp_event *mark = synth_push(r);
            mark->kind = WP_EV_RANGE;
            mark->proc = (uint32_t)p;
            mark->tid = 4001u + (uint32_t)p;
            mark->device = mark->stream = WP_NONE;
            mark->start = mark->end = t + 9;
            mark->name = wp_strtab_intern_cstr(r->strings, "expert switch \"high\" -> low\n");
            mark->u.range.source = WP_RANGE_NVTX;
            mark->u.range.flags = WP_RANGE_FLAG_INSTANT;
            mark->u.range.payload_type = WP_PAYLOAD_DOUBLE;
            mark->u.range.payload.d = 3.25;
            mark->u.range.args = wp_strtab_intern_cstr(r->strings, "{\"bytes\":28576983168}");
            t += 100000;
            r->events[step_index].start = step_start;
            r->events[step_index].end = t;
            t += 13;
        }
        wp_event *ovh = synth_push(r);
        ovh->kind = WP_EV_OVERHEAD;
        ovh->proc = (uint32_t)p;
        ovh->tid = 4000u + (uint32_t)p;
        ovh->device = ovh->stream = WP_NONE;
        ovh->name = wp_strtab_intern_cstr(r->strings, "CUPTI buffer flush");
        ovh->start = t;
        ovh->end = t + 5000;
    }
}

/* Feeds the run into a tool as a reader would: processes, devices, metadata, events, dropped counts. */
static int synth_emit(const synth_run *r, wp_tool *tool)
{
    tool->strings = r->strings;
    for (int p = 0; p < 2; p++) {
        if (tool->process && tool->process(tool, &r->procs[p]))
            return -1;
        if (tool->device && tool->device(tool, &r->devs[p]))
            return -1;
        if (tool->meta && tool->meta(tool, (uint32_t)p, "command", "[\"python3\",\"gen.py\",\"--steps\",\"27\"]"))
            return -1;
        if (tool->dropped && r->dropped[p] && tool->dropped(tool, (uint32_t)p, r->dropped[p]))
            return -1;
    }
    for (size_t i = 0; i < r->count; i++)
        if (wp_tool_event(tool, &r->events[i]))
            return -1;
    return 0;
}

static void synth_free(synth_run *r)
{
    wp_strtab_free(r->strings);
    free(r->events);
}

/* A tool that keeps everything it is given, in arrival order. */
typedef struct synth_collect {
    wp_tool tool;
    wp_process procs[16];
    int nprocs;
    wp_device devs[16];
    int ndevs;
    wp_event *events;
    size_t count, cap;
    uint64_t dropped[16];
    char meta_command[256];
} synth_collect;

static int synth_collect_event(wp_tool *tool, const wp_event *ev)
{
    synth_collect *c = (synth_collect *)tool;
    if (c->count == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->events = realloc(c->events, c->cap * sizeof(*c->events));
    }
    c->events[c->count++] = *ev;
    return 0;
}

static int synth_collect_process(wp_tool *tool, const wp_process *p)
{
    synth_collect *c = (synth_collect *)tool;
    if (c->nprocs < 16)
        c->procs[c->nprocs++] = *p;
    return 0;
}

static int synth_collect_device(wp_tool *tool, const wp_device *d)
{
    synth_collect *c = (synth_collect *)tool;
    if (c->ndevs < 16)
        c->devs[c->ndevs++] = *d;
    return 0;
}

static int synth_collect_dropped(wp_tool *tool, uint32_t proc, uint64_t n)
{
    synth_collect *c = (synth_collect *)tool;
    if (proc < 16)
        c->dropped[proc] += n;
    return 0;
}

static int synth_collect_meta(wp_tool *tool, uint32_t proc, const char *key, const char *json)
{
    synth_collect *c = (synth_collect *)tool;
    if (proc == 0 && strcmp(key, "command") == 0)
        snprintf(c->meta_command, sizeof(c->meta_command), "%s", json);
    return 0;
}

static void synth_collect_init(synth_collect *c)
{
    memset(c, 0, sizeof(*c));
    c->tool.any = synth_collect_event;
    c->tool.process = synth_collect_process;
    c->tool.device = synth_collect_device;
    c->tool.dropped = synth_collect_dropped;
    c->tool.meta = synth_collect_meta;
}

static const wp_strtab *synth_sort_strings;

static int synth_cmp(const void *pa, const void *pb)
{
    const wp_event *a = pa, *b = pb;
    if (a->proc != b->proc)
        return a->proc < b->proc ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    return strcmp(wp_strtab_get(synth_sort_strings, a->name), wp_strtab_get(synth_sort_strings, b->name));
}

/* Compares every field of every event (string ids through their tables); returns the number of mismatching events
 * and prints the first few. Sorts both arrays. */
static size_t synth_compare(wp_event *want, size_t nwant, const wp_strtab *want_strings, wp_event *got, size_t ngot,
                            const wp_strtab *got_strings)
{
    CHECK_EQ_INT(ngot, nwant);
    synth_sort_strings = want_strings;
    qsort(want, nwant, sizeof(*want), synth_cmp);
    synth_sort_strings = got_strings;
    qsort(got, ngot, sizeof(*got), synth_cmp);
    size_t bad = 0, n = nwant < ngot ? nwant : ngot;
    for (size_t i = 0; i < n; i++) {
        wp_event a = want[i], b = got[i];
        int same_name = strcmp(wp_strtab_get(want_strings, a.name), wp_strtab_get(got_strings, b.name)) == 0;
        a.name = b.name = 0;
        if (a.kind == WP_EV_RANGE) {
            same_name &= strcmp(wp_strtab_get(want_strings, a.u.range.domain),
                                wp_strtab_get(got_strings, b.u.range.domain)) == 0;
            same_name &= strcmp(wp_strtab_get(want_strings, a.u.range.args),
                                wp_strtab_get(got_strings, b.u.range.args)) == 0;
            a.u.range.domain = b.u.range.domain = a.u.range.args = b.u.range.args = 0;
        }
        if (!same_name || memcmp(&a, &b, sizeof(a)) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "event %zu (%s, start %lld) differs after the round trip\n", i,
                        wp_event_kind_name(a.kind), (long long)a.start);
        }
    }
    CHECK_EQ_INT(bad, 0);
    return bad;
}

#endif
