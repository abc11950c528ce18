/* cmd_schedule.c: `wanprof schedule`: the timesteps and expert of every denoising step for one of the Wan2.2
 * samplers, or (--switch-at K) the flow shifts under which the expert switch lands on the K-th step. The numbers come
 * from schedule/ (libwpschedule); this file parses options and prints. */
#include <math.h>
#include <stddef.h>
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
    "@usage\n"
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
    "@options\n"
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


static const char *CMD = "schedule";

typedef struct options {
    wp_schedule_params p;
    int sampler;     /* --sampler, a wp_sampler */
    double shift;    /* --shift; NAN when not given */
    int shift_given; /* --shift was on the command line */
    int switch_at;   /* 1-indexed K; 0 when not asked */
    double shift_min, shift_max;
    int json;
} options;

/* A number macro as text, for help strings that quote a limit. */
#define WP_STR2(x) #x
#define WP_STR(x) WP_STR2(x)

#define AT(field) offsetof(options, field)

const wp_option cmd_schedule_options[] = {
    {.kind = WP_OPT_ENUM, .name = "sampler", .offset = AT(sampler), .arg = "NAME", .word = cli_sampler_word,
     .parse = cli_sampler_value, .help = "whose timesteps (default wan)"},
    {.kind = WP_OPT_INT, .name = "steps", .offset = AT(p.steps), .arg = "N", .min = 1, .max = WP_SCHEDULE_MAX_STEPS,
     .help = "inference steps (default 27)"},
    {.kind = WP_OPT_DOUBLE, .name = "shift", .offset = AT(shift), .arg = "S", .min = WP_SCHEDULE_MIN_SHIFT,
     .max = WP_SCHEDULE_MAX_SHIFT,
     .help = "flow shift (default 12.0, the configured flow_shift of Wan2.2-T2V-A14B; the 480P base config and "
             "SGLang's fallback for unrecognised local model paths use 3.0)"},
    {.kind = WP_OPT_DOUBLE, .name = "boundary", .offset = AT(p.boundary), .arg = "B", .min = 0, .max = 1,
     .help = "boundary ratio (default 0.875, Wan2.2-T2V-A14B)"},
    {.kind = WP_OPT_INT, .name = "train-steps", .offset = AT(p.train_steps), .arg = "T", .min = 1,
     .max = WP_SCHEDULE_MAX_TRAIN_STEPS, .help = "training timesteps (default 1000)"},
    {.kind = WP_OPT_INT, .name = "switch-at", .offset = AT(switch_at), .arg = "K", .min = 1,
     .max = WP_SCHEDULE_MAX_STEPS + 1,
     .help = "print the shift range(s) making step K (1-indexed, 1 to N+1) the first low-noise step (with --steps "
             "up to " WP_STR(WP_SCHEDULE_INVERT_MAX_STEPS) ")"},
    {.kind = WP_OPT_DOUBLE, .name = "shift-min", .offset = AT(shift_min), .arg = "S", .min = WP_SCHEDULE_MIN_SHIFT,
     .max = WP_SCHEDULE_MAX_SHIFT, .help = "lower end of the --switch-at scan (default 0.1)"},
    {.kind = WP_OPT_DOUBLE, .name = "shift-max", .offset = AT(shift_max), .arg = "S", .min = WP_SCHEDULE_MIN_SHIFT,
     .max = WP_SCHEDULE_MAX_SHIFT, .help = "upper end of the --switch-at scan (default 100)"},
    {.kind = WP_OPT_FLAG, .name = "json", .offset = AT(json),
     .help = "machine-readable output (schemas/schedule.schema.json)"},
    {0},
};

/* Parses argv into o; returns 0, WP_OPTS_HELP, or the exit status of a usage error. */
static int parse_options(int argc, char **argv, options *o)
{
    int nargs;
    int rc = wp_options_parse(CMD, cmd_schedule_options, o, 0, argc, argv, &nargs);
    if (rc != WP_OPTS_OK)
        return rc;
    if (nargs)
        return cli_usage_error(CMD, "unexpected argument '%s' (schedule reads no files)", argv[1]);
    o->p.sampler = (wp_sampler)o->sampler;
    o->shift_given = !isnan(o->shift);
    if (o->shift_given)
        o->p.shift = o->shift;
    /* Sampling schedules have tens of steps; the search's cost grows with the square of the steps (schedule.h). */
    if (o->switch_at && o->p.steps > WP_SCHEDULE_INVERT_MAX_STEPS)
        return cli_usage_error(CMD, "--switch-at works with --steps up to %d (got %d)", WP_SCHEDULE_INVERT_MAX_STEPS,
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

/* Every range is printed: when more are found than the first guess holds, the scan runs again with room for all. */
static int run_switch_at(const options *o)
{
    int cap = 64, n = 0;
    wp_shift_range *r = NULL;
    for (;;) {
        wp_shift_range *grown = realloc(r, (size_t)cap * sizeof(*r));
        if (!grown) {
            free(r);
            fprintf(stderr, "wanprof %s: out of memory for %d shift ranges\n", CMD, cap);
            return EXIT_BAD_INPUT;
        }
        r = grown;
        if (wp_schedule_invert(&o->p, o->switch_at - 1, o->shift_min, o->shift_max, r, cap, &n) != 0) {
            free(r);
            return cli_usage_error(CMD, "cannot invert with these options");
        }
        if (n <= cap)
            break;
        cap = n;
    }
    if (o->json)
        json_switch(o, r, n);
    else
        print_switch(o, r, n);
    free(r);
    return n > 0 ? EXIT_OK : EXIT_BAD_INPUT;
}

int cmd_schedule(int argc, char **argv)
{
    options o = {.shift = NAN, .shift_min = WP_SCHEDULE_INVERT_MIN, .shift_max = WP_SCHEDULE_INVERT_MAX};
    wp_schedule_params_default(&o.p);
    o.sampler = (int)o.p.sampler;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc == WP_OPTS_HELP ? EXIT_OK : rc;
    return o.switch_at ? run_switch_at(&o) : run_schedule(&o);
}
