/* calibrate_out.c: see calibrate_out.h. The table reads the document by the names schemas/machine.schema.json
 * gives; a figure missing from it is printed as "?", never invented. */
#include "calibrate_out.h"

#include <math.h>
#include <string.h>

#include "fmt.h"
#include "json_out.h"
#include "machine_file.h"

/* Deeper than any machine document nests (4 levels); what lies below is written as null. */
#define COPY_MAX_DEPTH 16

static void copy_value(json_out *j, const cJSON *v, int depth)
{
    if (depth > COPY_MAX_DEPTH) {
        json_null(j);
    } else if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        int object = cJSON_IsObject(v);
        object ? json_begin_object(j) : json_begin_array(j);
        for (const cJSON *c = v->child; c; c = c->next) {
            if (object)
                json_key(j, c->string);
            copy_value(j, c, depth + 1);
        }
        object ? json_end_object(j) : json_end_array(j);
    } else if (cJSON_IsString(v)) {
        json_string(j, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble; /* counts and byte sizes stay integers */
        if (d == floor(d) && fabs(d) < 9007199254740992.0)
            json_int(j, (long long)d);
        else
            json_double(j, d);
    } else if (cJSON_IsBool(v)) {
        json_bool(j, cJSON_IsTrue(v));
    } else {
        json_null(j);
    }
}

void calibrate_write_json(const cJSON *doc, FILE *out)
{
    json_out j;
    json_document_begin(&j, out, WP_MACHINE_SCHEMA);
    for (const cJSON *c = doc->child; c; c = c->next) {
        if (strcmp(c->string, "schema") == 0 || strcmp(c->string, "wanprof") == 0)
            continue; /* the document's own head, written above */
        json_key(&j, c->string);
        copy_value(&j, c, 1);
    }
    json_end_object(&j);
    fputc('\n', out);
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

/* An NVML figure: "?" when unknown (null). */
static const char *known(const cJSON *o, const char *key, char *buf, size_t n)
{
    double v = num(o, key);
    if (isnan(v))
        return "?";
    snprintf(buf, n, "%.0f", v);
    return buf;
}

/* A byte count from the document as a copy size ("256 MiB"); a missing or bad one reads 0 B. */
static const char *size_of(const cJSON *o, char *buf, size_t n)
{
    double v = num(o, "bytes");
    return wp_fmt_copy_size(v >= 0 && v < 1.8e19 ? (uint64_t)v : 0, buf, n);
}

/* "median unit  min..max  (n=count)" of a spread, each figure times scale (1e6: seconds to us). */
static void print_spread(FILE *out, const cJSON *s, double scale, const char *unit)
{
    fprintf(out, "%9.2f %s  %.2f..%.2f  (n=%.0f)\n", num(s, "median") * scale, unit, num(s, "min") * scale,
            num(s, "max") * scale, num(s, "count"));
}

static void print_gpus(const cJSON *doc, FILE *out)
{
    fprintf(out, "GPU  %-24s %-22s %-22s %-9s %-5s %s\n", "name", "memory free / total", "PCIe now / max", "NVLink up",
            "NUMA", "PCI bus");
    const cJSON *g;
    cJSON_ArrayForEach(g, get(doc, "gpus")) {
        char mem[64], pcie[96], b[6][16];
        snprintf(mem, sizeof(mem), "%.1f / %.1f GiB", num(g, "memory_free_bytes") / 1073741824.0,
                 num(g, "memory_total_bytes") / 1073741824.0);
        snprintf(pcie, sizeof(pcie), "gen%s x%s / gen%s x%s", known(g, "pcie_gen_current", b[0], 16),
                 known(g, "pcie_width_current", b[1], 16), known(g, "pcie_gen_max", b[2], 16),
                 known(g, "pcie_width_max", b[3], 16));
        fprintf(out, "%3.0f  %-24s %-22s %-22s %-9s %-5s %s\n", num(g, "index"), str(g, "name"), mem, pcie,
                known(g, "nvlink_links_up", b[4], 16), known(g, "numa_node", b[5], 16), str(g, "pci_bus_id"));
    }
}

static void print_host_copies(const cJSON *doc, FILE *out)
{
    fprintf(out, "\nhost<->GPU copies (GPUs: how many copied at once; their aggregate bandwidth)\n");
    fprintf(out, "GPUs  copy  host memory   size        median       min..max  (repeats)\n");
    const cJSON *c;
    cJSON_ArrayForEach(c, get(doc, "host_copies")) {
        char size[32];
        fprintf(out, "%4.0f  %-4s  %-12s  %-8s", num(c, "gpus"), str(c, "direction"), str(c, "host_memory"),
                size_of(c, size, sizeof(size)));
        print_spread(out, get(c, "bandwidth_gb_per_s"), 1, "GB/s");
    }
}

static void print_latency(const cJSON *doc, FILE *out)
{
    fprintf(out, "\nsmall-copy latency on GPU 0 (each copy waited for)\n");
    fprintf(out, "copy  host memory  size        median       min..max  (repeats)\n");
    const cJSON *c;
    cJSON_ArrayForEach(c, get(doc, "latency")) {
        char size[32];
        fprintf(out, "%-4s  %-11s  %-8s", str(c, "direction"), str(c, "host_memory"),
                size_of(c, size, sizeof(size)));
        print_spread(out, get(c, "seconds"), 1e6, "us  ");
    }
}

static void print_peer(const cJSON *doc, FILE *out)
{
    const cJSON *peer = get(doc, "peer");
    if (!cJSON_IsTrue(get(peer, "measured"))) {
        const char *note = str(peer, "note");
        fprintf(out, "\nGPU<->GPU copies: %s\n", strcmp(note, "?") ? note : "not measured");
        return;
    }
    fprintf(out, "\nGPU<->GPU copies (cudaMemcpyPeer; path: direct peer access, or staged through the host)\n");
    fprintf(out, "src  dst  path    size        median       min..max  (repeats)\n");
    const cJSON *p;
    cJSON_ArrayForEach(p, get(peer, "pairs")) {
        char size[32];
        fprintf(out, "%3.0f  %3.0f  %-6s  %-8s", num(p, "src"), num(p, "dst"),
                cJSON_IsTrue(get(p, "peer_access")) ? "direct" : "staged", size_of(p, size, sizeof(size)));
        print_spread(out, get(p, "bandwidth_gb_per_s"), 1, "GB/s");
    }
}

/* The compute curve: each busy share's time per unit of work, against the busiest's (absent in older calibrations). */
static void print_compute(const cJSON *doc, FILE *out)
{
    const cJSON *c = get(doc, "compute"), *p;
    if (!c)
        return;
    if (!cJSON_IsTrue(get(c, "measured"))) {
        fprintf(out, "\ncompute against idle time: not measured: %s\n", str(c, "note"));
        return;
    }
    fprintf(out, "\ncompute against idle time on GPU %.0f (%s): kept busy less, the same work runs faster\n",
            num(c, "gpu"), str(c, "work"));
    fprintf(out, "busy   time per unit (ms)   min..max      vs busiest  SM clock (MHz)\n");
    double ref = 0, most = -1;
    cJSON_ArrayForEach(p, get(c, "points")) {
        if (num(p, "busy_measured") > most) {
            most = num(p, "busy_measured");
            ref = num(get(p, "seconds_per_unit"), "median");
        }
    }
    cJSON_ArrayForEach(p, get(c, "points")) {
        const cJSON *u = get(p, "seconds_per_unit"), *mhz = get(p, "sm_clock_mhz");
        fprintf(out, "%3.0f%%  %14.3f       %.3f..%.3f  ", num(p, "busy_measured") * 100, num(u, "median") * 1e3,
                num(u, "min") * 1e3, num(u, "max") * 1e3);
        if (ref > 0)
            fprintf(out, "%8.3f", num(u, "median") / ref);
        else
            fprintf(out, "%8s", "?");
        if (cJSON_IsObject(mhz))
            fprintf(out, "    %.0f (%.0f..%.0f)\n", num(mhz, "median"), num(mhz, "min"), num(mhz, "max"));
        else
            fprintf(out, "    ?\n");
    }
}

void calibrate_print_table(const cJSON *doc, FILE *out)
{
    double drv = num(doc, "cuda_driver_version"), rt = num(doc, "cuda_runtime_version");
    const cJSON *driver = get(doc, "driver");
    fprintf(out, "machine: %s, measured %s (%.0f repeats of each figure after a warm-up; %.1f s in all)\n",
            str(doc, "host"), str(doc, "measured_at"), num(doc, "repeats"), num(doc, "wall_s"));
    fprintf(out, "driver %s, CUDA driver %.0f.%.0f, runtime %.0f.%.0f; NVML: %s\n",
            cJSON_IsString(driver) ? driver->valuestring : "unknown", floor(drv / 1000), fmod(drv, 1000) / 10,
            floor(rt / 1000), fmod(rt, 1000) / 10, str(doc, "nvml"));
    print_gpus(doc, out);
    print_host_copies(doc, out);
    print_latency(doc, out);
    print_peer(doc, out);
    print_compute(doc, out);
}
