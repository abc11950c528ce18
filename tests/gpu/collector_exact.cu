/* collector_exact.cu: a CUDA C program with a known set of operations, for the collector's exactness test
 * (check_exact.c holds the same list). Every copy and memset has a size no other operation has, so the checker can find
 * each one. Modes:
 *   collector_exact                 the known set, once
 *   collector_exact --fork          the known set, with a fork() without exec in the middle: the child exits through
 *                                   exit() (atexit handlers run) and must leave the parent's output intact
 *   collector_exact --loop SECONDS PROGRESS_FILE
 *                                   iterations of (NVTX range "iter" with payload i, EXACT_LOOP_KERNELS kernels, one HtoD
 *                                   copy, sync) until SECONDS pass; after each iteration writes its number to
 *                                   PROGRESS_FILE (for the SIGKILL/SIGTERM tests) */
#include <cuda.h>
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exact_ops.h"

#define CUDA_CHECK(call)                                                                                   \
    do {                                                                                                   \
        cudaError_t err_ = (call);                                                                         \
        if (err_ != cudaSuccess) {                                                                         \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(err_));       \
            exit(1);                                                                                       \
        }                                                                                                  \
    } while (0)

__global__ void exact_kernel(float *x, int n) // x: (n,)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        x[i] = x[i] * 2.0f + 1.0f;
}

static nvtxEventAttributes_t attrs(const char *msg)
{
    nvtxEventAttributes_t a;
    memset(&a, 0, sizeof(a));
    a.version = NVTX_VERSION;
    a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
    a.messageType = NVTX_MESSAGE_TYPE_ASCII;
    a.message.ascii = msg;
    return a;
}

static void copies(char *pageable, char *pinned, char *dev, char *dev2, cudaStream_t s)
{
    CUDA_CHECK(cudaMemcpy(dev, pageable, EXACT_H2D_PAGEABLE_SYNC, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(dev, pinned, EXACT_H2D_PINNED_SYNC, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpyAsync(dev, pinned, EXACT_H2D_PINNED_ASYNC, cudaMemcpyHostToDevice, s));
    CUDA_CHECK(cudaStreamSynchronize(s));
    CUDA_CHECK(cudaMemcpy(pageable, dev, EXACT_D2H_PAGEABLE_SYNC, cudaMemcpyDeviceToHost));
    CUDA_CHECK(cudaMemcpyAsync(pinned, dev, EXACT_D2H_PINNED_ASYNC, cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaMemcpyAsync(dev2, dev, EXACT_D2D_ASYNC, cudaMemcpyDeviceToDevice, s));
    CUDA_CHECK(cudaMemcpyAsync(dev, pageable, EXACT_H2D_PAGEABLE_ASYNC, cudaMemcpyHostToDevice, s));
    CUDA_CHECK(cudaStreamSynchronize(s));
    CUDA_CHECK(cudaMemset(dev, 0x5a, EXACT_MEMSET_SYNC));
    CUDA_CHECK(cudaMemsetAsync(dev2, 0, EXACT_MEMSET_ASYNC, s));
    CUDA_CHECK(cudaStreamSynchronize(s));
}

/* exact_kernel through the driver API, the way libraries launch theirs. */
static void driver_launch(float *x, cudaStream_t s)
{
    cudaFunction_t f;
    CUDA_CHECK(cudaGetFuncBySymbol(&f, (const void *)exact_kernel));
    int n = EXACT_DRIVER_GRID * 128;
    void *args[] = {&x, &n};
    CUresult r = cuLaunchKernel((CUfunction)f, EXACT_DRIVER_GRID, 1, 1, 128, 1, 1, 0, (CUstream)s, args, NULL);
    if (r != CUDA_SUCCESS) {
        fprintf(stderr, "cuLaunchKernel: error %d\n", (int)r);
        exit(1);
    }
}

/* fork() without exec inside the profiled region; the child never touches CUDA and exits normally. */
static void fork_child(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100000);
        exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "forked child failed (status %d)\n", status);
        exit(1);
    }
}

static int known_set(int with_fork)
{
    char *pageable = (char *)malloc(EXACT_MAX_BYTES), *pinned, *dev, *dev2, *tmp;
    cudaStream_t s;
    CUDA_CHECK(cudaFree(0)); /* CUDA (and the collector) start here, before the first NVTX call */
    CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    CUDA_CHECK(cudaMallocHost((void **)&pinned, EXACT_MAX_BYTES));
    CUDA_CHECK(cudaMalloc((void **)&dev, EXACT_MAX_BYTES));
    CUDA_CHECK(cudaMalloc((void **)&dev2, EXACT_MAX_BYTES));
    memset(pageable, 1, EXACT_MAX_BYTES);
    memset(pinned, 2, EXACT_MAX_BYTES);

    nvtxEventAttributes_t outer = attrs("exact:outer");
    outer.payloadType = NVTX_PAYLOAD_TYPE_INT64;
    outer.payload.llValue = EXACT_OUTER_PAYLOAD;
    nvtxRangePushEx(&outer);
    if (with_fork)
        fork_child();
    copies(pageable, pinned, dev, dev2, s);

    nvtxEventAttributes_t inner = attrs("exact:inner");
    inner.payloadType = NVTX_PAYLOAD_TYPE_DOUBLE;
    inner.payload.dValue = EXACT_INNER_PAYLOAD;
    nvtxRangePushEx(&inner);
    for (int i = 0; i < EXACT_KERNELS; i++)
        exact_kernel<<<i + 1, 128, 0, s>>>((float *)dev, (i + 1) * 128);
    CUDA_CHECK(cudaGetLastError());
    driver_launch((float *)dev, s);
    CUDA_CHECK(cudaStreamSynchronize(s));
    nvtxRangePop();

    nvtxEventAttributes_t mark = attrs("exact:mark");
    mark.payloadType = NVTX_PAYLOAD_TYPE_UNSIGNED_INT64;
    mark.payload.ullValue = EXACT_MARK_PAYLOAD;
    nvtxMarkEx(&mark);
    CUDA_CHECK(cudaMalloc((void **)&tmp, EXACT_ALLOC_BYTES));
    CUDA_CHECK(cudaFree(tmp));
    nvtxRangePop();

    nvtxDomainHandle_t domain = nvtxDomainCreateA("exact_domain");
    nvtxEventAttributes_t dr = attrs("exact:domain_range");
    nvtxRangeId_t id = nvtxDomainRangeStartEx(domain, &dr);
    CUDA_CHECK(cudaDeviceSynchronize());
    nvtxDomainRangeEnd(domain, id);

    CUDA_CHECK(cudaFree(dev));
    CUDA_CHECK(cudaFree(dev2));
    CUDA_CHECK(cudaFreeHost(pinned));
    CUDA_CHECK(cudaStreamDestroy(s));
    free(pageable);
    printf("collector_exact: %d kernels (one through the driver API), 7 copies, 2 memsets, 4 NVTX ranges + 1 mark "
           "issued\n", EXACT_KERNELS + 1);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int loop(double seconds, const char *progress)
{
    float *dev;
    char *pinned;
    CUDA_CHECK(cudaMalloc((void **)&dev, 1 << 20));
    CUDA_CHECK(cudaMallocHost((void **)&pinned, EXACT_LOOP_COPY));
    double t0 = now_s();
    for (long it = 0; now_s() - t0 < seconds; it++) {
        nvtxEventAttributes_t a = attrs("iter");
        a.payloadType = NVTX_PAYLOAD_TYPE_INT64;
        a.payload.llValue = it;
        nvtxRangePushEx(&a);
        for (int k = 0; k < EXACT_LOOP_KERNELS; k++)
            exact_kernel<<<64, 128>>>(dev, 64 * 128);
        CUDA_CHECK(cudaMemcpy(dev, pinned, EXACT_LOOP_COPY, cudaMemcpyHostToDevice));
        CUDA_CHECK(cudaDeviceSynchronize());
        nvtxRangePop();
        FILE *f = fopen(progress, "w");
        if (f) {
            fprintf(f, "%ld\n", it);
            fclose(f);
        }
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    CUDA_CHECK(cudaFree(dev));
    CUDA_CHECK(cudaFreeHost(pinned));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--loop") == 0)
        return loop(atof(argv[2]), argv[3]);
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--fork") != 0)) {
        fprintf(stderr, "usage: collector_exact [--fork | --loop SECONDS PROGRESS_FILE]\n");
        return 2;
    }
    return known_set(argc == 2);
}
