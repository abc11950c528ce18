/* gen_kineto.c: writes a Kineto-style trace (torch.profiler's layout and spacing, gzip'd when the name ends in .gz)
 * of about the requested uncompressed size, for bench_read.sh. Each "step" has a ProfilerStep annotation, python
 * functions, aten cpu_ops with cudaLaunchKernel calls and their kernels (ac2g flows between them), cudaMemcpyAsync
 * with pageable/pinned copies, a memset, gpu_user_annotations and an occasional profiler overhead event, in the
 * proportions of a real diffusion-model trace.
 *
 *   gen_kineto OUT.json.gz SIZE_MB [SEED] */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct out {
    gzFile gz;
    FILE *f;
    uint64_t bytes;
    char buf[1 << 16];
    size_t used;
} out;

static void drain(out *o)
{
    if (o->gz)
        gzwrite(o->gz, o->buf, (unsigned)o->used);
    else
        fwrite(o->buf, 1, o->used, o->f);
    o->used = 0;
}

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    if (sizeof(o->buf) - o->used < 4096)
        drain(o);
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, sizeof(o->buf) - o->used, fmt, ap);
    va_end(ap);
    o->used += (size_t)n;
    o->bytes += (uint64_t)n;
}

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

/* ns -> Kineto's µs with three decimals. */
static void ts(char *b, int64_t ns)
{
    sprintf(b, "%lld.%03lld", (long long)(ns / 1000), (long long)(ns % 1000));
}

static const char *kernels[] = {
    "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_"
    "cublas",
    "void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<c10::BFloat16>, "
    "at::detail::Array<char*, 3> >(int, at::native::CUDAFunctor_add<c10::BFloat16>, at::detail::Array<char*, 3>)",
    "flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, cutlass::bfloat16_t>, false, false, "
    "false, false, true, true, false>",
    "triton_poi_fused__to_copy_add_mul_native_layer_norm_0",
    "triton_red_fused_native_layer_norm_1",
    "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)",
};
static const char *ops[] = {"aten::mm", "aten::add", "aten::_flash_attention_forward", "aten::native_layer_norm",
                            "aten::copy_", "aten::mul", "c10d::allreduce_"};

typedef struct gen {
    out *o;
    int64_t t;     /* host clock, ns */
    int64_t gpu_t; /* GPU clock, ns */
    uint64_t ext, corr;
    int first;
} gen;

static void sep(gen *g)
{
    put(g->o, g->first ? "\n" : ",\n");
    g->first = 0;
}

static void x_event(gen *g, const char *cat, const char *name, int pid, int tid, int64_t start, int64_t dur,
                    const char *args)
{
    char a[32], d[32];
    ts(a, start);
    ts(d, dur);
    sep(g);
    put(g->o, "  {\n    \"ph\": \"X\", \"cat\": \"%s\", \"name\": \"%s\", \"pid\": %d, \"tid\": %d,\n"
              "    \"ts\": %s, \"dur\": %s,\n    \"args\": {\n      %s\n    }\n  }",
        cat, name, pid, tid, a, d, args);
}

static void flow(gen *g, char ph, int pid, int tid, int64_t at)
{
    char a[32];
    ts(a, at);
    sep(g);
    put(g->o, "  {\n    \"ph\": \"%c\", \"id\": %llu, \"pid\": %d, \"tid\": %d, \"ts\": %s,\n    \"cat\": \"ac2g\", "
              "\"name\": \"ac2g\"%s\n  }",
        ph, (unsigned long long)g->corr, pid, tid, a, ph == 'f' ? ", \"bp\": \"e\"" : "");
}

/* One aten op: cpu_op, its launch call and the kernel (or a copy), with the flow arrow. */
static void op(gen *g, int pid, int tid, int stream)
{
    char args[1024];
    int k = (int)rnd(6);
    int copy = rnd(20) == 0;
    int64_t op_start = g->t, op_dur = 20000 + (int64_t)rnd(40000);
    g->ext++;
    snprintf(args, sizeof(args),
             "\"External id\": %llu,\"Record function id\": 0, \"Sequence number\": %llu, \"Fwd thread id\": 0, "
             "\"Ev Idx\": %llu, \"Input Dims\": [[1, 4096, 5120], [5120, 5120]], \"Input type\": [\"c10::BFloat16\", "
             "\"c10::BFloat16\"]",
             (unsigned long long)g->ext, (unsigned long long)g->ext / 3, (unsigned long long)g->ext);
    x_event(g, "cpu_op", copy ? "aten::copy_" : ops[rnd(7)], pid, tid, op_start, op_dur, args);
    int64_t launch = op_start + 3000 + (int64_t)rnd(2000), launch_dur = 4000 + (int64_t)rnd(3000);
    g->corr++;
    snprintf(args, sizeof(args), "\"External id\": %llu, \"cbid\": %d, \"correlation\": %llu",
             (unsigned long long)g->ext, copy ? 51 : 211, (unsigned long long)g->corr);
    x_event(g, "cuda_runtime", copy ? "cudaMemcpyAsync" : "cudaLaunchKernel", pid, tid, launch, launch_dur, args);
    flow(g, 's', pid, tid, launch);
    if (g->gpu_t < launch + 5000)
        g->gpu_t = launch + 5000;
    int64_t gdur = 5000 + (int64_t)rnd(400000);
    if (copy) {
        uint64_t bytes = 4096 + rnd(64u << 20);
        int pageable = rnd(2) == 0;
        snprintf(args, sizeof(args),
                 "\"External id\": %llu, \"device\": 0, \"context\": 1, \"stream\": %d, \"correlation\": %llu, "
                 "\"bytes\": %llu, \"memory bandwidth (GB/s)\": %.6f",
                 (unsigned long long)g->ext, stream, (unsigned long long)g->corr, (unsigned long long)bytes,
                 (double)bytes / (double)gdur);
        x_event(g, "gpu_memcpy", pageable ? "Memcpy HtoD (Pageable -> Device)" : "Memcpy HtoD (Pinned -> Device)", 0,
                stream, g->gpu_t, gdur, args);
    } else {
        snprintf(args, sizeof(args),
                 "\"External id\": %llu, \"queued\": 0, \"device\": 0, \"context\": 1, \"stream\": %d, "
                 "\"correlation\": %llu, \"registers per thread\": %d, \"shared memory\": %d, \"blocks per SM\": "
                 "%.6f, \"warps per SM\": %.6f, \"grid\": [%d, %d, 1], \"block\": [%d, 1, 1], \"est. achieved "
                 "occupancy %%\": %d",
                 (unsigned long long)g->ext, stream, (unsigned long long)g->corr, 32 + (int)rnd(200),
                 (int)rnd(230000), 0.5 + (double)rnd(1000) / 100, 4.0 + (double)rnd(3000) / 100, 1 + (int)rnd(2048),
                 1 + (int)rnd(16), 128 << rnd(3), (int)rnd(100));
        x_event(g, "kernel", kernels[k], 0, stream, g->gpu_t, gdur, args);
    }
    flow(g, 'f', 0, stream, g->gpu_t);
    g->gpu_t += gdur + 1000 + (int64_t)rnd(5000);
    g->t = op_start + op_dur + 500 + (int64_t)rnd(3000);
}

static void step(gen *g, int n, int pid)
{
    char args[256], name[64];
    int64_t start = g->t;
    snprintf(name, sizeof(name), "ProfilerStep#%d", n);
    g->t += 1000;
    int64_t gpu_start = g->gpu_t;
    for (int layer = 0; layer < 40; layer++) {
        int64_t py = g->t;
        for (int i = 0; i < 6; i++)
            op(g, pid, pid, 7);
        snprintf(args, sizeof(args), "\"Python id\": %d, \"Python parent id\": %d, \"Python thread\": 0", layer + 10,
                 9);
        x_event(g, "python_function", "torch/nn/modules/module.py(1747): _call_impl", pid, pid, py, g->t - py, args);
    }
    snprintf(args, sizeof(args), "\"External id\": %llu", (unsigned long long)++g->ext);
    x_event(g, "gpu_user_annotation", name, 0, 7, gpu_start, g->gpu_t - gpu_start, args);
    snprintf(args, sizeof(args), "\"External id\": %llu,\"Record function id\": 0, \"Ev Idx\": %llu",
             (unsigned long long)g->ext, (unsigned long long)g->ext);
    x_event(g, "user_annotation", name, pid, pid, start, g->t - start, args);
    if (rnd(4) == 0)
        x_event(g, "overhead", "Activity Buffer Request", -1, 0, g->t, 1500 + (int64_t)rnd(500), "");
    g->t += 2000;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_kineto OUT.json[.gz] SIZE_MB [SEED]\n");
        return 2;
    }
    const char *path = argv[1];
    uint64_t target = strtoull(argv[2], NULL, 10) << 20;
    if (argc > 3)
        rng = strtoull(argv[3], NULL, 10) | 1;
    out o = {0};
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
        o.gz = gzopen(path, "wb6");
    else
        o.f = fopen(path, "wb");
    if (!o.gz && !o.f) {
        perror(path);
        return 1;
    }
    int pid = 2851;
    put(&o, "\n{\n  \"schemaVersion\": 1,\n  \"deviceProperties\": [\n    {\n      \"id\": 0, "
            "\"name\": \"NVIDIA H200\", "
            "\"totalGlobalMem\": 150109880320,\n      \"computeMajor\": 9, \"computeMinor\": 0,\n      "
            "\"maxThreadsPerBlock\": 1024, \"maxThreadsPerMultiprocessor\": 2048,\n      \"regsPerBlock\": 65536, "
            "\"warpSize\": 32,\n      \"sharedMemPerBlock\": 49152, \"numSms\": 132\n    }\n  ],\n"
            "  \"distributedInfo\": {\"backend\": \"nccl\", \"rank\": 0, \"world_size\": 8, \"pg_count\": 1},\n"
            "  \"record_shapes\": 1,\n  \"cupti_version\": 130001,\n  \"displayTimeUnit\": \"ms\",\n"
            "  \"baseTimeNanoseconds\": 1790857026000000000,\n  \"traceEvents\": [");
    gen g = {.o = &o, .t = 4448798600224330LL, .gpu_t = 4448798600224330LL, .first = 1};
    for (int s = 0; o.bytes < target; s++)
        step(&g, s, pid);
    put(&o, "\n  ],\n  \"traceName\": \"%s\"\n}\n", path);
    drain(&o);
    fprintf(stderr, "%s: %llu bytes uncompressed, %llu launches\n", path, (unsigned long long)o.bytes,
            (unsigned long long)g.corr);
    if (o.gz)
        return gzclose(o.gz) == Z_OK ? 0 : 1;
    return fclose(o.f) == 0 ? 0 : 1;
}
