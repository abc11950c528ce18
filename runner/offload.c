/* offload.c: the offload modes (see offload.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cuda_runtime_api.h>
#include <nvtx3/nvToolsExt.h>
#include "dit_internal.h"
#include "offload.h"
#include "schedule.h"

#define MAX_EXPERTS 2

struct wp_offload {
    wp_offload_options o;
    wp_dit *m;
    wp_dit_placement p;
    int n;
    wp_offload_stats stats;
    /* model */
    char *host[MAX_EXPERTS]; /* each expert's whole arena image */
    char *gpu;               /* the one resident arena */
    int resident;            /* expert in gpu, -1 none */
    /* layerwise */
    char **block_host[MAX_EXPERTS]; /* one host buffer per block (slices of shared[k] when shared) */
    char *shared[MAX_EXPERTS];      /* with several ranks: each expert's image in POSIX shared memory, one per node */
    char *slots;
    int nslots, current;
    cudaStream_t copy;
    cudaEvent_t *ready, *released;
};

/* The pointer fields of an expert outside its blocks, and of a block. */
#define EXPERT_FIELDS(X)                                                                                          \
    X(patch_w) X(patch_b) X(time1_w) X(time1_b) X(time2_w) X(time2_b) X(tproj_w) X(text1_w) X(text2_w) X(proj_w)  \
    X(tproj_b) X(text1_b) X(text2_b) X(proj_b) X(head_table)
#define ATTN_FIELDS(X, a)                                                                                         \
    X(a.q_w) X(a.k_w) X(a.v_w) X(a.o_w) X(a.q_b) X(a.k_b) X(a.v_b) X(a.o_b) X(a.norm_q) X(a.norm_k)
#define BLOCK_FIELDS(X)                                                                                           \
    ATTN_FIELDS(X, self_attn) ATTN_FIELDS(X, cross_attn) X(norm2_w) X(norm2_b) X(ffn_up_w) X(ffn_down_w)          \
    X(ffn_up_b) X(ffn_down_b) X(table)

const char *wp_offload_mode_name(wp_offload_mode mode) {
    return mode == WP_OFFLOAD_MODEL ? "model" : mode == WP_OFFLOAD_LAYERWISE ? "layerwise" : "none";
}

int wp_offload_moves_experts(const wp_offload *off) { return off && off->o.mode == WP_OFFLOAD_MODEL; }

void wp_offload_get_stats(const wp_offload *off, wp_offload_stats *out) {
    if (off)
        *out = off->stats;
    else
        memset(out, 0, sizeof *out);
}

static int host_alloc(wp_offload *off, char **out, size_t bytes, char *err, size_t errlen) {
    if (off->o.pinned) return wp_dit_cuda(cudaHostAlloc((void **)out, bytes, cudaHostAllocDefault), "cudaHostAlloc",
                                          err, errlen);
    *out = malloc(bytes);
    return *out ? 0 : wp_dit_fail(err, errlen, "out of host memory (%zu bytes of weights)", bytes);
}

static void host_free(const wp_offload *off, char *p) {
    if (off->o.pinned)
        cudaFreeHost(p);
    else
        free(p);
}

/* Moves every pointer of e from `from` (its arena) to `to` plus the same offset: the model mode's shared arena. */
static void rebase_expert(wp_dit_expert *e, const char *from, char *to, int layers) {
#define MOVE(f) e->f = (void *)(to + ((const char *)e->f - from));
    EXPERT_FIELDS(MOVE)
    for (int i = 0; i < layers; i++) {
        wp_dit_block_w *b = &e->blocks[i];
#define MOVE_B(f) b->f = (void *)(to + ((const char *)b->f - from));
        BLOCK_FIELDS(MOVE_B)
#undef MOVE_B
    }
#undef MOVE
}

/* Layerwise: the non-block tensors move to `resident` (the arena without the block range); block i's pointers
 * become offsets within block i (a template block_begin adds a slot's address to). */
static void split_expert(wp_dit_expert *e, const char *from, char *resident, const wp_dit_placement *p, int layers) {
#define MOVE(f)                                                                                                   \
    {                                                                                                             \
        size_t o = (size_t)((const char *)e->f - from);                                                          \
        e->f = (void *)(resident + (o < p->block_start ? o : o - (p->block_end - p->block_start)));               \
    }
    EXPERT_FIELDS(MOVE)
#undef MOVE
    for (int i = 0; i < layers; i++) {
        wp_dit_block_w *b = &e->blocks[i];
        size_t start = p->block_start + (size_t)i * p->block_stride;
#define REL(f) b->f = (void *)(uintptr_t)((size_t)((const char *)b->f - from) - start);
        BLOCK_FIELDS(REL)
#undef REL
    }
}

static int create_model(wp_offload *off, wp_dit_expert *experts, char *err, size_t errlen) {
    const wp_dit_placement *p = &off->p;
    for (int k = 0; k < off->n; k++) {
        if (host_alloc(off, &off->host[k], p->total, err, errlen) ||
            wp_dit_cuda(cudaMemcpy(off->host[k], experts[k].arena, p->total, cudaMemcpyDeviceToHost),
                        "offload setup", err, errlen))
            return -1;
    }
    off->gpu = experts[0].arena; /* kept as the resident arena; the first use uploads, as SGLang's step 0 does */
    off->resident = -1;
    for (int k = 1; k < off->n; k++) {
        rebase_expert(&experts[k], experts[k].arena, off->gpu, off->m->cfg.layers);
        cudaFree(experts[k].arena);
        experts[k].arena = NULL;
    }
    return 0;
}

/* shared_images' work: local rank 0 creates and fills the images, every rank maps them; *created counts the names
 * made in /dev/shm, for the caller to remove. */
static int map_images(wp_offload *off, wp_dit_expert *experts, char names[][64], int *created, char *err,
                      size_t errlen) {
    const wp_dist *d = off->m->dist;
    size_t total = off->p.total;
    for (int k = 0; k < off->n; k++) {
        if (d->local_rank != 0) continue;
        int fd = shm_open(names[k], O_CREAT | O_EXCL | O_RDWR, 0600);
        if (fd >= 0) (*created)++;
        if (fd < 0 || ftruncate(fd, (off_t)total) != 0) {
            int e = errno;
            if (fd >= 0) close(fd);
            return wp_dit_fail(err, errlen, "shared memory %s (%zu bytes): %s", names[k], total, strerror(e));
        }
        off->shared[k] = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        int e = errno;
        close(fd);
        if (off->shared[k] == MAP_FAILED) {
            off->shared[k] = NULL;
            return wp_dit_fail(err, errlen, "mmap of %s: %s", names[k], strerror(e));
        }
        if (wp_dit_cuda(cudaMemcpy(off->shared[k], experts[k].arena, total, cudaMemcpyDeviceToHost),
                        "offload setup", err, errlen))
            return -1;
    }
    if (wp_dist_barrier(d)) return wp_dit_fail(err, errlen, "offload: barrier after filling shared memory");
    for (int k = 0; k < off->n; k++) {
        if (!off->shared[k]) {
            int fd = shm_open(names[k], O_RDONLY, 0);
            off->shared[k] = fd < 0 ? MAP_FAILED : mmap(NULL, total, PROT_READ, MAP_SHARED, fd, 0);
            int e = errno;
            if (fd >= 0) close(fd);
            if (off->shared[k] == MAP_FAILED) {
                off->shared[k] = NULL;
                return wp_dit_fail(err, errlen, "shared memory %s: %s", names[k], strerror(e));
            }
        }
        if (off->o.pinned) { /* read-only where the platform allows it (the GPU never writes these weights) */
            cudaError_t e = cudaHostRegister(off->shared[k], total, cudaHostRegisterReadOnly);
            if (e != cudaSuccess) {
                cudaGetLastError();
                e = cudaHostRegister(off->shared[k], total, cudaHostRegisterDefault);
            }
            if (wp_dit_cuda(e, "cudaHostRegister (shared weights)", err, errlen)) return -1;
        }
    }
    if (wp_dist_barrier(d)) return wp_dit_fail(err, errlen, "offload: barrier after mapping shared memory");
    return 0;
}

/* Several ranks on a node read the same weights: local rank 0 fills one image per expert in POSIX shared memory,
 * every rank maps it (and registers it with CUDA when pinned), so 4 ranks hold one host copy, not 4. The layerwise
 * mode only reads its host weights; the model mode writes the outgoing expert back (module.to("cpu") gives every
 * rank its own copy), so it keeps per-rank memory. */
static int shared_images(wp_offload *off, wp_dit_expert *experts, char *err, size_t errlen) {
    uint64_t token = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
    if (wp_dist_broadcast_u64(off->m->dist, &token))
        return wp_dit_fail(err, errlen, "offload: broadcast of the shm name");
    char names[MAX_EXPERTS][64];
    for (int k = 0; k < off->n; k++)
        snprintf(names[k], sizeof names[k], "/wanprof-%016llx-%d", (unsigned long long)token, k);
    int created = 0;
    int rc = map_images(off, experts, names, &created, err, errlen);
    /* Once every rank has mapped them (or on any failure) the names are no longer needed: none is left behind in
     * /dev/shm, by a failed setup either, and nothing leaks on a crash later. */
    for (int k = 0; k < created; k++) shm_unlink(names[k]);
    return rc;
}

static int create_layerwise(wp_offload *off, wp_dit_expert *experts, char *err, size_t errlen) {
    const wp_dit_placement *p = &off->p;
    int layers = off->m->cfg.layers;
    size_t blocks_bytes = p->block_end - p->block_start, rest = p->total - blocks_bytes;
    int shared = off->m->dist && off->m->dist->world > 1;
    if (shared && shared_images(off, experts, err, errlen)) return -1;
    for (int k = 0; k < off->n; k++) {
        char *arena = experts[k].arena, *resident;
        off->block_host[k] = calloc((size_t)layers, sizeof *off->block_host[k]);
        if (!off->block_host[k]) return wp_dit_fail(err, errlen, "out of host memory");
        for (int b = 0; shared && b < layers; b++)
            off->block_host[k][b] = off->shared[k] + p->block_start + (size_t)b * p->block_stride;
        for (int b = 0; !shared && b < layers; b++)
            if (host_alloc(off, &off->block_host[k][b], p->block_stride, err, errlen) ||
                wp_dit_cuda(cudaMemcpy(off->block_host[k][b], arena + p->block_start + (size_t)b * p->block_stride,
                                       p->block_stride, cudaMemcpyDeviceToHost),
                            "offload setup", err, errlen))
                return -1;
        if (wp_dit_cuda(cudaMalloc((void **)&resident, rest), "cudaMalloc (resident weights)", err, errlen) ||
            wp_dit_cuda(cudaMemcpy(resident, arena, p->block_start, cudaMemcpyDeviceToDevice), "offload setup", err,
                        errlen) ||
            wp_dit_cuda(cudaMemcpy(resident + p->block_start, arena + p->block_end, p->total - p->block_end,
                                   cudaMemcpyDeviceToDevice),
                        "offload setup", err, errlen))
            return -1;
        split_expert(&experts[k], arena, resident, p, layers);
        cudaFree(arena);
        experts[k].arena = resident;
        experts[k].arena_bytes = rest;
    }
    off->nslots = off->o.prefetch + 1;
    off->ready = calloc((size_t)off->nslots, sizeof *off->ready);
    off->released = calloc((size_t)off->nslots, sizeof *off->released);
    if (!off->ready || !off->released) return wp_dit_fail(err, errlen, "out of host memory");
    for (int s = 0; s < off->nslots; s++)
        if (wp_dit_cuda(cudaEventCreateWithFlags(&off->ready[s], cudaEventDisableTiming), "cudaEventCreate", err,
                        errlen) ||
            wp_dit_cuda(cudaEventCreateWithFlags(&off->released[s], cudaEventDisableTiming), "cudaEventCreate", err,
                        errlen))
            return -1;
    return wp_dit_cuda(cudaMalloc((void **)&off->slots, (size_t)off->nslots * p->block_stride),
                       "cudaMalloc (block slots)", err, errlen) ||
                   wp_dit_cuda(cudaStreamCreateWithFlags(&off->copy, cudaStreamNonBlocking), "cudaStreamCreate",
                               err, errlen)
               ? -1
               : 0;
}

int wp_offload_create(wp_offload **out, wp_dit *m, const wp_offload_options *o, wp_dit_expert *experts, int n,
                      char *err, size_t errlen) {
    *out = NULL;
    if (o->mode == WP_OFFLOAD_NONE) return 0;
    if (n < 1 || n > MAX_EXPERTS) return wp_dit_fail(err, errlen, "offload: %d experts (1 or 2)", n);
    if (o->mode == WP_OFFLOAD_LAYERWISE && o->prefetch < 1)
        return wp_dit_fail(err, errlen, "--prefetch %d: at least 1 block ahead", o->prefetch);
    wp_offload *off = calloc(1, sizeof *off);
    if (!off) return wp_dit_fail(err, errlen, "out of host memory");
    off->o = *o;
    off->m = m;
    off->n = n;
    off->resident = off->current = -1;
    for (int k = 0; k < n; k++) experts[k].index = k;
    nvtxRangePushA("offload setup");
    int rc = wp_dit_place(m, &off->p, err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cudaDeviceSynchronize(), "offload setup", err, errlen);
    if (rc == 0)
        rc = o->mode == WP_OFFLOAD_MODEL ? create_model(off, experts, err, errlen)
                                         : create_layerwise(off, experts, err, errlen);
    nvtxRangePop();
    if (rc) {
        wp_offload_destroy(off);
        return -1;
    }
    m->off = off;
    *out = off;
    return 0;
}

void wp_offload_destroy(wp_offload *off) {
    if (!off) return;
    if (off->m && off->m->off == off) off->m->off = NULL;
    cudaDeviceSynchronize();
    for (int k = 0; k < MAX_EXPERTS; k++) {
        host_free(off, off->host[k]);
        if (off->shared[k]) {
            if (off->o.pinned) cudaHostUnregister(off->shared[k]);
            munmap(off->shared[k], off->p.total);
        } else if (off->block_host[k]) {
            for (int b = 0; b < off->m->cfg.layers; b++) host_free(off, off->block_host[k][b]);
        }
        free(off->block_host[k]);
    }
    for (int s = 0; s < off->nslots; s++) {
        if (off->ready && off->ready[s]) cudaEventDestroy(off->ready[s]);
        if (off->released && off->released[s]) cudaEventDestroy(off->released[s]);
    }
    free(off->ready);
    free(off->released);
    cudaFree(off->slots);
    if (off->copy) cudaStreamDestroy(off->copy);
    wp_dit_placement_free(&off->p);
    free(off);
}

/* One copy per tensor, as module.to(device) does: synchronous from pageable memory; from pinned memory queued on
 * the compute stream and waited for at the end. */
static int copy_tensors(wp_offload *off, char *dst, const char *src, enum cudaMemcpyKind kind, char *err,
                        size_t errlen) {
    const wp_dit_placement *p = &off->p;
    for (size_t i = 0; i < p->count; i++) {
        cudaError_t rc = off->o.pinned ? cudaMemcpyAsync(dst + p->offset[i], src + p->offset[i], p->bytes[i], kind,
                                                         off->m->stream)
                                       : cudaMemcpy(dst + p->offset[i], src + p->offset[i], p->bytes[i], kind);
        if (wp_dit_cuda(rc, p->specs[i].name, err, errlen)) return -1;
        if (kind == cudaMemcpyHostToDevice)
            off->stats.h2d_copies++, off->stats.h2d_bytes += (double)p->bytes[i];
        else
            off->stats.d2h_copies++, off->stats.d2h_bytes += (double)p->bytes[i];
    }
    return wp_dit_cuda(cudaStreamSynchronize(off->m->stream), "expert copy", err, errlen);
}

static int swap_in(wp_offload *off, int index, char *err, size_t errlen) {
    char what[96];
    if (off->resident >= 0)
        snprintf(what, sizeof what, "expert switch: %s -> %s", wp_expert_name((wp_expert)off->resident),
                 wp_expert_name((wp_expert)index));
    else
        snprintf(what, sizeof what, "load expert: %s (model offload)", wp_expert_name((wp_expert)index));
    nvtxRangePushA(what);
    /* the outgoing expert's kernels must be done before its weights are copied out and overwritten */
    int rc = wp_dit_cuda(cudaStreamSynchronize(off->m->stream), "expert switch", err, errlen);
    if (rc == 0 && off->resident >= 0)
        rc = copy_tensors(off, off->host[off->resident], off->gpu, cudaMemcpyDeviceToHost, err, errlen);
    if (rc == 0) rc = copy_tensors(off, off->gpu, off->host[index], cudaMemcpyHostToDevice, err, errlen);
    nvtxRangePop();
    if (rc == 0) {
        if (off->resident >= 0) off->stats.switches++;
        off->resident = index;
    }
    return rc;
}

static int prefetch(wp_offload *off, int block, char *err, size_t errlen) {
    int s = block % off->nslots;
    char name[48]; /* marks when the copy is queued; its device time is the copy record itself */
    snprintf(name, sizeof name, "prefetch block %d", block);
    nvtxRangePushA(name);
    size_t stride = off->p.block_stride;
    if (wp_dit_cuda(cudaStreamWaitEvent(off->copy, off->released[s], 0), "prefetch", err, errlen) ||
        wp_dit_cuda(cudaMemcpyAsync(off->slots + (size_t)s * stride, off->block_host[off->current][block], stride,
                                    cudaMemcpyHostToDevice, off->copy),
                    "prefetch", err, errlen) ||
        wp_dit_cuda(cudaEventRecord(off->ready[s], off->copy), "prefetch", err, errlen)) {
        nvtxRangePop();
        return -1;
    }
    nvtxRangePop();
    off->stats.h2d_copies++;
    off->stats.h2d_bytes += (double)stride;
    return 0;
}

int wp_offload_use(wp_offload *off, int index, char *err, size_t errlen) {
    if (index < 0 || index >= off->n) return wp_dit_fail(err, errlen, "offload: no expert %d", index);
    if (off->o.mode == WP_OFFLOAD_MODEL) return off->resident == index ? 0 : swap_in(off, index, err, errlen);
    off->current = index;
    int ahead = off->o.prefetch < off->m->cfg.layers ? off->o.prefetch : off->m->cfg.layers;
    for (int b = 0; b < ahead; b++)
        if (prefetch(off, b, err, errlen)) return -1;
    return 0;
}

const wp_dit_block_w *wp_offload_block_begin(wp_offload *off, const wp_dit_expert *e, int i, wp_dit_block_w *scratch,
                                             char *err, size_t errlen) {
    if (off->o.mode != WP_OFFLOAD_LAYERWISE) return &e->blocks[i];
    int s = i % off->nslots;
    if (wp_dit_cuda(cudaStreamWaitEvent(off->m->stream, off->ready[s], 0), "waiting for a block's weights", err,
                    errlen))
        return NULL;
    if (i + off->o.prefetch < off->m->cfg.layers && prefetch(off, i + off->o.prefetch, err, errlen)) return NULL;
    char *base = off->slots + (size_t)s * off->p.block_stride;
    const wp_dit_block_w *t = &e->blocks[i];
#define AT(f) scratch->f = (void *)(base + (uintptr_t)t->f);
    BLOCK_FIELDS(AT)
#undef AT
    return scratch;
}

int wp_offload_block_end(wp_offload *off, int i, char *err, size_t errlen) {
    if (off->o.mode != WP_OFFLOAD_LAYERWISE) return 0;
    if (wp_dit_cuda(cudaEventRecord(off->released[i % off->nslots], off->m->stream), "block release", err, errlen))
        return -1;
    /* SGLang's early layerwise offload synchronised here. The next block's copy is already queued by then, so the
     * copies stay hidden: on the H200 this costs ~0.6% a step, not the copies (bench/RESULTS.md, issue 15) */
    return off->o.layer_sync ? wp_dit_cuda(cudaDeviceSynchronize(), "--layer-sync", err, errlen) : 0;
}
