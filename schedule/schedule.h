/* schedule.h: the Wan2.2 sampler timesteps, the expert that runs each step, and the inverse question "which flow
 * shifts put the expert switch at step K?". Shared by `wanprof schedule`, the analyzer's schedule check and the runner.
 * No I/O and no allocation: callers own every buffer.
 *
 * The four samplers, each reproducing its reference's arithmetic (float64 numpy, float32 torch, int64 truncation),
 * because a timestep that lands exactly on the boundary (shift 12, 27 steps: t = 875) decides the switch step:
 *   wan              Wan2.2 wan/utils/fm_solvers_unipc.py: FlowUniPCMultistepScheduler(shift=1) then
 *                    set_timesteps(N, shift=s): sigma = linspace(f32(1 - 1/T), 0, N+1)[:-1] (float64), shifted once
 *                    s*x/(1+(s-1)*x), t = int64(sigma*T).
 *   sglang           SGLang multimodal_gen scheduling_flow_unipc_multistep.py as its Wan pipeline uses it:
 *                    FlowUniPCMultistepScheduler(shift=s) shifts the float32 training sigmas (so sigma_max becomes
 *                    shift32(s, f32(1 - 1/T))), then set_timesteps(N) shifts the float64 linspace again.
 *   diffusers-unipc  diffusers UniPCMultistepScheduler(use_flow_sigmas=True, flow_shift=s):
 *                    sigma = linspace(1, 1/T, N+1)[:-1], shifted once, sigma[0] -= 1e-6 when it is within 1e-6 of 1,
 *                    t = int64(sigma*T).
 *   diffusers-euler  diffusers FlowMatchEulerDiscreteScheduler(shift=s): the float32 training sigmas are shifted at
 *                    construction, set_timesteps(N) takes linspace(sigma_max*T, sigma_min*T, N) (N points, the last one
 *                    the shifted sigma_min), divides by T, shifts again in float64, casts to float32 and keeps float
 *                    timesteps t = f32(sigma32 * T).
 * Every sampler stores its sigmas as float32. The expert rule is the one Wan, diffusers and SGLang share:
 * t >= boundary * T runs the high-noise expert, anything below the low-noise one. */
#ifndef WP_SCHEDULE_H
#define WP_SCHEDULE_H

#include <stdint.h>

typedef enum wp_sampler {
    WP_SAMPLER_WAN = 0,          /* "wan" */
    WP_SAMPLER_SGLANG,           /* "sglang" */
    WP_SAMPLER_DIFFUSERS_UNIPC,  /* "diffusers-unipc" */
    WP_SAMPLER_DIFFUSERS_EULER,  /* "diffusers-euler" */
    WP_SAMPLER_COUNT
} wp_sampler;

typedef enum wp_expert {
    WP_EXPERT_HIGH_NOISE = 0, /* t >= boundary * T: the first model ("transformer" in diffusers) */
    WP_EXPERT_LOW_NOISE = 1,  /* t <  boundary * T: the second model ("transformer_2") */
} wp_expert;

/* The defaults, as wp_schedule_params_default() sets them: Wan2.2-T2V-A14B as configured (flow_shift 12,
 * boundary_ratio 0.875), 27 steps, the original Wan sampler. */
#define WP_SCHEDULE_DEFAULT_STEPS 27
#define WP_SCHEDULE_DEFAULT_SHIFT 12.0
#define WP_SCHEDULE_DEFAULT_BOUNDARY 0.875
#define WP_SCHEDULE_DEFAULT_TRAIN_STEPS 1000
#define WP_SCHEDULE_MAX_STEPS 100000
#define WP_SCHEDULE_MAX_TRAIN_STEPS 10000000
#define WP_SCHEDULE_MAX_SHIFT 1e6
/* Below this the float32 arithmetic of the references (FlowMatchEuler's double shift above all) gives negative or NaN
 * sigmas: no schedule, only noise. Wan's shifts are 1 to 17. */
#define WP_SCHEDULE_MIN_SHIFT 0.01

typedef struct wp_schedule_params {
    wp_sampler sampler;
    int steps;       /* inference steps N, 1..WP_SCHEDULE_MAX_STEPS */
    double shift;    /* flow shift s, WP_SCHEDULE_MIN_SHIFT to WP_SCHEDULE_MAX_SHIFT */
    double boundary; /* boundary ratio in [0, 1]: t >= boundary * train_steps runs the high-noise expert */
    int train_steps; /* num_train_timesteps T, 1..WP_SCHEDULE_MAX_TRAIN_STEPS (1000 for Wan) */
} wp_schedule_params;

typedef struct wp_schedule_step {
    double timestep;      /* what the model is given: an integer for wan/sglang/diffusers-unipc, float32 for euler */
    double timestep_raw;  /* sigma * T in float64 before the reference's int64 truncation or float32 cast */
    int64_t timestep_int; /* timestep truncated toward zero (== timestep for the integer samplers) */
    double sigma;         /* the scheduler's float32 sigma for this step, as a double */
    wp_expert expert;     /* which expert runs this step */
} wp_schedule_step;

/* A range of shifts [lo, hi) giving the wanted switch step (see wp_schedule_invert). */
typedef struct wp_shift_range {
    double lo;       /* smallest shift giving it (to ~1e-12 relative); the scan's lower limit when lo_at_limit */
    double hi;       /* smallest shift above lo that no longer gives it; the scan's upper limit when hi_at_limit */
    int lo_at_limit; /* 1: it already holds at the scan's lower limit, the true range may reach further down */
    int hi_at_limit; /* 1: it still holds at the scan's upper limit (hi is then included) */
} wp_shift_range;

/* "wan", "sglang", "diffusers-unipc", "diffusers-euler"; NULL for a value out of range. */
const char *wp_sampler_name(wp_sampler s);
/* A one-line description naming the reference implementation; NULL for a value out of range. */
const char *wp_sampler_describe(wp_sampler s);
/* Looks name up (exact, case-sensitive). Returns 0 and sets *out, or -1 for an unknown name (*out untouched). */
int wp_sampler_parse(const char *name, wp_sampler *out);
/* "high-noise" or "low-noise". */
const char *wp_expert_name(wp_expert e);

/* Fills p with the defaults above. */
void wp_schedule_params_default(wp_schedule_params *p);
/* NULL when p is valid, else a static message naming the bad field and its allowed range ("steps must be ..."). */
const char *wp_schedule_params_check(const wp_schedule_params *p);

/* Computes the p->steps steps into out (room for p->steps entries). Returns WP_OK (0), or WP_ERR_USAGE when
 * wp_schedule_params_check(p) rejects p (out untouched). */
int wp_schedule_compute(const wp_schedule_params *p, wp_schedule_step *out);
/* Computes step i (0-indexed, 0 <= i < p->steps) alone, in O(1). Returns WP_OK or WP_ERR_USAGE (bad p or i). */
int wp_schedule_step_at(const wp_schedule_params *p, int i, wp_schedule_step *out);
/* The 0-indexed first step run by the low-noise expert: p->steps when every step is high-noise; WP_ERR_USAGE
 * (negative) for bad p. Progress bars show it as step first_low + 1. */
int wp_schedule_first_low(const wp_schedule_params *p);

/* The inverse: every range of shifts s in [shift_min, shift_max] for which wp_schedule_first_low() of p with
 * p->shift = s equals first_low (0-indexed, 0..p->steps; p->shift itself is ignored). Scans a fine logarithmic grid
 * and bisects each change to the adjacent double, so the edges are exact to ~1e-12 relative; the set may in
 * principle be non-contiguous, so all ranges are returned, lowest first. Writes up to cap ranges to out (out may be
 * NULL when cap is 0) and the number found to *count (which may exceed cap). Returns WP_OK, or WP_ERR_USAGE for bad
 * p, first_low out of 0..steps, or limits not WP_SCHEDULE_MIN_SHIFT <= shift_min < shift_max <= WP_SCHEDULE_MAX_SHIFT. */
int wp_schedule_invert(const wp_schedule_params *p, int first_low, double shift_min, double shift_max,
                       wp_shift_range *out, int cap, int *count);

/* A flow shift that a known configuration sets, to name the likely cause of an observed switch step. */
typedef struct wp_known_shift {
    double shift;
    const char *where; /* which configurations use it, e.g. "Wan2.2-T2V-A14B as configured (...)" */
} wp_known_shift;

/* The known shifts, ascending; sets *out to the table and returns its length. */
int wp_schedule_known_shifts(const wp_known_shift **out);
/* The first known shift inside r ([lo, hi), hi included when hi_at_limit), or NULL. */
const wp_known_shift *wp_schedule_known_shift_in(const wp_shift_range *r);

/* The scan limits `wanprof schedule --switch-at` uses by default. */
#define WP_SCHEDULE_INVERT_MIN 0.1
#define WP_SCHEDULE_INVERT_MAX 100.0
/* The inversion bisects every change of the switch step between the limits, and their count grows with the steps, so
 * its time grows with the square of the steps: 1000 steps take a third of a second, 10000 half a minute. Every caller
 * (schedule --switch-at, explain's schedule check) searches only up to this many steps, and says so beyond it. */
#define WP_SCHEDULE_INVERT_MAX_STEPS 1000

#endif
