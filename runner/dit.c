/* dit.c: the model state: handles, RoPE tables and the activation buffers, sized once for a latent shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_runtime_api.h>
#include "dit_internal.h"

int wp_dit_fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int wp_dit_cuda(cudaError_t rc, const char *what, char *err, size_t errlen) {
    if (rc == cudaSuccess) return 0;
    return wp_dit_fail(err, errlen, "%s: %s", what, cudaGetErrorString(rc));
}

size_t wp_dtype_size(wp_dtype dt) { return dt == WP_F32 ? 4 : 2; }

static int check_shape(const wp_model_config *c, const wp_dit_shape *s, char *err, size_t errlen) {
    if (s->C != c->in_channels)
        return wp_dit_fail(err, errlen, "latent has %d channels, the model takes %d", s->C, c->in_channels);
    if (c->out_channels != c->in_channels)
        return wp_dit_fail(err, errlen, "out_channels %d != in_channels %d: the denoising loop needs them equal",
                           c->out_channels, c->in_channels);
    int dims[3] = {s->F, s->H, s->W};
    const char *axis[3] = {"frames", "height", "width"};
    for (int a = 0; a < 3; a++) {
        if (dims[a] <= 0 || dims[a] % c->patch[a])
            return wp_dit_fail(err, errlen, "latent %s %d is not a positive multiple of the patch size %d", axis[a],
                               dims[a], c->patch[a]);
        if (dims[a] / c->patch[a] > c->rope_max_seq_len)
            return wp_dit_fail(err, errlen, "latent %s %d gives %d positions, over rope_max_seq_len %d", axis[a],
                               dims[a], dims[a] / c->patch[a], c->rope_max_seq_len);
    }
    if (s->text_tokens <= 0) return wp_dit_fail(err, errlen, "the text context is empty");
    if (c->dim != c->heads * c->head_dim)
        return wp_dit_fail(err, errlen, "dim %d != heads %d x head_dim %d", c->dim, c->heads, c->head_dim);
    return 0;
}

static int split_tokens(wp_dit *m, const wp_dist *dist, char *err, size_t errlen) {
    m->dist = dist && dist->world > 1 ? dist : NULL;
    m->ulysses = m->dist ? dist->ulysses : 1;
    int P = m->ulysses;
    if (m->tokens_total % P || m->cfg.heads % P)
        return wp_dit_fail(err, errlen, "Ulysses %d needs the tokens (%d) and the heads (%d) to divide by %d", P,
                           m->tokens_total, m->cfg.heads, P);
    m->tokens = m->tokens_total / P;
    m->tok0 = m->dist ? (long)dist->group_rank * m->tokens : 0;
    return 0;
}

static int resolve_attention(wp_dit *m, wp_attention_path want, char *err, size_t errlen) {
    int cudnn_ok = m->dt == WP_BF16 && wp_attention_cudnn_available(m->la);
    if (want == WP_ATTENTION_CUDNN && !cudnn_ok)
        return wp_dit_fail(err, errlen, "--attention=cudnn: %s",
                           m->dt != WP_BF16 ? "cuDNN attention is bf16 only (the fp32 mode uses our kernel)"
                                            : wp_linalg_error(m->la));
    /* auto: cuDNN's fused attention is the faster one on Hopper (bench/RESULTS.md) while ours catches up. */
    m->attention = want == WP_ATTENTION_OWN || !cudnn_ok ? WP_ATTENTION_OWN : WP_ATTENTION_CUDNN;
    return 0;
}

static int alloc_buffers(wp_dit *m, char *err, size_t errlen) {
    const wp_model_config *c = &m->cfg;
    size_t es = wp_dtype_size(m->dt), L = (size_t)m->tokens, T = (size_t)m->shape.text_tokens;
    size_t Lall = (size_t)m->tokens_total, ulysses_bytes = m->ulysses > 1 ? L * c->dim * es : 1;
    size_t patch_cols = (size_t)(m->patch_features > m->out_features ? m->patch_features : m->out_features);
    struct {
        void **p;
        size_t bytes;
    } want[] = {
        {&m->x, L * c->dim * es},          {&m->norm, L * c->dim * es},      {&m->q, L * c->dim * es},
        {&m->k, L * c->dim * es},          {&m->v, L * c->dim * es},         {&m->attn, L * c->dim * es},
        {&m->proj, L * c->dim * es},       {&m->ffn, L * c->ffn_dim * es},   {&m->patches, Lall * patch_cols * es},
        {&m->head_local, L * m->out_features * es}, {&m->qf, ulysses_bytes}, {&m->kf, ulysses_bytes},
        {&m->vf, ulysses_bytes},           {&m->af, ulysses_bytes},          {&m->pack, ulysses_bytes},
        {&m->ctx, T * c->dim * es},        {&m->ctx_hidden, T * c->dim * es}, {&m->ck, T * c->dim * es},
        {&m->cv, T * c->dim * es},         {(void **)&m->t_dev, 4},          {(void **)&m->t_freq, c->freq_dim * 4},
        {(void **)&m->t_hidden, c->dim * 4}, {&m->temb, c->dim * es},        {&m->temb_act, c->dim * es},
        {&m->tproj, 6 * c->dim * es},      {(void **)&m->mod, 6 * c->dim * 4},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (wp_dit_cuda(cudaMalloc(want[i].p, want[i].bytes), "cudaMalloc of the activations", err, errlen))
            return -1;
    return 0;
}

static int upload_rope(wp_dit *m, char *err, size_t errlen) {
    const wp_model_config *c = &m->cfg;
    size_t n = (size_t)c->rope_max_seq_len * c->head_dim;
    float *cos_tab = malloc(n * sizeof *cos_tab), *sin_tab = malloc(n * sizeof *sin_tab);
    int rc = !cos_tab || !sin_tab ? wp_dit_fail(err, errlen, "out of host memory") : 0;
    if (rc == 0 && rope_table_fill(cos_tab, sin_tab, c->head_dim, c->rope_max_seq_len, c->rope_theta) != 0)
        rc = wp_dit_fail(err, errlen, "head_dim %d: RoPE needs an even head_dim >= 6", c->head_dim);
    if (rc == 0) rc = wp_dit_cuda(cudaMalloc((void **)&m->rope_cos, n * 4), "cudaMalloc (RoPE)", err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cudaMalloc((void **)&m->rope_sin, n * 4), "cudaMalloc (RoPE)", err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cudaMemcpy(m->rope_cos, cos_tab, n * 4, cudaMemcpyHostToDevice), "RoPE", err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cudaMemcpy(m->rope_sin, sin_tab, n * 4, cudaMemcpyHostToDevice), "RoPE", err, errlen);
    free(cos_tab);
    free(sin_tab);
    return rc;
}

int wp_dit_create(wp_dit **out, const wp_model_config *cfg, const wp_dit_shape *shape, wp_dtype dt,
                  wp_attention_path attention, const wp_dist *dist, char *err, size_t errlen) {
    *out = NULL;
    if (check_shape(cfg, shape, err, errlen)) return -1;
    wp_dit *m = calloc(1, sizeof *m);
    if (!m) return wp_dit_fail(err, errlen, "out of host memory");
    m->cfg = *cfg;
    m->shape = *shape;
    m->dt = dt;
    const int *p = cfg->patch;
    m->tokens_total = (shape->F / p[0]) * (shape->H / p[1]) * (shape->W / p[2]);
    m->patch_features = cfg->in_channels * p[0] * p[1] * p[2];
    m->out_features = cfg->out_channels * p[0] * p[1] * p[2];
    int rc = split_tokens(m, dist, err, errlen);
    if (rc == 0)
        rc = wp_dit_cuda(cudaStreamCreateWithFlags(&m->stream, cudaStreamNonBlocking), "cudaStreamCreate", err,
                         errlen);
    if (rc == 0 && wp_linalg_create(&m->la, err, errlen) != 0) rc = -1;
    if (rc == 0) rc = resolve_attention(m, attention, err, errlen);
    if (rc == 0) rc = alloc_buffers(m, err, errlen);
    if (rc == 0) rc = upload_rope(m, err, errlen);
    if (rc) {
        wp_dit_destroy(m);
        return -1;
    }
    *out = m;
    return 0;
}

void wp_dit_destroy(wp_dit *m) {
    if (!m) return;
    void *bufs[] = {m->head_local, m->qf, m->kf, m->vf, m->af, m->pack,
                    m->x,   m->norm,    m->q,          m->k,     m->v,      m->attn,     m->proj,
                    m->ffn, m->patches, m->ctx,        m->ctx_hidden, m->ck, m->cv,      m->t_dev,
                    m->t_freq, m->t_hidden, m->temb,   m->temb_act, m->tproj, m->mod,   m->rope_cos,
                    m->rope_sin};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) cudaFree(bufs[i]);
    if (m->la) wp_linalg_destroy(m->la);
    if (m->stream) cudaStreamDestroy(m->stream);
    free(m);
}

const char *wp_dit_attention_name(const wp_dit *m) { return m->attention == WP_ATTENTION_CUDNN ? "cudnn" : "own"; }
wp_dtype wp_dit_dtype(const wp_dit *m) { return m->dt; }
const wp_dist *wp_dit_dist(const wp_dit *m) { return m->dist; }
cudaStream_t wp_dit_stream(const wp_dit *m) { return m->stream; }
long wp_dit_latent_elems(const wp_dit *m) {
    return (long)m->shape.C * m->shape.F * m->shape.H * m->shape.W;
}
