/* cmd_schedule.c: `wanprof schedule`: the timesteps and expert of every denoising step for one of the Wan2.2
 * samplers, or (--switch-at K) the flow shifts under which the expert switch lands on the K-th step. The numbers come
 * from schedule/ (libwpschedule); this file parses options and prints. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../schedule/schedule.h"
#include "cli.h"
#include "json_out.h"

const char cmd_schedule_help[] =
    "NAME\n"
    "    wanprof schedule - timesteps and expert per step for the Wan2.2 samplers; invert a switch step\n"
    "\n"
    "SYNOPSIS\n"
    "    wanprof schedule [--sampler NAME] [--steps N] [--shift S] [--boundary B] [--train-steps T] [--json]\n"
    "    wanprof schedule --switch-at K [--sampler NAME] [--steps N] [--boundary B] [--train-steps T]\n"
    "                     [--shift-min S] [--shift-max S] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Wan2.2-A14B denoises with two experts: the high-noise model runs while the timestep t >= B * T, the\n"
    "    low-noise model after that. Which step is the first low-noise one depends on the flow shift and, by one\n"
    "    step in places, on which implementation computed the timesteps. This command reproduces each one's\n"
    "    arithmetic exactly (float64/float32 rounding and int64 truncation included):\n"
    "\n"
    "      wan              Wan2.2's FlowUniPCMultistepScheduler as wan/text2video.py uses it: sigma_max 0.999,\n"
    "                       shifted once, integer timesteps (the default)\n"
    "      sglang           SGLang's Wan pipeline: the scheduler is built with the shift and set_timesteps shifts\n"
    "                       sigma_max a second time; integer timesteps\n"
    "      diffusers-unipc  diffusers UniPCMultistepScheduler, use_flow_sigmas=True: sigma from 1 to 1/T,\n"
    "                       integer timesteps\n"
    "      diffusers-euler  diffusers FlowMatchEulerDiscreteScheduler: sigma_min shifted twice, float timesteps\n"
    "\n"
    "    It prints one row per step (index from 0, step from 1 as a progress bar counts, the timestep the model\n"
    "    gets, sigma*T before truncation, the float32 sigma, the expert) and the first low-noise step.\n"
    "\n"
    "    With --switch-at K it answers the inverse question: for which flow shifts is the K-th step (1-indexed)\n"
    "    the first low-noise one? It prints every range [lo, hi) of shifts found between --shift-min and\n"
    "    --shift-max, exact to about 1e-12. K = N+1 asks for the shifts under which no step is low-noise.\n"
    "\n"
    "OPTIONS\n"
    "    --sampler NAME     wan, sglang, diffusers-unipc or diffusers-euler (default wan)\n"
    "    --steps N          inference steps, 1 to 100000 (default 27)\n"
    "    --shift S          flow shift, 0.01 to 1e6 (default 12.0, the configured flow_shift of Wan2.2-T2V-A14B; the\n"
    "                       480P base config and SGLang's fallback for unrecognised local model paths use 3.0)\n"
    "    --boundary B       boundary ratio from 0 to 1 (default 0.875, Wan2.2-T2V-A14B)\n"
    "    --train-steps T    training timesteps (default 1000)\n"
    "    --switch-at K      print the shift range(s) making step K (1-indexed, 1 to N+1) the first low-noise step\n"
    "                       (with --steps up to 1000)\n"
    "    --shift-min S      lower end of the --switch-at scan (default 0.1)\n"
    "    --shift-max S      upper end of the --switch-at scan (default 100)\n"
    "    --json             machine-readable output (schemas/schedule.schema.json)\n"
    "    -h, --help         this page\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof schedule\n"
    "        27 steps of the wan sampler at shift 12: the first low-noise step is index 18 (the 19th step).\n"
    "    wanprof schedule --shift 3\n"
    "        the 480P default shift: the switch moves to index 9, the 10th step (the classic step-10 spike).\n"
    "    wanprof schedule --switch-at 10\n"
    "        which shifts put the switch on the 10th of 27 steps: about [2.96, 3.51), which holds the 480P base\n"
    "        config's shift 3.0 (a known shift inside a range is named with the configurations that set it).\n"
    "    wanprof schedule --sampler diffusers-euler --steps 40 --shift 5 --json\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 when --switch-at finds no shift in the scanned range giving that step; 2 on a usage error\n"
    "    (unknown option, bad option value).\n";

#define SWITCH_AT_MAX_STEPS 1000

static const char *CMD = "schedule";

typedef struct options {
    wp_schedule_params p;
    int shift_given; /* --shift was on the command line */
    int switch_at;   /* 1-indexed K; 0 when not asked */
    double shift_min, shift_max;
    int json;
} options;

/* Parses a whole-string integer in [lo, hi]; 0 on success. */
static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Parses a whole-string finite number; 0 on success. */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int bad_sampler(const char *name)
{
    char known[256] = "";
    for (int i = 0; i < WP_SAMPLER_COUNT; i++) {
        strcat(known, i ? ", " : "");
        strcat(known, wp_sampler_name((wp_sampler)i));
    }
    return cli_usage_error(CMD, "--sampler: unknown sampler '%s' (known: %s)", name, known);
}

/* Applies one option that takes a value; returns 0 or the exit status of the usage error. */
static int apply_option(options *o, const char *opt, const char *val)
{
    if (strcmp(opt, "--sampler") == 0)
        return wp_sampler_parse(val, &o->p.sampler) == 0 ? 0 : bad_sampler(val);
    if (strcmp(opt, "--steps") == 0 && parse_int(val, 1, WP_SCHEDULE_MAX_STEPS, &o->p.steps) != 0)
        return cli_usage_error(CMD, "--steps must be an integer from 1 to %d (got '%s')", WP_SCHEDULE_MAX_STEPS, val);
    if (strcmp(opt, "--train-steps") == 0 &&
        parse_int(val, 1, WP_SCHEDULE_MAX_TRAIN_STEPS, &o->p.train_steps) != 0)
        return cli_usage_error(CMD, "--train-steps must be an integer from 1 to %d (got '%s')",
                               WP_SCHEDULE_MAX_TRAIN_STEPS, val);
    if (strcmp(opt, "--switch-at") == 0 && parse_int(val, 1, WP_SCHEDULE_MAX_STEPS + 1, &o->switch_at) != 0)
        return cli_usage_error(CMD, "--switch-at must be a step number from 1 to N+1 (got '%s')", val);
    if (strcmp(opt, "--boundary") == 0 && (parse_double(val, &o->p.boundary) != 0 || o->p.boundary < 0 ||
                                           o->p.boundary > 1))
        return cli_usage_error(CMD, "--boundary must be a ratio from 0 to 1 (got '%s')", val);
    double *num = strcmp(opt, "--shift") == 0       ? &o->p.shift
                  : strcmp(opt, "--shift-min") == 0 ? &o->shift_min
                  : strcmp(opt, "--shift-max") == 0 ? &o->shift_max
                                                    : NULL;
    if (num && (parse_double(val, num) != 0 || !(*num >= WP_SCHEDULE_MIN_SHIFT) || *num > WP_SCHEDULE_MAX_SHIFT))
        return cli_usage_error(CMD, "%s must be a number from 0.01 to 1e6 (got '%s')", opt, val);
    o->shift_given |= strcmp(opt, "--shift") == 0;
    return 0;
}

static int takes_value(const char *opt)
{
    static const char *const names[] = {"--sampler", "--steps",     "--shift",     "--boundary",
                                        "--train-steps", "--switch-at", "--shift-min", "--shift-max"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(opt, names[i]) == 0)
            return 1;
    return 0;
}

/* Parses argv into o; returns 0 or the exit status of a usage error. Accepts "--opt VALUE" and "--opt=VALUE". */
static int parse_options(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        char opt[64];
        const char *arg = argv[i], *eq = strchr(arg, '='), *val = NULL;
        if (strcmp(arg, "--json") == 0) {
            o->json = 1;
            continue;
        }
        snprintf(opt, sizeof(opt), "%.*s", eq && arg[0] == '-' ? (int)(eq - arg) : (int)strlen(arg), arg);
        if (!takes_value(opt))
            return cli_usage_error(CMD, arg[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", arg);
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return cli_usage_error(CMD, "%s needs a value", opt);
        int rc = apply_option(o, opt, val);
        if (rc)
            return rc;
    }
    /* The scan bisects every change of the switch step between the limits, and that count grows with the steps:
     * 1000 steps take a third of a second, 10000 half a minute. Sampling schedules have tens of steps. */
    if (o->switch_at && o->p.steps > SWITCH_AT_MAX_STEPS)
        return cli_usage_error(CMD, "--switch-at works with --steps up to %d (got %d)", SWITCH_AT_MAX_STEPS,
                               o->p.steps);
    if (o->switch_at > o->p.steps + 1)
        return cli_usage_error(CMD, "--switch-at must be a step number from 1 to %d (N+1 with --steps %d; got %d)",
                               o->p.steps + 1, o->p.steps, o->switch_at);
    if (!(o->shift_min < o->shift_max))
        return cli_usage_error(CMD, "--shift-min (%g) must be below --shift-max (%g)", o->shift_min, o->shift_max);
    const char *why = wp_schedule_params_check(&o->p);
    return why ? cli_usage_error(CMD, "%s", why) : 0;
}

/* "1st", "2nd", "3rd", "4th", "11th", "22nd", ... */
static const char *ordinal(int n, char *buf, size_t cap)
{
    int mod100 = n % 100, mod10 = n % 10;
    const char *suf = (mod100 >= 11 && mod100 <= 13) ? "th"
                      : mod10 == 1                   ? "st"
                      : mod10 == 2                   ? "nd"
                      : mod10 == 3                   ? "rd"
                                                     : "th";
    snprintf(buf, cap, "%d%s", n, suf);
    return buf;
}

static int integer_timesteps(const wp_schedule_params *p)
{
    return p->sampler != WP_SAMPLER_DIFFUSERS_EULER;
}

static void format_timestep(const wp_schedule_params *p, const wp_schedule_step *st, char *buf, size_t cap)
{
    if (integer_timesteps(p))
        snprintf(buf, cap, "%lld", (long long)st->timestep_int);
    else
        snprintf(buf, cap, "%.4f", st->timestep);
}

static void print_header(const wp_schedule_params *p)
{
    printf("sampler: %s (%s)\n", wp_sampler_name(p->sampler), wp_sampler_describe(p->sampler));
    printf("steps: %d, train steps T: %d, boundary: %g (the high-noise expert runs while timestep >= %g)\n",
           p->steps, p->train_steps, p->boundary, p->boundary * p->train_steps);
}

static void print_switch_line(const wp_schedule_params *p, const wp_schedule_step *st, int first_low)
{
    char ord[32], ts[64];
    if (first_low >= p->steps) {
        printf("first low-noise step: none (all %d steps run the high-noise expert)\n", p->steps);
        return;
    }
    format_timestep(p, &st[first_low], ts, sizeof(ts));
    printf("first low-noise step: index %d (the %s step), t=%s", first_low, ordinal(first_low + 1, ord, sizeof(ord)),
           ts);
    if (first_low > 0) {
        format_timestep(p, &st[first_low - 1], ts, sizeof(ts));
        printf("; last high-noise step: index %d, t=%s (boundary %g)", first_low - 1, ts,
               p->boundary * p->train_steps);
    }
    printf("\n");
}

static void print_table(const wp_schedule_params *p, const wp_schedule_step *st, int first_low)
{
    print_header(p);
    printf("shift: %g\n\n", p->shift);
    printf("%6s %6s %12s %14s %10s  %s\n", "index", "step", "timestep", "sigma*T", "sigma", "expert");
    for (int i = 0; i < p->steps; i++) {
        char ts[64];
        format_timestep(p, &st[i], ts, sizeof(ts));
        printf("%6d %6d %12s %14.6f %10.7f  %s\n", i, i + 1, ts, st[i].timestep_raw, st[i].sigma,
               wp_expert_name(st[i].expert));
    }
    printf("(index counts from 0, step from 1 as a progress bar does; timestep and sigma*T are in training steps,\n"
           " 0 to %d; sigma is the scheduler's float32 noise level, 0 to 1)\n\n",
           p->train_steps);
    print_switch_line(p, st, first_low);
}

static void json_params(json_out *j, const wp_schedule_params *p)
{
    json_key_string(j, "sampler", wp_sampler_name(p->sampler));
    json_key_string(j, "sampler_description", wp_sampler_describe(p->sampler));
    json_key_int(j, "steps", p->steps);
    json_key_double(j, "boundary", p->boundary);
    json_key_int(j, "train_steps", p->train_steps);
    json_key_double(j, "boundary_timestep", p->boundary * p->train_steps);
}

static void json_schedule(const wp_schedule_params *p, const wp_schedule_step *st, int first_low)
{
    json_out j;
    json_document_begin(&j, stdout, "wanprof.schedule/1");
    json_key_string(&j, "mode", "schedule");
    json_params(&j, p);
    json_key_double(&j, "shift", p->shift);
    json_key_string(&j, "timestep_type", integer_timesteps(p) ? "int64" : "float32");
    json_key(&j, "schedule");
    json_begin_array(&j);
    for (int i = 0; i < p->steps; i++) {
        json_begin_object(&j);
        json_key_int(&j, "index", i);
        json_key_int(&j, "step", i + 1);
        if (integer_timesteps(p))
            json_key_int(&j, "timestep", st[i].timestep_int);
        else
            json_key_double(&j, "timestep", st[i].timestep);
        json_key_double(&j, "timestep_raw", st[i].timestep_raw);
        json_key_double(&j, "sigma", st[i].sigma);
        json_key_string(&j, "expert", wp_expert_name(st[i].expert));
        json_end_object(&j);
    }
    json_end_array(&j);
    json_key(&j, "first_low_noise");
    if (first_low < p->steps) {
        json_begin_object(&j);
        json_key_int(&j, "index", first_low);
        json_key_int(&j, "step", first_low + 1);
        json_key_double(&j, "timestep", st[first_low].timestep);
        json_end_object(&j);
    } else {
        json_null(&j);
    }
    json_end_object(&j);
    printf("\n");
}

static int run_schedule(const options *o)
{
    wp_schedule_step *st = calloc((size_t)o->p.steps, sizeof(*st));
    if (!st) {
        fprintf(stderr, "wanprof %s: out of memory for %d steps\n", CMD, o->p.steps);
        return EXIT_BAD_INPUT;
    }
    int rc = wp_schedule_compute(&o->p, st);
    if (rc == 0) {
        int first_low = wp_schedule_first_low(&o->p);
        if (o->json)
            json_schedule(&o->p, st, first_low);
        else
            print_table(&o->p, st, first_low);
    } else {
        fprintf(stderr, "wanprof %s: %s\n", CMD, wp_schedule_params_check(&o->p));
    }
    free(st);
    return rc == 0 ? EXIT_OK : EXIT_USAGE;
}

static void json_switch(const options *o, const wp_shift_range *r, int n)
{
    json_out j;
    json_document_begin(&j, stdout, "wanprof.schedule/1");
    json_key_string(&j, "mode", "switch-at");
    json_params(&j, &o->p);
    json_key(&j, "switch_at");
    json_begin_object(&j);
    json_key_int(&j, "index", o->switch_at - 1);
    json_key_int(&j, "step", o->switch_at);
    json_key_bool(&j, "never_switches", o->switch_at - 1 == o->p.steps);
    json_key_double(&j, "shift_min", o->shift_min);
    json_key_double(&j, "shift_max", o->shift_max);
    json_key(&j, "ranges");
    json_begin_array(&j);
    for (int i = 0; i < n; i++) {
        json_begin_object(&j);
        json_key_double(&j, "lo", r[i].lo);
        json_key_double(&j, "hi", r[i].hi);
        json_key_bool(&j, "lo_at_limit", r[i].lo_at_limit);
        json_key_bool(&j, "hi_at_limit", r[i].hi_at_limit);
        const wp_known_shift *k = wp_schedule_known_shift_in(&r[i]);
        json_key(&j, "known_shift");
        if (k) {
            json_begin_object(&j);
            json_key_double(&j, "shift", k->shift);
            json_key_string(&j, "where", k->where);
            json_end_object(&j);
        } else {
            json_null(&j);
        }
        json_end_object(&j);
    }
    json_end_array(&j);
    json_end_object(&j);
    json_end_object(&j);
    printf("\n");
}

static void print_switch(const options *o, const wp_shift_range *r, int n)
{
    char ord[32];
    print_header(&o->p);
    if (o->switch_at - 1 == o->p.steps)
        printf("\nshifts under which no step is low-noise (scanned %g to %g):\n", o->shift_min, o->shift_max);
    else
        printf("\nshifts making index %d (the %s step) the first low-noise step (scanned %g to %g):\n",
               o->switch_at - 1, ordinal(o->switch_at, ord, sizeof(ord)), o->shift_min, o->shift_max);
    for (int i = 0; i < n; i++) {
        const wp_known_shift *k = wp_schedule_known_shift_in(&r[i]);
        printf("  shift in [%.6f, %.6f%s%s%s\n", r[i].lo, r[i].hi, r[i].hi_at_limit ? "]" : ")",
               r[i].lo_at_limit ? "  (already at --shift-min: may extend lower)" : "",
               r[i].hi_at_limit ? "  (still at --shift-max: may extend higher)" : "");
        if (k)
            printf("    includes shift %g: %s\n", k->shift, k->where);
    }
    if (n == 0 && o->switch_at - 1 == o->p.steps)
        printf("  none: every shift in [%g, %g] has a low-noise step\n", o->shift_min, o->shift_max);
    else if (n == 0)
        printf("  none: no shift in [%g, %g] puts the first low-noise step there\n", o->shift_min, o->shift_max);
    if (o->shift_given) {
        wp_schedule_params q = o->p;
        int fl = wp_schedule_first_low(&q);
        if (fl >= q.steps)
            printf("(for comparison, shift %g gives no low-noise step)\n", q.shift);
        else
            printf("(for comparison, shift %g gives index %d, the %s step)\n", q.shift, fl,
                   ordinal(fl + 1, ord, sizeof(ord)));
    }
}

static int run_switch_at(const options *o)
{
    enum { MAX_RANGES = 64 };
    wp_shift_range r[MAX_RANGES];
    int n = 0;
    if (wp_schedule_invert(&o->p, o->switch_at - 1, o->shift_min, o->shift_max, r, MAX_RANGES, &n) != 0)
        return cli_usage_error(CMD, "cannot invert with these options");
    if (n > MAX_RANGES)
        n = MAX_RANGES;
    if (o->json)
        json_switch(o, r, n);
    else
        print_switch(o, r, n);
    return n > 0 ? EXIT_OK : EXIT_BAD_INPUT;
}

int cmd_schedule(int argc, char **argv)
{
    options o = {.shift_min = WP_SCHEDULE_INVERT_MIN, .shift_max = WP_SCHEDULE_INVERT_MAX};
    wp_schedule_params_default(&o.p);
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc;
    return o.switch_at ? run_switch_at(&o) : run_schedule(&o);
}
