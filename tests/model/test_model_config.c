/* test_model_config.c: the model configs: schemas/wan2.2-t2v-a14b.json and schemas/wan-tiny.json load with every
 * field right; diffusers model directories (tests/fixtures/model/) load, with notes for what they lack; bad configs
 * are refused with a message naming the file and the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "model_test.h"
#include "wpmodel.h"

static void test_a14b(void)
{
    wp_model_config c;
    char err[1024] = "";
    int rc = wp_model_config_load(source_path("schemas/wan2.2-t2v-a14b.json"), &c, err, sizeof(err));
    CHECK_EQ_INT(rc, 0);
    if (rc)
        fprintf(stderr, "%s\n", err);
    CHECK_EQ_STR(c.name, "wan2.2-t2v-a14b");
    CHECK_EQ_INT(c.dim, 5120);
    CHECK_EQ_INT(c.heads, 40);
    CHECK_EQ_INT(c.head_dim, 128);
    CHECK_EQ_INT(c.layers, 40);
    CHECK_EQ_INT(c.ffn_dim, 13824);
    CHECK_EQ_INT(c.freq_dim, 256);
    CHECK_EQ_INT(c.text_dim, 4096);
    CHECK_EQ_INT(c.in_channels, 16);
    CHECK_EQ_INT(c.out_channels, 16);
    CHECK(c.patch[0] == 1 && c.patch[1] == 2 && c.patch[2] == 2);
    CHECK(c.eps == 1e-6);
    CHECK_EQ_INT(c.cross_attn_norm, 1);
    CHECK_EQ_INT(c.rope_max_seq_len, 1024);
    CHECK(c.rope_theta == 10000.0);
    CHECK_EQ_INT(c.experts, 2);
    CHECK(c.boundary_ratio == 0.875);
    CHECK(c.guidance[0] == 4.0 && c.guidance[1] == 3.0);
    CHECK(c.flow_shift == 12.0);
    CHECK_EQ_INT(c.text_len, 512);
    CHECK(c.vae_stride[0] == 4 && c.vae_stride[1] == 8 && c.vae_stride[2] == 8);
    CHECK_EQ_INT(c.z_dim, 16);
    CHECK_EQ_STR(c.note, "");

    wp_model_config d; /* the built-in defaults are the same model */
    wp_model_config_a14b(&d);
    CHECK(memcmp(&c, &d, sizeof(c)) == 0);
}

static void test_tiny(void)
{
    wp_model_config c;
    char err[1024] = "";
    CHECK_EQ_INT(wp_model_config_load(source_path("schemas/wan-tiny.json"), &c, err, sizeof(err)), 0);
    CHECK_EQ_STR(c.name, "wan-tiny");
    CHECK_EQ_INT(c.dim, 128);
    CHECK_EQ_INT(c.heads, 2);
    CHECK_EQ_INT(c.head_dim, 64);
    CHECK_EQ_INT(c.layers, 2);
    CHECK_EQ_INT(c.ffn_dim, 256);
    CHECK_EQ_INT(c.text_dim, 64);
    CHECK_EQ_INT(c.freq_dim, 256);
    CHECK_EQ_INT(c.in_channels, 16);
    CHECK_EQ_INT(c.out_channels, 16);
    CHECK(c.patch[0] == 1 && c.patch[1] == 2 && c.patch[2] == 2);
    CHECK(c.eps == 1e-6);
    CHECK_EQ_INT(c.rope_max_seq_len, 1024);
    CHECK_EQ_INT(c.experts, 2);
    CHECK(c.boundary_ratio == 0.875);
    CHECK(c.guidance[0] == 4.0 && c.guidance[1] == 3.0);
    CHECK(c.flow_shift == 3.0);
    CHECK_EQ_INT(c.text_len, 77);
    CHECK(c.vae_stride[0] == 4 && c.vae_stride[1] == 8 && c.vae_stride[2] == 8);
    CHECK_EQ_INT(c.z_dim, 16);
    CHECK_EQ_STR(c.note, "");
}

/* The A14B diffusers layout: the same model as ours, except the scheduler's flow_shift (3.0, as diffusers' conversion
 * script writes it) and the notes for what a diffusers directory cannot say. */
static void test_a14b_diffusers_dir(void)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", check_fixture("model/a14b-diffusers"));
    wp_model_config c, ours;
    char err[1024] = "";
    CHECK_EQ_INT(wp_model_config_load(dir, &c, err, sizeof(err)), 0);
    wp_model_config_a14b(&ours);
    CHECK_EQ_STR(c.name, "a14b-diffusers");
    CHECK(c.flow_shift == 3.0);
    CHECK(strstr(c.note, "guidance_scale [4, 3] and text_len 512 are the pipeline's arguments") != NULL);
    CHECK(strstr(c.note, "vae") == NULL); /* vae/config.json read: z_dim 16, stride (4, 8, 8) from it */
    c.flow_shift = ours.flow_shift;
    memcpy(c.name, ours.name, sizeof(c.name));
    memcpy(c.note, ours.note, sizeof(c.note));
    CHECK(memcmp(&c, &ours, sizeof(c)) == 0);

    /* a bare transformer config.json: the rest is A14B's, noted */
    char path[4200];
    snprintf(path, sizeof(path), "%s/transformer/config.json", dir);
    CHECK_EQ_INT(wp_model_config_load(path, &c, err, sizeof(err)), 0);
    CHECK(c.dim == 5120 && c.layers == 40 && c.flow_shift == 12.0);
    CHECK(strstr(c.note, "is a transformer config only") != NULL);
}

/* Writes text to NAME in the scratch directory; returns its path (a static buffer). */
static const char *scratch_file(const char *name, const char *text)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/%s", scratch_dir(), name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
    if (system(cmd) != 0)
        exit(1);
    *slash = '/';
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* A diffusers directory with only some of its pieces: the loader takes A14B's values and says which. */
static void test_partial_dir(void)
{
    const char *t = "{\"_class_name\": \"WanTransformer3DModel\", \"num_attention_heads\": 2, \"attention_head_dim\": 64, "
                    "\"num_layers\": 2, \"ffn_dim\": 256, \"text_dim\": 64, \"out_channels\": null}";
    scratch_file("part/transformer/config.json", t);
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/part", scratch_dir());
    wp_model_config c;
    char err[1024] = "";
    CHECK_EQ_INT(wp_model_config_load(dir, &c, err, sizeof(err)), 0);
    CHECK(c.dim == 128 && c.out_channels == 16 && c.experts == 1 && c.flow_shift == 12.0);
    CHECK(c.guidance[1] == c.guidance[0]);
    CHECK(strstr(c.note, "transformer/config.json: no \"patch_size\", \"in_channels\", \"freq_dim\", "
                         "\"cross_attn_norm\", \"qk_norm\", \"eps\", \"rope_max_seq_len\", took diffusers' defaults "
                         "(A14B's)") != NULL);
    CHECK(strstr(c.note, "no transformer_2/config.json: one expert") != NULL);
    CHECK(strstr(c.note, "no scheduler/scheduler_config.json, took flow_shift 12 (A14B)") != NULL);
    CHECK(strstr(c.note, "no vae/config.json") != NULL);

    /* transformer_2 must match */
    scratch_file("part/transformer_2/config.json", "{\"num_attention_heads\": 2, \"attention_head_dim\": 64, "
                 "\"num_layers\": 3, \"ffn_dim\": 256, \"text_dim\": 64}");
    CHECK_EQ_INT(wp_model_config_load(dir, &c, err, sizeof(err)), -1);
    CHECK(strstr(err, "transformer_2/config.json: \"num_layers\" is 3 but transformer/config.json says 2") != NULL);
    scratch_file("part/transformer_2/config.json", t);
    scratch_file("part/scheduler/scheduler_config.json", "{\"flow_shift\": 5.0}");
    scratch_file("part/model_index.json", "{\"boundary_ratio\": 0.9}");
    scratch_file("part/vae/config.json", "{\"z_dim\": 48, \"temperal_downsample\": [false, true, true, true]}");
    CHECK_EQ_INT(wp_model_config_load(dir, &c, err, sizeof(err)), 0);
    CHECK(c.experts == 2 && c.flow_shift == 5.0 && c.boundary_ratio == 0.9 && c.z_dim == 48);
    CHECK(c.vae_stride[0] == 8 && c.vae_stride[1] == 16 && c.vae_stride[2] == 16);
    scratch_file("part/scheduler/scheduler_config.json", "{\"flow_shift\": \"12\"}");
    CHECK_EQ_INT(wp_model_config_load(dir, &c, err, sizeof(err)), -1);
    CHECK(strstr(err, "scheduler_config.json: \"flow_shift\" must be a number") != NULL);

    snprintf(dir, sizeof(dir), "%s/part/scheduler", scratch_dir()); /* not a model directory */
    CHECK_EQ_INT(wp_model_config_load(dir, &c, err, sizeof(err)), -1);
    CHECK(strstr(err, "no transformer/config.json: not a diffusers model directory") != NULL);
}

/* Our format with one change: replace the first occurrence of from (in the tiny config) by to; must be refused with
 * a message holding the file name and want. */
static void expect_refused(const char *from, const char *to, const char *want)
{
    static char text[8192];
    FILE *f = fopen(source_path("schemas/wan-tiny.json"), "r");
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, from), edited[8192];
    if (!at) {
        fprintf(stderr, "test bug: \"%s\" not in wan-tiny.json\n", from);
        CHECK(0);
        return;
    }
    snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    const char *path = scratch_file("bad.json", edited);
    wp_model_config c;
    char err[1024] = "";
    CHECK_EQ_INT(wp_model_config_load(path, &c, err, sizeof(err)), -1);
    int ok = strstr(err, path) && strstr(err, want);
    if (!ok)
        fprintf(stderr, "edit %s -> %s: message \"%s\" lacks \"%s\"\n", from, to, err, want);
    CHECK(ok);
    CHECK_EQ_INT(c.dim, 0); /* nothing half-filled */
}

static void test_refusals(void)
{
    expect_refused("\"num_layers\": 2", "\"num_layers\": 2.5", "transformer: \"num_layers\" must be a whole number");
    expect_refused("\"num_layers\": 2", "\"num_layers\": 0", "\"num_layers\" must be a whole number from 1 to 1024");
    expect_refused("\"num_layers\": 2", "\"num_layers\": 2, \"num_layers\": 3", "\"num_layers\" appears twice");
    expect_refused("\"eps\": 1e-06", "\"eps\": 1e-06, \"window_size\": [-1, -1]", "unknown key \"window_size\"");
    expect_refused("\"eps\": 1e-06", "\"eps\": 1e-06, \"added_kv_proj_dim\": 5120",
                   "\"added_kv_proj_dim\" is a number; it must be null");
    expect_refused("\"eps\": 1e-06", "\"eps\": 1e-06, \"image_dim\": 1280", "\"image_dim\" is a number");
    expect_refused("\"eps\": 1e-06", "\"eps\": 1e-06, \"_class_name\": \"WanVACETransformer3DModel\"",
                   "\"_class_name\" is \"WanVACETransformer3DModel\"; expected \"WanTransformer3DModel\"");
    expect_refused("\"rms_norm_across_heads\"", "\"rms_norm\"", "\"qk_norm\" is \"rms_norm\"");
    expect_refused("\"eps\": 1e-06", "\"eps\": 0", "\"eps\" must be a number between 0 and 1");
    expect_refused("\"cross_attn_norm\": true", "\"cross_attn_norm\": 1", "\"cross_attn_norm\" is a number, expected true");
    expect_refused("\"patch_size\": [1, 2, 2]", "\"patch_size\": [1, 2]", "\"patch_size\" must be an array [t, h, w]");
    expect_refused("\"attention_head_dim\": 64", "\"attention_head_dim\": 63", "attention_head_dim 63 is odd");
    expect_refused("\"num_attention_heads\": 2,\n    \"attention_head_dim\": 64",
                   "\"num_attention_heads\": 1024,\n    \"attention_head_dim\": 128", "is above 65536");
    expect_refused("\"experts\": 2", "\"experts\": 3", "\"experts\" must be a whole number from 1 to 2");
    expect_refused("\"experts\": 2,", "", "missing \"experts\"");
    expect_refused("[4.0, 3.0]", "[4.0]", "\"guidance_scale\" has 1 value for 2 experts");
    expect_refused("\"flow_shift\": 3.0", "\"flow_shift\": 0.001", "\"flow_shift\" must be a number from 0.01");
    expect_refused("\"boundary_ratio\": 0.875", "\"boundary_ratio\": 875", "\"boundary_ratio\" must be a number from 0 to 1");
    expect_refused("\"z_dim\": 16", "\"z_dim\": 16, \"zdim\": 16", "unknown key \"zdim\"");
    expect_refused("\"name\": \"wan-tiny\"", "\"name\": \"\"", "\"name\" must be a string of 1 to 63 characters");
    expect_refused("\"z_dim\": 16\n}", "\"z_dim\": 16\n} x", "not valid JSON (at byte");
    expect_refused("{", "[{", "not valid JSON");
    expect_refused("\"transformer\"", "\"transformers\"", "unknown key \"transformers\"");
    expect_refused("\"vae_stride\": [4, 8, 8]", "\"vae_stride\": [4, 8, 0]", "\"vae_stride[]\" must be a whole number");

    wp_model_config c;
    char err[1024] = "";
    CHECK_EQ_INT(wp_model_config_load(scratch_file("list.json", "[1, 2]"), &c, err, sizeof(err)), -1);
    CHECK(strstr(err, "the config is an array, expected a JSON object") != NULL);
    CHECK_EQ_INT(wp_model_config_load(scratch_file("other.json", "{\"a\": 1}"), &c, err, sizeof(err)), -1);
    CHECK(strstr(err, "neither a model config") != NULL);
    CHECK_EQ_INT(wp_model_config_load("/nonexistent/cfg.json", &c, err, sizeof(err)), -1);
    CHECK(strstr(err, "/nonexistent/cfg.json: no such file or directory") != NULL);
}

int main(void)
{
    test_a14b();
    test_tiny();
    test_a14b_diffusers_dir();
    test_partial_dir();
    test_refusals();
    scratch_remove();
    return check_done();
}
