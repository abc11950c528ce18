/* test_model_params.c: the tensor list of a config. A14B: 1,095 tensors, 14,288,491,584 parameters per expert,
 * 351,394,304 per block (the figures of ../shared/wan22.md, worked out by hand from transformer_wan.py); the
 * fp32-kept set is exactly time_embedder, the scale_shift_tables and the blocks' norm2; names are unique. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model_test.h"
#include "wpmodel.h"

static const wp_param_spec *find(const wp_param_spec *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].name, name) == 0)
            return &s[i];
    return NULL;
}

static void test_a14b(void)
{
    wp_model_config c;
    wp_model_config_a14b(&c);
    wp_param_spec *s = NULL;
    size_t n = wp_model_param_specs(&c, &s);
    CHECK_EQ_INT(n, 1095);
    int64_t total = 0, block0 = 0;
    size_t fp32 = 0;
    for (size_t i = 0; i < n; i++) {
        total += wp_param_numel(&s[i]);
        if (strncmp(s[i].name, "blocks.0.", 9) == 0)
            block0 += wp_param_numel(&s[i]);
        fp32 += (size_t)s[i].keep_fp32;
        int want = strstr(s[i].name, "time_embedder.") || strstr(s[i].name, "scale_shift_table") ||
                   strstr(s[i].name, ".norm2.");
        if (s[i].keep_fp32 != want)
            fprintf(stderr, "keep_fp32 of %s is %d\n", s[i].name, s[i].keep_fp32);
        CHECK_EQ_INT(s[i].keep_fp32, want);
    }
    CHECK_EQ_INT(total, 14288491584LL);
    CHECK_EQ_INT(block0, 351394304LL);
    CHECK_EQ_INT(fp32, 4 + 1 + 40 + 80);

    /* first and last in state_dict() order, and the shapes that are easy to get wrong */
    CHECK_EQ_STR(s[0].name, "scale_shift_table");
    CHECK_EQ_STR(s[n - 1].name, "proj_out.bias");
    CHECK_EQ_STR(s[13].name, "blocks.0.scale_shift_table"); /* after 13 non-block tensors */
    const wp_param_spec *p = find(s, n, "patch_embedding.weight");
    CHECK(p && p->ndim == 5 && p->shape[0] == 5120 && p->shape[1] == 16 && p->shape[2] == 1 && p->shape[3] == 2 &&
          p->shape[4] == 2);
    p = find(s, n, "condition_embedder.time_proj.weight");
    CHECK(p && p->ndim == 2 && p->shape[0] == 30720 && p->shape[1] == 5120);
    p = find(s, n, "condition_embedder.text_embedder.linear_1.weight");
    CHECK(p && p->shape[0] == 5120 && p->shape[1] == 4096);
    p = find(s, n, "blocks.39.ffn.net.0.proj.weight");
    CHECK(p && p->shape[0] == 13824 && p->shape[1] == 5120);
    p = find(s, n, "blocks.39.ffn.net.2.weight");
    CHECK(p && p->shape[0] == 5120 && p->shape[1] == 13824);
    p = find(s, n, "blocks.7.scale_shift_table");
    CHECK(p && p->ndim == 3 && p->shape[0] == 1 && p->shape[1] == 6 && p->shape[2] == 5120);
    p = find(s, n, "scale_shift_table");
    CHECK(p && p->ndim == 3 && p->shape[1] == 2);
    p = find(s, n, "proj_out.weight");
    CHECK(p && p->shape[0] == 64 && p->shape[1] == 5120);
    p = find(s, n, "blocks.3.attn2.norm_k.weight");
    CHECK(p && p->ndim == 1 && p->shape[0] == 5120 && !p->keep_fp32);
    CHECK(find(s, n, "blocks.40.attn1.to_q.weight") == NULL);

    int dup = 0; /* names unique */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            dup += strcmp(s[i].name, s[j].name) == 0;
    CHECK_EQ_INT(dup, 0);
    free(s);
}

static void test_tiny_and_variants(void)
{
    wp_model_config c;
    char err[1024];
    CHECK_EQ_INT(wp_model_config_load(source_path("schemas/wan-tiny.json"), &c, err, sizeof(err)), 0);
    wp_param_spec *s = NULL;
    size_t n = wp_model_param_specs(&c, &s);
    CHECK_EQ_INT(n, 15 + 2 * 27);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += wp_param_numel(&s[i]);
    /* by hand: dim 128, ffn 256, text 64, freq 256, 2 blocks of 4*2*(128*128+128) + 4*128 + 2*128 + 2*128*256
     * + 256 + 128 + 6*128 */
    int64_t block = 8 * (128 * 128 + 128) + 4 * 128 + 2 * 128 + 2 * 128 * 256 + 256 + 128 + 6 * 128;
    int64_t rest = 2 * 128 + (128 * 16 * 4 + 128) + (256 * 128 + 128) + (128 * 128 + 128) + (128 * 768 + 768) +
                   (64 * 128 + 128) + (128 * 128 + 128) + (128 * 64 + 64);
    CHECK_EQ_INT(total, 2 * block + rest);
    free(s);

    c.cross_attn_norm = 0; /* norm2 is nn.Identity: no tensors */
    n = wp_model_param_specs(&c, &s);
    CHECK_EQ_INT(n, 15 + 2 * 25);
    for (size_t i = 0; i < n; i++)
        CHECK(strstr(s[i].name, "norm2") == NULL);
    free(s);
}

int main(void)
{
    test_a14b();
    test_tiny_and_variants();
    return check_done();
}
