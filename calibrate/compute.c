/* compute.c: see compute.h. Each phase runs bursts of work (as long as a block's compute) and, between them, idles
 * the host for as long as it takes the share of busy time asked for; the first third of a phase is left out while
 * the clocks settle. A phase at full load comes first, untimed, so the GPU starts from the state a loop holds. */
#include "compute.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cuda_check.h"
#include "topology.h"
#include "wplinalg.h"

/* A Wan2.2 A14B block at 4,096 tokens: the FFN's first linear (5120 -> 13824, GELU) and self-attention over 40
 * heads of 128. */
#define TOKENS 4096
#define DIM 5120
#define FFN 13824
#define HEADS 40
#define HEAD_DIM 128
#define BURST_S 0.010 /* a block's compute in a layerwise offload, 5..15 ms: the gaps come at that pace */
#define MAX_BURSTS 4096
#define MIN_BURSTS 5 /* timed after the settling third, or the phase says nothing */

static const double busy_targets[CAL_BUSY_POINTS] = {1.0, 0.75, 0.5, 0.25};

typedef struct work {
    wp_linalg *la;
    cudaStream_t stream;
    void *x, *w, *y, *q, *k, *v, *o;
    int attention;
    char why[200];
} work;

/* bf16 values uniform in (-1, 1): the top half of a float's bits, from xorshift32. */
static void fill_random(void *dev, size_t bytes, uint32_t seed)
{
    enum { CHUNK = 16 << 20 };
    uint16_t *host = malloc(CHUNK);
    if (!host) {
        fprintf(stderr, "wanprof-calibrate: out of host memory (%d bytes)\n", CHUNK);
        exit(1);
    }
    for (size_t i = 0; i < CHUNK / 2; i++) {
        seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
        float f = (float)seed / 2147483648.0f - 1.0f;
        uint32_t bits;
        memcpy(&bits, &f, sizeof(bits));
        host[i] = (uint16_t)(bits >> 16);
    }
    for (size_t at = 0; at < bytes; at += CHUNK)
        CUDA_CHECK(cudaMemcpy((char *)dev + at, host, bytes - at < CHUNK ? bytes - at : CHUNK, cudaMemcpyHostToDevice));
    free(host);
}

/* A device buffer of `bytes`, or -1 with why set: a GPU too full for the curve leaves the copy figures measured. */
static int device_buffer(work *wk, void **buf, size_t bytes)
{
    cudaError_t err = cudaMalloc(buf, bytes);
    if (err == cudaSuccess)
        return 0;
    *buf = NULL;
    snprintf(wk->why, sizeof(wk->why), "%zu bytes of device memory: %s", bytes, cudaGetErrorString(err));
    return -1;
}

/* Returns 0, or -1 with why set; work_close frees what was made either way. */
static int work_open(work *wk, int device)
{
    memset(wk, 0, sizeof(*wk));
    CUDA_CHECK(cudaSetDevice(device));
    if (wp_linalg_create(&wk->la, wk->why, sizeof(wk->why)) != 0)
        return -1;
    CUDA_CHECK(cudaStreamCreateWithFlags(&wk->stream, cudaStreamNonBlocking));
    size_t act = (size_t)TOKENS * DIM * 2;
    void **bufs[] = {&wk->x, &wk->q, &wk->k, &wk->v, &wk->o};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        if (device_buffer(wk, bufs[i], act) != 0)
            return -1;
        fill_random(*bufs[i], act, 0x9e3779b9u + (uint32_t)i);
    }
    if (device_buffer(wk, &wk->w, (size_t)FFN * DIM * 2) != 0 ||
        device_buffer(wk, &wk->y, (size_t)TOKENS * FFN * 2) != 0)
        return -1;
    fill_random(wk->w, (size_t)FFN * DIM * 2, 0x85ebca6bu);
    wk->attention = wp_attention_cudnn_available(wk->la);
    return 0;
}

static void work_close(work *wk)
{
    if (wk->la)
        wp_linalg_destroy(wk->la);
    if (wk->stream)
        CUDA_CHECK(cudaStreamDestroy(wk->stream));
    void *bufs[] = {wk->x, wk->w, wk->y, wk->q, wk->k, wk->v, wk->o};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        CUDA_CHECK(cudaFree(bufs[i])); /* NULL: nothing */
}

/* Queues n units. Returns 0, or -1 with why set. */
static int queue_units(work *wk, int n)
{
    for (int i = 0; i < n; i++) {
        if (wp_linear(wk->la, wk->y, wk->x, wk->w, NULL, TOKENS, FFN, DIM, 1, WP_BF16, wk->stream) != 0) {
            snprintf(wk->why, sizeof(wk->why), "the GEMM failed: %s", wp_linalg_error(wk->la));
            return -1;
        }
        if (wk->attention && wp_attention_cudnn(wk->la, wk->o, wk->q, wk->k, wk->v, TOKENS, TOKENS, HEADS, HEAD_DIM,
                                                1.0f / sqrtf((float)HEAD_DIM), wk->stream) != 0)
            wk->attention = 0; /* not on this GPU after all: the GEMM alone */
    }
    return 0;
}

static void idle(double seconds)
{
    if (seconds <= 0)
        return;
    struct timespec ts = {(time_t)seconds, (long)((seconds - floor(seconds)) * 1e9)};
    nanosleep(&ts, NULL);
}

/* One phase at `busy` of the time: its point (unit_s.count 0 when nothing was timed). */
static int phase(work *wk, const char *bus, int units, double busy, double phase_s, cal_busy_point *pt)
{
    static double unit[MAX_BURSTS], clock[MAX_BURSTS];
    cudaEvent_t e0, e1;
    CUDA_CHECK(cudaEventCreate(&e0));
    CUDA_CHECK(cudaEventCreate(&e1));
    double t0 = cal_now_s(), settle = t0 + phase_s / 3, end = t0 + phase_s, kernel = 0, wall0 = 0;
    int n = 0, nclock = 0, rc = 0;
    while (cal_now_s() < end && n < MAX_BURSTS) {
        double start = cal_now_s();
        CUDA_CHECK(cudaEventRecord(e0, wk->stream));
        if ((rc = queue_units(wk, units)) != 0)
            break;
        CUDA_CHECK(cudaEventRecord(e1, wk->stream));
        CUDA_CHECK(cudaEventSynchronize(e1));
        float ms = 0;
        CUDA_CHECK(cudaEventElapsedTime(&ms, e0, e1));
        int mhz = cal_nvml_sm_clock(bus); /* before the idle: the clock the burst ran at */
        idle(ms * 1e-3 * (1 - busy) / busy);
        if (start < settle)
            continue;
        if (n == 0)
            wall0 = start;
        unit[n++] = ms * 1e-3 / units;
        kernel += ms * 1e-3;
        if (mhz > 0)
            clock[nclock++] = mhz;
    }
    double wall = cal_now_s() - wall0;
    CUDA_CHECK(cudaEventDestroy(e0));
    CUDA_CHECK(cudaEventDestroy(e1));
    pt->busy_target = busy;
    pt->busy_measured = n && wall > 0 ? kernel / wall : 0;
    pt->unit_s = n ? cal_spread_of(unit, n) : (cal_spread){0, 0, 0, 0};
    pt->sm_clock_mhz = nclock ? cal_spread_of(clock, nclock) : (cal_spread){0, 0, 0, 0};
    if (rc == 0 && n < MIN_BURSTS) {
        snprintf(wk->why, sizeof(wk->why), "%d burst%s timed at %.0f%% busy, fewer than %d: the work is too slow on "
                 "this GPU for a %.1f s phase", n, n == 1 ? "" : "s", busy * 100, MIN_BURSTS, phase_s);
        rc = -1;
    }
    return rc;
}

void cal_compute_curve(int device, const char *bus, double phase_s, cal_compute *out)
{
    memset(out, 0, sizeof(*out));
    double t0 = cal_now_s();
    work wk;
    if (work_open(&wk, device) != 0) {
        snprintf(out->why, sizeof(out->why), "%s", wk.why);
        work_close(&wk);
        return;
    }
    cudaEvent_t e0, e1;
    CUDA_CHECK(cudaEventCreate(&e0));
    CUDA_CHECK(cudaEventCreate(&e1));
    /* plans built and the unit's length known: then as many units per burst as make BURST_S */
    enum { PROBE_UNITS = 8 };
    float ms = 0;
    int ok = queue_units(&wk, 2) == 0;
    CUDA_CHECK(cudaEventRecord(e0, wk.stream));
    ok = ok && queue_units(&wk, PROBE_UNITS) == 0;
    CUDA_CHECK(cudaEventRecord(e1, wk.stream));
    CUDA_CHECK(cudaEventSynchronize(e1));
    CUDA_CHECK(cudaEventElapsedTime(&ms, e0, e1));
    CUDA_CHECK(cudaEventDestroy(e0));
    CUDA_CHECK(cudaEventDestroy(e1));
    double unit_s = ms * 1e-3 / PROBE_UNITS;
    int units = unit_s > 0 && unit_s < BURST_S ? (int)(BURST_S / unit_s + 0.5) : 1;
    cal_busy_point warm;
    ok = ok && phase(&wk, bus, units, 1.0, phase_s, &warm) == 0;
    for (int i = 0; ok && i < CAL_BUSY_POINTS; i++)
        ok = phase(&wk, bus, units, busy_targets[i], phase_s, &out->points[i]) == 0;
    out->measured = ok;
    if (!ok)
        snprintf(out->why, sizeof(out->why), "%s", wk.why);
    snprintf(out->work, sizeof(out->work),
             "bf16 linear %d->%d with GELU%s at %d tokens, %d per burst of ~%.0f ms", DIM, FFN,
             wk.attention ? " and cuDNN self-attention (40 heads of 128)" : "", TOKENS, units, units * unit_s * 1e3);
    work_close(&wk);
    out->wall_s = cal_now_s() - t0;
}
