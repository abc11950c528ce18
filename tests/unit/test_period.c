/* test_period.c: the loop's period from a kernel sequence shaped like a diffusers CFG loop: a few set-up kernels, then
 * 27 steps of [timestep compare, cond forward, uncond forward, CFG combine, sampler update] where a forward is 4
 * (or, as in the A14B, 40) blocks of the same kernels and the sampler runs fewer kernels in its first two steps and its last (UniPC's orders),
 * then teardown kernels. The step is the whole iteration (not one forward, not one block), every step is found with
 * its boundary where the GPU waited for the host (a synchronisation before each step's first forward), and the set-up
 * and teardown stay out; without waits the period is still the iteration. With group offloading's hooks waiting
 * longer still before the second block of each forward, the steps still open at the first forward: a wait that
 * recurs in both forwards is the forward's own. */
#include "check.h"
#include "period.h"

#define STEPS 27

typedef struct loop {
    uint32_t seq[20000];
    int64_t gaps[20000]; /* 27 steps of 40 blocks: 18,000 kernels */
    size_t n;
    size_t starts[STEPS + 1]; /* where each step's compare kernel sits; starts[STEPS]: the teardown */
} loop;

static void put(loop *l, uint32_t k, int64_t gap)
{
    l->gaps[l->n] = gap;
    l->seq[l->n++] = k;
}

/* hook_gap: the wait before the second block (an offload hook synchronising on that block's weights) */
static void forward(loop *l, int blocks, int64_t first_gap, int64_t hook_gap)
{
    put(l, 10, first_gap); /* patch embedding, timestep embedding */
    put(l, 11, 2000);
    for (int b = 0; b < blocks; b++)
        for (uint32_t k = 20; k < 28; k++)
            put(l, k, b == 1 && k == 20 ? hook_gap : 2000);
    put(l, 30, 2000); /* head */
}

static void build(loop *l, int blocks, int64_t hook_gap)
{
    memset(l, 0, sizeof(*l));
    for (uint32_t k = 100; k < 104; k++)
        put(l, k, 5000000);
    for (int s = 0; s < STEPS; s++) {
        l->starts[s] = l->n;
        put(l, 1, 3000);          /* t >= boundary: the compare, then .item() synchronises */
        forward(l, blocks, 900000, hook_gap); /* the host launches the forward after the sync: the GPU waited */
        forward(l, blocks, 2000, hook_gap);
        put(l, 50, 2000);         /* CFG combine */
        put(l, 51, 2000);
        int order = s == 0 ? 2 : s == 1 || s == STEPS - 1 ? 4 : 6;
        for (int k = 0; k < order; k++)
            put(l, (uint32_t)(60 + k), 2000);
    }
    l->starts[STEPS] = l->n;
    put(l, 200, 40000000); /* after the loop: the offload hooks, a check of the output */
    put(l, 201, 2000);
}

static void check_loop(const loop *l, const int64_t *gaps, int phase_moved)
{
    wp_period p;
    CHECK_EQ_INT(wp_period_find(l->seq, gaps, l->n, 0, &p), 0);

    CHECK_EQ_INT(p.count, STEPS);
    CHECK_EQ_INT((long long)p.period, (long long)(l->starts[3] - l->starts[2])); /* the iteration, not a forward */
    for (int s = 1; s < STEPS && s <= p.count; s++) /* at the sync (after the compare) or at the compare */
        CHECK((p.cuts[s] == l->starts[s] + 1 || p.cuts[s] == l->starts[s]));
    if (p.count == STEPS) {
        CHECK(p.cuts[0] >= 4 && p.cuts[0] <= l->starts[0] + 1); /* the set-up kernels stay out */
        /* and so does the teardown (without waits the last step is taken as long as the one before: the sampler's
         * last order ran 2 kernels fewer) */
        size_t slack = gaps ? 0 : 2;
        CHECK(p.cuts[STEPS] <= l->starts[STEPS] + slack);
        CHECK(p.cuts[STEPS] + 2 >= l->starts[STEPS]);
    }
    CHECK(p.repeat > 0.9);
    CHECK(p.covered > 0.95);
    CHECK_EQ_INT(p.phase_moved, phase_moved);
    wp_period_free(&p);
}

int main(void)
{
    static loop l;
    build(&l, 4, 2000);
    check_loop(&l, l.gaps, 0);
    check_loop(&l, NULL, 0); /* no timing: the phase is the first repeating position, the count still right */
    build(&l, 4, 5000000);
    check_loop(&l, l.gaps, 1);
    /* the A14B's 40 blocks: a block's kernels recur 80 times a step, far more often than the names that propose the
     * step's length (the compare, the embeddings, the sampler's update) */
    build(&l, 40, 2000);
    check_loop(&l, l.gaps, 0);
    check_loop(&l, NULL, 0);
    build(&l, 40, 5000000);
    check_loop(&l, l.gaps, 1);
    /* too short to hold a loop; a sequence without repetition has none */
    wp_period p;
    uint32_t few[5] = {1, 2, 1, 2, 1};
    CHECK_EQ_INT(wp_period_find(few, NULL, 5, 0, &p), 0);
    CHECK_EQ_INT(p.count, 0);
    static uint32_t distinct[4000];
    for (uint32_t i = 0; i < 4000; i++)
        distinct[i] = i;
    CHECK_EQ_INT(wp_period_find(distinct, NULL, 4000, 0, &p), 0);
    CHECK_EQ_INT(p.count, 0);
    return check_done();
}
