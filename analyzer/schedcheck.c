/* schedcheck.c: the schedule check (see schedcheck.h). */
#include "schedcheck.h"

#include "fmt.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const cJSON *item(const cJSON *o, const char *const *keys)
{
    for (; *keys; keys++) {
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, *keys);
        if (it)
            return it;
    }
    return NULL;
}

int wp_schedcheck_parse_config(const char *json, wp_schedule_params *p)
{
    cJSON *root = cJSON_Parse(json);
    if (!root)
        return 0;
    const cJSON *o = root;
    const cJSON *nested = cJSON_GetObjectItemCaseSensitive(root, "schedule");
    if (cJSON_IsObject(nested))
        o = nested;
    static const char *const k_sampler[] = {"sampler", "scheduler", NULL},
                             *const k_shift[] = {"shift", "flow_shift", "sample_shift", NULL},
                             *const k_steps[] = {"steps", "num_inference_steps", "sample_steps", NULL},
                             *const k_boundary[] = {"boundary", "boundary_ratio", NULL};
    int found = 0;
    const cJSON *it = item(o, k_sampler);
    if (cJSON_IsString(it) && wp_sampler_parse(it->valuestring, &p->sampler) == 0)
        found++;
    it = item(o, k_shift);
    if (cJSON_IsNumber(it) && it->valuedouble > 0) {
        p->shift = it->valuedouble;
        found++;
    }
    it = item(o, k_steps);
    if (cJSON_IsNumber(it) && it->valuedouble >= 1) {
        p->steps = (int)it->valuedouble;
        found++;
    }
    it = item(o, k_boundary);
    if (cJSON_IsNumber(it) && it->valuedouble >= 0 && it->valuedouble <= 1) {
        p->boundary = it->valuedouble;
        found++;
    }
    cJSON_Delete(root);
    return found;
}

static int covers(const wp_shift_range *r, double s)
{
    return s >= r->lo && (s < r->hi || (r->hi_at_limit && s <= r->hi));
}

void wp_schedcheck_run(const wp_schedule_params *p, const char *from, int observed, wp_schedcheck *c)
{
    memset(c, 0, sizeof(*c));
    c->have = 1;
    c->p = *p;
    snprintf(c->from, sizeof(c->from), "%s", from);
    c->predicted = wp_schedule_first_low(p);
    c->observed = observed;
    if (observed < 0) {
        char o1[16];
        snprintf(c->note, sizeof(c->note),
                 "no expert switch was seen; sampler %s, shift %g, %d steps predicts the first low-noise step at "
                 "step %d (the %s step)",
                 wp_sampler_name(p->sampler), p->shift, p->steps, c->predicted,
                 wp_ordinal(c->predicted + 1, o1, sizeof(o1)));
        return;
    }
    c->matches = observed == c->predicted;
    if (c->matches) {
        char o1[16];
        snprintf(c->note, sizeof(c->note),
                 "the switch at step %d (the %s step) is where sampler %s with shift %g and %d steps puts it",
                 observed, wp_ordinal(observed + 1, o1, sizeof(o1)), wp_sampler_name(p->sampler), p->shift, p->steps);
        return;
    }
    int count = 0;
    c->searched = p->steps <= WP_SCHEDULE_INVERT_MAX_STEPS;
    if (c->searched && observed <= p->steps &&
        wp_schedule_invert(p, observed, WP_SCHEDULE_INVERT_MIN, WP_SCHEDULE_INVERT_MAX, c->ranges,
                           WP_SCHEDCHECK_MAX_RANGES, &count) == 0)
        c->nranges = count < WP_SCHEDCHECK_MAX_RANGES ? count : WP_SCHEDCHECK_MAX_RANGES;
    char shifts[160];
    if (!c->searched)
        snprintf(shifts, sizeof(shifts), "were not searched for step %d: the search works with up to %d steps "
                 "(got %d)", observed, WP_SCHEDULE_INVERT_MAX_STEPS, p->steps);
    else if (!c->nranges)
        snprintf(shifts, sizeof(shifts), "in [%g, %g]: none gives step %d", WP_SCHEDULE_INVERT_MIN,
                 WP_SCHEDULE_INVERT_MAX, observed);
    else {
        size_t used = 0;
        for (int i = 0; i < c->nranges && used < sizeof(shifts); i++)
            used += (size_t)snprintf(shifts + used, sizeof(shifts) - used, "%s[%.3g, %.3g)", i ? ", " : "",
                                     c->ranges[i].lo, c->ranges[i].hi);
        if (count > c->nranges && used < sizeof(shifts)) /* the ranges kept are the lowest: say how many more */
            used += (size_t)snprintf(shifts + used, sizeof(shifts) - used, " and %d more", count - c->nranges);
        if (used < sizeof(shifts))
            snprintf(shifts + used, sizeof(shifts) - used, " give step %d", observed);
    }
    int three = 0;
    for (int i = 0; i < c->nranges; i++)
        three |= covers(&c->ranges[i], 3.0);
    char o1[16], o2[16];
    snprintf(c->note, sizeof(c->note),
             "the switch came at step %d (the %s step), but sampler %s with shift %g and %d steps puts it at step "
             "%d (the %s); shifts %s%s",
             observed, wp_ordinal(observed + 1, o1, sizeof(o1)), wp_sampler_name(p->sampler), p->shift, p->steps,
             c->predicted, wp_ordinal(c->predicted + 1, o2, sizeof(o2)), shifts,
             three && fabs(p->shift - 3.0) > 1e-9
                 ? ". flow_shift 3.0 is the 480P config SGLang falls back to for an unrecognised local model path: "
                   "pass the model by its Hugging Face id or set --flow-shift 12"
                 : "");
}
