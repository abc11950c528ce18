/* names.c: original Wan tensor names (Wan-Video/Wan2.2 wan/modules/model.py) -> diffusers names, as diffusers'
 * scripts/convert_wan_to_diffusers.py renames them (TRANSFORMER_KEYS_RENAME_DICT, the text-to-video entries). Wan
 * calls the block's norms norm1, norm3 (the affine one before cross-attention), norm2 (before the FFN, no weights);
 * diffusers orders them norm1, norm2, norm3: the two swap. Names are mapped by whole dotted components, so
 * "self_attn.q" never matches inside "self_attn.qx". */
#include <stdio.h>
#include <string.h>

#include "model_impl.h"

struct rename {
    const char *wan, *diffusers;
};

static const struct rename block_names[] = {
    {"self_attn.q", "attn1.to_q"}, {"self_attn.k", "attn1.to_k"}, {"self_attn.v", "attn1.to_v"},
    {"self_attn.o", "attn1.to_out.0"}, {"self_attn.norm_q", "attn1.norm_q"}, {"self_attn.norm_k", "attn1.norm_k"},
    {"cross_attn.q", "attn2.to_q"}, {"cross_attn.k", "attn2.to_k"}, {"cross_attn.v", "attn2.to_v"},
    {"cross_attn.o", "attn2.to_out.0"}, {"cross_attn.norm_q", "attn2.norm_q"}, {"cross_attn.norm_k", "attn2.norm_k"},
    {"norm3", "norm2"}, {"norm2", "norm3"}, {"ffn.0", "ffn.net.0.proj"}, {"ffn.2", "ffn.net.2"},
    {"modulation", "scale_shift_table"},
};

static const struct rename top_names[] = {
    {"text_embedding.0", "condition_embedder.text_embedder.linear_1"},
    {"text_embedding.2", "condition_embedder.text_embedder.linear_2"},
    {"time_embedding.0", "condition_embedder.time_embedder.linear_1"},
    {"time_embedding.2", "condition_embedder.time_embedder.linear_2"},
    {"time_projection.1", "condition_embedder.time_proj"},
    {"head.head", "proj_out"},
    {"head.modulation", "scale_shift_table"},
};

/* Length of "blocks.N." at the start of name, or 0. */
static size_t block_prefix(const char *name)
{
    if (strncmp(name, "blocks.", 7) != 0)
        return 0;
    size_t i = 7;
    while (name[i] >= '0' && name[i] <= '9')
        i++;
    return i > 7 && name[i] == '.' ? i + 1 : 0;
}

/* The entry of table whose wan name is a whole-component prefix of s, or NULL. */
static const struct rename *match(const struct rename *table, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(table[i].wan);
        if (strncmp(s, table[i].wan, len) == 0 && (s[len] == '.' || s[len] == '\0'))
            return &table[i];
    }
    return NULL;
}

int model_wan_to_diffusers(const char *name, char *out, size_t outlen)
{
    size_t pre = block_prefix(name);
    const struct rename *r = pre ? match(block_names, sizeof(block_names) / sizeof(block_names[0]), name + pre)
                                 : match(top_names, sizeof(top_names) / sizeof(top_names[0]), name);
    int n = r ? snprintf(out, outlen, "%.*s%s%s", (int)pre, name, r->diffusers, name + pre + strlen(r->wan))
              : snprintf(out, outlen, "%s", name);
    if (n < 0 || (size_t)n >= outlen)
        return -1;
    return r != NULL;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int model_name_kind(const char *name)
{
    size_t pre = block_prefix(name);
    if (pre) {
        const char *s = name + pre;
        /* norm3 has weights only in Wan naming, norm2 only in diffusers naming */
        if (starts(s, "self_attn.") || starts(s, "cross_attn.") || starts(s, "ffn.0.") || starts(s, "ffn.2.") ||
            strcmp(s, "modulation") == 0 || starts(s, "norm3."))
            return 1;
        if (starts(s, "attn1.") || starts(s, "attn2.") || starts(s, "ffn.net.") || strcmp(s, "scale_shift_table") == 0 ||
            starts(s, "norm2."))
            return 2;
        return 0;
    }
    if (starts(name, "text_embedding.") || starts(name, "time_embedding.") || starts(name, "time_projection.") ||
        starts(name, "head."))
        return 1;
    if (starts(name, "condition_embedder.") || starts(name, "proj_out.") || strcmp(name, "scale_shift_table") == 0)
        return 2;
    return 0;
}
