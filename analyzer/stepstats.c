/* stepstats.c: per-step figures (see stepstats.h). */
#include "stepstats.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsmath.h"
#include "safe_text.h"
#include "hash64.h"

int wp_copy_dir(uint8_t k)
{
    switch (k) {
    case WP_COPY_HTOD: return WP_DIR_HTOD;
    case WP_COPY_DTOH: return WP_DIR_DTOH;
    case WP_COPY_DTOD: return WP_DIR_DTOD;
    case WP_COPY_PTOP: return WP_DIR_PTOP;
    default: return WP_DIR_OTHER;
    }
}

int wp_copy_hmem(const wp_run_copy *c)
{
    uint8_t k = c->kind == WP_COPY_DTOH ? c->dst : c->kind == WP_COPY_HTOD ? c->src : WP_MEM_DEVICE;
    if (k == WP_MEM_PAGEABLE)
        return WP_HMEM_PAGEABLE;
    if (k == WP_MEM_PINNED)
        return WP_HMEM_PINNED;
    if (k == WP_MEM_UNKNOWN && (c->kind == WP_COPY_HTOD || c->kind == WP_COPY_DTOH))
        return WP_HMEM_HOST;
    return WP_HMEM_DEVICE;
}

const char *wp_dir_name(int d)
{
    static const char *const n[] = {"HtoD", "DtoH", "DtoD", "PtoP", "other"};
    return d >= 0 && d < WP_DIR_COUNT ? n[d] : "other";
}

const char *wp_hmem_name(int m)
{
    static const char *const n[] = {"pageable", "pinned", "device", "host"};
    return m >= 0 && m < WP_HMEM_COUNT ? n[m] : "device";
}

static void copies_of(const wp_run *r, uint32_t proc, const wp_step *s, wp_step_stats *o)
{
    size_t lo, hi;
    wp_run_copy_range(r, proc, s->start, s->end, &lo, &hi);
    int64_t wfirst = INT64_MAX, wlast = INT64_MIN;
    for (size_t i = lo; i < hi; i++) {
        const wp_run_copy *c = &r->copies[i];
        int64_t d = wp_ns_span(c->start, c->end);
        wp_copy_stat *cs = &o->copy[wp_copy_dir(c->kind)][wp_copy_hmem(c)];
        cs->count++;
        cs->bytes += c->bytes;
        cs->ns = wp_ns_add(cs->ns, d);
        o->copies.count++;
        o->copies.bytes += c->bytes;
        o->copies.ns = wp_ns_add(o->copies.ns, d);
        if ((int64_t)c->bytes > o->largest_copy_bytes)
            o->largest_copy_bytes = (int64_t)c->bytes;
        double frac = wp_timeline_compute_fraction(r->timeline, proc, c->start, c->end);
        o->copy_exposed_ns = wp_ns_add(o->copy_exposed_ns, wp_ns_from_double((double)d * (1.0 - frac)));
        if (c->bytes >= WP_WEIGHT_COPY_MIN_BYTES && (c->kind == WP_COPY_HTOD || c->kind == WP_COPY_DTOH)) {
            if (c->kind == WP_COPY_HTOD) {
                o->weight_htod++;
                o->weight_htod_bytes += c->bytes;
            } else {
                o->weight_dtoh++;
                o->weight_dtoh_bytes += c->bytes;
            }
            o->weight_ns = wp_ns_add(o->weight_ns, d);
            if (c->start < wfirst)
                wfirst = c->start;
            if (c->end > wlast)
                wlast = c->end;
        }
    }
    o->weight_span_ns = wp_ns_span(wfirst, wlast);
}

/* Compiled-region ids ("F/C" packed as F << 32 | C) already seen by this proc, for "new region" detection across
 * steps: an open-addressing hash set with no cap, since a model may compile hundreds of regions. */
typedef struct region_seen {
    uint64_t *keys; /* id + 1; 0 marks an empty slot */
    size_t n, cap;
    int nomem;
} region_seen;

/* The slot holding key, or the empty slot where it goes. */
static size_t region_slot(const region_seen *rs, uint64_t key)
{
    size_t i = wp_hash64(key) & (rs->cap - 1);
    while (rs->keys[i] && rs->keys[i] != key)
        i = (i + 1) & (rs->cap - 1);
    return i;
}

static int region_grow(region_seen *rs)
{
    size_t ncap = rs->cap ? rs->cap * 2 : 64;
    region_seen bigger = {calloc(ncap, sizeof(uint64_t)), rs->n, ncap, 0};
    if (!bigger.keys)
        return -1;
    for (size_t i = 0; i < rs->cap; i++)
        if (rs->keys[i])
            bigger.keys[region_slot(&bigger, rs->keys[i])] = rs->keys[i];
    free(rs->keys);
    *rs = bigger;
    return 0;
}

/* 1 when id was seen before; otherwise records it and returns 0 (also when out of memory: rs->nomem is set). */
static int seen_before(region_seen *rs, int64_t id)
{
    uint64_t key = (uint64_t)id + 1;
    if (key == 0) /* the one id that would collide with the empty mark: count it as seen */
        return 1;
    if ((rs->n + 1) * 2 > rs->cap && region_grow(rs)) {
        rs->nomem = 1;
        return 0;
    }
    size_t i = region_slot(rs, key);
    if (rs->keys[i])
        return 1;
    rs->keys[i] = key;
    rs->n++;
    return 0;
}

/* Page-locked host allocations: the destination of a non_blocking .to("cpu"), a pinned staging buffer. */
static int is_pinned_alloc(const char *n)
{
    return strncmp(n, "cudaHostAlloc", 13) == 0 || strncmp(n, "cudaMallocHost", 14) == 0 ||
           strncmp(n, "cuMemHostAlloc", 14) == 0 || strncmp(n, "cuMemAllocHost", 14) == 0;
}

static void hosts_of(const wp_run *r, uint32_t proc, const wp_step *s, wp_step_stats *o, region_seen *rs)
{
    size_t lo, hi;
    wp_run_host_range(r, proc, s->start, s->end, &lo, &hi);
    int64_t cov_end = INT64_MIN, init_cov = INT64_MIN;
    /* One wait or allocation can arrive twice: as the API call (cudaDeviceSynchronize, cudaMalloc) and as CUPTI's
     * SYNCHRONIZATION / MEMORY record inside it. Hosts come sorted by start, so what lies under the coverage of an
     * earlier one is counted once. */
    int64_t sync_cov = INT64_MIN, mem_cov = INT64_MIN;
    for (size_t i = lo; i < hi; i++) {
        const wp_run_host *h = &r->hosts[i];
        int64_t end = h->end < s->end ? h->end : s->end, d = wp_ns_span(h->start, end);
        switch (h->cls) {
        case WP_HOST_SYNC:
            if (h->start >= sync_cov)
                o->syncs++;
            o->sync_ns = wp_ns_add(o->sync_ns, wp_ns_span(h->start > sync_cov ? h->start : sync_cov, end));
            sync_cov = end > sync_cov ? end : sync_cov;
            break;
        case WP_HOST_COPY_CALL:
            o->copy_calls++;
            o->copy_call_ns = wp_ns_add(o->copy_call_ns, d);
            break;
        case WP_HOST_INIT: /* an API call inside an MPI_Init range is counted once */
            o->inits += h->start >= init_cov;
            o->init_ns = wp_ns_add(o->init_ns, wp_ns_span(h->start > init_cov ? h->start : init_cov, end));
            init_cov = end > init_cov ? end : init_cov;
            break;
        case WP_HOST_ALLOC:
        case WP_HOST_FREE:
            if (d == 0 && h->start <= mem_cov)
                break; /* the record of an allocation whose API call was counted */
            if (h->cls == WP_HOST_ALLOC)
                o->allocs++;
            else
                o->frees++;
            o->alloc_ns = wp_ns_add(o->alloc_ns, d);
            if (h->cls == WP_HOST_ALLOC && is_pinned_alloc(wp_run_str(r, h->name))) {
                o->pinned_allocs++;
                o->pinned_alloc_ns = wp_ns_add(o->pinned_alloc_ns, d);
            }
            mem_cov = d > 0 && end > mem_cov ? end : mem_cov;
            break;
        case WP_HOST_MODULE: o->modules++; o->module_ns = wp_ns_add(o->module_ns, d); break;
        case WP_HOST_EXPERT: o->expert_marks++; break;
        case WP_HOST_REGION:
            o->region_calls++;
            if (!seen_before(rs, h->aux) && o->new_regions++ == 0)
                snprintf(o->new_region_name, sizeof(o->new_region_name), "%.*s",
                         wp_utf8_cut(wp_run_str(r, h->name), sizeof(o->new_region_name) - 1), wp_run_str(r, h->name));
            break;
        case WP_HOST_COMPILE:
            o->compile_ranges++;
            if (end > cov_end) { /* union of possibly nested phases (sorted by start) */
                o->compile_ns = wp_ns_add(o->compile_ns, wp_ns_span(h->start > cov_end ? h->start : cov_end, end));
                cov_end = end;
            }
            break;
        default: break;
        }
    }
}

int wp_stepstats_compute(const wp_run *r, const wp_steps *s, wp_step_stats *out)
{
    region_seen rs = {NULL, 0, 0, 0};
    /* regions called before the first step (e.g. a warm-up outside the loop) are not new in step 0 */
    if (s->count > 0) {
        size_t lo, hi;
        wp_run_host_range(r, s->proc, INT64_MIN, s->steps[0].start, &lo, &hi);
        for (size_t i = lo; i < hi; i++)
            if (r->hosts[i].cls == WP_HOST_REGION)
                seen_before(&rs, r->hosts[i].aux);
    }
    for (int i = 0; i < s->count; i++) {
        const wp_step *st = &s->steps[i];
        wp_step_stats *o = &out[i];
        memset(o, 0, sizeof(*o));
        o->wall_ns = wp_ns_span(st->start, st->end);
        wp_busy b;
        wp_timeline_query(r->timeline, s->proc, st->start, st->end, &b);
        o->gpu_busy_ns = b.busy;
        o->kernel_ns = b.compute;
        o->nccl_ns = b.nccl;
        o->gpu_idle_ns = b.idle;
        o->max_gpu_gap_ns = b.max_idle;
        copies_of(r, s->proc, st, o);
        hosts_of(r, s->proc, st, o, &rs);
        o->kernels = wp_run_kernels_in(r, s->proc, st->start, st->end);
        o->new_kernels = wp_run_new_kernels(r, s->proc, i == 0 ? INT64_MIN : st->start, st->end);
    }
    free(rs.keys);
    return rs.nomem ? WP_ERR_NOMEM : WP_OK;
}
