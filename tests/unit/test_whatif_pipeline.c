/* test_whatif_pipeline.c: the layerwise prefetch ring (analyzer/whatif_pipeline.h) against step times worked out by
 * hand from its rules, in small whole numbers so every expected value is exact. k: one block's compute, c: one
 * block's copy, L: blocks per forward, p: prefetch (slots = p + 1, block i in slot i % slots). */
#include "check.h"
#include "whatif_pipeline.h"

#define EXACT 1e-12

/* Pinned, compute-bound (k = 2 > c = 1), L = 4, p = 1: copy 0 takes [0,1]; from then on each copy (into the slot
 * freed two blocks earlier) finishes before the block that needs it, so the blocks run back to back:
 * 1 + 4 * 2 = 9 (c + L*k). */
static void test_pinned_compute_bound(void)
{
    CHECK_NEAR(wp_layerwise_step(1, 4, 2, 1, 1, 1, 0, 0), 9, EXACT);
}

/* Pinned, copy-bound (c = 3 > k = 1), L = 4, p = 1: the copy stream never waits (block i's slot is freed at
 * compute(i - 2)'s end, long before copy(i - 1) ends), copies end at 3, 6, 9, 12; each block computes right after its
 * copy; the last ends at 12 + 1 = 13 (L*c + k). */
static void test_pinned_copy_bound(void)
{
    CHECK_NEAR(wp_layerwise_step(1, 4, 1, 3, 1, 1, 0, 0), 13, EXACT);
}

/* Pageable, L = 4, p = 1 (k = 2, c = 3): the host blocks in every copy, and the copy of block i + 1 (slot of block
 * i - 1) waits for compute(i - 1). copy 0 [0,3], copy 1 [3,6] (host at 6), compute 0 [6,8]; copy 2 waits for
 * compute 0: [8,11], compute 1 [11,13]; copy 3 [13,16], compute 2 [16,18]; compute 3 [18,20]. Nothing overlaps:
 * L * (c + k) = 20, whichever of k and c is larger (k = 3, c = 2 gives the same). */
static void test_pageable(void)
{
    CHECK_NEAR(wp_layerwise_step(1, 4, 2, 3, 1, 0, 0, 0), 20, EXACT);
    CHECK_NEAR(wp_layerwise_step(1, 4, 3, 2, 1, 0, 0, 0), 20, EXACT);
}

/* Pinned with per-layer sync, compute-bound (k = 2, c = 1, gap 0.5), L = 3, p = 1: copy 0 [0,1], compute 0 [1,3];
 * the host waits for both streams (3) and queues the next block by 3.5; compute 1 [3.5,5.5], host 6;
 * compute 2 [6,8]: c + L*k + (L - 1)*gap = 1 + 6 + 1 = 8. */
static void test_sync_compute_bound(void)
{
    CHECK_NEAR(wp_layerwise_step(1, 3, 2, 1, 1, 1, 1, 0.5), 8, EXACT);
}

/* Pinned with per-layer sync, copy-bound (k = 1, c = 3, gap 0.5), L = 3, p = 1: copy 0 [0,3], copy 1 [3,6],
 * compute 0 [3,4]; the sync waits for copy 1 too (6), and only then does the host reach block 1's begin and queue
 * copy 2 (by 6.5): [6.5,9.5]. compute 1 [6.5,7.5]; host 9.5 + 0.5 = 10; compute 2 [10,11]: 11. A copy never starts
 * before the host has queued it; starting copy 2 at 6, when the copy stream fell idle, would give 10.5. */
static void test_sync_copy_bound(void)
{
    CHECK_NEAR(wp_layerwise_step(1, 3, 1, 3, 1, 1, 1, 0.5), 11, EXACT);
}

/* Two forwards, pinned, copy-bound (k = 1, c = 3), L = 2, p = 1: the ring carries over, so the second forward's
 * first copy starts when the copy stream is free (6), not after the first forward's last block (7): the four copies
 * run back to back to 12 and the last block computes [12,13]. */
static void test_two_forwards(void)
{
    CHECK_NEAR(wp_layerwise_step(2, 2, 1, 3, 1, 1, 0, 0), 13, EXACT);
}

/* Two forwards, compute-bound (k = 3, c = 1), L = 4. p = 1: the next forward's block 0 (slot 0) waits only for
 * block 2 (ends 10); its copy [10,11] is done before block 3 ends (13), so the blocks run back to back:
 * c + 2*L*k = 25. p = 2: 3 slots, and block 3 sits in slot 0 too, so the next forward's copy 0 waits for block 3's
 * end (13): [13,14], and its compute 0 starts at 14, one copy exposed: 26. */
static void test_forward_boundary(void)
{
    CHECK_NEAR(wp_layerwise_step(2, 4, 3, 1, 1, 1, 0, 0), 25, EXACT);
    CHECK_NEAR(wp_layerwise_step(2, 4, 3, 1, 2, 1, 0, 0), 26, EXACT);
}

/* Prefetch 4 with 2 blocks: only the 2 blocks there are are copied ahead, nothing more is queued, and the step is
 * what prefetch 1 gives: copies [0,3] and [3,6], blocks [3,4] and [6,7] (k = 1, c = 3): 7. */
static void test_prefetch_past_blocks(void)
{
    CHECK_NEAR(wp_layerwise_step(1, 2, 1, 3, 4, 1, 0, 0), 7, EXACT);
    CHECK_NEAR(wp_layerwise_step(1, 2, 1, 3, 1, 1, 0, 0), 7, EXACT);
}

/* The learning forward (no prefetch: each block's copy waits for the block before to compute) against the prefetched
 * one, L = 4, p = 1. Copy-bound (k = 1, c = 3): L * (c + k) = 16 against 13 (above): 3, the blocks' compute but the
 * last one's, which prefetch had hidden. Compute-bound (k = 2, c = 1): 12 against 9: 3, the copies but the first. */
static void test_unprefetched_extra(void)
{
    CHECK_NEAR(wp_unprefetched_extra(4, 1, 3, 1, 1, 0), 3, EXACT);
    CHECK_NEAR(wp_unprefetched_extra(4, 2, 1, 1, 1, 0), 3, EXACT);
}

int main(void)
{
    test_pinned_compute_bound();
    test_pinned_copy_bound();
    test_pageable();
    test_sync_compute_bound();
    test_sync_copy_bound();
    test_two_forwards();
    test_forward_boundary();
    test_prefetch_past_blocks();
    test_unprefetched_extra();
    return check_done();
}
