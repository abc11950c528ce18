/* dist.h: the runner on several GPUs, one process per GPU as SGLang and torchrun run it. world = cfg_parallel x
 * ulysses ranks: with CFG-parallel (2) the conditional forward runs on ranks [0, ulysses) and the unconditional one on
 * [ulysses, 2 ulysses); inside each group, Ulysses sequence parallelism: every rank holds 1/ulysses of the tokens,
 * and around self-attention all-to-alls exchange q, k, v (token shards -> head shards) and the output (back).
 * Latents, text embeddings, weights and the scheduler are replicated; results are the same on every rank.
 * Rank, world and local rank come from the launcher's environment (torchrun RANK/WORLD_SIZE/LOCAL_RANK, Open MPI
 * OMPI_COMM_WORLD_*, Slurm SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID); the NCCL unique id travels through a rendezvous
 * file that rank 0 creates (it must not exist) and the others wait for. */
#ifndef WP_RUNNER_DIST_H
#define WP_RUNNER_DIST_H

#include <stddef.h>
#include <stdint.h>
#include <nccl.h>
#include "wpkernels.h"

typedef struct wp_dist {
    int rank, world, local_rank;
    int ulysses, cfg_parallel;
    int group, group_rank; /* CFG group (0: cond, 1: uncond; always 0 without CFG-parallel) and rank within it */
    ncclComm_t world_comm, group_comm;
} wp_dist;

/* Reads rank/world/local rank from the environment (1 process when none is set). 0, or -1 with err filled. */
int wp_dist_from_env(wp_dist *d, char *err, size_t errlen);
/* Checks the split (world = cfg_parallel * ulysses), selects the GPU local_rank and creates the communicators
 * (nothing for a world of 1). 0, or -1 with err filled. */
int wp_dist_init(wp_dist *d, int ulysses, int cfg_parallel, const char *rendezvous, char *err, size_t errlen);
void wp_dist_destroy(wp_dist *d);

/* Ulysses all-to-all inside the group, enqueued on stream: tokens -> heads. in: (Lp, D) of this rank's tokens;
 * out: (Lp * P, D / P), every token of the group, this rank's D/P columns (its heads). pack: (P, Lp, D/P) scratch. */
int wp_dist_tokens_to_heads(const wp_dist *d, void *out, const void *in, void *pack, long Lp, int D, wp_dtype dt,
                            cudaStream_t stream);
/* The way back: in (Lp * P, D / P) -> out (Lp, D). pack: (P, Lp, D/P) scratch. */
int wp_dist_heads_to_tokens(const wp_dist *d, void *out, const void *in, void *pack, long Lp, int D, wp_dtype dt,
                            cudaStream_t stream);
/* All-gather inside the group: each rank's (n elements) -> out (P * n), rank order. */
int wp_dist_group_gather(const wp_dist *d, void *out, const void *in, size_t n, wp_dtype dt, cudaStream_t stream);
/* CFG-parallel: swaps a buffer of n elements with the rank of the other group at the same group rank. */
int wp_dist_cfg_exchange(const wp_dist *d, void *recv, const void *send, size_t n, wp_dtype dt,
                         cudaStream_t stream);

/* Every rank waits for every other (a one-element all-reduce on the world communicator). 0 or -1. */
int wp_dist_barrier(const wp_dist *d);
/* Rank 0's *v reaches every rank. 0 or -1. */
int wp_dist_broadcast_u64(const wp_dist *d, uint64_t *v);

#endif
