/* fuzz_safetensors.c: wp_st_open on a file of the fuzzed bytes (header length, JSON header, data), then what the
 * runner does with what it gets: every tensor looked up by name and converted, the float tensors written back with
 * wp_st_write and read again unchanged; and wp_weights_open on the same file (the Wan -> diffusers name mapping) with
 * wp_weights_check against a small config. Checks the contracts: a failure always says why; sizes agree with shapes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "wpmodel.h"

static uint64_t sink;

/* Reads every byte the runner could read; ASan has no view of the mapping, so check the bounds by arithmetic. */
static void touch(const wp_st_tensor *t)
{
    size_t esize = wp_st_dtype_size(t->dtype), numel = 1;
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] < 0)
            abort();
        numel *= (size_t)t->shape[d];
    }
    if (esize && numel * esize != t->nbytes)
        abort(); /* the header check let a size mismatch through */
    const unsigned char *p = t->data;
    for (size_t i = 0; i < t->nbytes; i += 4093)
        sink += p[i];
    if (t->nbytes)
        sink += p[t->nbytes - 1];
    size_t n = numel < 4096 ? numel : 4096;
    if (esize && n) {
        float f[4096];
        uint16_t b[4096];
        wp_convert_to_f32(f, t->data, t->dtype, n);
        wp_convert_to_bf16(b, t->data, t->dtype, n);
        sink += b[n - 1] + (uint64_t)(f[0] == f[0]);
    }
}

/* The float tensors written back and re-read: same names, shapes and bytes. */
static void roundtrip(const wp_safetensors *st)
{
    size_t n = wp_st_count(st), m = 0;
    wp_st_tensor *t = calloc(n ? n : 1, sizeof(*t));
    for (size_t i = 0; i < n; i++)
        if (wp_st_dtype_size(wp_st_at(st, i)->dtype))
            t[m++] = *wp_st_at(st, i);
    char path[256], err[1024] = "";
    fuzz_path(path, sizeof(path), "st-rt", ".safetensors");
    if (wp_st_write(path, t, m, 1, err, sizeof(err)) != 0) {
        if (!err[0])
            abort();
        free(t);
        return;
    }
    wp_safetensors *back = NULL;
    if (wp_st_open(path, &back, err, sizeof(err)) != 0 || wp_st_count(back) != m)
        abort(); /* our own output must read back */
    for (size_t i = 0; i < m; i++) {
        const wp_st_tensor *r = wp_st_at(back, i);
        if (strcmp(r->name, t[i].name) != 0 || r->nbytes != t[i].nbytes || r->ndim != t[i].ndim ||
            memcmp(r->shape, t[i].shape, sizeof(int64_t) * (size_t)r->ndim) != 0 ||
            (r->nbytes && memcmp(r->data, t[i].data, r->nbytes) != 0))
            abort();
    }
    wp_st_close(back);
    free(t);
}

static void weights(const char *path)
{
    wp_weights *w = NULL;
    char err[1024] = "";
    if (wp_weights_open(path, &w, err, sizeof(err)) != 0) {
        if (!err[0])
            abort();
        return;
    }
    wp_model_config c; /* a small model, so that some inputs pass the check */
    wp_model_config_a14b(&c);
    c.heads = 1, c.head_dim = 2, c.dim = 2, c.layers = 1, c.ffn_dim = 2, c.freq_dim = 2, c.text_dim = 2;
    c.in_channels = c.out_channels = 1, c.patch[0] = c.patch[1] = c.patch[2] = 1;
    for (size_t i = 0; i < wp_weights_count(w); i++) {
        const wp_st_tensor *t = wp_weights_at(w, i);
        if (wp_weights_find(w, t->name) != t || !wp_weights_file_of(w, t))
            abort();
    }
    if (wp_weights_check(w, &c, 0, err, sizeof(err)) != 0 && !err[0])
        abort();
    wp_weights_close(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256], err[1024] = "";
    fuzz_path(path, sizeof(path), "st", ".safetensors");
    if (fuzz_write_file(path, data, size) != 0)
        return 0;
    wp_safetensors *st = NULL;
    if (wp_st_open(path, &st, err, sizeof(err)) != 0) {
        if (!err[0] || st)
            abort(); /* the contract: a failure says why and hands back nothing */
        return 0;
    }
    for (size_t i = 0; i < wp_st_count(st); i++) {
        const wp_st_tensor *t = wp_st_at(st, i);
        if (wp_st_find(st, t->name) != t)
            abort();
        touch(t);
    }
    roundtrip(st);
    wp_st_close(st);
    weights(path);
    return 0;
}
