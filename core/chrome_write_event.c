/* chrome_write_event.c: one wp_event as Chrome trace JSON (with its flow arrow and track metadata). Kineto's own
 * categories, names and args come first so Kineto-reading tools understand the file; our extra args ("label",
 * "source", "async", ...) carry whatever Kineto has no field for, so every field of wp_event reads back exactly. */
#include "chrome_write_event.h"

#include "chrome_format.h"
#include "chrome_names.h"
#include "nsmath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY(b, k) wp_jbuf_raw(b, k, sizeof(k) - 1) /* k includes the quotes, comma and colon */

void wp_chrome_ctx_free(wp_chrome_ctx *c)
{
    wp_jbuf_free(&c->line);
    for (uint32_t i = 0; i < c->nprocs; i++)
        wp_jbuf_free(&c->procs[i].meta);
    free(c->procs);
    for (uint32_t i = 0; i < c->ndevs; i++)
        free(c->dev_names[i]);
    free(c->dev_names);
    free(c->devs);
    wp_tracks_free(&c->tracks);
}

static const char *str(const wp_chrome_ctx *c, uint32_t id)
{
    return c->strings ? wp_strtab_get(c->strings, id) : "";
}

static void put_str(wp_jbuf *b, const char *s)
{
    wp_jbuf_str(b, s, strlen(s));
}

static int on_gpu_track(const wp_event *ev)
{
    if (ev->device == WP_NONE)
        return 0;
    switch (ev->kind) {
    case WP_EV_KERNEL:
    case WP_EV_MEMCPY:
    case WP_EV_MEMSET:
    case WP_EV_MEMORY: return 1;
    case WP_EV_RANGE: return ev->u.range.source == WP_RANGE_GPU_USER_ANNOTATION;
    default: return 0;
    }
}

static uint32_t base_tid(const wp_event *ev)
{
    if (!on_gpu_track(ev))
        return ev->tid ? ev->tid & WP_CHROME_HOST_MASK : WP_CHROME_UNKNOWN_TID;
    uint32_t stream = ev->stream == WP_NONE ? WP_CHROME_NO_STREAM : ev->stream & WP_CHROME_STREAM_MASK;
    if (stream == WP_CHROME_NO_STREAM && ev->stream != WP_NONE)
        stream--; /* keep the memory track to events without a stream */
    return WP_CHROME_GPU_BIT | (ev->device & WP_CHROME_DEVICE_MASK) << 22 | stream;
}

/* Host threads by tid, the unknown thread after them, then GPU tracks (as Kineto orders them); an overlap track
 * right after its base track. Stays below 2^31: viewers read sort indexes as int32. */
static uint32_t track_sort_index(uint32_t tid)
{
    uint32_t overlap = (tid & WP_CHROME_OVERLAP_BIT) != 0, t = tid & ~WP_CHROME_OVERLAP_BIT;
    if (t & WP_CHROME_GPU_BIT)
        return WP_CHROME_GPU_BIT + ((t & ~WP_CHROME_GPU_BIT) << 1 | overlap);
    return t << 1 | overlap; /* the unknown thread's track (WP_CHROME_UNKNOWN_TID) comes last */
}

static void put_thread_meta(wp_chrome_ctx *c, int64_t pid, uint32_t tid)
{
    wp_jbuf *b = &c->line;
    char name[96];
    uint32_t t = tid & ~WP_CHROME_OVERLAP_BIT;
    const char *suffix = tid & WP_CHROME_OVERLAP_BIT ? " (overlapping)" : "";
    if (t == WP_CHROME_UNKNOWN_TID)
        snprintf(name, sizeof(name), "unknown thread%s", suffix);
    else if (!(t & WP_CHROME_GPU_BIT))
        snprintf(name, sizeof(name), "thread %u%s", t, suffix);
    else if ((t & WP_CHROME_STREAM_MASK) == WP_CHROME_NO_STREAM)
        snprintf(name, sizeof(name), "GPU %u memory%s", (t >> 22) & WP_CHROME_DEVICE_MASK, suffix);
    else
        snprintf(name, sizeof(name), "GPU %u stream %u%s", (t >> 22) & WP_CHROME_DEVICE_MASK,
                 t & WP_CHROME_STREAM_MASK, suffix);
    KEY(b, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":");
    wp_jbuf_i64(b, pid);
    KEY(b, ",\"tid\":");
    wp_jbuf_u64(b, tid);
    KEY(b, ",\"args\":{\"name\":");
    put_str(b, name);
    KEY(b, "}},\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":");
    wp_jbuf_i64(b, pid);
    KEY(b, ",\"tid\":");
    wp_jbuf_u64(b, tid);
    KEY(b, ",\"args\":{\"sort_index\":");
    wp_jbuf_u64(b, track_sort_index(tid));
    KEY(b, "}}");
}

/* The track an event goes on: its base track, or the sibling when it would overlap there. Announces new tracks. */
static int pick_track(wp_chrome_ctx *c, int64_t pid, const wp_event *ev, int instant, uint32_t *tid)
{
    uint32_t t = base_tid(ev);
    for (int attempt = 0; attempt < 2; attempt++, t |= WP_CHROME_OVERLAP_BIT) {
        int is_new;
        wp_track *k = wp_tracks_get(&c->tracks, pid, t, &is_new);
        if (!k)
            return -1;
        if (is_new)
            put_thread_meta(c, pid, t);
        if (instant || wp_track_place(k, ev->start, ev->end) || attempt == 1)
            break;
    }
    *tid = t;
    return 0;
}

static const char *event_cat(const wp_event *ev)
{
    switch (ev->kind) {
    case WP_EV_KERNEL: return "kernel";
    case WP_EV_MEMCPY: return "gpu_memcpy";
    case WP_EV_MEMSET: return "gpu_memset";
    case WP_EV_API: return ev->u.api.domain == WP_API_DRIVER ? "cuda_driver" : "cuda_runtime";
    case WP_EV_SYNC: return "cuda_sync";
    case WP_EV_MEMORY: return "cuda_memory";
    case WP_EV_RANGE: return wp_chrome_range_cat(ev->u.range.source);
    case WP_EV_OVERHEAD: return "overhead";
    default: return NULL;
    }
}

/* Kineto's display name for events whose model name is a label (or none). */
static void put_name(wp_chrome_ctx *c, const wp_event *ev)
{
    wp_jbuf *b = &c->line;
    char name[96];
    switch (ev->kind) {
    case WP_EV_MEMCPY:
        wp_chrome_memcpy_name(name, sizeof(name), ev->u.memcpy.copy_kind, ev->u.memcpy.src_kind,
                              ev->u.memcpy.dst_kind);
        break;
    case WP_EV_MEMSET: snprintf(name, sizeof(name), "Memset (%s)", wp_chrome_mem_label(ev->u.memset.mem_kind)); break;
    case WP_EV_SYNC: snprintf(name, sizeof(name), "%s", wp_chrome_sync_label(ev->u.sync.type)); break;
    case WP_EV_MEMORY:
        snprintf(name, sizeof(name), "Memory %s (%s)", ev->u.memory.op == WP_MEMORY_FREE ? "free" : "alloc",
                 wp_chrome_mem_label(ev->u.memory.mem_kind));
        break;
    default: put_str(b, str(c, ev->name)); return;
    }
    put_str(b, name);
}

/* The calls that put work on a GPU, by name (CUPTI's carry a version suffix, Kineto's none; ROCm's are HIP's): only
 * these start an arrow, as in Kineto. Every other call (cudaGetDevice, cudaEventRecord, ...) carries a correlation id
 * too, but no GPU event ends an arrow from it; in a runner trace those were three starts in five. A host function
 * queued on a stream runs on the CPU: no GPU event either. */
static const char *const gpu_work_calls[] = {
    "cudaLaunch", "cuLaunch", "cudaGraphLaunch", "cuGraphLaunch", "cudaMemcpy", "cuMemcpy", "cudaMemset", "cuMemset",
    "hipLaunch", "hipModuleLaunch", "hipExtModuleLaunch", "hipExtLaunch", "hipGraphLaunch", "hipMemcpy", "hipMemset",
};

static int puts_gpu_work(const char *name)
{
    if (strstr(name, "LaunchHostFunc"))
        return 0;
    for (size_t i = 0; i < sizeof(gpu_work_calls) / sizeof(gpu_work_calls[0]); i++)
        if (strncmp(name, gpu_work_calls[i], strlen(gpu_work_calls[i])) == 0)
            return 1;
    return 0;
}

static void put_flow(wp_chrome_ctx *c, const wp_event *ev, int64_t pid, uint32_t tid, int finish)
{
    wp_jbuf *b = &c->line;
    if (finish)
        KEY(b, ",\n{\"ph\":\"f\",\"bp\":\"e\",\"id\":");
    else
        KEY(b, ",\n{\"ph\":\"s\",\"id\":");
    wp_jbuf_u64(b, ev->correlation + ((uint64_t)ev->proc << WP_CHROME_FLOW_PROC_SHIFT));
    KEY(b, ",\"pid\":");
    wp_jbuf_i64(b, pid);
    KEY(b, ",\"tid\":");
    wp_jbuf_u64(b, tid);
    KEY(b, ",\"ts\":");
    wp_jbuf_us(b, ev->start);
    KEY(b, ",\"cat\":\"ac2g\",\"name\":\"ac2g\"}");
}

int wp_chrome_event(wp_chrome_ctx *c, const wp_event *ev)
{
    const char *cat = event_cat(ev);
    wp_chrome_proc *p = cat ? wp_chrome_proc_for(c, ev->proc) : NULL;
    if (!cat)
        return 0; /* a kind this format version does not know: nothing a viewer could show */
    if (!p)
        return -1;
    int instant = ev->start == ev->end && (ev->kind == WP_EV_MEMORY ||
                                           (ev->kind == WP_EV_RANGE && ev->u.range.flags & WP_RANGE_FLAG_INSTANT));
    uint32_t tid;
    if (pick_track(c, p->chrome_pid, ev, instant, &tid) != 0)
        return -1;
    wp_jbuf *b = &c->line;
    if (instant)
        KEY(b, ",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"");
    else
        KEY(b, ",\n{\"ph\":\"X\",\"cat\":\"");
    wp_jbuf_cstr(b, cat);
    KEY(b, "\",\"name\":");
    put_name(c, ev);
    KEY(b, ",\"pid\":");
    wp_jbuf_i64(b, p->chrome_pid);
    KEY(b, ",\"tid\":");
    wp_jbuf_u64(b, tid);
    KEY(b, ",\"ts\":");
    wp_jbuf_us(b, ev->start);
    if (!instant) {
        KEY(b, ",\"dur\":");
        wp_jbuf_us(b, wp_ns_span(ev->start, ev->end)); /* never negative, even for crafted times */
    }
    wp_chrome_put_args(c, ev, tid);
    KEY(b, "}");
    if (ev->correlation && ev->kind == WP_EV_API && puts_gpu_work(str(c, ev->name)))
        put_flow(c, ev, p->chrome_pid, tid, 0);
    else if (ev->correlation && (ev->kind == WP_EV_KERNEL || ev->kind == WP_EV_MEMCPY || ev->kind == WP_EV_MEMSET))
        put_flow(c, ev, p->chrome_pid, tid, 1);
    return b->oom ? -1 : 0;
}
