/* rank_env.h: a process's place in a distributed job, read from its launcher's environment with one precedence
 * everywhere (the collector naming its file, `wanprof run` naming the outputs, the runner joining its NCCL group):
 * torchrun's name first, then Open MPI's, then Slurm's. An mpirun inside a Slurm allocation sets both its own and
 * Slurm's variables, and its own are the ones that differ per process. LOCAL_RANK is the rank within a node, never
 * taken for the global rank. */
#ifndef WP_RANK_ENV_H
#define WP_RANK_ENV_H

typedef enum {
    WP_ENV_RANK,       /* RANK, OMPI_COMM_WORLD_RANK, SLURM_PROCID */
    WP_ENV_WORLD_SIZE, /* WORLD_SIZE, OMPI_COMM_WORLD_SIZE, SLURM_NTASKS */
    WP_ENV_LOCAL_RANK, /* LOCAL_RANK, OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID */
} wp_env_quantity;

/* The first of the quantity's variables that is set (non-empty) decides: its value as a non-negative integer below
 * 2^30; -1 when none is set; -2 when the one set is not such a number. *name (may be NULL) gets that variable's name
 * (NULL when none is set). */
int wp_env_get(wp_env_quantity q, const char **name);

#endif
