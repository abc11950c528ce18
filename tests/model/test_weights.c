/* test_weights.c: the weights of one expert. The test writes a tiny diffusers model itself (the configs of
 * tests/fixtures/model/tiny-diffusers, transformer/ as 3 fp32 shards with an index, transformer_2/ as one bf16
 * file) and reads it back: config, check, and every value. A file in original Wan naming (renamed here with a table
 * of this test's own) maps to the same names and values. Missing, mis-shaped and extra tensors, a wrong index, a
 * directory without weights and mixed naming are refused with the file and tensor named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "model_test.h"
#include "wpmodel.h"

/* diffusers -> original Wan, from wan/modules/model.py's module names (independent of model/names.c). */
static const char *const to_wan[][2] = {
    {"attn1.to_out.0", "self_attn.o"}, {"attn2.to_out.0", "cross_attn.o"}, {"attn1.to_", "self_attn."},
    {"attn2.to_", "cross_attn."}, {"attn1.", "self_attn."}, {"attn2.", "cross_attn."}, {"norm2.", "norm3."},
    {"ffn.net.0.proj", "ffn.0"}, {"ffn.net.2", "ffn.2"},
    {"condition_embedder.text_embedder.linear_1", "text_embedding.0"},
    {"condition_embedder.text_embedder.linear_2", "text_embedding.2"},
    {"condition_embedder.time_embedder.linear_1", "time_embedding.0"},
    {"condition_embedder.time_embedder.linear_2", "time_embedding.2"},
    {"condition_embedder.time_proj", "time_projection.1"}, {"proj_out", "head.head"},
};

static void wan_name(const char *d, char *out, size_t len)
{
    if (strcmp(d, "scale_shift_table") == 0) {
        snprintf(out, len, "head.modulation");
        return;
    }
    const char *sst = strstr(d, ".scale_shift_table");
    if (sst) {
        snprintf(out, len, "%.*s.modulation", (int)(sst - d), d);
        return;
    }
    for (size_t i = 0; i < sizeof(to_wan) / sizeof(to_wan[0]); i++) {
        const char *at = strstr(d, to_wan[i][0]);
        if (at) {
            snprintf(out, len, "%.*s%s%s", (int)(at - d), d, to_wan[i][1], at + strlen(to_wan[i][0]));
            return;
        }
    }
    snprintf(out, len, "%s", d);
}

typedef struct gen {
    wp_st_dtype dt;
    int shards;          /* 0: one diffusion_pytorch_model.safetensors */
    int wan;             /* original Wan names */
    const char *skip;    /* leave this tensor out */
    const char *reshape; /* one more row for this tensor */
    int extra;           /* add a tensor "extra" */
    const char *file;    /* write this one file instead of a directory layout */
} gen;

/* Element j of spec i: exact in bf16 and in fp32. */
static float value_of(size_t i, size_t j)
{
    return (float)((int)((i * 131 + j * 7) % 255) - 127) / 64.0f;
}

static void fill(void *dst, wp_st_dtype dt, size_t i, size_t n)
{
    float *f = malloc(n * sizeof(float) + 1);
    for (size_t j = 0; j < n; j++)
        f[j] = value_of(i, j);
    if (dt == WP_ST_F32)
        memcpy(dst, f, n * sizeof(float));
    else
        wp_convert_to_bf16(dst, f, WP_ST_F32, n);
    free(f);
}

/* Writes one expert (into dir, or g->file). */
static int write_expert(const char *dir, const wp_model_config *cfg, const gen *g)
{
    wp_param_spec *s = NULL;
    size_t n = wp_model_param_specs(cfg, &s);
    wp_st_tensor *t = calloc(n + 1, sizeof(*t));
    char (*names)[128] = calloc(n + 1, sizeof(*names));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (g->skip && strcmp(s[i].name, g->skip) == 0)
            continue;
        if (g->wan)
            wan_name(s[i].name, names[m], sizeof(names[m]));
        else
            snprintf(names[m], sizeof(names[m]), "%s", s[i].name);
        wp_st_tensor *x = &t[m++];
        x->name = names[m - 1];
        x->dtype = g->dt;
        x->ndim = s[i].ndim;
        memcpy(x->shape, s[i].shape, sizeof(s[i].shape));
        if (g->reshape && strcmp(s[i].name, g->reshape) == 0)
            x->shape[0]++;
        size_t numel = 1;
        for (int d = 0; d < x->ndim; d++)
            numel *= (size_t)x->shape[d];
        x->nbytes = numel * wp_st_dtype_size(g->dt);
        x->data = malloc(x->nbytes);
        fill((void *)x->data, g->dt, i, numel);
    }
    static float three[3] = {1, 2, 3};
    if (g->extra)
        t[m++] = (wp_st_tensor){.name = "extra", .dtype = WP_ST_F32, .ndim = 1, .shape = {3}, .data = three,
                                .nbytes = 12};
    char err[1024] = "", path[1024];
    int rc = 0;
    mkdir(dir, 0755);
    if (g->file || !g->shards) {
        snprintf(path, sizeof(path), "%s/diffusion_pytorch_model.safetensors", dir);
        rc = wp_st_write(g->file ? g->file : path, t, m, 1, err, sizeof(err));
    } else {
        snprintf(path, sizeof(path), "%s/diffusion_pytorch_model.safetensors.index.json", dir);
        FILE *idx = fopen(path, "w");
        fprintf(idx, "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
        for (int k = 0; k < g->shards && rc == 0; k++) {
            size_t lo = m * (size_t)k / (size_t)g->shards, hi = m * (size_t)(k + 1) / (size_t)g->shards;
            char file[128];
            snprintf(file, sizeof(file), "diffusion_pytorch_model-%05d-of-%05d.safetensors", k + 1, g->shards);
            for (size_t i = lo; i < hi; i++)
                fprintf(idx, "%s\"%s\": \"%s\"", i ? ", " : "", t[i].name, file);
            snprintf(path, sizeof(path), "%s/%s", dir, file);
            rc = wp_st_write(path, t + lo, hi - lo, 1, err, sizeof(err));
        }
        fprintf(idx, "}}\n");
        fclose(idx);
    }
    if (rc)
        fprintf(stderr, "write_expert: %s\n", err);
    for (size_t i = 0; i < m; i++)
        if (t[i].data != three)
            free((void *)t[i].data);
    free(t);
    free(names);
    free(s);
    return rc;
}

/* Every spec's data equals what write_expert wrote (converted to fp32). */
static int values_match(const wp_weights *w, const wp_model_config *cfg)
{
    wp_param_spec *s = NULL;
    size_t n = wp_model_param_specs(cfg, &s);
    int bad = 0;
    for (size_t i = 0; i < n && !bad; i++) {
        const wp_st_tensor *t = wp_weights_find(w, s[i].name);
        size_t numel = (size_t)wp_param_numel(&s[i]);
        float *f = malloc(numel * sizeof(float) + 1);
        if (!t) {
            bad = 1;
        } else {
            wp_convert_to_f32(f, t->data, t->dtype, numel);
            for (size_t j = 0; j < numel && !bad; j++)
                bad = f[j] != value_of(i, j);
        }
        if (bad)
            fprintf(stderr, "values of %s differ\n", s[i].name);
        free(f);
    }
    free(s);
    return !bad;
}

static char model_dir[700];

static const char *sub(const char *rel)
{
    static char p[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof(p[k]), "%s/%s", model_dir, rel);
    return p[k];
}

static void test_diffusers_layout(const wp_model_config *tiny)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", check_fixture("model/tiny-diffusers"), model_dir);
    CHECK_EQ_INT(system(cmd), 0);
    CHECK_EQ_INT(write_expert(sub("transformer"), tiny, &(gen){.dt = WP_ST_F32, .shards = 3}), 0);
    CHECK_EQ_INT(write_expert(sub("transformer_2"), tiny, &(gen){.dt = WP_ST_BF16}), 0);

    wp_model_config c;
    char err[1024] = "";
    CHECK_EQ_INT(wp_model_config_load(model_dir, &c, err, sizeof(err)), 0);
    CHECK(c.dim == tiny->dim && c.layers == tiny->layers && c.ffn_dim == tiny->ffn_dim && c.text_dim == 64);
    CHECK(c.experts == 2 && c.boundary_ratio == 0.875 && c.flow_shift == 3.0);
    CHECK(strstr(c.note, "no vae/config.json") && strstr(c.note, "guidance_scale [4, 3]"));

    for (int e = 0; e < 2; e++) {
        wp_weights *w = NULL;
        const char *dir = sub(e ? "transformer_2/" : "transformer");
        int rc = wp_weights_open(dir, &w, err, sizeof(err));
        CHECK_EQ_INT(rc, 0);
        if (rc) {
            fprintf(stderr, "%s\n", err);
            continue;
        }
        CHECK_EQ_INT(wp_weights_check(w, &c, 0, err, sizeof(err)), 0);
        CHECK_EQ_INT(wp_weights_count(w), 15 + 2 * 27);
        CHECK(values_match(w, &c));
        const wp_st_tensor *t = wp_weights_find(w, "blocks.1.ffn.net.2.weight");
        CHECK(t && t->dtype == (e ? WP_ST_BF16 : WP_ST_F32));
        CHECK(t && strstr(wp_weights_file_of(w, t), e ? "transformer_2/diffusion_pytorch_model.safetensors"
                                                      : "transformer/diffusion_pytorch_model-00003-of-00003"));
        CHECK(wp_weights_find(w, "blocks.2.ffn.net.2.weight") == NULL);
        wp_weights_close(w);
    }
}

static void test_wan_naming(const wp_model_config *tiny)
{
    char file[1024];
    snprintf(file, sizeof(file), "%s", sub("wan.safetensors"));
    CHECK_EQ_INT(write_expert(model_dir, tiny, &(gen){.dt = WP_ST_F32, .wan = 1, .file = file}), 0);
    wp_weights *w = NULL, *d = NULL;
    char err[1024] = "";
    CHECK_EQ_INT(wp_weights_open(file, &w, err, sizeof(err)), 0);
    CHECK_EQ_INT(wp_weights_open(sub("transformer"), &d, err, sizeof(err)), 0);
    if (!w || !d)
        return;
    CHECK_EQ_INT(wp_weights_check(w, tiny, 0, err, sizeof(err)), 0);
    CHECK_EQ_INT(wp_weights_count(w), wp_weights_count(d));
    for (size_t i = 0; i < wp_weights_count(w) && i < wp_weights_count(d); i++) /* both sorted by diffusers name */
        CHECK_EQ_STR(wp_weights_at(w, i)->name, wp_weights_at(d, i)->name);
    CHECK(values_match(w, tiny));
    CHECK_EQ_STR(wp_weights_file_of(w, wp_weights_find(w, "proj_out.bias")), file);
    wp_weights_close(w);
    wp_weights_close(d);

    /* the Python-written fixture: each kind of Wan name */
    static const char *const expect[] = {
        "blocks.0.attn1.to_q.weight", "blocks.0.attn2.norm_k.weight", "blocks.0.ffn.net.0.proj.weight",
        "blocks.0.norm2.bias", "blocks.0.scale_shift_table", "condition_embedder.time_proj.weight",
        "patch_embedding.bias", "proj_out.bias", "scale_shift_table",
    };
    CHECK_EQ_INT(wp_weights_open(check_fixture("model/st/wan_named.safetensors"), &w, err, sizeof(err)), 0);
    if (!w)
        return;
    CHECK_EQ_INT(wp_weights_count(w), 9);
    for (size_t i = 0; i < 9 && i < wp_weights_count(w); i++)
        CHECK_EQ_STR(wp_weights_at(w, i)->name, expect[i]);
    const wp_st_tensor *t = wp_weights_find(w, "scale_shift_table");
    CHECK(t && t->ndim == 3 && t->shape[1] == 2 && ((const float *)t->data)[0] == 7.0f);
    wp_weights_close(w);
}

/* A whole micro model in Wan naming, listed independently in make_fixtures.py (Python): the C tensor list of the same
 * config must match it name for name and shape for shape. */
static void test_python_micro_model(void)
{
    wp_model_config c;
    wp_model_config_a14b(&c);
    c.heads = 1, c.head_dim = 2, c.dim = 2, c.layers = 1, c.ffn_dim = 2, c.freq_dim = 2, c.text_dim = 2;
    c.in_channels = c.out_channels = 1, c.patch[0] = c.patch[1] = c.patch[2] = 1;
    snprintf(c.name, sizeof(c.name), "micro");
    wp_weights *w = NULL;
    char err[1024] = "";
    CHECK_EQ_INT(wp_weights_open(check_fixture("model/st/micro_wan.safetensors"), &w, err, sizeof(err)), 0);
    if (!w)
        return;
    int rc = wp_weights_check(w, &c, 0, err, sizeof(err));
    CHECK_EQ_INT(rc, 0);
    if (rc)
        fprintf(stderr, "%s\n", err);
    CHECK_EQ_INT(wp_weights_count(w), 42);
    float v[4];
    const wp_st_tensor *t = wp_weights_find(w, "proj_out.bias"); /* head.head.bias, tensor 40: F32 40 */
    CHECK(t && t->dtype == WP_ST_F32);
    wp_convert_to_f32(v, t->data, t->dtype, 1);
    CHECK(v[0] == 40.0f);
    t = wp_weights_find(w, "scale_shift_table"); /* head.modulation, tensor 41: BF16 41 + k/4 */
    CHECK(t && t->dtype == WP_ST_BF16 && t->nbytes == 8);
    wp_convert_to_f32(v, t->data, t->dtype, 4);
    CHECK(v[0] == 41.0f && v[3] == 41.75f);
    wp_weights_close(w);
}

/* Opening (stage 0) or checking (stage 1) must fail with a message holding every fragment. */
static void expect_error(const char *path, const wp_model_config *cfg, int stage, const char *f1, const char *f2)
{
    wp_weights *w = NULL;
    char err[1024] = "";
    int rc = wp_weights_open(path, &w, err, sizeof(err));
    if (stage == 1 && rc == 0)
        rc = wp_weights_check(w, cfg, 0, err, sizeof(err));
    CHECK_EQ_INT(rc, -1);
    int ok = strstr(err, f1) && (!f2 || strstr(err, f2));
    if (!ok)
        fprintf(stderr, "message for %s: \"%s\" lacks \"%s\" / \"%s\"\n", path, err, f1, f2 ? f2 : "");
    CHECK(ok);
    wp_weights_close(w);
}

static void test_check_errors(const wp_model_config *tiny)
{
    CHECK_EQ_INT(write_expert(sub("missing"), tiny, &(gen){.dt = WP_ST_F32, .skip = "blocks.1.attn2.norm_k.weight"}), 0);
    expect_error(sub("missing"), tiny, 1, "/missing: tensor \"blocks.1.attn2.norm_k.weight\" (128) of wan-tiny is missing",
                 NULL);
    CHECK_EQ_INT(write_expert(sub("shape"), tiny, &(gen){.dt = WP_ST_BF16, .shards = 2,
                                                        .reshape = "blocks.0.ffn.net.0.proj.weight"}), 0);
    expect_error(sub("shape"), tiny, 1, "shape/diffusion_pytorch_model-00002-of-00002.safetensors: tensor "
                 "\"blocks.0.ffn.net.0.proj.weight\" has shape (257, 128), but wan-tiny needs (256, 128)", NULL);
    char wanfile[1024];
    snprintf(wanfile, sizeof(wanfile), "%s", sub("wan-shape.safetensors"));
    CHECK_EQ_INT(write_expert(model_dir, tiny, &(gen){.dt = WP_ST_F32, .wan = 1, .file = wanfile,
                                                      .reshape = "blocks.1.norm2.weight"}), 0);
    expect_error(wanfile, tiny, 1, "tensor \"blocks.1.norm2.weight\" (Wan name \"blocks.1.norm3.weight\") has shape "
                 "(129)", "needs (128)");
    CHECK_EQ_INT(write_expert(sub("extra"), tiny, &(gen){.dt = WP_ST_F32, .extra = 1}), 0);
    expect_error(sub("extra"), tiny, 1, "extra/diffusion_pytorch_model.safetensors: unexpected tensor \"extra\"", NULL);
    wp_weights *w = NULL;
    char err[1024];
    CHECK_EQ_INT(wp_weights_open(sub("extra"), &w, err, sizeof(err)), 0);
    CHECK(w && wp_weights_check(w, tiny, 1, err, sizeof(err)) == 0); /* allowed */
    wp_weights_close(w);

    wp_model_config a14b; /* the right names, the wrong model */
    wp_model_config_a14b(&a14b);
    expect_error(sub("transformer"), &a14b, 1, "tensor \"scale_shift_table\" has shape (1, 2, 128), but "
                 "wan2.2-t2v-a14b needs (1, 2, 5120)", NULL);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_layout_errors(const wp_model_config *tiny)
{
    CHECK_EQ_INT(write_expert(sub("idx"), tiny, &(gen){.dt = WP_ST_F32, .shards = 2}), 0);
    char index[1024]; /* sub() reuses its buffers */
    snprintf(index, sizeof(index), "%s", sub("idx/diffusion_pytorch_model.safetensors.index.json"));
    const char *s1 = "diffusion_pytorch_model-00001-of-00002.safetensors";
    const char *s2 = "diffusion_pytorch_model-00002-of-00002.safetensors";
    char text[1024];
    snprintf(text, sizeof(text), "{\"weight_map\": {\"proj_out.bias\": \"%s\"}}", s1); /* it is in shard 2 */
    write_text(index, text);
    expect_error(sub("idx"), tiny, 0, "the index lists tensor \"proj_out.bias\" in", "00001-of-00002.safetensors, "
                 "which does not hold it");
    snprintf(text, sizeof(text), "{\"weight_map\": {\"proj_out.bias\": \"%s\"}}", s2);
    write_text(index, text);
    expect_error(sub("idx"), tiny, 0, "00002-of-00002.safetensors: holds tensor", "which the index does not list");
    write_text(index, "{\"weight_map\": {\"proj_out.bias\": \"gone.safetensors\"}}");
    expect_error(sub("idx"), tiny, 0, "idx/gone.safetensors: cannot open", NULL);
    write_text(index, "{\"weight_map\": {\"proj_out.bias\": \"../x.safetensors\"}}");
    expect_error(sub("idx"), tiny, 0, "expected a file name in this directory", NULL);
    write_text(index, "{\"weight_map\": [");
    expect_error(sub("idx"), tiny, 0, "index.json: not valid JSON", NULL);

    mkdir(sub("empty"), 0755);
    expect_error(sub("empty"), tiny, 0, "empty: neither diffusion_pytorch_model.safetensors.index.json nor", NULL);
    expect_error(sub("nothing-here"), tiny, 0, "nothing-here", "No such file");

    float one = 1;
    wp_st_tensor mixed[2] = {
        {.name = "blocks.0.self_attn.q.bias", .dtype = WP_ST_F32, .ndim = 1, .shape = {1}, .data = &one, .nbytes = 4},
        {.name = "blocks.0.attn1.to_k.bias", .dtype = WP_ST_F32, .ndim = 1, .shape = {1}, .data = &one, .nbytes = 4},
    };
    char mp[1024];
    snprintf(mp, sizeof(mp), "%s", sub("mixed.safetensors"));
    CHECK_EQ_INT(wp_st_write(mp, mixed, 2, 0, text, sizeof(text)), 0);
    expect_error(mp, tiny, 0, "mixes original Wan names (\"blocks.0.self_attn.q.bias\"", "diffusers names "
                 "(\"blocks.0.attn1.to_k.bias\"");
}

int main(void)
{
    snprintf(model_dir, sizeof(model_dir), "%s/MODEL", scratch_dir());
    wp_model_config tiny;
    char err[1024] = "";
    if (wp_model_config_load(source_path("schemas/wan-tiny.json"), &tiny, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    test_diffusers_layout(&tiny);
    test_wan_naming(&tiny);
    test_python_micro_model();
    test_check_errors(&tiny);
    test_layout_errors(&tiny);
    scratch_remove();
    return check_done();
}
