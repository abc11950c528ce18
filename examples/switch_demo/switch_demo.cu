// switch_demo.cu: a miniature of the offloaded two-expert denoising loop, in plain CUDA C, for the quick start.
// Each step runs a conditional and an unconditional "forward" (a few compute kernels that read the resident
// expert's weights); the expert is chosen per step by the real Wan2.2 schedule (schedule/), and at the first
// low-noise step the resident expert is swapped the way SGLang's dit_cpu_offload does it: one synchronous copy per
// tensor, out to host and in from host, from pageable memory unless --pinned. NVTX marks every step (payload: its
// index), every forward and the switch, so `wanprof explain` can tie the slow step to its cause.
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include "schedule.h"
}

#define CUDA_CHECK(call)                                                                                             \
    do {                                                                                                             \
        cudaError_t err_ = (call);                                                                                   \
        if (err_ != cudaSuccess) {                                                                                   \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(err_));                  \
            exit(1);                                                                                                 \
        }                                                                                                            \
    } while (0)

struct demo_opts {
    wp_schedule_params schedule;
    int tensors;         // weight tensors per expert
    size_t tensor_bytes; // bytes per tensor
    int pinned;          // host copies of the experts in pinned memory
    int kernels;         // compute kernels per forward
    int iters;           // FMA iterations per thread per kernel: sets the step's compute time
};

// Stands in for a transformer block: FMA-bound, reading one weight per thread so it depends on the resident expert.
__global__ void dit_block_kernel(const float *weights, size_t n, float *out, int iters)
{
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    float w = weights[i % n], acc = w;
    for (int k = 0; k < iters; k++)
        acc = fmaf(acc, 0.999f, w);
    out[i] = acc;
}

static void parse_args(int argc, char **argv, demo_opts *o)
{
    wp_schedule_params_default(&o->schedule);
    o->schedule.shift = 3.0; // the 480P config that SGLang falls back to: the classic 10th-step spike
    o->tensors = 128;
    o->tensor_bytes = 4u << 20;
    o->pinned = 0;
    o->kernels = 8;
    o->iters = 262144; // ~45 ms of compute per step on an H200: steps long enough that launch jitter is noise
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--pinned"))
            o->pinned = 1;
        else if (v && !strcmp(argv[i], "--shift"))
            o->schedule.shift = atof(argv[++i]);
        else if (v && !strcmp(argv[i], "--steps"))
            o->schedule.steps = atoi(argv[++i]);
        else if (v && !strcmp(argv[i], "--sampler")) {
            if (wp_sampler_parse(argv[++i], &o->schedule.sampler) != 0) {
                fprintf(stderr, "switch_demo: unknown sampler '%s'\n", argv[i]);
                exit(2);
            }
        } else if (v && !strcmp(argv[i], "--tensors"))
            o->tensors = atoi(argv[++i]);
        else if (v && !strcmp(argv[i], "--tensor-mb"))
            o->tensor_bytes = (size_t)atoi(argv[++i]) << 20;
        else if (v && !strcmp(argv[i], "--iters"))
            o->iters = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: switch_demo [--shift S] [--steps N] [--sampler NAME] [--pinned]\n"
                            "                   [--tensors N] [--tensor-mb MB] [--iters N]\n");
            exit(2);
        }
    }
    const char *bad = wp_schedule_params_check(&o->schedule);
    if (bad || o->tensors < 1 || o->tensor_bytes == 0 || o->iters < 1) {
        fprintf(stderr, "switch_demo: %s\n", bad ? bad : "--tensors, --tensor-mb and --iters must be positive");
        exit(2);
    }
}

static void range_push_int(const char *text, int64_t payload)
{
    nvtxEventAttributes_t a;
    memset(&a, 0, sizeof(a));
    a.version = NVTX_VERSION;
    a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
    a.messageType = NVTX_MESSAGE_TYPE_ASCII;
    a.message.ascii = text;
    a.payloadType = NVTX_PAYLOAD_TYPE_INT64;
    a.payload.llValue = payload;
    nvtxRangePushEx(&a);
}

// Moves the resident expert out and the next one in, one synchronous copy per tensor (module.to() does this).
static void swap_experts(float **slot, char *out_host, const char *in_host, const demo_opts *o)
{
    char text[96];
    snprintf(text, sizeof(text), "expert switch high-noise -> low-noise (%zu bytes each way)",
             (size_t)o->tensors * o->tensor_bytes);
    nvtxRangePushA(text);
    for (int t = 0; t < o->tensors; t++)
        CUDA_CHECK(cudaMemcpy(out_host + (size_t)t * o->tensor_bytes, slot[t], o->tensor_bytes,
                              cudaMemcpyDeviceToHost));
    for (int t = 0; t < o->tensors; t++)
        CUDA_CHECK(cudaMemcpy(slot[t], in_host + (size_t)t * o->tensor_bytes, o->tensor_bytes,
                              cudaMemcpyHostToDevice));
    nvtxRangePop();
}

static void forward(const char *which, float **slot, float *out, size_t n_out, const demo_opts *o)
{
    nvtxRangePushA(which);
    size_t n_weights = o->tensor_bytes / sizeof(float);
    for (int k = 0; k < o->kernels; k++)
        dit_block_kernel<<<(unsigned)(n_out / 256), 256>>>(slot[k % o->tensors], n_weights, out, o->iters);
    CUDA_CHECK(cudaGetLastError());
    nvtxRangePop();
}

int main(int argc, char **argv)
{
    demo_opts o;
    parse_args(argc, argv, &o);
    int steps = o.schedule.steps, first_low = wp_schedule_first_low(&o.schedule);
    size_t expert_bytes = (size_t)o.tensors * o.tensor_bytes;
    printf("switch_demo: %d steps, sampler %s, shift %g: first low-noise step index %d (the %d%s step); "
           "experts of %zu MB in %s host memory\n",
           steps, wp_sampler_name(o.schedule.sampler), o.schedule.shift, first_low, first_low + 1,
           first_low + 1 == 1 ? "st" : first_low + 1 == 2 ? "nd" : first_low + 1 == 3 ? "rd" : "th",
           expert_bytes >> 20, o.pinned ? "pinned" : "pageable");

    char *host[2];
    for (int e = 0; e < 2; e++) {
        if (o.pinned)
            CUDA_CHECK(cudaMallocHost((void **)&host[e], expert_bytes));
        else if (!(host[e] = (char *)malloc(expert_bytes)))
            return 1;
        memset(host[e], 0x3c + e, expert_bytes); // touched, as loaded weights would be
    }
    float **slot = (float **)calloc((size_t)o.tensors, sizeof(float *));
    for (int t = 0; t < o.tensors; t++)
        CUDA_CHECK(cudaMalloc((void **)&slot[t], o.tensor_bytes));
    size_t n_out = 132 * 8 * 256;
    float *out;
    CUDA_CHECK(cudaMalloc((void **)&out, n_out * sizeof(float)));

    nvtxRangePushA("upload high-noise expert");
    for (int t = 0; t < o.tensors; t++)
        CUDA_CHECK(cudaMemcpy(slot[t], host[0] + (size_t)t * o.tensor_bytes, o.tensor_bytes,
                              cudaMemcpyHostToDevice));
    nvtxRangePop();
    for (int i = 0; i < steps; i++) {
        wp_schedule_step st;
        wp_schedule_step_at(&o.schedule, i, &st);
        char text[64];
        snprintf(text, sizeof(text), "step %d", i);
        range_push_int(text, i);
        if (i == first_low)
            swap_experts(slot, host[0], host[1], &o);
        forward("forward cond", slot, out, n_out, &o);
        forward("forward uncond", slot, out, n_out, &o);
        CUDA_CHECK(cudaDeviceSynchronize()); // the scheduler update reads the result on the host
        nvtxRangePop();
    }
    float probe;
    CUDA_CHECK(cudaMemcpy(&probe, out, sizeof(probe), cudaMemcpyDeviceToHost));
    printf("switch_demo: done (probe %g)\n", probe);
    return 0;
}
