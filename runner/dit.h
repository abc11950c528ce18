/* dit.h: the Wan DiT (diffusers WanTransformer3DModel) on one GPU: an expert's weights in device memory and the
 * forward pass over one latent, composed from the block kernels (kernels/), cuBLASLt linears and an attention path
 * (linalg/, kernels/). Precision follows diffusers: in bf16 mode the activations and matrix weights are bf16 while
 * the modulation, the norms' statistics and parameters and the time embedder stay fp32; the fp32 mode (verification)
 * is fp32 throughout with no TF32. */
#ifndef WP_RUNNER_DIT_H
#define WP_RUNNER_DIT_H

#include <stddef.h>
#include <stdint.h>
#include "wpkernels.h"
#include "wplinalg.h"
#include "wpmodel.h"
#include "dist.h"

typedef enum { WP_ATTENTION_AUTO = 0, WP_ATTENTION_OWN, WP_ATTENTION_CUDNN } wp_attention_path;

/* Device pointers into an expert's arena. Matrix weights are of the run's dtype (bf16 or fp32); everything a
 * kernel takes as a per-channel parameter (biases, norm weights, modulation tables) is fp32. */
typedef struct wp_dit_attn_w {
    const void *q_w, *k_w, *v_w, *o_w;
    const float *q_b, *k_b, *v_b, *o_b;
    const float *norm_q, *norm_k;
} wp_dit_attn_w;

typedef struct wp_dit_block_w {
    wp_dit_attn_w self_attn, cross_attn;
    const float *norm2_w, *norm2_b; /* the affine LayerNorm before cross-attention */
    const void *ffn_up_w, *ffn_down_w;
    const float *ffn_up_b, *ffn_down_b;
    const float *table; /* scale_shift_table (6, dim): shift, scale, gate, c_shift, c_scale, c_gate */
} wp_dit_block_w;

typedef struct wp_dit_expert {
    int index;   /* 0 high-noise, 1 low-noise (set by wp_offload_create) */
    void *arena; /* one device allocation holding every tensor (with layerwise offload: all but the blocks) */
    size_t arena_bytes;
    const void *patch_w; /* (dim, in_channels * pt * ph * pw): the Conv3d weight as a matrix */
    const float *patch_b;
    const float *time1_w, *time1_b, *time2_w, *time2_b; /* fp32 in every mode (diffusers keeps time_embedder fp32) */
    const void *tproj_w, *text1_w, *text2_w, *proj_w;
    const float *tproj_b, *text1_b, *text2_b, *proj_b;
    const float *head_table; /* (2, dim): shift, scale */
    wp_dit_block_w *blocks;
} wp_dit_expert;

typedef struct wp_dit_shape {
    int C, F, H, W;   /* latent channels and frames/height/width */
    int text_tokens;  /* context length */
} wp_dit_shape;

typedef struct wp_dit wp_dit;

/* Creates the model state for cfg at one latent shape: handles, RoPE tables and every activation buffer.
 * dist: NULL for one GPU; with Ulysses, this rank computes its 1/ulysses of the tokens (the latent's tokens and the
 * heads must divide evenly). 0, or -1 with err filled. */
int wp_dit_create(wp_dit **out, const wp_model_config *cfg, const wp_dit_shape *shape, wp_dtype dt,
                  wp_attention_path attention, const wp_dist *dist, char *err, size_t errlen);
const wp_dist *wp_dit_dist(const wp_dit *m);
void wp_dit_destroy(wp_dit *m);
/* The attention path in use ("own" or "cudnn") after auto resolved it. */
const char *wp_dit_attention_name(const wp_dit *m);
wp_dtype wp_dit_dtype(const wp_dit *m);
long wp_dit_latent_elems(const wp_dit *m);
cudaStream_t wp_dit_stream(const wp_dit *m);

/* Uploads one expert from safetensors (diffusers or original Wan naming, any on-disk dtype, converted to the run's
 * dtype on the host), after checking every tensor's presence and shape. */
int wp_dit_expert_load(wp_dit *m, wp_dit_expert *e, const wp_weights *w, char *err, size_t errlen);
/* Generates an expert of the exact shapes on the GPU from a seed (deterministic; scaled like a trained model so the
 * activations stay in range). */
int wp_dit_expert_random(wp_dit *m, wp_dit_expert *e, uint64_t seed, char *err, size_t errlen);
void wp_dit_expert_free(wp_dit_expert *e);

/* How one expert's weights sit in device memory (and so what an offload mode moves): what `wanprof whatif` takes
 * from the run's metadata instead of guessing from the copies it sees. */
typedef struct wp_dit_weight_sizes {
    size_t expert_bytes;   /* the whole arena of one expert */
    size_t block_bytes;    /* one block's slice (what a layerwise prefetch copies) */
    size_t nonblock_bytes; /* embedders, head and tables: what the layerwise mode keeps resident per expert */
    size_t tensors;        /* tensors per expert (copies per direction of a model-offload swap) */
} wp_dit_weight_sizes;
int wp_dit_weight_sizes_get(const wp_dit *m, wp_dit_weight_sizes *out, char *err, size_t errlen);

/* One forward: out (C, F, H, W) of the run's dtype = the model's flow prediction for latent (C, F, H, W, run's
 * dtype) at `timestep`, conditioned on context (text_tokens, text_dim, run's dtype). Enqueued on the model's stream;
 * 0, or -1 with err filled (a CUDA or cuBLAS failure). */
int wp_dit_forward(wp_dit *m, const wp_dit_expert *e, void *out, const void *latent, float timestep,
                   const void *context, char *err, size_t errlen);

#endif
