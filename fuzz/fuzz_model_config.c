/* fuzz_model_config.c: wp_model_config_load on fuzzed JSON. Byte 0 picks where the bytes go: 0 a config file (ours or
 * a bare diffusers transformer config.json); 1-5 one file of a diffusers model directory whose other files are a
 * valid tiny model (transformer/config.json, transformer_2/config.json, model_index.json,
 * scheduler/scheduler_config.json, vae/config.json). A loaded config must hold together and give a tensor list. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "wpmodel.h"

static const char *const pieces[5][2] = {
    {"transformer/config.json", "{\"num_attention_heads\": 2, \"attention_head_dim\": 4, \"num_layers\": 1, "
                                "\"ffn_dim\": 8, \"text_dim\": 4, \"freq_dim\": 4}"},
    {"transformer_2/config.json", "{\"num_attention_heads\": 2, \"attention_head_dim\": 4, \"num_layers\": 1, "
                                  "\"ffn_dim\": 8, \"text_dim\": 4, \"freq_dim\": 4}"},
    {"model_index.json", "{\"_class_name\": \"WanPipeline\", \"boundary_ratio\": 0.875}"},
    {"scheduler/scheduler_config.json", "{\"flow_shift\": 3.0}"},
    {"vae/config.json", "{\"z_dim\": 16, \"temperal_downsample\": [false, true, true]}"},
};

/* The per-process model directory with the valid pieces; piece skip gets the fuzzed bytes instead. */
static void make_dir(char *dir, size_t len, int skip, const uint8_t *data, size_t size)
{
    fuzz_path(dir, len, "model", "");
    char path[512];
    static const char *const subdirs[] = {"", "/transformer", "/transformer_2", "/scheduler", "/vae"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "%s%s", dir, subdirs[i]);
        mkdir(path, 0755);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, pieces[i][0]);
        if (i == skip)
            fuzz_write_file(path, data, size);
        else
            fuzz_write_file(path, pieces[i][1], strlen(pieces[i][1]));
    }
}

static uint64_t sink;

static void check_config(const wp_model_config *c)
{
    if (!memchr(c->name, 0, sizeof(c->name)) || !memchr(c->note, 0, sizeof(c->note)))
        abort();
    if (c->dim != c->heads * c->head_dim || c->dim <= 0 || c->layers <= 0 || c->experts < 1 || c->experts > 2 ||
        c->head_dim % 2 || !(c->eps > 0 && c->eps < 1) || !(c->boundary_ratio >= 0 && c->boundary_ratio <= 1))
        abort(); /* a loaded config that does not hold together */
    wp_param_spec *s = NULL;
    size_t n = wp_model_param_specs(c, &s);
    if (!n || !s)
        abort();
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (wp_param_numel(&s[i]) <= 0 || !memchr(s[i].name, 0, sizeof(s[i].name)))
            abort();
        total += wp_param_numel(&s[i]);
    }
    sink += (uint64_t)total;
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int where = data[0] % 6;
    char path[512];
    if (where == 0) {
        fuzz_path(path, sizeof(path), "config", ".json");
        fuzz_write_file(path, data + 1, size - 1);
    } else {
        make_dir(path, sizeof(path), where - 1, data + 1, size - 1);
    }
    wp_model_config c;
    char err[1024] = "";
    if (wp_model_config_load(path, &c, err, sizeof(err)) != 0) {
        if (!err[0])
            abort(); /* the contract: a failure always says why */
        return 0;
    }
    check_config(&c);
    return 0;
}
