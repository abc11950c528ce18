/* whatif_pipeline.h: the layerwise prefetch ring as runner/offload.c queues it, simulated for one step (whatif.c's
 * layerwise modes; its own file so the unit test can reach it). */
#ifndef WP_WHATIF_PIPELINE_H
#define WP_WHATIF_PIPELINE_H

/* One step of a layerwise mode: `forwards` forwards of `blocks` blocks, each block computing k seconds once its
 * weights are in a slot, copied in c seconds on a copy stream into a ring of prefetch + 1 slots, as
 * runner/offload.c queues them: prefetch(b) waits for the slot's last block to finish computing; block i's begin
 * queues prefetch(i + p), so no copy starts before the host has reached that point. From pageable memory the copy call returns only when the copy is done, so the host (and
 * with it the launch of block i) waits for it. With per-layer sync the host waits after every block for both
 * streams, then spends `gap` queueing the next block. The step starts with empty slots (the loop synchronises at
 * every step's end) and ends when both streams are done. Returns the step's seconds. */
double wp_layerwise_step(int forwards, int blocks, double k, double c, int prefetch, int pinned, int sync, double gap);
/* What one forward costs more when its blocks are copied without prefetch, each once the block before has computed
 * (the same ring with no slot ahead), than with `prefetch`: the learning forward of a mode that learns its order. */
double wp_unprefetched_extra(int blocks, double k, double c, int prefetch, int pinned, double gap);

#endif
