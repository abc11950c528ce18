/* launch_bound.cu: the collector-overhead benchmark's launch-bound program: tiny kernels (1 block of 32 threads) launched
 * back to back, a stream sync every 1000; HOST_US of host work (a spin) between launches sets the launch rate
 * (0 = as fast as the driver allows, several hundred thousand per second; 10 = tens of thousands per second).
 * usage: launch_bound [KERNELS] [HOST_US]   prints "loop_s=<s> kernels=<n> rate=<kernels/s>" */
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CUDA_CHECK(call)                                                                                   \
    do {                                                                                                   \
        cudaError_t err_ = (call);                                                                         \
        if (err_ != cudaSuccess) {                                                                         \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(err_));                  \
            exit(1);                                                                                       \
        }                                                                                                  \
    } while (0)

__global__ void tiny_kernel(float *x) // x: (32,)
{
    x[threadIdx.x] += 1.0f;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int kernels = argc > 1 ? atoi(argv[1]) : 200000;
    double host_us = argc > 2 ? atof(argv[2]) : 0;
    float *x;
    cudaStream_t s;
    CUDA_CHECK(cudaStreamCreate(&s));
    CUDA_CHECK(cudaMalloc((void **)&x, 32 * sizeof(float)));
    tiny_kernel<<<1, 32, 0, s>>>(x);
    CUDA_CHECK(cudaStreamSynchronize(s));
    double t0 = now_s();
    for (int i = 0; i < kernels; i++) {
        if (host_us > 0) {
            double until = now_s() + host_us * 1e-6;
            while (now_s() < until) {
            }
        }
        tiny_kernel<<<1, 32, 0, s>>>(x);
        if (i % 1000 == 999)
            CUDA_CHECK(cudaStreamSynchronize(s));
    }
    CUDA_CHECK(cudaStreamSynchronize(s));
    double dt = now_s() - t0;
    printf("loop_s=%.6f kernels=%d rate=%.0f\n", dt, kernels, kernels / dt);
    return 0;
}
