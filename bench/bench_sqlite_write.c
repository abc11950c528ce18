/* bench_sqlite_write.c: SQLite writing speed. Replays the synthetic run of tests/unit/synth.h (every event kind, two
 * ranks) N times with shifted timestamps into wp_sqlite_writer_open and reports events/s, counting everything from
 * opening the writer to the closed file (transactions, index build, WAL checkpoint).
 * For scale it then times SQLite alone on the same machine in the same run: the same number of 12-integer rows into
 * one table without indexes, 32 rows per prepared INSERT, same journal settings (the ceiling for any writer of one row
 * per event through this SQLite).
 *   usage: bench_sqlite_write [EVENTS] [OUT.sqlite]   (defaults: 5000000 events, bench_sqlite_write.sqlite) */
#pragma GCC diagnostic ignored "-Wunused-function" /* synth.h is a header of test helpers */
#include "synth.h"
#include "trace_write.h"

#include <sqlite3.h>

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

/* Raw SQLite: rows of 12 small and large integers, 32 per INSERT, into one table with no index. Returns rows/s. */
static double sqlite_ceiling(const char *path, uint64_t rows, double *cpu_rate)
{
    enum { COLS = 12, PER = 32 };
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    unlink(path);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL))
        return 0;
    sqlite3_exec(db, "PRAGMA page_size=16384; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
                     "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-65536;"
                     "CREATE TABLE t (c0 INTEGER, c1 INTEGER, c2 INTEGER, c3 INTEGER, c4 INTEGER, c5 INTEGER,"
                     " c6 INTEGER, c7 INTEGER, c8 INTEGER, c9 INTEGER, c10 INTEGER, c11 INTEGER)", NULL, NULL, NULL);
    char sql[4096];
    size_t n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO t VALUES ");
    for (int r = 0; r < PER; r++)
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s(?,?,?,?,?,?,?,?,?,?,?,?)", r ? "," : "");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL)) {
        sqlite3_close(db);
        return 0;
    }
    double t0 = now(), c0 = cpu_seconds();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (uint64_t row = 0; row < rows; row += PER) {
        for (int r = 0; r < PER; r++)
            for (int c = 0; c < COLS; c++)
                sqlite3_bind_int64(st, r * COLS + c + 1, c < 2 ? 1790857026123456789LL + (int64_t)(row + r) * 997 : c);
        sqlite3_step(st);
        sqlite3_reset(st);
        if (row % 200000 == 0)
            sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(st);
    sqlite3_close(db);
    double t1 = now(), c1 = cpu_seconds();
    unlink(path);
    *cpu_rate = (double)rows / (c1 - c0);
    return (double)rows / (t1 - t0);
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
    double t1 = now(), c1 = cpu_seconds();
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
    printf("sqlite write: %llu events in %.3f s wall (inserts %.3f s, close %.3f s), %.3f s CPU (inserts %.3f s): "
           "%.0f events/s wall, %.0f events/CPU-s, %.1f bytes/event\n",
           (unsigned long long)written, t2 - t0, t1 - t0, t2 - t1, c2 - c0, c1 - c0, (double)written / (t2 - t0),
           (double)written / (c2 - c0), (double)size / (double)written);
    char raw[4096];
    snprintf(raw, sizeof(raw), "%s.ceiling", path);
    double raw_cpu = 0, raw_wall = sqlite_ceiling(raw, written, &raw_cpu);
    printf("sqlite alone (12 integer columns, no index): %.0f rows/s wall, %.0f rows/CPU-s; the writer reaches "
           "%.0f%% of it (CPU)\n", raw_wall, raw_cpu, 100.0 * ((double)written / (c2 - c0)) / raw_cpu);
    synth_free(&run);
    return 0;
}
