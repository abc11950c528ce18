/* save.h: the runner's latents written as safetensors ("latents", and "latents.I" per step with --save-steps),
 * fp32, shape (1, C, F, H, W). The path is checked when the run starts, so a long run does not end on a refusal. */
#ifndef WP_RUNNER_SAVE_H
#define WP_RUNNER_SAVE_H

#include <stddef.h>
#include "dit.h"

typedef struct wp_latent_saver {
    const char *path;
    int force;
    int64_t shape[5];
    size_t n;         /* elements of one latent */
    float *final;     /* host copies */
    float **steps;
    int nsteps;
} wp_latent_saver;

int wp_saver_open(wp_latent_saver *s, const char *path, int force, const wp_dit_shape *shape, char *err,
                  size_t errlen);
/* Copies the device latents of step i (fp32) to the host. 0 or -1. */
int wp_saver_add_step(wp_latent_saver *s, int i, const float *dev);
int wp_saver_set_final(wp_latent_saver *s, const float *dev, char *err, size_t errlen);
int wp_saver_write(wp_latent_saver *s, char *err, size_t errlen);
void wp_saver_free(wp_latent_saver *s);

#endif
