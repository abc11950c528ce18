/* main.c: wanprof-runner, the Wan2.2 denoising loop on one GPU (see options.c for the command line). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cuda_runtime_api.h>
#include "dit.h"
#include "inputs.h"
#include "launch.h"
#include "loop.h"
#include "meta.h"
#include "offload.h"
#include "options.h"
#include "save.h"

#define ERRLEN 1024

typedef struct run_state {
    const wp_runner_options *o;
    int quiet; /* ranks other than 0 print nothing per step */
    wp_latent_saver saver;
    double *seconds;
    size_t base_used, peak_used; /* device memory in use (cudaMemGetInfo) once the context exists; most at a step's end */
} run_state;

/* Device memory in use on this process's GPU (every process's, as cudaMemGetInfo sees it); 0 when it cannot say. */
static size_t device_used(void) {
    size_t free_b = 0, total_b = 0;
    return cudaMemGetInfo(&free_b, &total_b) == cudaSuccess ? total_b - free_b : 0;
}

static int on_step(const wp_loop_step_info *s, const float *latents, void *user) {
    run_state *r = user;
    r->seconds[s->index] = s->seconds;
    size_t used = device_used(); /* the loop allocates nothing per step, so a step's end shows its peak */
    if (used > r->peak_used) r->peak_used = used;
    if (r->quiet) return 0;
    double done = 0;
    for (int i = 0; i <= s->index; i++) done += r->seconds[i];
    double eta = done / (s->index + 1) * (s->steps - s->index - 1);
    fprintf(stderr, "step %d/%d  t=%-7.2f %-10s guidance %.1f  %8.3f s   ETA %.1f s\n", s->index + 1, s->steps,
            s->timestep, wp_expert_name(s->expert), s->guidance, s->seconds, eta);
    if (r->o->save_steps && wp_saver_add_step(&r->saver, s->index, latents) != 0) return -1;
    return 0;
}

static const char *ordinal_suffix(int n) {
    if (n % 100 >= 11 && n % 100 <= 13) return "th";
    return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

static void summary(const wp_loop_params *p, const double *seconds, const wp_offload *off, const run_state *r) {
    wp_schedule_step *steps = malloc((size_t)p->schedule.steps * sizeof *steps);
    if (!steps) return;
    wp_schedule_compute(&p->schedule, steps);
    double total = 0;
    int first_low = wp_schedule_first_low(&p->schedule);
    printf("steps: %d, sampler %s, shift %g, boundary %g\n", p->schedule.steps, wp_sampler_name(p->schedule.sampler),
           p->schedule.shift, p->schedule.boundary);
    for (int i = 0; i < p->schedule.steps; i++) {
        printf("  step %2d  t=%-8.2f %-10s %8.3f s\n", i, steps[i].timestep, wp_expert_name(steps[i].expert),
               seconds[i]);
        total += seconds[i];
    }
    if (first_low < p->schedule.steps)
        printf("expert switch: step %d (the %d%s step)\n", first_low, first_low + 1, ordinal_suffix(first_low + 1));
    else
        printf("expert switch: none (every step runs the high-noise expert)\n");
    printf("total: %.3f s\n", total);
    if (off) {
        wp_offload_stats st;
        wp_offload_get_stats(off, &st);
        printf("offload copies: %ld host->GPU (%.2f GB), %ld GPU->host (%.2f GB), %d expert switches\n",
               st.h2d_copies, st.h2d_bytes / 1e9, st.d2h_copies, st.d2h_bytes / 1e9, st.switches);
    }
    /* the program's own figure, for checking what a trace's allocation records say (wanprof whatif) */
    if (r->peak_used >= r->base_used && r->base_used)
        printf("device memory in the loop: %zu bytes in use beyond the context at most (cudaMemGetInfo at each "
               "step's end)\n", r->peak_used - r->base_used);
    free(steps);
}

/* Resolves the latent shape: the inputs file's, --latent, or the video size through the VAE stride. */
static int latent_shape(const wp_runner_options *o, const wp_model_config *c, wp_runner_inputs *in, char *err) {
    if (o->inputs) return wp_inputs_shape_from_file(o->inputs, c, in, err, ERRLEN);
    if (o->latent[0]) {
        in->C = o->latent[0], in->F = o->latent[1], in->H = o->latent[2], in->W = o->latent[3];
    } else {
        in->C = c->in_channels;
        in->F = (o->frames - 1) / c->vae_stride[0] + 1;
        in->H = o->height / c->vae_stride[1];
        in->W = o->width / c->vae_stride[2];
    }
    in->text_tokens = o->text_tokens ? o->text_tokens : c->text_len;
    return 0;
}

static void loop_params(const wp_runner_options *o, const wp_model_config *c, wp_loop_params *p) {
    memset(p, 0, sizeof *p);
    wp_schedule_params_default(&p->schedule);
    p->schedule.sampler = o->sampler >= 0 ? (wp_sampler)o->sampler : WP_SAMPLER_SGLANG;
    p->schedule.steps = o->steps > 0 ? o->steps : WP_SCHEDULE_DEFAULT_STEPS;
    p->schedule.shift = isnan(o->shift) ? c->flow_shift : o->shift;
    p->schedule.boundary = isnan(o->boundary) ? c->boundary_ratio : o->boundary;
    p->guidance[0] = isnan(o->guidance[0]) ? c->guidance[0] : o->guidance[0];
    p->guidance[1] = isnan(o->guidance[1]) ? c->guidance[1] : o->guidance[1];
}

static int load_expert(const wp_runner_options *o, wp_dit *m, int which, wp_dit_expert *e, char *err) {
    if (!o->model) return wp_dit_expert_random(m, e, o->seed * 2 + (uint64_t)which, err, ERRLEN);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", o->model, which == 0 ? "transformer" : "transformer_2");
    wp_weights *w;
    if (wp_weights_open(path, &w, err, ERRLEN)) return -1;
    int rc = wp_dit_expert_load(m, e, w, err, ERRLEN);
    wp_weights_close(w);
    return rc;
}

static int run(const wp_runner_options *o, wp_dist *dist, char *err) {
    wp_model_config cfg;
    if (wp_model_config_load(o->model ? o->model : o->config, &cfg, err, ERRLEN)) return -1;
    if (cfg.note[0]) fprintf(stderr, "wanprof-runner: %s\n", cfg.note);
    if (o->layers) {
        if (o->layers > cfg.layers) {
            snprintf(err, ERRLEN, "--layers %d: the model has %d blocks", o->layers, cfg.layers);
            return -1;
        }
        if (o->model) {
            snprintf(err, ERRLEN, "--layers reduces a model with random weights (--config or --preset), not --model");
            return -1;
        }
        cfg.layers = o->layers;
        snprintf(cfg.name + strlen(cfg.name), sizeof cfg.name - strlen(cfg.name), " (%d blocks)", o->layers);
    }
    wp_runner_inputs in = {0};
    if (latent_shape(o, &cfg, &in, err)) return -1;
    wp_dit_shape shape = {in.C, in.F, in.H, in.W, in.text_tokens};
    wp_dit *m = NULL;
    wp_dit_expert experts[2] = {{0}};
    wp_loop_params p;
    loop_params(o, &cfg, &p);
    run_state r = {o, dist->rank != 0, {0}, NULL, 0, 0};
    const char *save = dist->rank == 0 ? o->save : NULL; /* every rank holds the same latents: rank 0 writes them */
    /* The output path is checked before any GPU work, so that a long run never ends on a refusal. */
    int rc = save ? wp_saver_open(&r.saver, save, o->force, &shape, err, ERRLEN) : 0;
    /* the GPU and NCCL only now: bad input is reported first, with no device needed */
    int ulysses = o->ulysses ? o->ulysses : dist->world / o->cfg_parallel;
    if (rc == 0) rc = wp_dist_init(dist, ulysses, o->cfg_parallel, o->rendezvous, err, ERRLEN);
    if (rc == 0 && cudaFree(0) == cudaSuccess) r.base_used = device_used(); /* the context, before our allocations */
    if (rc == 0) rc = wp_dit_create(&m, &cfg, &shape, o->dt, o->attention, dist, err, ERRLEN);
    if (rc == 0 && dist->rank == 0)
        fprintf(stderr, "wanprof-runner: %s, latent %dx%dx%dx%d, %d text tokens, %s, attention %s, %d GPU%s (Ulysses "
                "%d, CFG-parallel %d)\n", cfg.name, in.C, in.F, in.H, in.W, in.text_tokens,
                o->dt == WP_F32 ? "fp32" : "bf16", wp_dit_attention_name(m), dist->world, dist->world > 1 ? "s" : "",
                dist->world > 1 ? dist->ulysses : 1, dist->world > 1 ? dist->cfg_parallel : 1);
    for (int k = 0; rc == 0 && k < 2; k++)
        if (!o->forward_only || o->forward_expert == k) rc = load_expert(o, m, k, &experts[k], err);
    wp_offload *off = NULL;
    if (rc == 0 && !o->forward_only) rc = wp_offload_create(&off, m, &o->offload, experts, 2, err, ERRLEN);
    if (rc == 0 && off && dist->rank == 0)
        fprintf(stderr, "wanprof-runner: offload %s, %s host memory%s\n", wp_offload_mode_name(o->offload.mode),
                o->offload.pinned ? "pinned" : "pageable", o->offload.layer_sync ? ", --layer-sync" : "");
    if (rc == 0) rc = wp_inputs_upload(&in, o->inputs, &cfg, o->dt, o->seed, err, ERRLEN);
    if (rc == 0 && o->forward_only) {
        rc = wp_forward_once(m, &experts[o->forward_expert], in.latents, (float)o->forward_t, in.ctx_cond, err,
                             ERRLEN);
        if (rc == 0 && save) rc = wp_saver_set_final(&r.saver, in.latents, err, ERRLEN);
    } else if (rc == 0) {
        r.seconds = calloc((size_t)p.schedule.steps, sizeof *r.seconds);
        p.ctx_cond = in.ctx_cond, p.ctx_uncond = in.ctx_uncond, p.on_step = on_step, p.user = &r;
        wp_dit_weight_sizes sizes;
        rc = wp_dit_weight_sizes_get(m, &sizes, err, ERRLEN);
        wp_run_meta meta = {&cfg, &p, &shape, o->dt, wp_dit_attention_name(m), &o->offload, dist->world, &sizes};
        /* The metadata mark is what lets explain check the schedule: a run without it is not run. */
        if (rc == 0 && (!r.seconds || wp_run_meta_mark(&meta) != 0)) {
            snprintf(err, ERRLEN, "out of memory writing the run's metadata mark");
            rc = -1;
        }
        if (rc == 0) rc = wp_denoise(m, experts, &p, in.latents, err, ERRLEN);
        if (rc == 0 && dist->rank == 0) summary(&p, r.seconds, off, &r);
        if (rc == 0 && save) rc = wp_saver_set_final(&r.saver, in.latents, err, ERRLEN);
    }
    if (rc == 0 && save) rc = wp_saver_write(&r.saver, err, ERRLEN);
    wp_saver_free(&r.saver);
    free(r.seconds);
    wp_inputs_free(&in);
    wp_offload_destroy(off);
    wp_dit_expert_free(&experts[0]);
    wp_dit_expert_free(&experts[1]);
    wp_dit_destroy(m);
    return rc;
}

int main(int argc, char **argv) {
    wp_runner_options o;
    int parsed = wp_runner_parse(argc, argv, &o);
    if (parsed == 1) return 0;
    if (parsed) return 2;
    char err[ERRLEN] = "";
    wp_dist dist;
    if (wp_dist_from_env(&dist, err, ERRLEN)) {
        fprintf(stderr, "wanprof-runner: %s\n", err);
        return 2;
    }
    /* the launcher: started by hand (no rank in the environment) with --nproc */
    if (o.nproc > 1 && !getenv("RANK")) return wp_launch(o.nproc, argc, argv, o.rendezvous);
    int rc = run(&o, &dist, err);
    if (rc && dist.world > 1)
        fprintf(stderr, "wanprof-runner: rank %d: %s\n", dist.rank, err[0] ? err : "failed");
    else if (rc)
        fprintf(stderr, "wanprof-runner: %s\n", err[0] ? err : "failed");
    wp_dist_destroy(&dist);
    return rc ? 1 : 0;
}
