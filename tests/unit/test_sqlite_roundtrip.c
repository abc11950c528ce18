/* test_sqlite_roundtrip.c: the synthetic run written to SQLite reads back identical (every field, ns-exact, processes,
 * devices, metadata, dropped counts), in file order and in time order; proc_base shifts process indexes; the file
 * answers nsys-style queries with the numbers the run implies; --force semantics; a writer killed after a flush leaves a
 * readable file holding everything flushed. */
#include "check.h"
#include "sqlite_format.h"
#include "synth.h"
#include "trace_read.h"
#include "trace_write.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_run(const synth_run *run, const char *path, int force)
{
    wp_diag diag = {0};
    wp_write_opts opts = {.force = force};
    wp_writer *w = wp_sqlite_writer_open(path, &opts, &diag);
    if (!w) {
        fprintf(stderr, "open: %s\n", diag.error);
        return -1;
    }
    if (synth_emit(run, wp_writer_tool(w)) != 0) {
        fprintf(stderr, "emit failed\n");
        wp_writer_abort(w);
        return -1;
    }
    int rc = wp_writer_close(w, &diag);
    if (rc != WP_OK)
        fprintf(stderr, "close: %s\n", diag.error);
    return rc;
}

static int read_into(const char *path, synth_collect *c, wp_strtab *strings, int ordered, uint32_t base,
                     wp_read_stats *stats)
{
    wp_diag diag = {0};
    wp_read_opts opts = {.proc_base = base, .time_ordered = ordered};
    synth_collect_init(c);
    int rc = wp_sqlite_read(path, strings, &c->tool, &opts, &diag, stats);
    if (rc != WP_OK)
        fprintf(stderr, "read: %s\n", diag.error);
    return rc;
}

static void check_meta(const synth_run *run, const synth_collect *c, const wp_strtab *got, uint32_t base)
{
    CHECK_EQ_INT(c->nprocs, 2);
    CHECK_EQ_INT(c->ndevs, 2);
    for (int p = 0; p < 2 && p < c->nprocs && p < c->ndevs; p++) {
        const wp_process *a = &run->procs[p], *b = &c->procs[p];
        CHECK_EQ_INT(b->index, a->index + base);
        CHECK_EQ_INT(b->pid, a->pid);
        CHECK_EQ_INT(b->rank, a->rank);
        CHECK_EQ_STR(wp_strtab_get(got, b->host), wp_strtab_get(run->strings, a->host));
        CHECK_EQ_STR(wp_strtab_get(got, b->label), wp_strtab_get(run->strings, a->label));
        const wp_device *x = &run->devs[p], *y = &c->devs[p];
        CHECK_EQ_INT(y->proc, x->proc + base);
        CHECK_EQ_INT(y->id, x->id);
        CHECK_EQ_STR(wp_strtab_get(got, y->name), wp_strtab_get(run->strings, x->name));
        CHECK_EQ_INT(y->cc_major, x->cc_major);
        CHECK_EQ_INT(y->cc_minor, x->cc_minor);
        CHECK_EQ_INT(y->sm_count, x->sm_count);
        CHECK_EQ_INT(y->total_memory, x->total_memory);
        CHECK_EQ_INT(c->dropped[p + base], run->dropped[p]);
    }
    if (base == 0)
        CHECK_EQ_STR(c->meta_command, "[\"python3\",\"gen.py\",\"--steps\",\"27\"]");
}

/* Round trip in file order and in time order. */
static void test_round_trip(const synth_run *run, const char *path)
{
    for (int ordered = 0; ordered < 2; ordered++) {
        synth_collect c;
        wp_strtab *got = wp_strtab_new();
        wp_read_stats stats;
        CHECK_EQ_INT(read_into(path, &c, got, ordered, 0, &stats), WP_OK);
        CHECK_EQ_INT(stats.events, run->count);
        CHECK_EQ_INT(stats.processes, 2);
        CHECK_EQ_INT(stats.dropped, run->dropped[0] + run->dropped[1]);
        check_meta(run, &c, got, 0);
        if (ordered) {
            size_t bad = 0;
            for (size_t i = 1; i < c.count; i++)
                bad += c.events[i].start < c.events[i - 1].start;
            CHECK_EQ_INT(bad, 0);
        }
        wp_event *want = malloc(run->count * sizeof(*want));
        memcpy(want, run->events, run->count * sizeof(*want));
        synth_compare(want, run->count, run->strings, c.events, c.count, got);
        free(want);
        free(c.events);
        wp_strtab_free(got);
    }
}

/* Process indexes start at proc_base (merging several inputs); events follow their process. */
static void test_proc_base(const synth_run *run, const char *path)
{
    synth_collect c;
    wp_strtab *got = wp_strtab_new();
    CHECK_EQ_INT(read_into(path, &c, got, 1, 5, NULL), WP_OK);
    check_meta(run, &c, got, 5);
    size_t bad = 0;
    for (size_t i = 0; i < c.count; i++)
        bad += c.events[i].proc != 5 && c.events[i].proc != 6;
    CHECK_EQ_INT(bad, 0);
    free(c.events);
    wp_strtab_free(got);
}

static int64_t query_int(sqlite3 *db, const char *sql, const char *text)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        return -1;
    }
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Queries written for nsys exports give the numbers the synthetic run implies. */
static void test_nsys_queries(const synth_run *run, const char *path)
{
    int64_t flash = 0, dtod_bytes = 0, htod_count = 0, driver = 0, marks = 0;
    for (size_t i = 0; i < run->count; i++) {
        const wp_event *e = &run->events[i];
        if (e->kind == WP_EV_KERNEL && strncmp(wp_strtab_get(run->strings, e->name), "flash_fwd_kernel<", 17) == 0)
            flash += e->end - e->start;
        if (e->kind == WP_EV_MEMCPY && e->u.memcpy.copy_kind == WP_COPY_DTOD)
            dtod_bytes += (int64_t)e->u.memcpy.bytes;
        htod_count += e->kind == WP_EV_MEMCPY && e->u.memcpy.copy_kind == WP_COPY_HTOD;
        driver += e->kind == WP_EV_API && e->u.api.domain == WP_API_DRIVER;
        marks += e->kind == WP_EV_RANGE && (e->u.range.flags & WP_RANGE_FLAG_INSTANT);
    }
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    CHECK_EQ_INT(query_int(db, "PRAGMA user_version", NULL), WP_SQLITE_SCHEMA_VERSION);
    CHECK_EQ_INT(query_int(db, "SELECT SUM(k.end - k.start) FROM CUPTI_ACTIVITY_KIND_KERNEL k "
                               "JOIN StringIds s ON s.id = k.shortName WHERE s.value = ?", "flash_fwd_kernel"),
                 flash);
    CHECK(flash > 0);
    CHECK_EQ_INT(query_int(db, "SELECT SUM(m.bytes) FROM CUPTI_ACTIVITY_KIND_MEMCPY m "
                               "JOIN ENUM_CUDA_MEMCPY_OPER o ON o.id = m.copyKind WHERE o.label = ?",
                           "Device-to-Device"), dtod_bytes);
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_MEMCPY m JOIN ENUM_CUDA_MEMCPY_OPER o "
                               "ON o.id = m.copyKind WHERE o.name = ?", "CUDA_MEMCPY_KIND_HTOD"), htod_count);
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_RUNTIME r JOIN ENUM_NSYS_EVENT_CLASS c "
                               "ON c.id = r.eventClass WHERE c.name = ?", "TRACE_PROCESS_EVENT_CUDA_DRIVER"), driver);
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM NVTX_EVENTS WHERE eventType = 34", NULL), marks);
    /* An API call and the kernel it launched share a correlation id within a process (nsys's classic join). */
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN CUPTI_ACTIVITY_KIND_RUNTIME r "
                               "ON r.correlationId = k.correlationId AND r.globalTid / 16777216 = k.globalPid / 16777216 "
                               "JOIN StringIds s ON s.id = r.nameId WHERE s.value = ?", "cudaLaunchKernel"),
                 query_int(db, "SELECT COUNT(*) FROM CUPTI_ACTIVITY_KIND_KERNEL", NULL));
    /* pid packed as nsys does. */
    CHECK_EQ_INT(query_int(db, "SELECT MIN(globalPid / 16777216 % 16777216) FROM CUPTI_ACTIVITY_KIND_KERNEL", NULL),
                 4000);
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%_start'",
                           NULL), 8);
    sqlite3_close(db);
}

static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int x = fgetc(fa), y = fgetc(fb);
        same = x == y;
        if (x == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* Without --force an existing output is refused and left untouched; with it, replaced. */
static void test_force(const synth_run *run, const char *path)
{
    const char *copy = "test_sqlite_roundtrip.copy";
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "cp %s %s", path, copy);
    CHECK(system(cmd) == 0);
    wp_diag diag = {0};
    wp_write_opts opts = {0};
    CHECK(wp_sqlite_writer_open(path, &opts, &diag) == NULL);
    CHECK(strstr(diag.error, "already exists") != NULL);
    CHECK(same_file(path, copy));
    CHECK_EQ_INT(write_run(run, path, 1), WP_OK);
    CHECK(wp_sqlite_probe(path) == WP_FMT_SQLITE);
    unlink(copy);
}

/* Written in place (WAL while writing), a closed file is one file again, and complete. */
static void test_in_place(const synth_run *run)
{
    const char *path = "test_sqlite_inplace.sqlite";
    unlink(path);
    wp_diag diag = {0};
    wp_write_opts opts = {.in_place = 1};
    wp_writer *w = wp_sqlite_writer_open(path, &opts, &diag);
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK_EQ_INT(synth_emit(run, wp_writer_tool(w)), 0);
    CHECK_EQ_INT(wp_writer_flush(w, &diag), WP_OK);
    CHECK_EQ_INT(wp_writer_close(w, &diag), WP_OK);
    CHECK(access("test_sqlite_inplace.sqlite-wal", F_OK) != 0);
    CHECK(access("test_sqlite_inplace.sqlite-shm", F_OK) != 0);
    synth_collect c;
    wp_strtab *got = wp_strtab_new();
    CHECK_EQ_INT(read_into(path, &c, got, 0, 0, NULL), WP_OK);
    CHECK_EQ_INT(c.count, run->count);
    free(c.events);
    wp_strtab_free(got);
}

/* A writer killed after a flush (in place, as the collector writes) leaves a file readable up to the flush. */
static void test_killed_writer(const synth_run *run)
{
    const char *path = "test_sqlite_killed.sqlite";
    unlink(path);
    size_t half = run->count / 2;
    pid_t child = fork();
    if (child == 0) {
        wp_diag diag = {0};
        wp_write_opts opts = {.in_place = 1};
        wp_writer *w = wp_sqlite_writer_open(path, &opts, &diag);
        if (!w)
            _exit(2);
        wp_tool *t = wp_writer_tool(w);
        t->strings = run->strings;
        for (int p = 0; p < 2; p++)
            t->process(t, &run->procs[p]);
        for (size_t i = 0; i < half; i++)
            t->any(t, &run->events[i]);
        if (wp_writer_flush(w, &diag) != WP_OK)
            _exit(3);
        for (size_t i = half; i < run->count; i++) /* written but never committed */
            t->any(t, &run->events[i]);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    synth_collect c;
    wp_strtab *got = wp_strtab_new();
    CHECK_EQ_INT(read_into(path, &c, got, 1, 0, NULL), WP_OK);
    CHECK_EQ_INT(c.count, half);
    free(c.events);
    wp_strtab_free(got);
    unlink("test_sqlite_killed.sqlite-wal");
    unlink("test_sqlite_killed.sqlite-shm");
}

int main(void)
{
    const char *path = "test_sqlite_roundtrip.sqlite";
    synth_run run;
    synth_build(&run, 40, 0x5eed);
    unlink(path);
    CHECK_EQ_INT(write_run(&run, path, 0), WP_OK);
    CHECK(wp_sqlite_probe(path) == WP_FMT_SQLITE);
    struct stat st;
    char wal[256];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    CHECK(stat(wal, &st) != 0); /* closed: a single file */
    test_round_trip(&run, path);
    test_proc_base(&run, path);
    test_nsys_queries(&run, path);
    test_force(&run, path);
    test_in_place(&run);
    test_killed_writer(&run);
    synth_free(&run);
    return check_done();
}
