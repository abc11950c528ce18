/* schedule_known.c: the flow shifts that published Wan configurations set, so an observed switch step can be traced
 * to the configuration that produced it (the classic case: a 27-step T2V-A14B run switching on the 10th step used
 * the 480P base config's shift 3.0 instead of the model's 12.0). Sources: Wan2.2 wan/configs/wan_*.py (sample_shift),
 * SGLang multimodal_gen configs/pipeline_configs/wan.py (flow_shift). */
#include <stddef.h>

#include "schedule.h"

static const wp_known_shift known[] = {
    {1.0, "no shift: the schedulers' default when none is configured"},
    {3.0, "Wan2.1 T2V 480P base config (SGLang WanT2V480PConfig), which SGLang falls back to when it does not "
          "recognise a local model path; also Wan2.2 S2V-14B"},
    {5.0, "Wan 720P configs, Wan2.2 I2V-A14B, TI2V-5B and Animate-14B"},
    {12.0, "Wan2.2-T2V-A14B as configured (Wan sample_shift, SGLang Wan2_2_T2V_A14B_Config)"},
};

int wp_schedule_known_shifts(const wp_known_shift **out)
{
    *out = known;
    return (int)(sizeof(known) / sizeof(known[0]));
}

const wp_known_shift *wp_schedule_known_shift_in(const wp_shift_range *r)
{
    for (size_t i = 0; r && i < sizeof(known) / sizeof(known[0]); i++) {
        double s = known[i].shift;
        if (s >= r->lo && (s < r->hi || (r->hi_at_limit && s == r->hi)))
            return &known[i];
    }
    return NULL;
}
