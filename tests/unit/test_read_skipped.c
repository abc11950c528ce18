/* test_read_skipped.c: every reader counts the records it cannot turn into events in the one field
 * wp_read_stats.skipped (trace_read.h says what counts), and warns once per cause that needs attention:
 *   Chrome JSON  unknown category, a number out of range, a negative duration, a host "[memory]" record, Kineto's
 *                "Trace" span and uncategorised instant (these two quietly); metadata and flow arrows are no records;
 *   nsys SQLite  the CUDA backtrace row of tests/fixtures/nsys_export_small.sql (quietly), a row that ends before it
 *                starts;
 *   our SQLite   a row that ends before it starts. */
#pragma GCC diagnostic ignored "-Wunused-function" /* only synth.h's collector is used here */
#include "synth.h"
#include "trace_read.h"
#include "trace_write.h"

#include <sqlite3.h>
#include <unistd.h>

typedef struct outcome {
    int rc;
    uint64_t events, skipped, warnings;
} outcome;

static outcome read_counts(const char *path)
{
    synth_collect got;
    synth_collect_init(&got);
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag = {0};
    wp_read_stats st;
    outcome o = {.rc = wp_trace_read(path, strings, &got.tool, NULL, &diag, &st)};
    if (o.rc != WP_OK)
        fprintf(stderr, "%s: %s\n", path, diag.error);
    o.events = st.events;
    o.skipped = st.skipped;
    o.warnings = diag.warnings;
    CHECK_EQ_INT(got.count, st.events);
    free(got.events);
    wp_strtab_free(strings);
    return o;
}

static int sql(const char *db_path, const char *text)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    int ok = sqlite3_open(db_path, &db) == SQLITE_OK && sqlite3_exec(db, text, NULL, NULL, &err) == SQLITE_OK;
    if (!ok)
        fprintf(stderr, "%s: %s\n", db_path, err ? err : "cannot open");
    sqlite3_free(err);
    sqlite3_close(db);
    return ok ? 0 : -1;
}

static void chrome(void)
{
    const char *text =
        "{\"traceEvents\": [\n"
        "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::mm\", \"pid\": 9, \"tid\": 9, \"ts\": 100, \"dur\": 5},\n"
        "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"gemm\", \"pid\": 0, \"tid\": 7, \"ts\": 101, \"dur\": 3, "
        "\"args\": {\"correlation\": 4}},\n"
        /* counted and warned about, one cause each */
        "{\"ph\": \"X\", \"cat\": \"xpu_runtime\", \"name\": \"urEnqueueKernelLaunch\", \"pid\": 9, \"tid\": 9, "
        "\"ts\": 102, \"dur\": 1},\n"
        "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"pid\": 0, \"tid\": 7, \"ts\": 103, \"dur\": 1, "
        "\"args\": {\"correlation\": 99999999999999999999999}},\n"
        "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"pid\": 0, \"tid\": 7, \"ts\": 104, \"dur\": -2},\n"
        "{\"ph\": \"i\", \"cat\": \"cpu_instant_event\", \"s\": \"t\", \"name\": \"[memory]\", \"pid\": 9, \"tid\": 9, "
        "\"ts\": 105, \"args\": {\"Device Type\": 0, \"Device Id\": -1, \"Addr\": 4096, \"Bytes\": 64}},\n"
        /* counted quietly: Kineto's markers */
        "{\"ph\": \"X\", \"cat\": \"Trace\", \"name\": \"PyTorch Profiler (0)\", \"pid\": \"Spans\", "
        "\"tid\": \"PyTorch Profiler\", \"ts\": 90, \"dur\": 50},\n"
        "{\"name\": \"Iteration Start: PyTorch Profiler\", \"ph\": \"i\", \"s\": \"g\", \"pid\": \"Traces\", "
        "\"tid\": \"Trace PyTorch Profiler\", \"ts\": 90},\n"
        /* not records: metadata and flow arrows */
        "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 9, \"tid\": 0, \"args\": {\"name\": \"python\"}},\n"
        "{\"ph\": \"s\", \"id\": 4, \"pid\": 9, \"tid\": 9, \"ts\": 100, \"cat\": \"ac2g\", \"name\": \"ac2g\"},\n"
        "{\"ph\": \"f\", \"id\": 4, \"pid\": 0, \"tid\": 7, \"ts\": 101, \"cat\": \"ac2g\", \"name\": \"ac2g\", "
        "\"bp\": \"e\"}\n"
        "]}\n";
    char path[] = "/tmp/wp_skipped_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    outcome o = read_counts(path);
    CHECK_EQ_INT(o.rc, WP_OK);
    CHECK_EQ_INT(o.events, 2);
    CHECK_EQ_INT(o.skipped, 6);
    CHECK_EQ_INT(o.warnings, 4);
    unlink(path);
}

static void sqlite_files(void)
{
    char dir[] = "/tmp/wp_skipped_db_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char nsys[128], ours[128];
    snprintf(nsys, sizeof(nsys), "%s/nsys.sqlite", dir);
    snprintf(ours, sizeof(ours), "%s/ours.sqlite", dir);
    char *fixture = check_slurp(check_fixture("nsys_export_small.sql"));
    CHECK(fixture != NULL);
    CHECK_EQ_INT(fixture ? sql(nsys, fixture) : -1, 0);
    free(fixture);

    /* nsys: the backtrace row of a runtime call is a record of the table that is no event */
    outcome o = read_counts(nsys);
    CHECK_EQ_INT(o.rc, WP_OK);
    CHECK_EQ_INT(o.events, 17);
    CHECK_EQ_INT(o.skipped, 1);
    CHECK_EQ_INT(o.warnings, 0);

    /* ours, converted from it: nothing to skip; then one kernel made to end before it starts */
    wp_diag diag = {0};
    wp_write_opts wo = {.force = 1};
    wp_writer *w = wp_sqlite_writer_open(ours, &wo, &diag);
    CHECK(w != NULL);
    wp_strtab *conv = wp_strtab_new();
    CHECK_EQ_INT(wp_sqlite_read(nsys, conv, wp_writer_tool(w), NULL, &diag, NULL), WP_OK);
    CHECK_EQ_INT(wp_writer_close(w, &diag), WP_OK);
    wp_strtab_free(conv);
    o = read_counts(ours);
    CHECK_EQ_INT(o.rc, WP_OK);
    CHECK_EQ_INT(o.events, 17);
    CHECK_EQ_INT(o.skipped, 0);
    CHECK_EQ_INT(sql(ours, "UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET end = start - 1 WHERE rowid = "
                           "(SELECT MIN(rowid) FROM CUPTI_ACTIVITY_KIND_KERNEL)"),
                 0);
    o = read_counts(ours);
    CHECK_EQ_INT(o.rc, WP_OK);
    CHECK_EQ_INT(o.events, 16);
    CHECK_EQ_INT(o.skipped, 1);
    CHECK_EQ_INT(o.warnings, 1);

    /* nsys again, with its memset made to end before it starts: both causes in the one count */
    CHECK_EQ_INT(sql(nsys, "UPDATE CUPTI_ACTIVITY_KIND_MEMSET SET end = start - 5"), 0);
    o = read_counts(nsys);
    CHECK_EQ_INT(o.rc, WP_OK);
    CHECK_EQ_INT(o.events, 16);
    CHECK_EQ_INT(o.skipped, 2);
    CHECK_EQ_INT(o.warnings, 1);

    unlink(nsys);
    unlink(ours);
    rmdir(dir);
}

int main(void)
{
    chrome();
    sqlite_files();
    return check_done();
}
