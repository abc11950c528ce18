/* wpmodel.h: the Wan2.2 DiT's model description and weights for the runner, in plain C (no CUDA).
 *   - a model config (schemas/wan2.2-t2v-a14b.json, schemas/wan-tiny.json, or a diffusers model directory);
 *   - the list of every tensor of one expert, in diffusers naming, with its shape;
 *   - safetensors files: read (mmapped, header checked thoroughly) and written;
 *   - the weights of one expert: a file, or a directory sharded through diffusion_pytorch_model.safetensors.index.json,
 *     in diffusers or original Wan naming (mapped to diffusers names on open);
 *   - dtype conversion to fp32 and bf16, rounding as torch does.
 * Every function that can fail returns 0 or -1 and leaves a one-line message in err (naming the file and what is
 * wrong); err may be NULL. Nothing here prints. */
#ifndef WP_MODEL_H
#define WP_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* ---- model config ---- */

typedef struct wp_model_config {
    char name[64];          /* "wan2.2-t2v-a14b"; a diffusers directory: its base name */
    int dim;                /* heads * head_dim (5120) */
    int heads, head_dim;    /* 40, 128 */
    int layers;             /* transformer blocks (40) */
    int ffn_dim;            /* 13824 */
    int freq_dim;           /* sinusoidal timestep embedding width (256) */
    int text_dim;           /* text encoder output width (4096) */
    int in_channels, out_channels; /* latent channels (16, 16) */
    int patch[3];           /* (t, h, w) patch (1, 2, 2) */
    double eps;             /* LayerNorm and RMSNorm epsilon (1e-6) */
    int cross_attn_norm;    /* 1: affine LayerNorm before cross-attention (blocks.N.norm2) */
    int rope_max_seq_len;   /* RoPE table length per axis (1024) */
    double rope_theta;      /* 10000 (fixed in diffusers) */
    int experts;            /* 2: high-noise (transformer) and low-noise (transformer_2); 1: one model */
    double boundary_ratio;  /* high-noise expert while t >= boundary_ratio * 1000 (0.875) */
    double guidance[2];     /* CFG scale per expert: [0] high-noise, [1] low-noise (4.0, 3.0) */
    double flow_shift;      /* scheduler shift (12.0 in Wan's config) */
    int text_len;           /* text tokens (512) */
    int vae_stride[3];      /* latent stride (t, h, w) (4, 8, 8) */
    int z_dim;              /* VAE latent channels (16) */
    char note[512];         /* what the loader took as a default, for the caller to print; "" when nothing */
} wp_model_config;

/* path: a config .json (schemas/model_config.schema.json), a diffusers transformer config.json, or a diffusers
 * model directory (transformer/config.json, transformer_2/config.json, model_index.json,
 * scheduler/scheduler_config.json, vae/config.json). 0 ok; -1 with err filled. */
int wp_model_config_load(const char *path, wp_model_config *cfg, char *err, size_t errlen);

/* The A14B values (every field, note ""): what missing optional pieces default to. */
void wp_model_config_a14b(wp_model_config *cfg);

/* ---- the tensors of one expert ---- */

typedef struct wp_param_spec {
    char name[96];    /* diffusers name, e.g. "blocks.0.attn1.to_q.weight" */
    int ndim;
    int64_t shape[5]; /* patch_embedding.weight: (dim, in_channels, pt, ph, pw) */
    int keep_fp32;    /* 1: diffusers keeps it fp32 in a bf16 model (_keep_in_fp32_modules) */
} wp_param_spec;

/* Every tensor of one expert in the order of diffusers' state_dict(). Returns the count and *specs (malloc'ed, the
 * caller frees); 0 and *specs NULL when out of memory. A14B: 1,095 tensors, 14,288,491,584 parameters. */
size_t wp_model_param_specs(const wp_model_config *cfg, wp_param_spec **specs);
/* Elements of one tensor. */
int64_t wp_param_numel(const wp_param_spec *spec);

/* ---- safetensors ---- */

typedef enum { WP_ST_F32, WP_ST_BF16, WP_ST_F16, WP_ST_OTHER } wp_st_dtype;

typedef struct wp_st_tensor {
    const char *name;
    wp_st_dtype dtype;
    int ndim;
    int64_t shape[8];
    const void *data;  /* in the mapping: read-only, not necessarily aligned */
    size_t nbytes;
} wp_st_tensor;

typedef struct wp_safetensors wp_safetensors; /* one mmapped file */

/* Maps path read-only and checks its header: length, JSON, every entry's dtype, shape and data_offsets (in bounds,
 * size = elements * dtype size, no overlap, no gap, covering the data), no duplicate names, "__metadata__" strings. */
int wp_st_open(const char *path, wp_safetensors **out, char *err, size_t errlen);
void wp_st_close(wp_safetensors *st); /* NULL is fine */
size_t wp_st_count(const wp_safetensors *st);
const wp_st_tensor *wp_st_at(const wp_safetensors *st, size_t i); /* in header order; NULL past the end */
const wp_st_tensor *wp_st_find(const wp_safetensors *st, const char *name); /* NULL when absent */
const char *wp_st_path(const wp_safetensors *st);
/* Writes tensors (host data, F32/BF16/F16) to path: temp name in the same directory + rename, so a failure leaves
 * nothing under path; refuses an existing path unless force. 0 or -1 + err. */
int wp_st_write(const char *path, const wp_st_tensor *tensors, size_t n, int force, char *err, size_t errlen);
/* "F32", "BF16", "F16", "other"; bytes per element of the three (0 for other). */
const char *wp_st_dtype_name(wp_st_dtype dt);
size_t wp_st_dtype_size(wp_st_dtype dt);

/* ---- the weights of one expert ---- */

typedef struct wp_weights wp_weights;

/* path: a directory (MODEL/transformer: diffusion_pytorch_model.safetensors.index.json and its shards, or
 * diffusion_pytorch_model.safetensors) or one .safetensors file. Names in diffusers or original Wan naming (all of
 * one kind), mapped to diffusers names; the index must agree with the shards. */
int wp_weights_open(const char *path, wp_weights **out, char *err, size_t errlen);
void wp_weights_close(wp_weights *w); /* NULL is fine */
/* Checks that every spec of cfg is present with its exact shape and a float dtype, and (unless allow_extra) that
 * nothing else is: 0, or -1 with err naming the first missing / mis-shaped / unexpected tensor (name, expected shape,
 * found shape, file). */
int wp_weights_check(const wp_weights *w, const wp_model_config *cfg, int allow_extra, char *err, size_t errlen);
/* By diffusers name (the tensor's name field is the diffusers name); NULL when absent. */
const wp_st_tensor *wp_weights_find(const wp_weights *w, const char *diffusers_name);
size_t wp_weights_count(const wp_weights *w);
const wp_st_tensor *wp_weights_at(const wp_weights *w, size_t i); /* sorted by diffusers name */
/* The file holding a tensor returned by wp_weights_find/at. */
const char *wp_weights_file_of(const wp_weights *w, const wp_st_tensor *t);

/* ---- dtype conversion ---- */

/* Converts n elements from F32/BF16/F16 (src need not be aligned) to fp32 (exact) or bf16 (round to nearest even as
 * torch does; every NaN becomes 0x7FC0). src_dt WP_ST_OTHER: nothing is written. */
void wp_convert_to_f32(float *dst, const void *src, wp_st_dtype src_dt, size_t n);
void wp_convert_to_bf16(uint16_t *dst, const void *src, wp_st_dtype src_dt, size_t n);

#endif
