/* options.h: the runner's command line (wanprof-runner --help). */
#ifndef WP_RUNNER_OPTIONS_H
#define WP_RUNNER_OPTIONS_H

#include <stdint.h>
#include "dit.h"
#include "offload.h"
#include "schedule.h"

typedef struct wp_runner_options {
    const char *model;    /* diffusers model directory (config and weights), or NULL */
    const char *config;   /* model config .json (random weights), or NULL */
    const char *preset;   /* tiny, 480p, 720p: a config and a video size; NULL */
    int layers;           /* 0: the config's; else a reduced model of this many blocks (said in the metadata) */
    const char *inputs;   /* safetensors: latents, prompt_embeds, negative_prompt_embeds; or NULL (random) */
    const char *save;     /* safetensors for the final latents (and each step's with save_steps), or NULL */
    int save_steps, force;
    wp_dtype dt;
    wp_attention_path attention;
    wp_offload_options offload;
    uint64_t seed;
    int latent[4];        /* C, F, H, W: 0 until known */
    int frames, height, width;
    int text_tokens;      /* 0: the config's text_len */
    /* the loop; -1 / NaN / sampler -1: the config's value */
    int steps;
    int sampler;
    double shift, boundary, guidance[2];
    /* several GPUs: one process per rank */
    int nproc;             /* > 1: launch this many ranks of this command (one per GPU) and wait for them */
    int ulysses;           /* sequence-parallel degree; 0: world / cfg_parallel */
    int cfg_parallel;      /* 1, or 2: cond and uncond on two rank groups */
    const char *rendezvous;
    /* --forward T:EXPERT: one conditional forward instead of the loop */
    int forward_only;
    double forward_t;
    int forward_expert;
} wp_runner_options;

/* Parses argv. Returns 0 to run, 1 when --help was printed, 2 on a usage error (message printed to stderr). */
int wp_runner_parse(int argc, char **argv, wp_runner_options *o);

#endif
