/* One rank precedence for the collector, `wanprof run` and the runner (capture/rank_env.c): RANK, then Open MPI's,
 * then Slurm's; the first variable set decides, a malformed one is an error, and LOCAL_RANK is never the global rank
 * (the collector used to fall back to it, naming two nodes' rank-0 files alike). %r in output names follows it. */
#include <stdlib.h>

#include "../../capture/outname.h"
#include "../../capture/rank_env.h"
#include "check.h"

static void clear(void)
{
    static const char *const all[] = {"RANK", "OMPI_COMM_WORLD_RANK", "SLURM_PROCID", "WORLD_SIZE",
                                      "OMPI_COMM_WORLD_SIZE", "SLURM_NTASKS", "LOCAL_RANK",
                                      "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        unsetenv(all[i]);
}

int main(void)
{
    const char *name;
    char out[256];
    clear();
    CHECK_EQ_INT(wp_env_get(WP_ENV_RANK, &name), -1);
    CHECK(name == NULL);
    setenv("LOCAL_RANK", "3", 1);
    CHECK_EQ_INT(wp_env_get(WP_ENV_RANK, NULL), -1);
    CHECK_EQ_INT(wp_outname_rank(), -1);
    CHECK_EQ_INT(wp_outname_expand("t-r%r", 1, out, sizeof(out)), 0);
    CHECK_EQ_STR(out, "t-r");
    CHECK_EQ_INT(wp_env_get(WP_ENV_LOCAL_RANK, NULL), 3);

    /* mpirun inside a Slurm allocation: Open MPI's rank differs per process, Slurm's is the batch step's. */
    setenv("SLURM_PROCID", "0", 1);
    setenv("OMPI_COMM_WORLD_RANK", "5", 1);
    CHECK_EQ_INT(wp_env_get(WP_ENV_RANK, &name), 5);
    CHECK_EQ_STR(name, "OMPI_COMM_WORLD_RANK");
    CHECK_EQ_INT(wp_outname_expand("t-r%r", 1, out, sizeof(out)), 0);
    CHECK_EQ_STR(out, "t-r5");
    setenv("RANK", "7", 1);
    CHECK_EQ_INT(wp_env_get(WP_ENV_RANK, &name), 7);
    CHECK_EQ_STR(name, "RANK");

    /* The first set decides: a malformed RANK is an error, not a reason to read the next. */
    setenv("RANK", "seven", 1);
    CHECK_EQ_INT(wp_env_get(WP_ENV_RANK, &name), -2);
    CHECK_EQ_STR(name, "RANK");
    CHECK_EQ_INT(wp_outname_rank(), -1);
    setenv("RANK", "", 1); /* empty counts as unset */
    CHECK_EQ_INT(wp_env_get(WP_ENV_RANK, NULL), 5);

    setenv("SLURM_NTASKS", "4", 1);
    CHECK_EQ_INT(wp_env_get(WP_ENV_WORLD_SIZE, &name), 4);
    CHECK_EQ_STR(name, "SLURM_NTASKS");
    return check_done();
}
