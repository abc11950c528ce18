/* period.h: the repeating unit of a loop, found from the sequence of its GPU kernels when nothing marks the steps
 * (schemas/step_marks.md says it for users).
 *
 * A denoising step is whatever the loop repeats: two CFG forwards and the sampler update, or one forward, or a
 * compiled region. So the step is the period of the kernel-name sequence: the shortest shift P (of at least 8 kernels)
 * at which the sequence repeats itself almost everywhere. A forward alone (P/2 in a CFG loop) does not repeat at its
 * own length, since the sampler's kernels sit after every second forward; a block repeats at its length only inside a
 * forward. Candidate shifts come from the distances between repeats of each kernel name (1 to 8 appearances apart);
 * each is scored by the fraction of sampled positions i with seq[i] == seq[i + P] in the best quarter of the run (the
 * loop may follow a long compile), the smallest shift within 1% of the best score is picked, and a few rivals replace
 * it when their loop covers clearly more of the run.
 * Step boundaries sit at the phase of the period where the loop's iteration begins: of the positions where the GPU
 * waits most for the host (a synchronisation, a progress bar, a weight move), the one whose steps cover the most when
 * walked out, a period at a time, from the stretch that repeats best; each step is 3/4 to 5/4 of a period, placed where
 * the kernels that open and close a step recur, and like the reference step over half its kernels, so that steps of
 * slightly different lengths (a sampler's first and last orders) stay aligned and a compile or the teardown are not
 * taken for steps. A wait that recurs at the same place in both forwards of a CFG step (an offload hook) is not
 * where the iteration begins: the step then opens where its first forward does. Kernels before the first step and
 * after the last are the setup and the teardown. */
#ifndef WP_PERIOD_H
#define WP_PERIOD_H

#include <stddef.h>
#include <stdint.h>

typedef struct wp_period {
    size_t first, end;  /* the loop: sequence positions [first, end) */
    size_t *cuts;       /* count + 1 entries: step k holds positions [cuts[k], cuts[k + 1]); cuts[count] == end */
    int count;          /* steps; 0 when the sequence does not repeat */
    size_t period;      /* kernels per step */
    double repeat;      /* fraction of the steps' kernels the step before holds in place, from either end (0..1) */
    double covered;     /* fraction of the whole sequence the loop holds (0..1) */
    size_t other;       /* the best-scoring shift that is not a multiple of period, 0 when none */
    double other_repeat;
    int hinted;         /* 1: the period was picked because it gives want_steps steps */
    int long_first;     /* 1: the first step was extended over a compile (steps.c) */
    int phase_moved;    /* 1: steps open where the first of two alike forwards does, not at the longest wait, which
                         * recurs inside each forward */
} wp_period;

/* Finds the loop and its steps in seq[0..n) (kernel name ids in start order). gaps[i] (NULL: none known) weighs how
 * much the GPU waited for the host before kernel i (steps.c: idle time, plus a large weight where the host
 * synchronised): steps are cut where it is largest. want_steps > 0: prefer a period
 * giving that many steps when it scores within 5% of the best. Returns 0, or -1 when out of memory. out->count is 0
 * when no shift repeats at least half the sequence. Free with wp_period_free. */
int wp_period_find(const uint32_t *seq, const int64_t *gaps, size_t n, int want_steps, wp_period *out);
void wp_period_free(wp_period *p);

#endif
