/* main.c: wanprof-calibrate: measures what decides how fast a model offload runs on this machine (host<->GPU copy
 * bandwidth and latency, GPU<->GPU bandwidth, device memory, the PCIe/NVLink/NUMA topology) and prints the figures as
 * one JSON document (schemas/machine.schema.json) on stdout. `wanprof calibrate` runs it, stores and shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cuda_runtime_api.h>

#include "compute.h"
#include "copies.h"
#include "cuda_check.h"
#include "machine_protocol.h"
#include "peer.h"
#include "topology.h"
#include "version.h"

#define MiB ((size_t)1 << 20)
/* Tensor-sized copies, as an offload makes them: a norm or bias, a projection weight, a whole FFN matrix. */
static const size_t copy_sizes[] = {1 * MiB, 16 * MiB, 256 * MiB};
#define LARGEST_COPY (256 * MiB)
/* A small copy: a scalar or a timestep read back, where only the per-copy cost counts. */
#define LATENCY_BYTES 4096
enum { REPEATS = 7, QUICK_REPEATS = 3 };
/* Seconds per busy share of the compute curve (compute.h): long enough for the clocks to settle under a power
 * limit, which takes tens of milliseconds, and for a hundred bursts. */
#define PHASE_S 1.5
#define QUICK_PHASE_S 0.6

static const char *direction_word[] = {[CAL_HTOD] = "HtoD", [CAL_DTOH] = "DtoH"};
static const char *memory_word[] = {[CAL_PINNED] = "pinned", [CAL_PAGEABLE] = "pageable",
                                    [CAL_PAGEABLE_NEW] = "pageable_new"};

static const char usage[] =
    "usage: wanprof-calibrate [--quick]\n"
    "Measures host<->GPU copy bandwidth (HtoD and DtoH, pinned and pageable, and DtoH into new pageable memory as\n"
    "tensor.to(\"cpu\") writes; 1, 16 and 256 MiB copies; one GPU alone\n"
    "and every visible GPU at once), small-copy latency, GPU<->GPU bandwidth (cudaMemcpyPeer, 2+ GPUs), free and\n"
    "total device memory, the NVML topology (PCIe generation and width, NVLink links up, NUMA node, driver) and how\n"
    "much faster the GPU computes when it idles part of the time (a block's GEMM and attention kept busy 100, 75, 50\n"
    "and 25% of the time, on GPU 0), and prints them as JSON (schemas/machine.schema.json) on stdout. Each figure\n"
    "is the median of 7 repeats (3 with --quick) with its min, max and count. Usually run through\n"
    "`wanprof calibrate`.\n"
    "Exit status: 0 done; 1 a CUDA call failed (named on stderr); 2 usage error; 3 no GPU to measure.\n";

static cJSON *spread_json(cal_spread s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "median", s.median);
    cJSON_AddNumberToObject(o, "min", s.min);
    cJSON_AddNumberToObject(o, "max", s.max);
    cJSON_AddNumberToObject(o, "count", s.count);
    return o;
}

/* -1 from NVML ("cannot say") is null in the JSON. */
static void add_known(cJSON *o, const char *key, int v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

static cJSON *gpu_json(int device)
{
    char bus[32];
    size_t free_bytes, total_bytes;
    struct cudaDeviceProp prop;
    CUDA_CHECK(cudaSetDevice(device));
    CUDA_CHECK(cudaFree(NULL)); /* creates the context: free memory is then what a program of its own would see */
    CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    CUDA_CHECK(cudaDeviceGetPCIBusId(bus, sizeof(bus), device));
    cal_topology t;
    cal_nvml_topology(bus, &t);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", device);
    cJSON_AddStringToObject(o, "name", t.name[0] ? t.name : prop.name);
    cJSON_AddStringToObject(o, "pci_bus_id", bus);
    cJSON_AddNumberToObject(o, "memory_total_bytes", (double)total_bytes);
    cJSON_AddNumberToObject(o, "memory_free_bytes", (double)free_bytes);
    add_known(o, "pcie_gen_current", t.pcie_gen_current);
    add_known(o, "pcie_gen_max", t.pcie_gen_max);
    add_known(o, "pcie_width_current", t.pcie_width_current);
    add_known(o, "pcie_width_max", t.pcie_width_max);
    add_known(o, "nvlink_links_up", t.nvlink_links_up);
    add_known(o, "numa_node", t.numa_node);
    return o;
}

/* Every size, direction and host memory kind on the first `together` GPUs at once, appended to list. */
static void add_host_copies(cJSON *list, cal_gpu *gpus, int together, int repeats)
{
    for (size_t s = 0; s < sizeof(copy_sizes) / sizeof(copy_sizes[0]); s++)
        for (int mem = CAL_PINNED; mem <= CAL_PAGEABLE_NEW; mem++)
            for (int dir = mem == CAL_PAGEABLE_NEW ? CAL_DTOH : CAL_HTOD; dir <= CAL_DTOH; dir++) {
                cal_spread bw = cal_copy_bandwidth(gpus, together, dir, mem, copy_sizes[s], repeats);
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "direction", direction_word[dir]);
                cJSON_AddStringToObject(o, "host_memory", memory_word[mem]);
                cJSON_AddNumberToObject(o, "bytes", (double)copy_sizes[s]);
                cJSON_AddNumberToObject(o, "gpus", together);
                cJSON_AddItemToObject(o, "bandwidth_gb_per_s", spread_json(bw));
                cJSON_AddItemToArray(list, o);
            }
}

/* GPU 0 alone, then, with 2+ GPUs, all of them at once. */
static cJSON *host_copies_json(cal_gpu *gpus, int n, int repeats)
{
    cJSON *list = cJSON_CreateArray();
    add_host_copies(list, gpus, 1, repeats);
    if (n > 1)
        add_host_copies(list, gpus, n, repeats);
    return list;
}

static cJSON *latency_json(cal_gpu *gpu, int repeats)
{
    cJSON *list = cJSON_CreateArray();
    for (int mem = CAL_PINNED; mem <= CAL_PAGEABLE; mem++)
        for (int dir = CAL_HTOD; dir <= CAL_DTOH; dir++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "direction", direction_word[dir]);
            cJSON_AddStringToObject(o, "host_memory", memory_word[mem]);
            cJSON_AddNumberToObject(o, "bytes", LATENCY_BYTES);
            cJSON_AddItemToObject(o, "seconds", spread_json(cal_copy_latency(gpu, dir, mem, LATENCY_BYTES, repeats)));
            cJSON_AddItemToArray(list, o);
        }
    return list;
}

/* Every ordered pair of GPUs; with one GPU, why there is nothing. */
static cJSON *peer_json(cal_gpu *gpus, int n, int repeats)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "measured", n > 1);
    if (n < 2)
        cJSON_AddStringToObject(o, "note", "not measured: one GPU");
    cJSON *pairs = cJSON_AddArrayToObject(o, "pairs");
    for (int src = 0; src < n; src++)
        for (int dst = 0; dst < n; dst++) {
            if (src == dst)
                continue;
            int direct;
            cal_spread bw = cal_peer_bandwidth(&gpus[src], &gpus[dst], LARGEST_COPY, repeats, &direct);
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "src", src);
            cJSON_AddNumberToObject(p, "dst", dst);
            cJSON_AddNumberToObject(p, "bytes", (double)LARGEST_COPY);
            cJSON_AddBoolToObject(p, "peer_access", direct);
            cJSON_AddItemToObject(p, "bandwidth_gb_per_s", spread_json(bw));
            cJSON_AddItemToArray(pairs, p);
        }
    return o;
}

static cJSON *compute_json(int device, int quick)
{
    char bus[32];
    CUDA_CHECK(cudaDeviceGetPCIBusId(bus, sizeof(bus), device));
    cal_compute c;
    cal_compute_curve(device, bus, quick ? QUICK_PHASE_S : PHASE_S, &c);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "measured", c.measured);
    if (!c.measured) {
        cJSON_AddStringToObject(o, "note", c.why);
        return o;
    }
    cJSON_AddNumberToObject(o, "gpu", device);
    cJSON_AddStringToObject(o, "work", c.work);
    cJSON *points = cJSON_AddArrayToObject(o, "points");
    for (int i = 0; i < CAL_BUSY_POINTS; i++) {
        const cal_busy_point *p = &c.points[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "busy_target", p->busy_target);
        cJSON_AddNumberToObject(j, "busy_measured", p->busy_measured);
        cJSON_AddItemToObject(j, "seconds_per_unit", spread_json(p->unit_s));
        if (p->sm_clock_mhz.count)
            cJSON_AddItemToObject(j, "sm_clock_mhz", spread_json(p->sm_clock_mhz));
        else
            cJSON_AddNullToObject(j, "sm_clock_mhz");
        cJSON_AddItemToArray(points, j);
    }
    cJSON_AddNumberToObject(o, "wall_s", c.wall_s);
    return o;
}

/* The document's head: who measured, where, when, with which driver. */
static cJSON *document_head(int repeats)
{
    char host[256] = "", when[32] = "", nvml_why[512] = "";
    gethostname(host, sizeof(host) - 1);
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    int driver = 0, runtime = 0;
    CUDA_CHECK(cudaDriverGetVersion(&driver));
    CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
    int nvml_ok = cal_nvml_open(nvml_why, sizeof(nvml_why)) == 0;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "schema", WP_MACHINE_SCHEMA);
    cJSON_AddStringToObject(doc, "wanprof", wp_version_text());
    cJSON_AddStringToObject(doc, "host", host);
    cJSON_AddStringToObject(doc, "measured_at", when);
    cJSON_AddNumberToObject(doc, "repeats", repeats);
    cJSON_AddNumberToObject(doc, "cuda_driver_version", driver);
    cJSON_AddNumberToObject(doc, "cuda_runtime_version", runtime);
    if (nvml_ok && cal_nvml_driver()[0])
        cJSON_AddStringToObject(doc, "driver", cal_nvml_driver());
    else
        cJSON_AddNullToObject(doc, "driver");
    cJSON_AddStringToObject(doc, "nvml", nvml_ok ? "ok" : nvml_why);
    return doc;
}

static int count_gpus(void)
{
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess || n < 1) {
        fprintf(stderr, "wanprof-calibrate: no GPU to measure: %s\n",
                err != cudaSuccess ? cudaGetErrorString(err) : "CUDA sees no device (CUDA_VISIBLE_DEVICES?)");
        return 0;
    }
    return n;
}

int main(int argc, char **argv)
{
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("wanprof-calibrate %s\n", wp_version_text());
            return 0;
        } else {
            fprintf(stderr, "wanprof-calibrate: unknown argument '%s'\n%s", argv[i], usage);
            return 2;
        }
    }
    int n = count_gpus();
    if (!n)
        return WP_CALIBRATE_EXIT_NO_GPU;
    int repeats = quick ? QUICK_REPEATS : REPEATS;
    double t0 = cal_now_s();
    cJSON *doc = document_head(repeats);
    cJSON *gpu_list = cJSON_AddArrayToObject(doc, "gpus");
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(gpu_list, gpu_json(i));
    cal_gpu *gpus = calloc((size_t)n, sizeof(cal_gpu));
    if (!gpus)
        return 1;
    for (int i = 0; i < n; i++)
        cal_gpu_init(&gpus[i], i, LARGEST_COPY);
    fprintf(stderr, "wanprof-calibrate: %d GPU%s, %d repeats of each measurement\n", n, n > 1 ? "s" : "", repeats);
    cJSON_AddItemToObject(doc, "host_copies", host_copies_json(gpus, n, repeats));
    cJSON_AddItemToObject(doc, "latency", latency_json(&gpus[0], repeats));
    cJSON_AddItemToObject(doc, "peer", peer_json(gpus, n, repeats));
    cJSON_AddItemToObject(doc, "compute", compute_json(0, quick));
    cal_nvml_close();
    for (int i = 0; i < n; i++)
        cal_gpu_free(&gpus[i]);
    free(gpus);
    cJSON_AddNumberToObject(doc, "wall_s", cal_now_s() - t0);
    char *text = cJSON_PrintUnformatted(doc);
    int ok = text && printf("%s\n", text) > 0 && fflush(stdout) == 0;
    free(text);
    cJSON_Delete(doc);
    return ok ? 0 : 1;
}
