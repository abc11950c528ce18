/* unipc.h: the UniPC multistep update of the Wan samplers as a plan per step: which terms, which order, which
 * coefficients. diffusers' UniPCMultistepScheduler (schedulers/scheduling_unipc_multistep.py) with
 * prediction_type "flow_prediction", use_flow_sigmas, solver_order 2, solver_type "bh2", predict_x0,
 * lower_order_final and final sigma 0 (Wan's and SGLang's FlowUniPC schedulers are copies of it with their own
 * sigmas). The coefficients are computed in float32, as the reference computes them with 0-dim float32 tensors.
 * Applying a plan to vectors (the runner does it on the GPU) is, per element, in the reference's operation order:
 *   x0    = sample - sigma_i * model_output                   (convert_model_output)
 *   corrector (i > 0): sample = cx*last - cm*m0 - cb*(rho_d1*((m1 - m0)/rk) + rho_t*(x0 - m0))
 *             with m0, m1 the two previous x0 (m1 term only in order 2)
 *   then the x0 history shifts (m1 <- m0, m0 <- x0) and last = sample
 *   predictor: next = cx*sample - cm*m0 - cb*(rho_d1*((m1 - m0)/rk))   (order 1: next = cx*sample - cm*m0)
 * No I/O, no allocation. */
#ifndef WP_SCHEDULE_UNIPC_H
#define WP_SCHEDULE_UNIPC_H

typedef struct wp_unipc_coef {
    float cx, cm, cb; /* sigma_t / sigma_s0, alpha_t * h_phi_1, alpha_t * B_h */
    float rk;         /* (lambda_s1 - lambda_s0) / h (order 2; 1 otherwise) */
    float rho_d1;     /* weight of the older model output's difference (order 2) */
    float rho_t;      /* weight of the new model output's difference (corrector only) */
} wp_unipc_coef;

typedef struct wp_unipc_plan {
    int corrector;          /* 1 when step i refines its sample first (every step but the first) */
    int corrector_order;    /* 1 or 2 */
    wp_unipc_coef corr;
    int order;              /* the predictor's order, 1 or 2 */
    wp_unipc_coef pred;
} wp_unipc_plan;

/* The plan of step i (0 <= i < steps) given the float32 sigmas of the schedule, sigmas[0..steps] with
 * sigmas[steps] = 0. A pure function of its arguments. */
void wp_unipc_plan_step(const float *sigmas, int steps, int i, wp_unipc_plan *out);

/* One update's coefficients: to sigma_t from sigma_s0 (sigma_s1: the one before, used in order 2); corrector 1 for
 * the corrector's weights (a 2x2 solve in order 2; rho_t = 0.5 in order 1), 0 for the predictor's (rho_d1 = 0.5). */
void wp_unipc_coefficients(float sigma_t, float sigma_s0, float sigma_s1, int order, int corrector,
                           wp_unipc_coef *out);

#endif
