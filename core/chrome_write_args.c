/* chrome_write_args.c: the "args" object of an event: Kineto's keys ("device", "stream", "correlation", "bytes",
 * "memory bandwidth (GB/s)", "grid", "registers per thread", "cbid", ...) plus ours for the fields Kineto lacks. The
 * reader (chrome_map.c) takes our files' fields from exactly these keys; absent keys mean WP_NONE / 0. */
#include "chrome_format.h"
#include "chrome_names.h"
#include "chrome_write_event.h"
#include "nsmath.h"

#include <stdio.h>
#include <string.h>

#define KEY(b, k) wp_jbuf_raw(b, k, sizeof(k) - 1)

static void put_str(wp_jbuf *b, const char *s)
{
    wp_jbuf_str(b, s, strlen(s));
}

static void put_bandwidth(wp_jbuf *b, uint64_t bytes, const wp_event *ev)
{
    int64_t dur = wp_ns_span(ev->start, ev->end);
    if (dur <= 0)
        return;
    KEY(b, "\"memory bandwidth (GB/s)\":");
    wp_jbuf_double(b, (double)bytes / (double)dur); /* bytes per ns = GB/s */
    KEY(b, ",");
}

static void put_kernel(wp_jbuf *b, const wp_kernel_info *k)
{
    KEY(b, "\"grid\":[");
    for (int i = 0; i < 3; i++) {
        wp_jbuf_u64(b, k->grid[i]);
        if (i < 2)
            KEY(b, ",");
    }
    KEY(b, "],\"block\":[");
    for (int i = 0; i < 3; i++) {
        wp_jbuf_u64(b, k->block[i]);
        if (i < 2)
            KEY(b, ",");
    }
    KEY(b, "],\"registers per thread\":");
    wp_jbuf_u64(b, k->registers_per_thread);
    KEY(b, ",\"shared memory\":"); /* Kineto's: static + dynamic */
    wp_jbuf_u64(b, (uint64_t)k->static_shared + k->dynamic_shared);
    KEY(b, ",\"static shared memory\":");
    wp_jbuf_u64(b, k->static_shared);
    KEY(b, ",\"dynamic shared memory\":");
    wp_jbuf_u64(b, k->dynamic_shared);
    KEY(b, ",");
}

static void put_memcpy(wp_jbuf *b, const wp_event *ev)
{
    const wp_memcpy_info *m = &ev->u.memcpy;
    KEY(b, "\"bytes\":");
    wp_jbuf_u64(b, m->bytes);
    KEY(b, ",");
    put_bandwidth(b, m->bytes, ev);
    if (m->async)
        KEY(b, "\"async\":1,");
    if (m->src_device != WP_NONE) {
        KEY(b, "\"fromDevice\":");
        wp_jbuf_u64(b, m->src_device);
        KEY(b, ",");
    }
    if (m->dst_device != WP_NONE) {
        KEY(b, "\"toDevice\":");
        wp_jbuf_u64(b, m->dst_device);
        KEY(b, ",");
    }
}

static void put_memset(wp_jbuf *b, const wp_event *ev)
{
    const wp_memset_info *m = &ev->u.memset;
    KEY(b, "\"bytes\":");
    wp_jbuf_u64(b, m->bytes);
    KEY(b, ",");
    put_bandwidth(b, m->bytes, ev);
    KEY(b, "\"value\":");
    wp_jbuf_u64(b, m->value);
    KEY(b, ",");
    if (m->async)
        KEY(b, "\"async\":1,");
}

static void put_memory(wp_jbuf *b, const wp_memory_info *m)
{
    char addr[24];
    snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)m->address); /* a string: JS numbers stop at 2^53 */
    KEY(b, "\"address\":");
    put_str(b, addr);
    KEY(b, ",\"bytes\":");
    wp_jbuf_u64(b, m->bytes);
    KEY(b, ",\"op\":");
    wp_jbuf_u64(b, m->op);
    KEY(b, ",\"mem kind\":");
    wp_jbuf_u64(b, m->mem_kind);
    KEY(b, ",");
    if (m->async)
        KEY(b, "\"async\":1,");
}

static void put_range(wp_chrome_ctx *c, wp_jbuf *b, const wp_range_info *r)
{
    static const char *const payload_types[] = {"none", "int", "uint", "double"};
    static const char *const sources[] = {"nvtx", "user_annotation", "gpu_user_annotation", "cpu_op",
                                          "python_function", "other"};
    /* The category says the source for Kineto's kinds; ours (NVTX, other) share user_annotation and need the arg. */
    if (r->source != WP_RANGE_USER_ANNOTATION && r->source != WP_RANGE_GPU_USER_ANNOTATION &&
        r->source != WP_RANGE_CPU_OP && r->source != WP_RANGE_PYTHON) {
        KEY(b, "\"source\":");
        put_str(b, r->source < 6 ? sources[r->source] : "other");
        KEY(b, ",");
    }
    if (r->domain) {
        KEY(b, "\"domain\":");
        put_str(b, wp_strtab_get(c->strings, r->domain));
        KEY(b, ",");
    }
    if (r->payload_type >= WP_PAYLOAD_INT && r->payload_type <= WP_PAYLOAD_DOUBLE) {
        KEY(b, "\"payload type\":");
        put_str(b, payload_types[r->payload_type]);
        KEY(b, ",\"payload\":");
        if (r->payload_type == WP_PAYLOAD_INT)
            wp_jbuf_i64(b, r->payload.i);
        else if (r->payload_type == WP_PAYLOAD_UINT)
            wp_jbuf_u64(b, r->payload.u);
        else
            wp_jbuf_double(b, r->payload.d);
        KEY(b, ",");
    }
    if (r->color) {
        KEY(b, "\"color\":");
        wp_jbuf_u64(b, r->color);
        KEY(b, ",");
    }
    if (r->flags) {
        KEY(b, "\"flags\":");
        wp_jbuf_u64(b, r->flags);
        KEY(b, ",");
    }
    if (r->args) {
        KEY(b, "\"wp_args\":");
        put_str(b, wp_strtab_get(c->strings, r->args));
        KEY(b, ",");
    }
}

/* Host thread of the event when the track tid does not say it (GPU tracks, overlap tracks, masked tids). */
static void put_common(wp_jbuf *b, const wp_event *ev, uint32_t track_tid)
{
    if (ev->tid != wp_chrome_track_thread(track_tid)) {
        KEY(b, "\"tid\":");
        wp_jbuf_u64(b, ev->tid);
        KEY(b, ",");
    }
    if (ev->device != WP_NONE) {
        KEY(b, "\"device\":");
        wp_jbuf_u64(b, ev->device);
        KEY(b, ",");
    }
    if (ev->stream != WP_NONE) {
        KEY(b, "\"stream\":");
        wp_jbuf_u64(b, ev->stream);
        KEY(b, ",");
    }
    if (ev->correlation) {
        KEY(b, "\"correlation\":");
        wp_jbuf_u64(b, ev->correlation);
        KEY(b, ",");
    }
}

void wp_chrome_put_args(wp_chrome_ctx *c, const wp_event *ev, uint32_t track_tid)
{
    wp_jbuf *b = &c->line;
    size_t before = b->len;
    KEY(b, ",\"args\":{");
    size_t open = b->len;
    put_common(b, ev, track_tid);
    /* The model name of kinds whose Chrome name is Kineto's generated one ("Memcpy HtoD (...)"). */
    int labelled = ev->kind == WP_EV_MEMCPY || ev->kind == WP_EV_MEMSET || ev->kind == WP_EV_SYNC ||
                   ev->kind == WP_EV_MEMORY;
    if (labelled && ev->name) {
        KEY(b, "\"label\":");
        put_str(b, wp_strtab_get(c->strings, ev->name));
        KEY(b, ",");
    }
    switch (ev->kind) {
    case WP_EV_KERNEL: put_kernel(b, &ev->u.kernel); break;
    case WP_EV_MEMCPY: put_memcpy(b, ev); break;
    case WP_EV_MEMSET: put_memset(b, ev); break;
    case WP_EV_API:
        KEY(b, "\"cbid\":");
        wp_jbuf_u64(b, ev->u.api.cbid);
        KEY(b, ",");
        if (ev->u.api.return_value) {
            KEY(b, "\"return value\":");
            wp_jbuf_i64(b, ev->u.api.return_value);
            KEY(b, ",");
        }
        break;
    case WP_EV_SYNC:
        KEY(b, "\"sync type\":");
        wp_jbuf_u64(b, ev->u.sync.type);
        KEY(b, ",");
        if (ev->u.sync.cuda_event) {
            KEY(b, "\"cuda event\":");
            wp_jbuf_u64(b, ev->u.sync.cuda_event);
            KEY(b, ",");
        }
        break;
    case WP_EV_MEMORY: put_memory(b, &ev->u.memory); break;
    case WP_EV_RANGE: put_range(c, b, &ev->u.range); break;
    default: break;
    }
    if (b->oom)
        return;
    if (b->len > open)
        b->data[b->len - 1] = '}'; /* replaces the last field's comma */
    else
        b->len = before; /* no args at all: viewers such as speedscope would show "{}" after the name */
}
