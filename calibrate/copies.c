/* copies.c: see copies.h. */
#include "copies.h"

#include <pthread.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_check.h"

/* Each trial moves at least this much per GPU, so a 1 MiB copy is timed over 64 copies, not one. */
#define TRIAL_BYTES ((size_t)64 << 20)
/* Small copies per latency trial: one copy takes microseconds, the clock's resolution is far below that. */
#define LATENCY_COPIES 50

void cal_gpu_init(cal_gpu *g, int device, size_t size)
{
    memset(g, 0, sizeof(*g));
    g->device = device;
    g->size = size;
    CUDA_CHECK(cudaSetDevice(device));
    CUDA_CHECK(cudaMalloc(&g->device_buf, size));
    CUDA_CHECK(cudaMalloc(&g->peer_buf, size));
    /* Portable: the pinned buffer counts as pinned for every GPU's context, as an offloading program's would. */
    CUDA_CHECK(cudaHostAlloc(&g->pinned, size, cudaHostAllocPortable));
    g->pageable = malloc(CAL_PAGEABLE_POOL * size);
    if (!g->pageable) {
        fprintf(stderr, "wanprof-calibrate: out of host memory (%zu bytes for GPU %d)\n", CAL_PAGEABLE_POOL * size,
                device);
        exit(1);
    }
    memset(g->pinned, 1, size);
    memset(g->pageable, 1, CAL_PAGEABLE_POOL * size); /* first touch now: page faults are not what is measured */
    CUDA_CHECK(cudaMemset(g->device_buf, 0, size));
    CUDA_CHECK(cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking));
}

void cal_gpu_free(cal_gpu *g)
{
    CUDA_CHECK(cudaSetDevice(g->device));
    CUDA_CHECK(cudaStreamDestroy(g->stream));
    CUDA_CHECK(cudaFree(g->device_buf));
    CUDA_CHECK(cudaFree(g->peer_buf));
    CUDA_CHECK(cudaFreeHost(g->pinned));
    free(g->pageable);
}

typedef struct copy_job {
    cal_gpu *gpu;
    cal_direction dir;
    cal_host_memory mem;
    size_t bytes;
    int copies;
    pthread_barrier_t *start; /* every GPU's thread starts its copies together */
    double t0, t1;
} copy_job;

/* GPU->host into new pages: mapped now, faulted in by the copy, unmapped once it is done. */
static void copy_to_new_memory(const copy_job *j)
{
    void *host = mmap(NULL, j->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host == MAP_FAILED) {
        fprintf(stderr, "wanprof-calibrate: out of host memory (%zu bytes mapped for a copy)\n", j->bytes);
        exit(1);
    }
    CUDA_CHECK(cudaMemcpyAsync(host, j->gpu->device_buf, j->bytes, cudaMemcpyDeviceToHost, j->gpu->stream));
    CUDA_CHECK(cudaStreamSynchronize(j->gpu->stream));
    munmap(host, j->bytes);
}

/* The next stretch of the pageable pool for a copy of `bytes` (<= size): each copy reads or writes memory the last
 * CAL_PAGEABLE_POOL - 1 copies of its size did not. */
static void *next_pageable(cal_gpu *g, size_t bytes)
{
    if (g->pageable_at + bytes > CAL_PAGEABLE_POOL * g->size)
        g->pageable_at = 0;
    void *at = (char *)g->pageable + g->pageable_at;
    g->pageable_at += bytes;
    return at;
}

static void copy_once(const copy_job *j)
{
    if (j->mem == CAL_PAGEABLE_NEW) {
        copy_to_new_memory(j);
        return;
    }
    void *host = j->mem == CAL_PINNED ? j->gpu->pinned : next_pageable(j->gpu, j->bytes);
    if (j->dir == CAL_HTOD)
        CUDA_CHECK(cudaMemcpyAsync(j->gpu->device_buf, host, j->bytes, cudaMemcpyHostToDevice, j->gpu->stream));
    else
        CUDA_CHECK(cudaMemcpyAsync(host, j->gpu->device_buf, j->bytes, cudaMemcpyDeviceToHost, j->gpu->stream));
}

static void *run_copies(void *arg)
{
    copy_job *j = arg;
    CUDA_CHECK(cudaSetDevice(j->gpu->device));
    pthread_barrier_wait(j->start);
    j->t0 = cal_now_s();
    for (int i = 0; i < j->copies; i++)
        copy_once(j);
    CUDA_CHECK(cudaStreamSynchronize(j->gpu->stream));
    j->t1 = cal_now_s();
    return NULL;
}

/* One trial on n GPUs at once: the aggregate GB/s. */
static double trial(copy_job *jobs, int n)
{
    pthread_t threads[n];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        jobs[i].start = &start;
        if (pthread_create(&threads[i], NULL, run_copies, &jobs[i]) != 0) {
            fprintf(stderr, "wanprof-calibrate: cannot start a thread for GPU %d\n", jobs[i].gpu->device);
            exit(1);
        }
    }
    double first = 0, last = 0, bytes = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        if (i == 0 || jobs[i].t0 < first)
            first = jobs[i].t0;
        if (i == 0 || jobs[i].t1 > last)
            last = jobs[i].t1;
        bytes += (double)jobs[i].bytes * jobs[i].copies;
    }
    pthread_barrier_destroy(&start);
    return bytes / (last - first) / 1e9;
}

cal_spread cal_copy_bandwidth(cal_gpu *gpus, int n, cal_direction dir, cal_host_memory mem, size_t bytes,
                              int repeats)
{
    copy_job jobs[n];
    int copies = bytes >= TRIAL_BYTES ? 1 : (int)(TRIAL_BYTES / bytes);
    for (int i = 0; i < n; i++)
        jobs[i] = (copy_job){.gpu = &gpus[i], .dir = dir, .mem = mem, .bytes = bytes, .copies = copies};
    trial(jobs, n); /* warm-up: the first copies of a buffer pay for mapping and staging set-up */
    double samples[repeats];
    for (int r = 0; r < repeats; r++)
        samples[r] = trial(jobs, n);
    return cal_spread_of(samples, repeats);
}

cal_spread cal_copy_latency(cal_gpu *gpu, cal_direction dir, cal_host_memory mem, size_t bytes, int repeats)
{
    copy_job j = {.gpu = gpu, .dir = dir, .mem = mem, .bytes = bytes};
    CUDA_CHECK(cudaSetDevice(gpu->device));
    double samples[repeats];
    for (int r = -1; r < repeats; r++) { /* r = -1: untimed warm-up */
        double t0 = cal_now_s();
        for (int i = 0; i < LATENCY_COPIES; i++) {
            copy_once(&j);
            CUDA_CHECK(cudaStreamSynchronize(gpu->stream));
        }
        if (r >= 0)
            samples[r] = (cal_now_s() - t0) / LATENCY_COPIES;
    }
    return cal_spread_of(samples, repeats);
}
