/* params.c: every tensor of one WanTransformer3DModel expert, named and shaped as diffusers' state_dict() has them
 * (a module's own parameters before its children's, children in registration order: transformer_wan.py). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wpmodel.h"

/* diffusers' WanTransformer3DModel._keep_in_fp32_modules; a parameter is kept in fp32 when one of these is a whole
 * component of its dotted name (model_loading_utils.py: `m in param_name.split(".")`), so "norm2" matches
 * blocks.N.norm2.weight but not attn1.norm_q. "rope", "norm1" and "norm3" hold no parameters in this model. */
static const char *const keep_fp32_modules[] = {"rope", "time_embedder", "scale_shift_table", "norm1", "norm2", "norm3"};

static int keeps_fp32(const char *name)
{
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, ".");
        for (size_t i = 0; i < sizeof(keep_fp32_modules) / sizeof(keep_fp32_modules[0]); i++)
            if (strlen(keep_fp32_modules[i]) == len && strncmp(p, keep_fp32_modules[i], len) == 0)
                return 1;
        p += len;
        if (*p == '.')
            p++;
    }
    return 0;
}

typedef struct spec_list {
    wp_param_spec *v;
    size_t n;
} spec_list;

/* Appends one tensor; ndim shape values follow the printf arguments. v is sized by count_specs: never overflows. */
static void add(spec_list *l, int ndim, const int64_t *shape, const char *fmt, ...)
{
    wp_param_spec *s = &l->v[l->n++];
    memset(s, 0, sizeof(*s));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->name, sizeof(s->name), fmt, ap);
    va_end(ap);
    s->ndim = ndim;
    memcpy(s->shape, shape, (size_t)ndim * sizeof(int64_t));
    s->keep_fp32 = keeps_fp32(s->name);
}

/* A Linear(in -> out) as "<prefix>.weight" (out, in) and "<prefix>.bias" (out). */
static void add_linear(spec_list *l, const char *prefix, int64_t in, int64_t out)
{
    add(l, 2, (int64_t[]){out, in}, "%s.weight", prefix);
    add(l, 1, (int64_t[]){out}, "%s.bias", prefix);
}

/* WanAttention: to_q/k/v (dim -> dim: the cross-attention's text keys come in at dim, after the text embedder),
 * to_out.0, and the RMSNorms over all heads. */
static void add_attention(spec_list *l, int block, const char *attn, int64_t dim)
{
    static const char *const proj[] = {"to_q", "to_k", "to_v", "to_out.0"};
    char prefix[64];
    for (int i = 0; i < 4; i++) {
        snprintf(prefix, sizeof(prefix), "blocks.%d.%s.%s", block, attn, proj[i]);
        add_linear(l, prefix, dim, dim);
    }
    add(l, 1, (int64_t[]){dim}, "blocks.%d.%s.norm_q.weight", block, attn);
    add(l, 1, (int64_t[]){dim}, "blocks.%d.%s.norm_k.weight", block, attn);
}

static void add_block(spec_list *l, const wp_model_config *c, int b)
{
    int64_t d = c->dim;
    char prefix[64];
    add(l, 3, (int64_t[]){1, 6, d}, "blocks.%d.scale_shift_table", b); /* (shift, scale, gate) x (msa, ffn) */
    add_attention(l, b, "attn1", d);
    add_attention(l, b, "attn2", d);
    if (c->cross_attn_norm) { /* the affine LayerNorm before cross-attention; Identity otherwise */
        add(l, 1, (int64_t[]){d}, "blocks.%d.norm2.weight", b);
        add(l, 1, (int64_t[]){d}, "blocks.%d.norm2.bias", b);
    }
    snprintf(prefix, sizeof(prefix), "blocks.%d.ffn.net.0.proj", b); /* GELU(tanh) with its Linear */
    add_linear(l, prefix, d, c->ffn_dim);
    snprintf(prefix, sizeof(prefix), "blocks.%d.ffn.net.2", b);
    add_linear(l, prefix, c->ffn_dim, d);
}

static size_t count_specs(const wp_model_config *c)
{
    size_t per_block = 1 + 2 * 10 + (c->cross_attn_norm ? 2 : 0) + 4;
    return 1 + 2 + 4 + 2 + 4 + (size_t)c->layers * per_block + 2;
}

size_t wp_model_param_specs(const wp_model_config *c, wp_param_spec **specs)
{
    *specs = NULL;
    size_t cap = count_specs(c);
    spec_list l = {calloc(cap, sizeof(wp_param_spec)), 0};
    if (!l.v)
        return 0;
    int64_t d = c->dim;
    add(&l, 3, (int64_t[]){1, 2, d}, "scale_shift_table"); /* the head's (shift, scale) */
    add(&l, 5, (int64_t[]){d, c->in_channels, c->patch[0], c->patch[1], c->patch[2]}, "patch_embedding.weight");
    add(&l, 1, (int64_t[]){d}, "patch_embedding.bias");
    add_linear(&l, "condition_embedder.time_embedder.linear_1", c->freq_dim, d);
    add_linear(&l, "condition_embedder.time_embedder.linear_2", d, d);
    add_linear(&l, "condition_embedder.time_proj", d, 6 * d);
    add_linear(&l, "condition_embedder.text_embedder.linear_1", c->text_dim, d);
    add_linear(&l, "condition_embedder.text_embedder.linear_2", d, d);
    for (int b = 0; b < c->layers; b++)
        add_block(&l, c, b);
    add_linear(&l, "proj_out", d, (int64_t)c->out_channels * c->patch[0] * c->patch[1] * c->patch[2]);
    *specs = l.v;
    return l.n;
}

int64_t wp_param_numel(const wp_param_spec *spec)
{
    int64_t n = 1;
    for (int i = 0; i < spec->ndim; i++)
        n *= spec->shape[i];
    return n;
}
