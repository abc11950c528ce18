/* dit_internal.h: the wp_dit state shared by the runner's dit_*.c files (not part of the runner's API). */
#ifndef WP_RUNNER_DIT_INTERNAL_H
#define WP_RUNNER_DIT_INTERNAL_H

#include <stdarg.h>
#include "dit.h"

struct wp_dit {
    wp_model_config cfg;
    wp_dit_shape shape;
    wp_dtype dt;
    wp_attention_path attention; /* resolved: WP_ATTENTION_OWN or WP_ATTENTION_CUDNN */
    wp_linalg *la;
    cudaStream_t stream;
    const wp_dist *dist;         /* NULL: one GPU */
    int ulysses;                 /* P: sequence-parallel ranks of this rank's group (1 without) */
    int tokens_total;            /* L = (F/pt) (H/ph) (W/pw) */
    int tokens;                  /* this rank's tokens: L / P, from token tok0 */
    long tok0;
    int patch_features;          /* in_channels * pt * ph * pw */
    int out_features;            /* out_channels * pt * ph * pw */
    float *rope_cos, *rope_sin;  /* (rope_max_seq_len, head_dim) fp32 */
    /* activations, all of dt unless noted */
    void *x, *norm, *q, *k, *v, *attn, *proj;  /* (L, dim) */
    void *ffn;                                  /* (L, ffn_dim) */
    void *patches;                              /* (L, patch_features) of all tokens, then (L, out_features) */
    void *head_local;                           /* (L/P, out_features): this rank's proj_out, before the gather */
    void *qf, *kf, *vf, *af, *pack;             /* Ulysses: (L, dim/P) after the all-to-all, and its scratch */
    void *ctx, *ctx_hidden, *ck, *cv;           /* (text_tokens, dim) */
    float *t_dev, *t_freq, *t_hidden;           /* (1), (freq_dim), (dim): the fp32 time embedder */
    void *temb, *temb_act;                      /* (dim) of dt: temb after type_as, and SiLU(temb) */
    void *tproj;                                /* (6 dim) of dt */
    float *mod;                                 /* (6 dim) fp32: a block's modulation, or the head's (2 dim) */
    struct wp_offload *off;                     /* where the weights come from between uses; NULL: resident */
};

/* Where each tensor of an expert sits in its arena (and in a host image of it), in the config's tensor order:
 * 256-byte aligned, the matrices of the run's dtype, everything else fp32. The blocks occupy
 * [block_start, block_end), block i at block_start + i * block_stride. */
typedef struct wp_dit_placement {
    wp_param_spec *specs;
    size_t count;
    size_t *offset, *bytes;
    wp_dtype *dtype;
    size_t total;
    size_t block_start, block_stride, block_end;
} wp_dit_placement;

int wp_dit_place(const wp_dit *m, wp_dit_placement *p, char *err, size_t errlen);
void wp_dit_placement_free(wp_dit_placement *p);

/* Formats err ("what: detail") and returns -1. */
int wp_dit_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* -1 with err naming the CUDA call when rc is not cudaSuccess, else 0. */
int wp_dit_cuda(cudaError_t rc, const char *what, char *err, size_t errlen);
size_t wp_dtype_size(wp_dtype dt);

#endif
