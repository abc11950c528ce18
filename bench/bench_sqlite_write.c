/* bench_sqlite_write.c: SQLite writing speed. Replays the synthetic run of tests/unit/synth.h (every event kind, two
 * ranks) N times with shifted timestamps into wp_sqlite_writer_open and reports events/s, counting everything from
 * opening the writer to the closed file (transactions, index build, WAL checkpoint).
 *   usage: bench_sqlite_write [EVENTS] [OUT.sqlite]   (defaults: 5000000 events, bench_sqlite_write.sqlite) */
#pragma GCC diagnostic ignored "-Wunused-function" /* synth.h is a header of test helpers */
#include "synth.h"
#include "trace_write.h"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

int main(int argc, char **argv)
{
    uint64_t target = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
    const char *path = argc > 2 ? argv[2] : "bench_sqlite_write.sqlite";
    synth_run run;
    synth_build(&run, 18, 42); /* one block of ~1000 events; replayed below */
    int64_t span = 0;
    for (size_t i = 0; i < run.count; i++)
        if (run.events[i].end - run.events[0].start > span)
            span = run.events[i].end - run.events[0].start;
    unlink(path);
    wp_diag diag = {0};
    wp_write_opts opts = {.force = 1};
    double t0 = now(), c0 = cpu_seconds();
    wp_writer *w = wp_sqlite_writer_open(path, &opts, &diag);
    if (!w) {
        fprintf(stderr, "bench_sqlite_write: %s\n", diag.error);
        return 1;
    }
    wp_tool *tool = wp_writer_tool(w);
    tool->strings = run.strings;
    for (int p = 0; p < 2; p++) {
        tool->process(tool, &run.procs[p]);
        tool->device(tool, &run.devs[p]);
    }
    uint64_t written = 0;
    for (uint64_t rep = 0; written < target; rep++) {
        for (size_t i = 0; i < run.count && written < target; i++, written++) {
            wp_event ev = run.events[i];
            ev.start += (int64_t)rep * (span + 1000);
            ev.end += (int64_t)rep * (span + 1000);
            if (ev.correlation)
                ev.correlation += rep * 1000000;
            if (tool->any(tool, &ev) != 0) {
                wp_writer_close(w, &diag);
                fprintf(stderr, "bench_sqlite_write: %s\n", diag.error);
                return 1;
            }
        }
    }
    double t1 = now();
    if (wp_writer_close(w, &diag) != WP_OK) {
        fprintf(stderr, "bench_sqlite_write: %s\n", diag.error);
        return 1;
    }
    double t2 = now(), c2 = cpu_seconds();
    FILE *f = fopen(path, "rb");
    long size = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fclose(f);
    }
    /* CPU time too: on a shared machine the wall clock also measures the neighbours. */
    printf("sqlite write: %llu events in %.3f s wall (inserts %.3f s, close %.3f s), %.3f s CPU: %.0f events/s wall, "
           "%.0f events/CPU-s, %.1f bytes/event\n",
           (unsigned long long)written, t2 - t0, t1 - t0, t2 - t1, c2 - c0, (double)written / (t2 - t0),
           (double)written / (c2 - c0), (double)size / (double)written);
    synth_free(&run);
    return 0;
}
