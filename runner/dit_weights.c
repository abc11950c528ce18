/* dit_weights.c: an expert's tensors in one device arena, from safetensors or generated from a seed. The tensor list
 * and shapes come from the model config (wp_model_param_specs), so a checkpoint is checked against what the forward
 * will read before anything is uploaded. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_runtime_api.h>
#include "dit_internal.h"
#include "ops.h"

#define ARENA_ALIGN 256

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static long spec_elems(const wp_param_spec *s) {
    long n = 1;
    for (int d = 0; d < s->ndim; d++) n *= (long)s->shape[d];
    return n;
}

/* Matrices (Linear and Conv3d weights) take the run's dtype, as diffusers casts them; vectors, the modulation
 * tables and the modules diffusers keeps in fp32 (time_embedder) stay fp32. */
static wp_dtype storage_dtype(const wp_param_spec *s, wp_dtype run_dt) {
    if (s->ndim >= 2 && !s->keep_fp32 && !ends_with(s->name, "scale_shift_table")) return run_dt;
    return WP_F32;
}

/* The byte range of each block: blocks follow each other in the state_dict order, all of one size. */
static int block_range(const wp_dit *m, wp_dit_placement *p, char *err, size_t errlen) {
    int layers = m->cfg.layers;
    size_t lo = 0, stride = 0;
    char prefix[32];
    for (int b = 0; b < layers; b++) {
        size_t blo = (size_t)-1, bhi = 0;
        int plen = snprintf(prefix, sizeof prefix, "blocks.%d.", b);
        for (size_t i = 0; i < p->count; i++) {
            if (strncmp(p->specs[i].name, prefix, (size_t)plen) != 0) continue;
            size_t end = p->offset[i] + p->bytes[i];
            blo = p->offset[i] < blo ? p->offset[i] : blo;
            bhi = end > bhi ? end : bhi;
        }
        if (b == 0) lo = blo, stride = (bhi - blo + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
        if (blo != lo + (size_t)b * stride || bhi > blo + stride)
            return wp_dit_fail(err, errlen, "model tensor list: block %d is not laid out like block 0", b);
    }
    p->block_start = lo;
    p->block_stride = stride;
    p->block_end = layers ? lo + (size_t)layers * stride : lo;
    return 0;
}

int wp_dit_place(const wp_dit *m, wp_dit_placement *p, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    p->count = wp_model_param_specs(&m->cfg, &p->specs);
    if (p->count == 0) return wp_dit_fail(err, errlen, "model config %s: no tensors", m->cfg.name);
    p->offset = calloc(p->count, sizeof *p->offset);
    p->bytes = calloc(p->count, sizeof *p->bytes);
    p->dtype = calloc(p->count, sizeof *p->dtype);
    if (!p->offset || !p->bytes || !p->dtype) return wp_dit_fail(err, errlen, "out of host memory");
    size_t at = 0;
    for (size_t i = 0; i < p->count; i++) {
        p->dtype[i] = storage_dtype(&p->specs[i], m->dt);
        p->offset[i] = at;
        p->bytes[i] = (size_t)spec_elems(&p->specs[i]) * wp_dtype_size(p->dtype[i]);
        at += (p->bytes[i] + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    }
    p->total = at;
    return block_range(m, p, err, errlen);
}

int wp_dit_weight_sizes_get(const wp_dit *m, wp_dit_weight_sizes *out, char *err, size_t errlen) {
    wp_dit_placement p;
    int rc = wp_dit_place(m, &p, err, errlen);
    if (rc == 0)
        *out = (wp_dit_weight_sizes){p.total, p.block_stride, p.total - (p.block_end - p.block_start), p.count};
    wp_dit_placement_free(&p);
    return rc;
}

void wp_dit_placement_free(wp_dit_placement *p) {
    free(p->specs);
    free(p->offset);
    free(p->bytes);
    free(p->dtype);
    memset(p, 0, sizeof *p);
}

static void *tensor_at(const wp_dit_expert *e, const wp_dit_placement *p, const char *name) {
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->specs[i].name, name) == 0) return (char *)e->arena + p->offset[i];
    return NULL;
}

/* Points every field of e into the arena; a name the spec list lacks is a bug between params.c and here. */
static int bind(wp_dit_expert *e, const wp_dit_placement *p, int layers, char *err, size_t errlen) {
    const char *missing = NULL;
#define BIND(field, name)                                                                                         \
    do {                                                                                                          \
        e->field = tensor_at(e, p, name);                                                                         \
        if (!e->field) missing = name;                                                                            \
    } while (0)
    BIND(patch_w, "patch_embedding.weight");
    BIND(patch_b, "patch_embedding.bias");
    BIND(time1_w, "condition_embedder.time_embedder.linear_1.weight");
    BIND(time1_b, "condition_embedder.time_embedder.linear_1.bias");
    BIND(time2_w, "condition_embedder.time_embedder.linear_2.weight");
    BIND(time2_b, "condition_embedder.time_embedder.linear_2.bias");
    BIND(tproj_w, "condition_embedder.time_proj.weight");
    BIND(tproj_b, "condition_embedder.time_proj.bias");
    BIND(text1_w, "condition_embedder.text_embedder.linear_1.weight");
    BIND(text1_b, "condition_embedder.text_embedder.linear_1.bias");
    BIND(text2_w, "condition_embedder.text_embedder.linear_2.weight");
    BIND(text2_b, "condition_embedder.text_embedder.linear_2.bias");
    BIND(proj_w, "proj_out.weight");
    BIND(proj_b, "proj_out.bias");
    BIND(head_table, "scale_shift_table");
#undef BIND
    if (missing) return wp_dit_fail(err, errlen, "model tensor list lacks %s", missing);
    e->blocks = calloc((size_t)layers, sizeof *e->blocks);
    if (!e->blocks) return wp_dit_fail(err, errlen, "out of host memory");
    char name[128];
#define BINDB(field, fmt)                                                                                         \
    do {                                                                                                          \
        snprintf(name, sizeof name, fmt, i);                                                                      \
        b->field = tensor_at(e, p, name);                                                                         \
        if (!b->field) return wp_dit_fail(err, errlen, "model tensor list lacks %s", name);                       \
    } while (0)
    for (int i = 0; i < layers; i++) {
        wp_dit_block_w *b = &e->blocks[i];
        BINDB(self_attn.q_w, "blocks.%d.attn1.to_q.weight");
        BINDB(self_attn.q_b, "blocks.%d.attn1.to_q.bias");
        BINDB(self_attn.k_w, "blocks.%d.attn1.to_k.weight");
        BINDB(self_attn.k_b, "blocks.%d.attn1.to_k.bias");
        BINDB(self_attn.v_w, "blocks.%d.attn1.to_v.weight");
        BINDB(self_attn.v_b, "blocks.%d.attn1.to_v.bias");
        BINDB(self_attn.o_w, "blocks.%d.attn1.to_out.0.weight");
        BINDB(self_attn.o_b, "blocks.%d.attn1.to_out.0.bias");
        BINDB(self_attn.norm_q, "blocks.%d.attn1.norm_q.weight");
        BINDB(self_attn.norm_k, "blocks.%d.attn1.norm_k.weight");
        BINDB(cross_attn.q_w, "blocks.%d.attn2.to_q.weight");
        BINDB(cross_attn.q_b, "blocks.%d.attn2.to_q.bias");
        BINDB(cross_attn.k_w, "blocks.%d.attn2.to_k.weight");
        BINDB(cross_attn.k_b, "blocks.%d.attn2.to_k.bias");
        BINDB(cross_attn.v_w, "blocks.%d.attn2.to_v.weight");
        BINDB(cross_attn.v_b, "blocks.%d.attn2.to_v.bias");
        BINDB(cross_attn.o_w, "blocks.%d.attn2.to_out.0.weight");
        BINDB(cross_attn.o_b, "blocks.%d.attn2.to_out.0.bias");
        BINDB(cross_attn.norm_q, "blocks.%d.attn2.norm_q.weight");
        BINDB(cross_attn.norm_k, "blocks.%d.attn2.norm_k.weight");
        BINDB(norm2_w, "blocks.%d.norm2.weight");
        BINDB(norm2_b, "blocks.%d.norm2.bias");
        BINDB(ffn_up_w, "blocks.%d.ffn.net.0.proj.weight");
        BINDB(ffn_up_b, "blocks.%d.ffn.net.0.proj.bias");
        BINDB(ffn_down_w, "blocks.%d.ffn.net.2.weight");
        BINDB(ffn_down_b, "blocks.%d.ffn.net.2.bias");
        BINDB(table, "blocks.%d.scale_shift_table");
    }
#undef BINDB
    return 0;
}

static int arena_alloc(wp_dit_expert *e, size_t bytes, char *err, size_t errlen) {
    memset(e, 0, sizeof *e);
    e->arena_bytes = bytes;
    return wp_dit_cuda(cudaMalloc(&e->arena, bytes), "cudaMalloc of the expert's weights", err, errlen);
}

int wp_dit_expert_load(wp_dit *m, wp_dit_expert *e, const wp_weights *w, char *err, size_t errlen) {
    if (wp_weights_check(w, &m->cfg, 0, err, errlen) != 0) return -1;
    wp_dit_placement p;
    void *staging = NULL;
    int rc = wp_dit_place(m, &p, err, errlen);
    if (rc == 0) rc = arena_alloc(e, p.total, err, errlen);
    size_t staging_bytes = 0;
    for (size_t i = 0; rc == 0 && i < p.count; i++) {
        const wp_st_tensor *t = wp_weights_find(w, p.specs[i].name);
        size_t n = (size_t)spec_elems(&p.specs[i]), bytes = p.bytes[i];
        if (bytes > staging_bytes) {
            cudaFreeHost(staging);
            staging = NULL;
            rc = wp_dit_cuda(cudaMallocHost(&staging, bytes), "cudaMallocHost (staging)", err, errlen);
            staging_bytes = rc == 0 ? bytes : 0;
            if (rc) break;
        }
        if (p.dtype[i] == WP_F32)
            wp_convert_to_f32(staging, t->data, t->dtype, n);
        else
            wp_convert_to_bf16(staging, t->data, t->dtype, n);
        rc = wp_dit_cuda(cudaMemcpy((char *)e->arena + p.offset[i], staging, bytes, cudaMemcpyHostToDevice),
                         p.specs[i].name, err, errlen);
    }
    cudaFreeHost(staging);
    if (rc == 0) rc = bind(e, &p, m->cfg.layers, err, errlen);
    wp_dit_placement_free(&p);
    if (rc) wp_dit_expert_free(e);
    return rc;
}

/* Roughly the statistics of a trained checkpoint: matrices ~ N(0, 1/fan_in), small biases, norm weights near 1,
 * modulation tables as diffusers initialises them (randn / sqrt(dim)). */
static void random_stats(const wp_param_spec *s, int dim, float *mean, float *std) {
    *mean = 0.0f;
    if (ends_with(s->name, "scale_shift_table")) {
        *std = 1.0f / sqrtf((float)dim);
    } else if (ends_with(s->name, ".bias")) {
        *std = 0.02f;
    } else if (s->ndim == 1) { /* norm weights */
        *mean = 1.0f;
        *std = 0.05f;
    } else {
        long fan_in = spec_elems(s) / (long)s->shape[0];
        *std = 1.0f / sqrtf((float)fan_in);
    }
}

int wp_dit_expert_random(wp_dit *m, wp_dit_expert *e, uint64_t seed, char *err, size_t errlen) {
    wp_dit_placement p;
    int rc = wp_dit_place(m, &p, err, errlen);
    if (rc == 0) rc = arena_alloc(e, p.total, err, errlen);
    for (size_t i = 0; rc == 0 && i < p.count; i++) {
        float mean, std;
        random_stats(&p.specs[i], m->cfg.dim, &mean, &std);
        rc = wp_dit_cuda(randn_fill((char *)e->arena + p.offset[i], spec_elems(&p.specs[i]), seed, i, mean, std,
                                    p.dtype[i], m->stream),
                         p.specs[i].name, err, errlen);
    }
    if (rc == 0) rc = wp_dit_cuda(cudaStreamSynchronize(m->stream), "random weights", err, errlen);
    if (rc == 0) rc = bind(e, &p, m->cfg.layers, err, errlen);
    wp_dit_placement_free(&p);
    if (rc) wp_dit_expert_free(e);
    return rc;
}

void wp_dit_expert_free(wp_dit_expert *e) {
    if (!e) return;
    cudaFree(e->arena);
    free(e->blocks);
    memset(e, 0, sizeof *e);
}
