/* bench_read.c: reads a trace with wp_trace_read into a tool that only counts, and prints what it read and how long
 * it took (wall clock of the read alone). Used by bench_read.sh.
 *
 *   bench_read FILE [--time-ordered] */
#include "trace_read.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct counter {
    wp_tool tool;
    uint64_t by_kind[WP_EV_KIND_COUNT];
    uint64_t bytes; /* memcpy bytes, so the events are really looked at */
    uint64_t processes, devices;
} counter;

static int on_event(wp_tool *tool, const wp_event *ev)
{
    counter *c = (counter *)tool;
    c->by_kind[ev->kind < WP_EV_KIND_COUNT ? ev->kind : 0]++;
    if (ev->kind == WP_EV_MEMCPY)
        c->bytes += ev->u.memcpy.bytes;
    return 0;
}

static int on_process(wp_tool *tool, const wp_process *p)
{
    (void)p;
    ((counter *)tool)->processes++;
    return 0;
}

static int on_device(wp_tool *tool, const wp_device *d)
{
    (void)d;
    ((counter *)tool)->devices++;
    return 0;
}

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "warning: %s\n", msg);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_read FILE [--time-ordered]\n");
        return 2;
    }
    wp_read_opts opts = {.time_ordered = argc > 2 && strcmp(argv[2], "--time-ordered") == 0};
    counter c = {.tool = {.any = on_event, .process = on_process, .device = on_device}};
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag = {.warn = warn};
    wp_read_stats st;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = wp_trace_read(argv[1], strings, &c.tool, &opts, &diag, &st);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != WP_OK) {
        fprintf(stderr, "bench_read: %s\n", diag.error);
        return 1;
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%s: %llu events (%llu kernels, %llu memcpys, %llu API calls, %llu ranges), %llu skipped, %llu processes, "
           "%llu devices, %.1f MB uncompressed in %.3f s (%.0f MB/s), %u strings\n",
           argv[1], (unsigned long long)st.events, (unsigned long long)c.by_kind[WP_EV_KERNEL],
           (unsigned long long)c.by_kind[WP_EV_MEMCPY], (unsigned long long)c.by_kind[WP_EV_API],
           (unsigned long long)c.by_kind[WP_EV_RANGE], (unsigned long long)st.skipped,
           (unsigned long long)c.processes, (unsigned long long)c.devices, (double)st.bytes_read / 1e6, s,
           (double)st.bytes_read / 1e6 / s, wp_strtab_count(strings));
    wp_strtab_free(strings);
    return 0;
}
