/* options.c: parsing of the runner's command line. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "options.h"
#include "parts.h"
#include "version.h"

static const char usage[] =
    "usage: wanprof-runner (--preset P | --model DIR | --config FILE) [OPTIONS]\n"
    "\n"
    "NAME\n"
    "    wanprof-runner - the Wan2.2 DiT denoising loop on one or several GPUs: the workload `wanprof run` profiles\n"
    "\n"
    "DESCRIPTION\n"
    "    Runs diffusers' WanPipeline denoising loop in C and CUDA with real shapes and real compute: two experts\n"
    "    (high-noise while t >= boundary * 1000, then low-noise), classifier-free guidance (a conditional and an\n"
    "    unconditional forward per step), UniPC or flow-match Euler. The model comes from a preset or a config\n"
    "    (seeded random weights) or a diffusers model directory (safetensors). Weights can stay on the GPU or be\n"
    "    offloaded to host memory the way SGLang does it, whole experts swapped at the switch or blocks streamed\n"
    "    layer by layer.\n"
    "    NVTX ranges (`step N (t=T, EXPERT, guidance G)` with payload N, the forwards, the blocks, the weight moves\n"
    "    and collectives: schemas/runner_nvtx.md) and a metadata mark (config, schedule, offload, revision) let\n"
    "    `wanprof explain` find the steps and check the switch against the schedule. Exactly one of --preset,\n"
    "    --model and --config is required. Prints a progress line per step (stderr) and a summary.\n"
    "\n"
    "OPTIONS\n"
    "model:\n"
    "  --preset P            tiny (schemas/wan-tiny.json, 9 x 128 x 192: seconds), 480p (A14B, 81 x 480 x 832),\n"
    "                        720p (A14B, 81 x 720 x 1280: 75,600 tokens); random weights; other options override\n"
    "  --model DIR           diffusers model directory: config, transformer/ and transformer_2/ weights\n"
    "                        (safetensors, sharded or not, fp32/bf16/fp16, diffusers or original Wan names)\n"
    "  --config FILE         model config (schemas/wan2.2-t2v-a14b.json, schemas/wan-tiny.json): random weights\n"
    "  --layers N            a reduced model: the config's first N blocks (for small recordings)\n"
    "  --seed N              seed of random weights and inputs (default 0)\n"
    "  --precision P         bf16 (default; as diffusers runs it) or fp32 (verification, no TF32)\n"
    "  --attention A         auto (default: the faster one present), own (our kernel), cudnn\n"
    "offload (as SGLang runs it):\n"
    "  --offload M           none (default: both experts on the GPU), model (experts in host memory, swapped\n"
    "                        tensor by tensor at the expert switch), layerwise (blocks streamed from host memory)\n"
    "  --host-memory K       pageable (default) or pinned host memory for the offloaded weights\n"
    "  --prefetch P          layerwise: blocks copied ahead of the one computing (default 1)\n"
    "  --layer-sync          layerwise: synchronise after every block (SGLang's early version)\n"
    "several GPUs (one process per GPU; under torchrun, mpirun or srun the rank comes from the environment):\n"
    "  --nproc N             start N ranks of this command, rank i on GPU i, and wait for them\n"
    "  --ulysses P           Ulysses sequence parallelism over P ranks (default: all ranks of a CFG group)\n"
    "  --cfg-parallel        conditional and unconditional forwards on two rank groups (e.g. 2 x Ulysses 2 on 4)\n"
    "  --rendezvous PATH     file rank 0 creates with the NCCL id (must not exist; --nproc picks one in /tmp)\n"
    "inputs:\n"
    "  --inputs FILE         safetensors with latents (1,C,F,H,W), prompt_embeds and negative_prompt_embeds\n"
    "                        (1,T,text_dim); default: seeded random of the shapes below\n"
    "  --frames N --height H --width W   video size (default 81 x 480 x 832); latent = (frames-1)/4+1, H/8, W/8\n"
    "  --latent C,F,H,W      the latent shape directly\n"
    "  --text-tokens T       text context length (default: the config's text_len)\n"
    "loop (defaults from the model config):\n"
    "  --steps N             inference steps (default 27)\n"
    "  --sampler S           wan, sglang (default), diffusers-unipc, diffusers-euler\n"
    "  --shift S             flow shift\n"
    "  --boundary B          boundary ratio: t >= B*1000 runs the high-noise expert\n"
    "  --guidance G1,G2      guidance scale of the high-noise and the low-noise expert\n"
    "  --forward T:E         one conditional forward at timestep T with expert E (high or low), no loop\n"
    "output:\n"
    "  --save FILE           final latents (or the forward's output) as safetensors \"latents\" (fp32)\n"
    "  --save-steps          also each step's latents, \"latents.I\"\n"
    "  --force               overwrite FILE\n"
    "  -h, --help            this page\n"
    "  --version             the version and the git revision built\n"
    "\n"
    "ENVIRONMENT\n"
    "    WANPROF_DATA_DIR   the folder holding schemas/ (the presets' model configs); default: share/wanprof beside\n"
    "                       the executable (../share/wanprof from its bin/), in an installed and a build tree alike\n"
    "\n"
    "EXIT STATUS\n"
    "    0 done; 1 a failure (a file that cannot be read, with its name; a GPU or NCCL error; with --nproc, a rank\n"
    "    that failed, the others then stopped); 2 a usage error (nothing is run).\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof-runner --preset tiny --steps 8\n"
    "        seconds on one GPU: the tiny two-expert model, random weights\n"
    "    wanprof run -o pageable_shift3 -- wanprof-runner --preset 480p --layers 4 --offload model --shift 3\n"
    "        the step-10 spike: experts swapped through pageable memory at the 10th step (examples/runner_offload/)\n"
    "    wanprof-runner --preset 720p --nproc 4 --cfg-parallel\n"
    "        4 GPUs: cond and uncond on two groups of 2, Ulysses over each\n"
    "    wanprof-runner --model Wan2.2-T2V-A14B-Diffusers --inputs inputs.safetensors --save out.safetensors\n";

static int bad(const char *opt, const char *value, const char *why) {
    fprintf(stderr, "wanprof-runner: %s %s: %s\n", opt, value, why);
    return 2;
}

static int parse_int(const char *s, long lo, long hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

static int parse_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static int parse_ints(const char *s, int *out, int n) {
    char buf[128];
    if (strlen(s) >= sizeof buf) return -1;
    strcpy(buf, s);
    char *save = NULL, *tok = strtok_r(buf, ",", &save);
    for (int i = 0; i < n; i++, tok = strtok_r(NULL, ",", &save))
        if (!tok || parse_int(tok, 1, 1 << 20, &out[i])) return -1;
    return tok ? -1 : 0;
}

enum { O_MODEL = 256, O_CONFIG, O_SEED, O_PRECISION, O_ATTENTION, O_INPUTS, O_FRAMES, O_HEIGHT, O_WIDTH, O_LATENT,
       O_TEXT, O_STEPS, O_SAMPLER, O_SHIFT, O_BOUNDARY, O_GUIDANCE, O_FORWARD, O_SAVE, O_SAVE_STEPS, O_FORCE, O_HELP,
       O_OFFLOAD, O_HOST_MEMORY, O_PREFETCH, O_LAYER_SYNC, O_PRESET, O_LAYERS,
       O_NPROC, O_ULYSSES, O_CFG_PARALLEL, O_RENDEZVOUS, O_VERSION };

static const struct option longopts[] = {
    {"model", 1, 0, O_MODEL},         {"config", 1, 0, O_CONFIG},     {"seed", 1, 0, O_SEED},
    {"precision", 1, 0, O_PRECISION}, {"attention", 1, 0, O_ATTENTION}, {"inputs", 1, 0, O_INPUTS},
    {"frames", 1, 0, O_FRAMES},       {"height", 1, 0, O_HEIGHT},     {"width", 1, 0, O_WIDTH},
    {"latent", 1, 0, O_LATENT},       {"text-tokens", 1, 0, O_TEXT},  {"steps", 1, 0, O_STEPS},
    {"sampler", 1, 0, O_SAMPLER},     {"shift", 1, 0, O_SHIFT},       {"boundary", 1, 0, O_BOUNDARY},
    {"guidance", 1, 0, O_GUIDANCE},   {"forward", 1, 0, O_FORWARD},   {"save", 1, 0, O_SAVE},
    {"save-steps", 0, 0, O_SAVE_STEPS}, {"force", 0, 0, O_FORCE},     {"help", 0, 0, O_HELP},
    {"offload", 1, 0, O_OFFLOAD},     {"host-memory", 1, 0, O_HOST_MEMORY}, {"prefetch", 1, 0, O_PREFETCH},
    {"layer-sync", 0, 0, O_LAYER_SYNC}, {"preset", 1, 0, O_PRESET},  {"layers", 1, 0, O_LAYERS},
    {"nproc", 1, 0, O_NPROC},         {"ulysses", 1, 0, O_ULYSSES},   {"cfg-parallel", 0, 0, O_CFG_PARALLEL},
    {"rendezvous", 1, 0, O_RENDEZVOUS}, {"version", 0, 0, O_VERSION},
    {0, 0, 0, 0}};

static int parse_forward(const char *s, wp_runner_options *o) {
    const char *colon = strchr(s, ':');
    char t[64];
    if (!colon || (size_t)(colon - s) >= sizeof t) return -1;
    memcpy(t, s, (size_t)(colon - s));
    t[colon - s] = 0;
    if (parse_double(t, &o->forward_t) || o->forward_t < 0 || o->forward_t > 1000) return -1;
    if (strcmp(colon + 1, "high") == 0)
        o->forward_expert = 0;
    else if (strcmp(colon + 1, "low") == 0)
        o->forward_expert = 1;
    else
        return -1;
    o->forward_only = 1;
    return 0;
}

static int parse_one(int c, const char *arg, wp_runner_options *o) {
    long long seed;
    char *end;
    switch (c) {
    case O_MODEL: o->model = arg; return 0;
    case O_CONFIG: o->config = arg; return 0;
    case O_INPUTS: o->inputs = arg; return 0;
    case O_SAVE: o->save = arg; return 0;
    case O_SAVE_STEPS: o->save_steps = 1; return 0;
    case O_FORCE: o->force = 1; return 0;
    case O_SEED:
        errno = 0;
        seed = strtoll(arg, &end, 10);
        if (errno || end == arg || *end || seed < 0) return bad("--seed", arg, "not a non-negative integer");
        o->seed = (uint64_t)seed;
        return 0;
    case O_PRECISION:
        if (strcmp(arg, "bf16") == 0) o->dt = WP_BF16;
        else if (strcmp(arg, "fp32") == 0) o->dt = WP_F32;
        else return bad("--precision", arg, "expected bf16 or fp32");
        return 0;
    case O_ATTENTION:
        if (strcmp(arg, "auto") == 0) o->attention = WP_ATTENTION_AUTO;
        else if (strcmp(arg, "own") == 0) o->attention = WP_ATTENTION_OWN;
        else if (strcmp(arg, "cudnn") == 0) o->attention = WP_ATTENTION_CUDNN;
        else return bad("--attention", arg, "expected auto, own or cudnn");
        return 0;
    case O_PRESET:
        if (strcmp(arg, "tiny") && strcmp(arg, "480p") && strcmp(arg, "720p"))
            return bad("--preset", arg, "expected tiny, 480p or 720p");
        o->preset = arg;
        return 0;
    case O_LAYERS: return parse_int(arg, 1, 1000, &o->layers) ? bad("--layers", arg, "expected 1..1000") : 0;
    case O_NPROC: return parse_int(arg, 1, 1024, &o->nproc) ? bad("--nproc", arg, "expected 1..1024") : 0;
    case O_ULYSSES: return parse_int(arg, 1, 1024, &o->ulysses) ? bad("--ulysses", arg, "expected 1..1024") : 0;
    case O_CFG_PARALLEL: o->cfg_parallel = 2; return 0;
    case O_RENDEZVOUS: o->rendezvous = arg; return 0;
    case O_OFFLOAD:
        if (strcmp(arg, "none") == 0) o->offload.mode = WP_OFFLOAD_NONE;
        else if (strcmp(arg, "model") == 0) o->offload.mode = WP_OFFLOAD_MODEL;
        else if (strcmp(arg, "layerwise") == 0) o->offload.mode = WP_OFFLOAD_LAYERWISE;
        else return bad("--offload", arg, "expected none, model or layerwise");
        return 0;
    case O_HOST_MEMORY:
        if (strcmp(arg, "pageable") == 0) o->offload.pinned = 0;
        else if (strcmp(arg, "pinned") == 0) o->offload.pinned = 1;
        else return bad("--host-memory", arg, "expected pageable or pinned");
        return 0;
    case O_PREFETCH: return parse_int(arg, 1, 64, &o->offload.prefetch) ? bad("--prefetch", arg, "expected 1..64") : 0;
    case O_LAYER_SYNC: o->offload.layer_sync = 1; return 0;
    case O_FRAMES: return parse_int(arg, 1, 100000, &o->frames) ? bad("--frames", arg, "expected 1..100000") : 0;
    case O_HEIGHT: return parse_int(arg, 1, 100000, &o->height) ? bad("--height", arg, "expected 1..100000") : 0;
    case O_WIDTH: return parse_int(arg, 1, 100000, &o->width) ? bad("--width", arg, "expected 1..100000") : 0;
    case O_LATENT: return parse_ints(arg, o->latent, 4) ? bad("--latent", arg, "expected C,F,H,W") : 0;
    case O_TEXT: return parse_int(arg, 1, 1 << 20, &o->text_tokens) ? bad("--text-tokens", arg, "expected >= 1") : 0;
    case O_STEPS:
        return parse_int(arg, 1, WP_SCHEDULE_MAX_STEPS, &o->steps) ? bad("--steps", arg, "expected 1..100000") : 0;
    case O_SAMPLER: {
        wp_sampler s;
        if (wp_sampler_parse(arg, &s)) return bad("--sampler", arg, "expected wan, sglang, diffusers-unipc or "
                                                                  "diffusers-euler");
        o->sampler = (int)s;
        return 0;
    }
    case O_SHIFT: return parse_double(arg, &o->shift) ? bad("--shift", arg, "not a number") : 0;
    case O_BOUNDARY:
        return parse_double(arg, &o->boundary) || o->boundary < 0 || o->boundary > 1
                   ? bad("--boundary", arg, "expected a number in [0, 1]")
                   : 0;
    case O_GUIDANCE: {
        char g1[64];
        const char *comma = strchr(arg, ',');
        if (!comma || (size_t)(comma - arg) >= sizeof g1) return bad("--guidance", arg, "expected G1,G2");
        memcpy(g1, arg, (size_t)(comma - arg));
        g1[comma - arg] = 0;
        if (parse_double(g1, &o->guidance[0]) || parse_double(comma + 1, &o->guidance[1]))
            return bad("--guidance", arg, "expected G1,G2");
        return 0;
    }
    case O_FORWARD:
        return parse_forward(arg, o) ? bad("--forward", arg, "expected T:high or T:low, T in [0, 1000]") : 0;
    default: return 2;
    }
}

/* A preset's model config: in share/wanprof/schemas beside this executable (installed or built), or under
 * WANPROF_DATA_DIR. */
static const char *schema_path(const char *name) {
    static char path[4096 + 64];
    char data[4096];
    wp_part_find(WP_PART_DATA, data, sizeof data, NULL);
    snprintf(path, sizeof path, "%s/schemas/%s", data, name);
    return path;
}

static int given(int argc, char **argv, const char *opt) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], opt) == 0 || (strncmp(argv[i], opt, strlen(opt)) == 0 && argv[i][strlen(opt)] == '='))
            return 1;
    return 0;
}

/* A preset names a config and a video size; a size option given on the command line wins. */
static int apply_preset(wp_runner_options *o, int argc, char **argv) {
    if (!o->preset) return 0;
    int tiny = strcmp(o->preset, "tiny") == 0, p720 = strcmp(o->preset, "720p") == 0;
    static char config[4096];
    snprintf(config, sizeof config, "%s", schema_path(tiny ? "wan-tiny.json" : "wan2.2-t2v-a14b.json"));
    o->config = config;
    if (!given(argc, argv, "--frames")) o->frames = tiny ? 9 : 81;
    if (!given(argc, argv, "--height")) o->height = tiny ? 128 : p720 ? 720 : 480;
    if (!given(argc, argv, "--width")) o->width = tiny ? 192 : p720 ? 1280 : 832;
    return 0;
}

int wp_runner_parse(int argc, char **argv, wp_runner_options *o) {
    memset(o, 0, sizeof *o);
    o->dt = WP_BF16;
    o->attention = WP_ATTENTION_AUTO;
    o->frames = 81, o->height = 480, o->width = 832;
    o->steps = -1, o->sampler = -1;
    o->offload.prefetch = 1;
    o->cfg_parallel = 1;
    o->shift = o->boundary = o->guidance[0] = o->guidance[1] = NAN;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h' || c == O_HELP) {
            fputs(usage, stdout);
            return 1;
        }
        if (c == O_VERSION) {
            printf("wanprof-runner %s\n", wp_version_text());
            return 1;
        }
        if (c == '?') {
            fprintf(stderr, "wanprof-runner: unknown option or missing value: %s\n(see --help)\n", argv[optind - 1]);
            return 2;
        }
        if (parse_one(c, optarg, o)) return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "wanprof-runner: unexpected argument %s (see --help)\n", argv[optind]);
        return 2;
    }
    if (o->forward_only && o->offload.mode != WP_OFFLOAD_NONE) {
        fprintf(stderr, "wanprof-runner: --forward runs one expert with resident weights: drop --offload\n");
        return 2;
    }
    if (!!o->model + !!o->config + !!o->preset != 1) {
        fprintf(stderr, "wanprof-runner: give exactly one of --preset P, --model DIR and --config FILE (see --help)\n");
        return 2;
    }
    return apply_preset(o, argc, argv);
}
