#include "rank_env.h"

#include <errno.h>
#include <stdlib.h>

static const char *const vars[][4] = {
    [WP_ENV_RANK] = {"RANK", "OMPI_COMM_WORLD_RANK", "SLURM_PROCID", NULL},
    [WP_ENV_WORLD_SIZE] = {"WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_NTASKS", NULL},
    [WP_ENV_LOCAL_RANK] = {"LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", NULL},
};

int wp_env_get(wp_env_quantity q, const char **name)
{
    if (name)
        *name = NULL;
    for (const char *const *v = vars[q]; *v; v++) {
        const char *text = getenv(*v);
        if (!text || !*text)
            continue;
        if (name)
            *name = *v;
        char *end;
        errno = 0;
        long x = strtol(text, &end, 10);
        return errno || *end || x < 0 || x >= (1L << 30) ? -2 : (int)x;
    }
    return -1;
}
