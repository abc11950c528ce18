/* chrome_map_event.c: the fields of one X / i event, per kind, from our args or by Kineto's conventions. */
#include "chrome_format.h"
#include "chrome_names.h"
#include "chrome_read_impl.h"

#include <stdlib.h>
#include <string.h>

static int is_gpu_cat(int cat)
{
    return cat == C_KERNEL || cat == C_MEMCPY || cat == C_MEMSET || cat == C_GPU_USER_ANNOTATION;
}

/* Process, device, stream, host thread, correlation. */
static int fill_common(wp_chrome_reader *r, const wp_chrome_raw *raw, int cat, wp_event *ev)
{
    ev->correlation = NUM_OR(raw, A_CORRELATION, 0);
    if (r->ours) {
        ev->device = (uint32_t)NUM_OR(raw, A_DEVICE, WP_NONE);
        ev->stream = (uint32_t)NUM_OR(raw, A_STREAM, WP_NONE);
        uint32_t track = raw->tid_num && raw->tid >= 0 && raw->tid <= UINT32_MAX ? (uint32_t)raw->tid : 0;
        ev->tid = (uint32_t)NUM_OR(raw, A_TID, wp_chrome_track_thread(track));
        return wp_chrome_proc_of(r, raw->pid_num ? raw->pid : -1, &ev->proc);
    }
    int gpu = is_gpu_cat(cat);
    if (!r->kineto_announced) {
        int rc = wp_chrome_kineto_announce(r, !gpu && raw->pid_num && raw->pid > 0 ? raw->pid : 0);
        if (rc != WP_OK)
            return rc;
    }
    ev->proc = r->proc_base;
    if (gpu) { /* Kineto puts GPU work on pid = device, tid = stream */
        ev->device = (uint32_t)NUM_OR(raw, A_DEVICE, raw->pid_num ? (uint64_t)raw->pid : WP_NONE);
        ev->stream = (uint32_t)NUM_OR(raw, A_STREAM, raw->tid_num ? (uint64_t)raw->tid : WP_NONE);
    } else {
        ev->device = (uint32_t)NUM_OR(raw, A_DEVICE, WP_NONE);
        ev->stream = (uint32_t)NUM_OR(raw, A_STREAM, WP_NONE);
        ev->tid = raw->tid_num && raw->tid > 0 ? (uint32_t)raw->tid : 0;
    }
    return WP_OK;
}

static void fill_kernel(const wp_chrome_raw *raw, wp_kernel_info *k)
{
    if (raw->has_grid)
        memcpy(k->grid, raw->grid, sizeof(k->grid));
    if (raw->has_block)
        memcpy(k->block, raw->block, sizeof(k->block));
    k->registers_per_thread = (uint32_t)NUM_OR(raw, A_REGS, 0);
    if (HAVE(raw, A_STATIC_SHARED) || HAVE(raw, A_DYNAMIC_SHARED)) {
        k->static_shared = (uint32_t)NUM_OR(raw, A_STATIC_SHARED, 0);
        k->dynamic_shared = (uint32_t)NUM_OR(raw, A_DYNAMIC_SHARED, 0);
    } else {
        k->static_shared = (uint32_t)NUM_OR(raw, A_SHARED, 0); /* Kineto gives only the sum */
    }
}

static void fill_range(wp_chrome_reader *r, const wp_chrome_raw *raw, int cat, wp_range_info *g)
{
    static const uint8_t by_cat[] = {[C_USER_ANNOTATION] = WP_RANGE_USER_ANNOTATION,
                                     [C_GPU_USER_ANNOTATION] = WP_RANGE_GPU_USER_ANNOTATION,
                                     [C_CPU_OP] = WP_RANGE_CPU_OP, [C_PYTHON] = WP_RANGE_PYTHON};
    g->source = by_cat[cat];
    if (!r->ours) {
        g->flags = raw->ph == 'X' ? 0 : WP_RANGE_FLAG_INSTANT;
        return;
    }
    if (HAVE(raw, A_SOURCE)) {
        int s = wp_chrome_source_parse(WP_RAW_STR(raw, A_SOURCE).p, WP_RAW_STR(raw, A_SOURCE).len);
        g->source = (uint8_t)(s < 0 ? WP_RANGE_OTHER : s);
    }
    g->flags = (uint8_t)NUM_OR(raw, A_FLAGS, 0);
    g->color = (uint32_t)NUM_OR(raw, A_COLOR, 0);
    if (HAVE(raw, A_DOMAIN))
        g->domain = wp_chrome_intern(r, &WP_RAW_STR(raw, A_DOMAIN));
    if (HAVE(raw, A_WP_ARGS))
        g->args = wp_chrome_intern(r, &WP_RAW_STR(raw, A_WP_ARGS));
    if (HAVE(raw, A_PAYLOAD_TYPE) && HAVE(raw, A_PAYLOAD)) {
        const wp_jstr *t = &WP_RAW_STR(raw, A_PAYLOAD_TYPE);
        const char *v = WP_RAW_STR(raw, A_PAYLOAD).p; /* followed by ',' or '}' in the window: strto* stop there */
        if (t->len == 3 && memcmp(t->p, "int", 3) == 0) {
            g->payload_type = WP_PAYLOAD_INT;
            g->payload.i = strtoll(v, NULL, 10);
        } else if (t->len == 4 && memcmp(t->p, "uint", 4) == 0) {
            g->payload_type = WP_PAYLOAD_UINT;
            g->payload.u = strtoull(v, NULL, 10);
        } else if (t->len == 6 && memcmp(t->p, "double", 6) == 0) {
            g->payload_type = WP_PAYLOAD_DOUBLE;
            g->payload.d = strtod(v, NULL);
        }
    }
}

static void fill_memory(const wp_chrome_raw *raw, wp_memory_info *m)
{
    if (HAVE(raw, A_ADDRESS))
        m->address = strtoull(WP_RAW_STR(raw, A_ADDRESS).p, NULL, 0); /* "0x..." then the closing quote */
    else
        m->address = NUM_OR(raw, A_ADDRESS_NUM, 0);
    m->bytes = NUM_OR(raw, A_BYTES, 0);
    m->op = (uint8_t)NUM_OR(raw, A_OP, 0);
    m->mem_kind = (uint8_t)NUM_OR(raw, A_MEM_KIND, WP_MEM_UNKNOWN);
    m->async = (uint8_t)NUM_OR(raw, A_ASYNC, 0);
}

/* A "[memory]" instant of CUDA memory (the caller checked): "Bytes" > 0 allocates, < 0 frees; "Addr" is absent in
 * older traces (0 then). The block is one of PyTorch's caching allocator, which need not be a cudaMalloc of its own:
 * the event keeps Kineto's name "[memory]" so that consumers can tell. */
static void fill_allocator(const wp_chrome_raw *raw, wp_event *ev)
{
    wp_memory_info *m = &ev->u.memory;
    int64_t bytes = (int64_t)NUM_OR(raw, A_ALLOC_BYTES, 0);
    int64_t device = (int64_t)NUM_OR(raw, A_ALLOC_DEVICE_ID, -1);
    ev->device = device >= 0 && device < WP_NONE ? (uint32_t)device : WP_NONE;
    m->address = NUM_OR(raw, A_ALLOC_ADDR, 0);
    m->bytes = bytes < 0 ? (uint64_t)0 - (uint64_t)bytes : (uint64_t)bytes;
    m->op = bytes < 0 ? WP_MEMORY_FREE : WP_MEMORY_ALLOC;
    m->mem_kind = WP_MEM_DEVICE;
}

static void fill_copy(const wp_chrome_raw *raw, int cat, wp_event *ev)
{
    if (cat == C_MEMCPY) {
        wp_memcpy_info *m = &ev->u.memcpy;
        wp_chrome_parse_memcpy_name(raw->name.p, raw->name.len, &m->copy_kind, &m->src_kind, &m->dst_kind);
        m->bytes = NUM_OR(raw, A_BYTES, 0);
        m->async = (uint8_t)NUM_OR(raw, A_ASYNC, 0);
        m->src_device = (uint32_t)NUM_OR(raw, A_FROM_DEVICE, WP_NONE);
        m->dst_device = (uint32_t)NUM_OR(raw, A_TO_DEVICE, WP_NONE);
    } else {
        wp_memset_info *m = &ev->u.memset;
        wp_chrome_parse_memset_name(raw->name.p, raw->name.len, &m->mem_kind);
        m->bytes = NUM_OR(raw, A_BYTES, 0);
        m->value = (uint32_t)NUM_OR(raw, A_VALUE, 0);
        m->async = (uint8_t)NUM_OR(raw, A_ASYNC, 0);
    }
}

static const uint8_t kind_of_cat[] = {
    [C_KERNEL] = WP_EV_KERNEL,      [C_MEMCPY] = WP_EV_MEMCPY,         [C_MEMSET] = WP_EV_MEMSET,
    [C_RUNTIME] = WP_EV_API,        [C_DRIVER] = WP_EV_API,            [C_SYNC] = WP_EV_SYNC,
    [C_MEMORY] = WP_EV_MEMORY,      [C_USER_ANNOTATION] = WP_EV_RANGE, [C_GPU_USER_ANNOTATION] = WP_EV_RANGE,
    [C_CPU_OP] = WP_EV_RANGE,       [C_PYTHON] = WP_EV_RANGE,          [C_OVERHEAD] = WP_EV_OVERHEAD,
    [C_ALLOCATOR] = WP_EV_MEMORY,
};

int wp_chrome_fill(wp_chrome_reader *r, const wp_chrome_raw *raw, int cat, wp_event *ev)
{
    ev->kind = kind_of_cat[cat];
    ev->start = raw->ts;
    ev->end = raw->ph == 'X' && raw->has_dur ? (int64_t)((uint64_t)raw->ts + (uint64_t)raw->dur) : raw->ts;
    int rc = fill_common(r, raw, cat, ev);
    if (rc != WP_OK)
        return rc;
    int labelled = cat == C_MEMCPY || cat == C_MEMSET || cat == C_SYNC || cat == C_MEMORY;
    if (!labelled || !r->ours)
        ev->name = wp_chrome_intern(r, &raw->name);
    else if (HAVE(raw, A_LABEL))
        ev->name = wp_chrome_intern(r, &WP_RAW_STR(raw, A_LABEL));
    switch (cat) {
    case C_KERNEL: fill_kernel(raw, &ev->u.kernel); break;
    case C_MEMCPY:
    case C_MEMSET: fill_copy(raw, cat, ev); break;
    case C_RUNTIME:
    case C_DRIVER:
        ev->u.api.domain = cat == C_DRIVER ? WP_API_DRIVER : WP_API_RUNTIME;
        ev->u.api.cbid = (uint32_t)NUM_OR(raw, A_CBID, 0);
        ev->u.api.return_value = (int32_t)NUM_OR(raw, A_RETURN, 0);
        break;
    case C_SYNC: {
        int t = r->ours ? (int)NUM_OR(raw, A_SYNC_TYPE, 0) : wp_chrome_sync_parse(raw->name.p, raw->name.len);
        ev->u.sync.type = (uint8_t)(t < 0 ? WP_SYNC_UNKNOWN : t);
        ev->u.sync.cuda_event = NUM_OR(raw, A_CUDA_EVENT, 0);
        break;
    }
    case C_MEMORY: fill_memory(raw, &ev->u.memory); break;
    case C_ALLOCATOR: fill_allocator(raw, ev); break;
    case C_OVERHEAD: break;
    default: fill_range(r, raw, cat, &ev->u.range); break;
    }
    if (ev->name == UINT32_MAX || (ev->kind == WP_EV_RANGE && (ev->u.range.domain == UINT32_MAX ||
                                                               ev->u.range.args == UINT32_MAX)))
        return wp_diag_error(r->diag, WP_ERR_NOMEM, "%s: out of memory", r->path);
    return WP_OK;
}
