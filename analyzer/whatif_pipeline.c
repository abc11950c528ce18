/* whatif_pipeline.c: the layerwise prefetch ring (see whatif_pipeline.h for the rules it follows). */
#include "whatif_pipeline.h"

static double max2(double a, double b)
{
    return a > b ? a : b;
}

double wp_layerwise_step(int forwards, int blocks, double k, double c, int prefetch, int pinned, int sync, double gap)
{
    enum { MAX_SLOTS = 17 };
    int slots = prefetch + 1 < MAX_SLOTS ? prefetch + 1 : MAX_SLOTS;
    double released[MAX_SLOTS] = {0}, ready[MAX_SLOTS] = {0};
    double host = 0, copy_end = 0, comp_end = 0;
    for (int f = 0; f < forwards; f++) {
        int ahead = prefetch < blocks ? prefetch : blocks;
        for (int b = -ahead; b < blocks; b++) {
            int next = b + ahead; /* the block whose copy is queued now */
            if (next < blocks) {
                int s = next % slots;
                /* the host queues it: never before the host gets here (after a per-layer sync, that is late) */
                double start = max2(max2(copy_end, released[s]), host);
                copy_end = start + c;
                ready[s] = copy_end;
                if (!pinned)
                    host = copy_end;
            }
            if (b < 0)
                continue;
            int s = b % slots;
            double start = max2(max2(comp_end, ready[s]), host);
            comp_end = start + k;
            released[s] = comp_end;
            if (sync)
                host = max2(max2(host, comp_end), copy_end) + gap;
        }
    }
    return max2(comp_end, copy_end);
}

double wp_unprefetched_extra(int blocks, double k, double c, int prefetch, int pinned, double gap)
{
    return wp_layerwise_step(1, blocks, k, c, 0, pinned, 0, gap) -
           wp_layerwise_step(1, blocks, k, c, prefetch, pinned, 0, gap);
}
