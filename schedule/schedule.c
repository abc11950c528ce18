/* schedule.c: the four Wan2.2 timestep schedules, step by step, with the reference's precision at every operation.
 * float32 tensor arithmetic is emulated as the double operation rounded to float: for +, -, *, / on float operands
 * that gives the correctly rounded float result (double has more than 2*24+2 bits), so no FLT_EVAL_METHOD or FMA
 * surprise can change a tie. The build compiles this file with -ffp-contract=off for the float64 parts. */
#include "schedule.h"

#include <math.h>
#include <string.h>

#include "../core/diag.h"

static const struct {
    const char *name;
    const char *describe;
} samplers[WP_SAMPLER_COUNT] = {
    [WP_SAMPLER_WAN] = {"wan", "Wan2.2 FlowUniPCMultistepScheduler(shift=1), set_timesteps(N, shift=s): sigma_max "
                               "0.999, shifted once, int64 timesteps"},
    [WP_SAMPLER_SGLANG] = {"sglang", "SGLang FlowUniPCMultistepScheduler(shift=s), set_timesteps(N): sigma_max "
                                     "shifted twice, int64 timesteps"},
    [WP_SAMPLER_DIFFUSERS_UNIPC] = {"diffusers-unipc", "diffusers UniPCMultistepScheduler(use_flow_sigmas=True, "
                                                       "flow_shift=s): sigma from 1 to 1/T, int64 timesteps"},
    [WP_SAMPLER_DIFFUSERS_EULER] = {"diffusers-euler", "diffusers FlowMatchEulerDiscreteScheduler(shift=s): "
                                                       "sigma_min shifted twice, float32 timesteps"},
};

const char *wp_sampler_name(wp_sampler s)
{
    return (unsigned)s < WP_SAMPLER_COUNT ? samplers[s].name : NULL;
}

const char *wp_sampler_describe(wp_sampler s)
{
    return (unsigned)s < WP_SAMPLER_COUNT ? samplers[s].describe : NULL;
}

int wp_sampler_parse(const char *name, wp_sampler *out)
{
    for (int i = 0; name && i < WP_SAMPLER_COUNT; i++) {
        if (strcmp(name, samplers[i].name) == 0) {
            *out = (wp_sampler)i;
            return 0;
        }
    }
    return -1;
}

const char *wp_expert_name(wp_expert e)
{
    return e == WP_EXPERT_LOW_NOISE ? "low-noise" : "high-noise";
}

void wp_schedule_params_default(wp_schedule_params *p)
{
    p->sampler = WP_SAMPLER_WAN;
    p->steps = WP_SCHEDULE_DEFAULT_STEPS;
    p->shift = WP_SCHEDULE_DEFAULT_SHIFT;
    p->boundary = WP_SCHEDULE_DEFAULT_BOUNDARY;
    p->train_steps = WP_SCHEDULE_DEFAULT_TRAIN_STEPS;
}

const char *wp_schedule_params_check(const wp_schedule_params *p)
{
    if (!p)
        return "no schedule parameters";
    if ((unsigned)p->sampler >= WP_SAMPLER_COUNT)
        return "unknown sampler";
    if (p->steps < 1 || p->steps > WP_SCHEDULE_MAX_STEPS)
        return "steps must be an integer from 1 to 100000";
    if (!(p->shift >= WP_SCHEDULE_MIN_SHIFT) || !(p->shift <= WP_SCHEDULE_MAX_SHIFT))
        return "shift must be a number from 0.01 to 1e6";
    if (!(p->boundary >= 0) || !(p->boundary <= 1))
        return "boundary must be a ratio from 0 to 1";
    if (p->train_steps < 1 || p->train_steps > WP_SCHEDULE_MAX_TRAIN_STEPS)
        return "train steps must be an integer from 1 to 10000000";
    return NULL;
}

/* Rounds to float32 (round to nearest even), as a torch float32 tensor or numpy astype(float32) stores x. */
static double f32(double x)
{
    return (double)(float)x;
}

/* The flow shift s*x / (1 + (s-1)*x) in float64, as numpy evaluates it with a Python-float shift. */
static double shift64(double s, double x)
{
    double num = s * x;
    double den = 1.0 + (s - 1.0) * x;
    return num / den;
}

/* The same on a float32 tensor: torch casts the Python-float shift (and s - 1) to float32, rounds every op. */
static double shift32(double s, double x)
{
    double num = f32(f32(s) * x);
    double den = f32(1.0 + f32(f32(s - 1.0) * x));
    return f32(num / den);
}

/* numpy.linspace(start, stop, num)[i] (endpoint=True, float64) as numpy computes it: i*step + start with
 * step = (stop - start) / (num - 1), the last element set to stop exactly. */
static double linspace_at(double start, double stop, int num, int i)
{
    int div = num - 1;
    double delta = stop - start;
    if (div <= 0)
        return 0.0 * delta + start;
    if (i == div)
        return stop;
    double step = delta / div;
    if (step == 0)
        return ((double)i / div) * delta + start;
    return (double)i * step + start;
}

/* What every step of one schedule shares: the linspace the reference builds. */
typedef struct plan {
    wp_sampler sampler;
    double s, T;
    double start, stop; /* the linspace's ends */
    int num;            /* its length (N+1 for the UniPC samplers, whose last point is dropped; N for Euler) */
} plan;

static void plan_init(plan *pl, const wp_schedule_params *p)
{
    double s = p->shift, T = p->train_steps;
    pl->sampler = p->sampler;
    pl->s = s;
    pl->T = T;
    pl->num = p->steps + 1;
    switch (p->sampler) {
    case WP_SAMPLER_WAN:    /* training sigmas 1 - linspace(1, 1/T, T)[::-1] in float32, shift=1 leaves them */
    case WP_SAMPLER_SGLANG: /* ... which shift=s shifts in float32 at construction */
        pl->start = f32(1.0 - 1.0 / T);
        pl->stop = 0.0;
        if (p->sampler == WP_SAMPLER_SGLANG) {
            pl->start = shift32(s, pl->start);
            pl->stop = shift32(s, pl->stop);
        }
        break;
    case WP_SAMPLER_DIFFUSERS_UNIPC:
        pl->start = 1.0;
        pl->stop = 1.0 / T;
        break;
    default: /* WP_SAMPLER_DIFFUSERS_EULER: training sigmas linspace(1, T, T, float32)[::-1] / T, shifted in float32 */
        pl->start = shift32(s, f32(f32(T) / T)) * T;
        pl->stop = shift32(s, f32(1.0 / T)) * T;
        pl->num = p->steps;
        break;
    }
}

static void plan_step(const plan *pl, int i, double boundary_t, wp_schedule_step *out)
{
    double x = linspace_at(pl->start, pl->stop, pl->num, i);
    if (pl->sampler == WP_SAMPLER_DIFFUSERS_EULER) {
        double sigma = shift64(pl->s, x / pl->T);
        out->sigma = f32(sigma);
        out->timestep_raw = sigma * pl->T;
        out->timestep = f32(out->sigma * pl->T);
    } else {
        double sigma = shift64(pl->s, x);
        if (pl->sampler == WP_SAMPLER_DIFFUSERS_UNIPC && i == 0 && fabs(sigma - 1.0) < 1e-6)
            sigma -= 1e-6; /* diffusers keeps log(alpha) finite in the first UniPC update */
        out->sigma = f32(sigma);
        out->timestep_raw = sigma * pl->T;
        out->timestep = trunc(out->timestep_raw);
    }
    out->timestep_int = (int64_t)out->timestep;
    out->expert = out->timestep >= boundary_t ? WP_EXPERT_HIGH_NOISE : WP_EXPERT_LOW_NOISE;
}

int wp_schedule_step_at(const wp_schedule_params *p, int i, wp_schedule_step *out)
{
    if (wp_schedule_params_check(p) || i < 0 || i >= p->steps || !out)
        return WP_ERR_USAGE;
    plan pl;
    plan_init(&pl, p);
    plan_step(&pl, i, p->boundary * p->train_steps, out);
    return WP_OK;
}

int wp_schedule_compute(const wp_schedule_params *p, wp_schedule_step *out)
{
    if (wp_schedule_params_check(p) || !out)
        return WP_ERR_USAGE;
    plan pl;
    plan_init(&pl, p);
    for (int i = 0; i < p->steps; i++)
        plan_step(&pl, i, p->boundary * p->train_steps, &out[i]);
    return WP_OK;
}

int wp_schedule_first_low(const wp_schedule_params *p)
{
    if (wp_schedule_params_check(p))
        return WP_ERR_USAGE;
    plan pl;
    plan_init(&pl, p);
    wp_schedule_step st;
    for (int i = 0; i < p->steps; i++) {
        plan_step(&pl, i, p->boundary * p->train_steps, &st);
        if (st.expert == WP_EXPERT_LOW_NOISE)
            return i;
    }
    return p->steps;
}
