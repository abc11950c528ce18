/* dist.c: ranks, communicators and the collectives of the multi-GPU runner (see dist.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cuda_runtime_api.h>
#include <nvtx3/nvToolsExt.h>
#include "dist.h"
#include "dit_internal.h"
#include "ops.h"
#include "rank_env.h"

#define RENDEZVOUS_WAIT_S 300

static int nccl_ok(ncclResult_t rc, const char *what, char *err, size_t errlen) {
    return rc == ncclSuccess ? 0 : wp_dit_fail(err, errlen, "%s: %s", what, ncclGetErrorString(rc));
}

int wp_dist_from_env(wp_dist *d, char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    int v[3];
    for (int q = 0; q < 3; q++) {
        const char *name;
        v[q] = wp_env_get((wp_env_quantity)q, &name);
        if (v[q] == -2) return wp_dit_fail(err, errlen, "%s=%s is not a rank or size", name, getenv(name));
    }
    int r = v[WP_ENV_RANK], w = v[WP_ENV_WORLD_SIZE], l = v[WP_ENV_LOCAL_RANK];
    d->rank = r < 0 ? 0 : r;
    d->world = w < 1 ? 1 : w;
    d->local_rank = l < 0 ? d->rank : l;
    if (d->rank >= d->world) return wp_dit_fail(err, errlen, "rank %d is not below the world size %d", d->rank, d->world);
    return 0;
}

/* Rank 0 publishes the NCCL id: written under a temporary name, then linked to the final one, which must not
 * exist (a file left by an earlier run would hand the others a dead id). */
static int publish_id(const char *path, const ncclUniqueId *id, char *err, size_t errlen) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return wp_dit_fail(err, errlen, "rendezvous %s: %s", tmp, strerror(errno));
    ssize_t n = write(fd, id, sizeof *id);
    close(fd);
    int rc = n == (ssize_t)sizeof *id ? link(tmp, path) : -1;
    int saved = errno;
    unlink(tmp);
    if (rc != 0)
        return wp_dit_fail(err, errlen, "rendezvous %s: %s%s", path, strerror(saved),
                    saved == EEXIST ? " (left by an earlier run? remove it, or give a new --rendezvous path)" : "");
    return 0;
}

static int wait_id(const char *path, ncclUniqueId *id, char *err, size_t errlen) {
    for (int waited_ms = 0; waited_ms < RENDEZVOUS_WAIT_S * 1000; waited_ms += 50) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            ssize_t n = read(fd, id, sizeof *id);
            close(fd);
            if (n == (ssize_t)sizeof *id) return 0;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return wp_dit_fail(err, errlen, "rendezvous %s: rank 0 did not publish the NCCL id within %d s", path,
                RENDEZVOUS_WAIT_S);
}

int wp_dist_init(wp_dist *d, int ulysses, int cfg_parallel, const char *rendezvous, char *err, size_t errlen) {
    if (cfg_parallel < 1 || cfg_parallel > 2) return wp_dit_fail(err, errlen, "--cfg-parallel must be 1 or 2");
    if (ulysses < 1 || ulysses * cfg_parallel != d->world)
        return wp_dit_fail(err, errlen, "%d ranks cannot run Ulysses %d x CFG-parallel %d (their product must equal the "
                                 "world size)", d->world, ulysses, cfg_parallel);
    d->ulysses = ulysses;
    d->cfg_parallel = cfg_parallel;
    d->group = d->rank / ulysses;
    d->group_rank = d->rank % ulysses;
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices < 1) return wp_dit_fail(err, errlen, "no CUDA device");
    if (cudaSetDevice(d->local_rank % devices) != cudaSuccess)
        return wp_dit_fail(err, errlen, "cudaSetDevice(%d) failed", d->local_rank % devices);
    if (d->world == 1) return 0;
    if (!rendezvous || !*rendezvous)
        return wp_dit_fail(err, errlen, "%d ranks need --rendezvous PATH (a file rank 0 creates)", d->world);
    ncclUniqueId id;
    if (d->rank == 0) {
        if (nccl_ok(ncclGetUniqueId(&id), "ncclGetUniqueId", err, errlen) || publish_id(rendezvous, &id, err, errlen))
            return -1;
    } else if (wait_id(rendezvous, &id, err, errlen)) {
        return -1;
    }
    if (nccl_ok(ncclCommInitRank(&d->world_comm, d->world, id, d->rank), "ncclCommInitRank", err, errlen) ||
        nccl_ok(ncclCommSplit(d->world_comm, d->group, d->rank, &d->group_comm, NULL), "ncclCommSplit", err, errlen))
        return -1;
    if (d->rank == 0) unlink(rendezvous); /* every rank has joined: the id is spent */
    return 0;
}

void wp_dist_destroy(wp_dist *d) {
    if (d->group_comm) ncclCommDestroy(d->group_comm);
    if (d->world_comm) ncclCommDestroy(d->world_comm);
    d->group_comm = d->world_comm = NULL;
}

static ncclDataType_t nccl_type(wp_dtype dt) { return dt == WP_F32 ? ncclFloat32 : ncclBfloat16; }
static size_t dt_size(wp_dtype dt) { return dt == WP_F32 ? 4 : 2; }

/* Send chunk r of `send` to rank r and receive rank r's into chunk r of `recv`, inside the group. */
static int all_to_all(const wp_dist *d, void *recv, const void *send, size_t chunk, wp_dtype dt,
                      cudaStream_t stream) {
    size_t bytes = chunk * dt_size(dt);
    if (ncclGroupStart() != ncclSuccess) return -1;
    for (int r = 0; r < d->ulysses; r++) {
        ncclSend((const char *)send + r * bytes, chunk, nccl_type(dt), r, d->group_comm, stream);
        ncclRecv((char *)recv + r * bytes, chunk, nccl_type(dt), r, d->group_comm, stream);
    }
    return ncclGroupEnd() == ncclSuccess ? 0 : -1;
}

int wp_dist_tokens_to_heads(const wp_dist *d, void *out, const void *in, void *pack, long Lp, int D, wp_dtype dt,
                            cudaStream_t stream) {
    int P = d->ulysses;
    size_t cols = (size_t)D / P * dt_size(dt);
    nvtxRangePushA("all-to-all tokens->heads");
    /* (Lp, P, D/P) -> (P, Lp, D/P): the columns of rank r become one contiguous chunk */
    int rc = permute021_forward(pack, in, Lp, P, cols, stream) != cudaSuccess ? -1
             : all_to_all(d, out, pack, (size_t)Lp * (D / P), dt, stream);
    nvtxRangePop();
    return rc;
}

int wp_dist_heads_to_tokens(const wp_dist *d, void *out, const void *in, void *pack, long Lp, int D, wp_dtype dt,
                            cudaStream_t stream) {
    int P = d->ulysses;
    size_t cols = (size_t)D / P * dt_size(dt);
    nvtxRangePushA("all-to-all heads->tokens");
    /* rank r's tokens are rows [r Lp, (r+1) Lp): already contiguous; what comes back is (P, Lp, D/P) */
    int rc = all_to_all(d, pack, in, (size_t)Lp * (D / P), dt, stream) ? -1
             : permute021_forward(out, pack, P, Lp, cols, stream) != cudaSuccess ? -1 : 0;
    nvtxRangePop();
    return rc;
}

int wp_dist_group_gather(const wp_dist *d, void *out, const void *in, size_t n, wp_dtype dt, cudaStream_t stream) {
    nvtxRangePushA("all-gather tokens");
    ncclResult_t rc = ncclAllGather(in, out, n, nccl_type(dt), d->group_comm, stream);
    nvtxRangePop();
    return rc == ncclSuccess ? 0 : -1;
}

int wp_dist_cfg_exchange(const wp_dist *d, void *recv, const void *send, size_t n, wp_dtype dt,
                         cudaStream_t stream) {
    int peer = (1 - d->group) * d->ulysses + d->group_rank;
    nvtxRangePushA("CFG exchange");
    int rc = ncclGroupStart() != ncclSuccess ||
             ncclSend(send, n, nccl_type(dt), peer, d->world_comm, stream) != ncclSuccess ||
             ncclRecv(recv, n, nccl_type(dt), peer, d->world_comm, stream) != ncclSuccess ||
             ncclGroupEnd() != ncclSuccess;
    nvtxRangePop();
    return rc ? -1 : 0;
}

/* A small collective on a scratch word of device memory (NCCL moves device memory only), waited for. */
static int world_collective(const wp_dist *d, uint64_t *v, int broadcast) {
    uint64_t *dev = NULL;
    cudaStream_t s = NULL;
    int rc = cudaMalloc((void **)&dev, sizeof *dev) != cudaSuccess || cudaStreamCreate(&s) != cudaSuccess ||
             cudaMemcpy(dev, v, sizeof *v, cudaMemcpyHostToDevice) != cudaSuccess;
    if (!rc)
        rc = (broadcast ? ncclBroadcast(dev, dev, 1, ncclUint64, 0, d->world_comm, s)
                        : ncclAllReduce(dev, dev, 1, ncclUint64, ncclSum, d->world_comm, s)) != ncclSuccess ||
             cudaStreamSynchronize(s) != cudaSuccess ||
             cudaMemcpy(v, dev, sizeof *v, cudaMemcpyDeviceToHost) != cudaSuccess;
    if (s) cudaStreamDestroy(s);
    cudaFree(dev);
    return rc ? -1 : 0;
}

int wp_dist_barrier(const wp_dist *d) {
    uint64_t one = 1;
    return d->world > 1 ? world_collective(d, &one, 0) : 0;
}

int wp_dist_broadcast_u64(const wp_dist *d, uint64_t *v) { return d->world > 1 ? world_collective(d, v, 1) : 0; }
