/* nccl_allreduce.cu: the collector's multi-GPU check: one process per GPU, all-reduce + copies, NCCL id exchanged
 * through a file. Built on the GPU machine (it has nccl.h): nvcc -O2 -arch=sm_90 nccl_allreduce.cu -lnccl
 *   nccl_allreduce --launch N IDFILE   starts N copies of itself (RANK=i, LOCAL_RANK=i, WORLD_SIZE=N) and waits;
 *                                      exit 0 when all succeed
 *   (as a rank)                        STEPS iterations of: NVTX range "step" (payload = step), a fill kernel, a
 *                                      64 MiB float all-reduce, a 1 MiB DtoH copy of the result; checks the sum */
#include <cuda_runtime.h>
#include <nccl.h>
#include <nvtx3/nvToolsExt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CUDA_CHECK(call)                                                                                   \
    do {                                                                                                   \
        cudaError_t err_ = (call);                                                                         \
        if (err_ != cudaSuccess) {                                                                         \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(err_));                  \
            exit(1);                                                                                       \
        }                                                                                                  \
    } while (0)
#define NCCL_CHECK(call)                                                                                   \
    do {                                                                                                   \
        ncclResult_t r_ = (call);                                                                          \
        if (r_ != ncclSuccess) {                                                                           \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, ncclGetErrorString(r_));                    \
            exit(1);                                                                                       \
        }                                                                                                  \
    } while (0)

#define STEPS 20
#define COUNT (16 << 20) /* floats: 64 MiB */

__global__ void fill_kernel(float *x, size_t n, float v) // x: (n,)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        x[i] = v;
}

static void get_id(int rank, const char *path, ncclUniqueId *id)
{
    if (rank == 0) {
        NCCL_CHECK(ncclGetUniqueId(id));
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = fopen(tmp, "wb");
        if (!f || fwrite(id, sizeof(*id), 1, f) != 1 || fclose(f) != 0 || rename(tmp, path) != 0) {
            perror(path);
            exit(1);
        }
        return;
    }
    for (int tries = 0; tries < 6000; tries++) {
        FILE *f = fopen(path, "rb");
        if (f) {
            size_t got = fread(id, sizeof(*id), 1, f);
            fclose(f);
            if (got == 1)
                return;
        }
        usleep(10000);
    }
    fprintf(stderr, "rank %d: no NCCL id in %s after 60 s\n", rank, path);
    exit(1);
}

static int rank_main(int rank, int world, const char *idfile)
{
    ncclUniqueId id;
    ncclComm_t comm;
    cudaStream_t s;
    float *buf, *host;
    CUDA_CHECK(cudaSetDevice(rank));
    get_id(rank, idfile, &id);
    NCCL_CHECK(ncclCommInitRank(&comm, world, id, rank));
    CUDA_CHECK(cudaStreamCreate(&s));
    CUDA_CHECK(cudaMalloc((void **)&buf, COUNT * sizeof(float)));
    CUDA_CHECK(cudaMallocHost((void **)&host, 1 << 20));
    for (int step = 0; step < STEPS; step++) {
        nvtxEventAttributes_t a;
        memset(&a, 0, sizeof(a));
        a.version = NVTX_VERSION;
        a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
        a.messageType = NVTX_MESSAGE_TYPE_ASCII;
        a.message.ascii = "step";
        a.payloadType = NVTX_PAYLOAD_TYPE_INT64;
        a.payload.llValue = step;
        nvtxRangePushEx(&a);
        fill_kernel<<<264, 256, 0, s>>>(buf, COUNT, (float)(rank + 1));
        NCCL_CHECK(ncclAllReduce(buf, buf, COUNT, ncclFloat, ncclSum, comm, s));
        CUDA_CHECK(cudaMemcpyAsync(host, buf, 1 << 20, cudaMemcpyDeviceToHost, s));
        CUDA_CHECK(cudaStreamSynchronize(s));
        nvtxRangePop();
        float want = (float)(world * (world + 1) / 2);
        if (host[0] != want) {
            fprintf(stderr, "rank %d step %d: sum %g, expected %g\n", rank, step, host[0], want);
            return 1;
        }
    }
    NCCL_CHECK(ncclCommDestroy(comm));
    CUDA_CHECK(cudaFree(buf));
    CUDA_CHECK(cudaFreeHost(host));
    printf("rank %d: %d all-reduces of %d MiB ok\n", rank, STEPS, (int)(COUNT * sizeof(float) >> 20));
    return 0;
}

static int launch(int n, const char *self, const char *idfile)
{
    unlink(idfile);
    for (int i = 0; i < n; i++) {
        if (fork() == 0) {
            char r[16], w[16];
            snprintf(r, sizeof(r), "%d", i);
            snprintf(w, sizeof(w), "%d", n);
            setenv("RANK", r, 1);
            setenv("LOCAL_RANK", r, 1);
            setenv("WORLD_SIZE", w, 1);
            execl("/proc/self/exe", self, "--rank", idfile, (char *)NULL);
            perror("execl");
            _exit(127);
        }
    }
    int failed = 0, status;
    while (wait(&status) > 0)
        failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--launch") == 0)
        return launch(atoi(argv[2]), argv[0], argv[3]);
    if (argc == 3 && strcmp(argv[1], "--rank") == 0)
        return rank_main(atoi(getenv("RANK")), atoi(getenv("WORLD_SIZE")), argv[2]);
    fprintf(stderr, "usage: nccl_allreduce --launch N IDFILE\n");
    return 2;
}
