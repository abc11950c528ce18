/* save.c: see save.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cuda_runtime_api.h>
#include "dit_internal.h"
#include "save.h"

int wp_saver_open(wp_latent_saver *s, const char *path, int force, const wp_dit_shape *shape, char *err,
                  size_t errlen) {
    memset(s, 0, sizeof *s);
    if (!force && access(path, F_OK) == 0)
        return wp_dit_fail(err, errlen, "%s exists (use --force to overwrite it)", path);
    s->path = path;
    s->force = force;
    int64_t dims[5] = {1, shape->C, shape->F, shape->H, shape->W};
    memcpy(s->shape, dims, sizeof dims);
    s->n = (size_t)shape->C * shape->F * shape->H * shape->W;
    return 0;
}

static float *to_host(const float *dev, size_t n) {
    float *h = malloc(n * sizeof *h);
    if (h && cudaMemcpy(h, dev, n * sizeof *h, cudaMemcpyDeviceToHost) != cudaSuccess) {
        free(h);
        h = NULL;
    }
    return h;
}

int wp_saver_add_step(wp_latent_saver *s, int i, const float *dev) {
    if (!s->path) return 0;
    if (i >= s->nsteps) {
        float **grown = realloc(s->steps, (size_t)(i + 1) * sizeof *grown);
        if (!grown) return -1;
        for (int k = s->nsteps; k <= i; k++) grown[k] = NULL;
        s->steps = grown;
        s->nsteps = i + 1;
    }
    free(s->steps[i]);
    s->steps[i] = to_host(dev, s->n);
    return s->steps[i] ? 0 : -1;
}

int wp_saver_set_final(wp_latent_saver *s, const float *dev, char *err, size_t errlen) {
    free(s->final);
    s->final = to_host(dev, s->n);
    return s->final ? 0 : wp_dit_fail(err, errlen, "copying the final latents to the host failed");
}

int wp_saver_write(wp_latent_saver *s, char *err, size_t errlen) {
    size_t count = 1 + (size_t)s->nsteps;
    wp_st_tensor *t = calloc(count, sizeof *t);
    char (*names)[32] = calloc(count, sizeof *names);
    int rc = !t || !names ? wp_dit_fail(err, errlen, "out of host memory") : 0;
    size_t k = 0;
    for (int i = -1; rc == 0 && i < s->nsteps; i++) {
        const float *data = i < 0 ? s->final : s->steps[i];
        if (!data) continue;
        if (i < 0)
            snprintf(names[k], sizeof names[k], "latents");
        else
            snprintf(names[k], sizeof names[k], "latents.%d", i);
        t[k] = (wp_st_tensor){names[k], WP_ST_F32, 5, {0}, data, s->n * sizeof(float)};
        memcpy(t[k].shape, s->shape, sizeof s->shape);
        k++;
    }
    if (rc == 0) rc = wp_st_write(s->path, t, k, s->force, err, errlen);
    free(t);
    free(names);
    return rc;
}

void wp_saver_free(wp_latent_saver *s) {
    free(s->final);
    for (int i = 0; i < s->nsteps; i++) free(s->steps[i]);
    free(s->steps);
    memset(s, 0, sizeof *s);
}
