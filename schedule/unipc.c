/* unipc.c: UniPC plans and coefficients (see unipc.h). Line numbers refer to diffusers'
 * scheduling_unipc_multistep.py at 58eb52c0 (multistep_uni_p_bh_update, multistep_uni_c_bh_update, step). */
#include <math.h>
#include "unipc.h"

#define SOLVER_ORDER 2

/* _sigma_to_alpha_sigma_t with flow sigmas: alpha = 1 - sigma; lambda = log(alpha) - log(sigma). */
static float lambda_of(float sigma) { return logf(1.0f - sigma) - logf(sigma); }

void wp_unipc_coefficients(float sigma_t, float sigma_s0, float sigma_s1, int order, int corrector,
                           wp_unipc_coef *c) {
    float alpha_t = 1.0f - sigma_t;
    float lambda_s0 = lambda_of(sigma_s0);
    float h = lambda_of(sigma_t) - lambda_s0; /* +inf for the final sigma 0: the update returns m0 */
    float hh = -h;                            /* predict_x0 */
    float h_phi_1 = expm1f(hh);
    float B_h = expm1f(hh); /* bh2 */
    c->cx = sigma_t / sigma_s0;
    c->cm = alpha_t * h_phi_1;
    c->cb = alpha_t * B_h;
    c->rk = order == 2 ? (lambda_of(sigma_s1) - lambda_s0) / h : 1.0f;
    c->rho_d1 = 0.0f;
    c->rho_t = 0.0f;
    if (!corrector) {
        if (order == 2) c->rho_d1 = 0.5f; /* rhos_p = 0.5 for order 2 */
        return;
    }
    if (order == 1) { /* rhos_c = 0.5 */
        c->rho_t = 0.5f;
        return;
    }
    /* b_k = h_phi_k * k! / B_h with h_phi_1' = h_phi_1 / hh - 1, h_phi_2' = h_phi_1' / hh - 1/2;
     * R = [[1, 1], [rk, 1]]; rhos_c = solve(R, b). */
    float h_phi_k = h_phi_1 / hh - 1.0f;
    float b0 = h_phi_k * 1.0f / B_h;
    h_phi_k = h_phi_k / hh - 1.0f / 2.0f;
    float b1 = h_phi_k * 2.0f / B_h;
    double rho0 = ((double)b0 - b1) / (1.0 - c->rk);
    c->rho_d1 = (float)rho0;
    c->rho_t = (float)((double)b0 - rho0);
}

/* this_order of step i: lower_order_final caps it at the steps left, the warm-up at lower_order_nums + 1. */
static int order_of(int steps, int i) {
    int order = steps - i < SOLVER_ORDER ? steps - i : SOLVER_ORDER;
    int lower_order_nums = i < SOLVER_ORDER ? i : SOLVER_ORDER;
    return order < lower_order_nums + 1 ? order : lower_order_nums + 1;
}

void wp_unipc_plan_step(const float *sig, int steps, int i, wp_unipc_plan *p) {
    p->corrector = i > 0;
    p->corrector_order = 0;
    if (p->corrector) {
        p->corrector_order = order_of(steps, i - 1); /* the corrector reuses the previous step's order */
        wp_unipc_coefficients(sig[i], sig[i - 1], p->corrector_order == 2 ? sig[i - 2] : 0.0f, p->corrector_order,
                              1, &p->corr);
    }
    p->order = order_of(steps, i);
    wp_unipc_coefficients(sig[i + 1], sig[i], p->order == 2 ? sig[i - 1] : 0.0f, p->order, 0, &p->pred);
}
