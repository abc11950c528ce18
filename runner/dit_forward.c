/* dit_forward.c: one WanTransformer3DModel forward, in diffusers' order and with its dtypes
 * (models/transformers/transformer_wan.py): condition embedder, patch embedding, the blocks, the head. */
#include <math.h>
#include <stdio.h>
#include <nvtx3/nvToolsExt.h>
#include <cuda_runtime_api.h>
#include "dit_internal.h"
#include "offload.h"
#include "ops.h"

#define CUDA_OR_FAIL(call, what)                                                                                  \
    do {                                                                                                          \
        if (wp_dit_cuda((call), (what), err, errlen)) return -1;                                                  \
    } while (0)
#define LINEAR_OR_FAIL(m, y, x, W, b, M, N, K, gelu, dt, what)                                                    \
    do {                                                                                                          \
        if (wp_linear((m)->la, (y), (x), (W), (b), (M), (N), (K), (gelu), (dt), (m)->stream) != 0)              \
            return wp_dit_fail(err, errlen, "%s: %s", (what), wp_linalg_error((m)->la));                          \
    } while (0)

static int attend(wp_dit *m, void *out, const void *q, const void *k, const void *v, int Lq, int Lk, int heads,
                  char *err, size_t errlen) {
    const wp_model_config *c = &m->cfg;
    float scale = 1.0f / sqrtf((float)c->head_dim); /* scaled_dot_product_attention's default */
    if (m->attention == WP_ATTENTION_CUDNN) {
        if (wp_attention_cudnn(m->la, out, q, k, v, Lq, Lk, heads, c->head_dim, scale, m->stream) != 0)
            return wp_dit_fail(err, errlen, "cuDNN attention (%d x %d): %s", Lq, Lk, wp_linalg_error(m->la));
        return 0;
    }
    CUDA_OR_FAIL(attention_forward(out, q, k, v, Lq, Lk, heads, c->head_dim, scale, m->dt, m->stream),
                 "attention");
    return 0;
}

/* WanAttnProcessor: q from x, k and v from kv_src (x itself for self-attention, the text for cross-attention),
 * RMSNorm of q and k over all heads, RoPE for self-attention, attention, to_out. Result in m->proj. */
static int attention_block(wp_dit *m, const wp_dit_attn_w *w, const void *x, const void *kv_src, int Lk,
                           void *kbuf, void *vbuf, int rope, char *err, size_t errlen) {
    const wp_model_config *c = &m->cfg;
    int L = m->tokens, D = c->dim;
    float eps = (float)c->eps;
    LINEAR_OR_FAIL(m, m->q, x, w->q_w, w->q_b, L, D, D, 0, m->dt, "to_q");
    LINEAR_OR_FAIL(m, kbuf, kv_src, w->k_w, w->k_b, Lk, D, D, 0, m->dt, "to_k");
    LINEAR_OR_FAIL(m, vbuf, kv_src, w->v_w, w->v_b, Lk, D, D, 0, m->dt, "to_v");
    CUDA_OR_FAIL(rmsnorm_forward(m->q, m->q, w->norm_q, L, D, eps, m->dt, m->stream), "norm_q");
    CUDA_OR_FAIL(rmsnorm_forward(kbuf, kbuf, w->norm_k, Lk, D, eps, m->dt, m->stream), "norm_k");
    if (rope) {
        const int *p = c->patch;
        int F = m->shape.F / p[0], H = m->shape.H / p[1], W = m->shape.W / p[2];
        CUDA_OR_FAIL(rope_forward(m->q, m->q, m->rope_cos, m->rope_sin, c->rope_max_seq_len, L, c->heads,
                                  c->head_dim, F, H, W, m->tok0, m->dt, m->stream),
                     "RoPE (q)");
        CUDA_OR_FAIL(rope_forward(kbuf, kbuf, m->rope_cos, m->rope_sin, c->rope_max_seq_len, L, c->heads,
                                  c->head_dim, F, H, W, m->tok0, m->dt, m->stream),
                     "RoPE (k)");
    }
    if (rope && m->ulysses > 1) { /* self-attention over every token of the group, on this rank's heads */
        const wp_dist *d = m->dist;
        if (wp_dist_tokens_to_heads(d, m->qf, m->q, m->pack, L, D, m->dt, m->stream) ||
            wp_dist_tokens_to_heads(d, m->kf, kbuf, m->pack, L, D, m->dt, m->stream) ||
            wp_dist_tokens_to_heads(d, m->vf, vbuf, m->pack, L, D, m->dt, m->stream))
            return wp_dit_fail(err, errlen, "Ulysses all-to-all (q, k, v) failed");
        if (attend(m, m->af, m->qf, m->kf, m->vf, m->tokens_total, m->tokens_total, c->heads / m->ulysses, err,
                   errlen))
            return -1;
        if (wp_dist_heads_to_tokens(d, m->attn, m->af, m->pack, L, D, m->dt, m->stream))
            return wp_dit_fail(err, errlen, "Ulysses all-to-all (attention output) failed");
    } else if (attend(m, m->attn, m->q, kbuf, vbuf, L, Lk, c->heads, err, errlen)) {
        return -1;
    }
    LINEAR_OR_FAIL(m, m->proj, m->attn, w->o_w, w->o_b, L, D, D, 0, m->dt, "to_out");
    return 0;
}

/* WanTransformerBlock.forward. The modulation is fp32: scale_shift_table + timestep_proj.float(). */
static int block_forward(wp_dit *m, const wp_dit_block_w *b, char *err, size_t errlen) {
    const wp_model_config *c = &m->cfg;
    int L = m->tokens, D = c->dim, T = m->shape.text_tokens;
    float eps = (float)c->eps;
    CUDA_OR_FAIL(table_add_forward(m->mod, b->table, m->tproj, 6L * D, m->dt, m->stream), "modulation");
    const float *shift = m->mod, *scale = m->mod + D, *gate = m->mod + 2 * D;
    const float *c_shift = m->mod + 3 * D, *c_scale = m->mod + 4 * D, *c_gate = m->mod + 5 * D;

    CUDA_OR_FAIL(layernorm_modulate_forward(m->norm, m->x, scale, shift, L, D, eps, m->dt, m->stream), "norm1");
    if (attention_block(m, &b->self_attn, m->norm, m->norm, L, m->k, m->v, 1, err, errlen)) return -1;
    CUDA_OR_FAIL(gated_residual_forward(m->x, m->proj, gate, L, D, m->dt, m->stream), "self-attention residual");

    if (c->cross_attn_norm)
        CUDA_OR_FAIL(layernorm_affine_forward(m->norm, m->x, b->norm2_w, b->norm2_b, L, D, eps, m->dt, m->stream),
                     "norm2");
    else
        CUDA_OR_FAIL(cast_forward(m->norm, m->dt, m->x, m->dt, (long)L * D, m->stream), "norm2 (identity)");
    if (attention_block(m, &b->cross_attn, m->norm, m->ctx, T, m->ck, m->cv, 0, err, errlen)) return -1;
    CUDA_OR_FAIL(gated_residual_forward(m->x, m->proj, NULL, L, D, m->dt, m->stream), "cross-attention residual");

    CUDA_OR_FAIL(layernorm_modulate_forward(m->norm, m->x, c_scale, c_shift, L, D, eps, m->dt, m->stream), "norm3");
    LINEAR_OR_FAIL(m, m->ffn, m->norm, b->ffn_up_w, b->ffn_up_b, L, c->ffn_dim, D, 1, m->dt, "ffn.net.0 (+GELU)");
    LINEAR_OR_FAIL(m, m->proj, m->ffn, b->ffn_down_w, b->ffn_down_b, L, D, c->ffn_dim, 0, m->dt, "ffn.net.2");
    CUDA_OR_FAIL(gated_residual_forward(m->x, m->proj, c_gate, L, D, m->dt, m->stream), "ffn residual");
    return 0;
}

/* WanTimeTextImageEmbedding: the time embedder runs in fp32 (kept fp32 by diffusers), its output is cast to the
 * text's dtype (type_as), then SiLU and time_proj in that dtype; the text embedder is Linear, GELU(tanh), Linear. */
static int condition_embedder(wp_dit *m, const wp_dit_expert *e, float timestep, const void *context, char *err,
                              size_t errlen) {
    const wp_model_config *c = &m->cfg;
    int D = c->dim;
    float *temb32 = m->mod; /* scratch: the modulation is computed per block, after this */
    CUDA_OR_FAIL(fill_forward(m->t_dev, timestep, 1, m->stream), "timestep");
    CUDA_OR_FAIL(timestep_embedding_forward(m->t_freq, m->t_dev, 1, c->freq_dim, m->stream), "timesteps_proj");
    LINEAR_OR_FAIL(m, m->t_hidden, m->t_freq, e->time1_w, e->time1_b, 1, D, c->freq_dim, 0, WP_F32,
                   "time_embedder.linear_1");
    CUDA_OR_FAIL(silu_forward(m->t_hidden, m->t_hidden, D, WP_F32, m->stream), "time_embedder SiLU");
    LINEAR_OR_FAIL(m, temb32, m->t_hidden, e->time2_w, e->time2_b, 1, D, D, 0, WP_F32, "time_embedder.linear_2");
    CUDA_OR_FAIL(cast_forward(m->temb, m->dt, temb32, WP_F32, D, m->stream), "temb cast");
    CUDA_OR_FAIL(silu_forward(m->temb_act, m->temb, D, m->dt, m->stream), "time_proj SiLU");
    LINEAR_OR_FAIL(m, m->tproj, m->temb_act, e->tproj_w, e->tproj_b, 1, 6 * D, D, 0, m->dt, "time_proj");
    int T = m->shape.text_tokens;
    LINEAR_OR_FAIL(m, m->ctx_hidden, context, e->text1_w, e->text1_b, T, D, c->text_dim, 1, m->dt,
                   "text_embedder.linear_1 (+GELU)");
    LINEAR_OR_FAIL(m, m->ctx, m->ctx_hidden, e->text2_w, e->text2_b, T, D, D, 0, m->dt, "text_embedder.linear_2");
    return 0;
}

int wp_dit_forward(wp_dit *m, const wp_dit_expert *e, void *out, const void *latent, float timestep,
                   const void *context, char *err, size_t errlen) {
    const wp_model_config *c = &m->cfg;
    const wp_dit_shape *s = &m->shape;
    const int *p = c->patch;
    int L = m->tokens, D = c->dim;
    if (m->off && wp_offload_use(m->off, e->index, err, errlen)) return -1;
    if (condition_embedder(m, e, timestep, context, err, errlen)) return -1;

    CUDA_OR_FAIL(patchify_forward(m->patches, latent, s->C, s->F, s->H, s->W, p[0], p[1], p[2], m->dt, m->stream),
                 "patchify");
    const char *my_patches = (const char *)m->patches + (size_t)m->tok0 * m->patch_features * wp_dtype_size(m->dt);
    LINEAR_OR_FAIL(m, m->x, my_patches, e->patch_w, e->patch_b, L, D, m->patch_features, 0, m->dt,
                   "patch_embedding");
    for (int i = 0; i < c->layers; i++) {
        char name[32];
        snprintf(name, sizeof name, "block %d", i);
        nvtxRangePushA(name);
        wp_dit_block_w at_slot;
        const wp_dit_block_w *b = m->off ? wp_offload_block_begin(m->off, e, i, &at_slot, err, errlen) : &e->blocks[i];
        int rc = !b || block_forward(m, b, err, errlen) || (m->off && wp_offload_block_end(m->off, i, err, errlen));
        nvtxRangePop();
        if (rc) return -1;
    }

    /* The head: (shift, scale) = scale_shift_table (2, dim) + temb broadcast over both rows, in fp32. */
    CUDA_OR_FAIL(table_add_forward(m->mod, e->head_table, m->temb, D, m->dt, m->stream), "head shift");
    CUDA_OR_FAIL(table_add_forward(m->mod + D, e->head_table + D, m->temb, D, m->dt, m->stream), "head scale");
    CUDA_OR_FAIL(layernorm_modulate_forward(m->norm, m->x, m->mod + D, m->mod, L, D, (float)c->eps, m->dt,
                                            m->stream),
                 "norm_out");
    void *head = m->ulysses > 1 ? m->head_local : m->patches;
    LINEAR_OR_FAIL(m, head, m->norm, e->proj_w, e->proj_b, L, m->out_features, D, 0, m->dt, "proj_out");
    if (m->ulysses > 1 && wp_dist_group_gather(m->dist, m->patches, head, (size_t)L * m->out_features, m->dt,
                                               m->stream))
        return wp_dit_fail(err, errlen, "all-gather of the output tokens failed");
    CUDA_OR_FAIL(unpatchify_forward(out, m->patches, c->out_channels, s->F, s->H, s->W, p[0], p[1], p[2], m->dt,
                                    m->stream),
                 "unpatchify");
    return 0;
}
