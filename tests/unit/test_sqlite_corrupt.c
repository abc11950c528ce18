/* test_sqlite_corrupt.c: bad input is refused with WP_ERR_FORMAT and a message naming the file, never a crash: a missing
 * or empty file, random bytes (with and without SQLite's magic), a database cut at many offsets, pages overwritten with
 * garbage, a table with mistyped columns or values, our file with a newer schema version, a missing column or table,
 * and a SQLite file that is not a trace. A writer that runs out of space reports it, keeps the partial file, and that
 * file reads back everything flushed before the failure. */
#include "check.h"
#include "sqlite_format.h"
#pragma GCC diagnostic ignored "-Wunused-function" /* synth.h: its comparison is not used here */
#include "synth.h"
#include "trace_read.h"
#include "trace_write.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *good = "test_sqlite_corrupt_good.sqlite";
static const char *bad = "test_sqlite_corrupt_bad.sqlite";

/* Reads path; returns the wp_err and checks a failure message names the file. *events gets the count. */
static int try_read(const char *path, size_t *events)
{
    synth_collect c;
    synth_collect_init(&c);
    wp_strtab *s = wp_strtab_new();
    wp_diag diag = {0};
    wp_read_opts opts = {.time_ordered = 1};
    int rc = wp_sqlite_read(path, s, &c.tool, &opts, &diag, NULL);
    if (rc != WP_OK && strstr(diag.error, path) == NULL) {
        fprintf(stderr, "message does not name the file: %s\n", diag.error);
        CHECK(!"error message names the file");
    }
    if (events)
        *events = c.count;
    free(c.events);
    wp_strtab_free(s);
    return rc;
}

static int read_error(const char *path, char *msg, size_t size)
{
    synth_collect c;
    synth_collect_init(&c);
    wp_strtab *s = wp_strtab_new();
    wp_diag diag = {0};
    int rc = wp_sqlite_read(path, s, &c.tool, NULL, &diag, NULL);
    snprintf(msg, size, "%s", diag.error);
    free(c.events);
    wp_strtab_free(s);
    return rc;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static unsigned char *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    if (b && fread(b, 1, *n, f) != *n)
        *n = 0;
    fclose(f);
    return b;
}

static void exec_on(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", sql, err ? err : "cannot open");
    sqlite3_free(err);
    sqlite3_close(db);
}

static void copy_good(void)
{
    size_t n = 0;
    unsigned char *b = load(good, &n);
    write_bytes(bad, b, n);
    free(b);
}

static void test_not_sqlite(void)
{
    unlink(bad);
    CHECK(try_read(bad, NULL) == WP_ERR_IO);
    write_bytes(bad, "", 0);
    CHECK_EQ_INT(try_read(bad, NULL), WP_ERR_FORMAT);
    CHECK_EQ_INT(wp_sqlite_probe(bad), WP_FMT_UNKNOWN);
    unsigned char junk[8192];
    uint64_t st = 12345;
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)synth_rand(&st);
    write_bytes(bad, junk, sizeof(junk));
    CHECK_EQ_INT(try_read(bad, NULL), WP_ERR_FORMAT);
    CHECK_EQ_INT(wp_sqlite_probe(bad), WP_FMT_UNKNOWN);
    memcpy(junk, "SQLite format 3", 16); /* the magic, then garbage */
    write_bytes(bad, junk, sizeof(junk));
    CHECK_EQ_INT(try_read(bad, NULL), WP_ERR_FORMAT);
    CHECK_EQ_INT(wp_sqlite_probe(bad), WP_FMT_UNKNOWN);
}

/* Cut at many offsets (page boundaries and odd places): always refused, never a crash. */
static void test_truncated(void)
{
    size_t n = 0;
    unsigned char *b = load(good, &n);
    CHECK(n > 65536);
    size_t cuts[] = {1, 15, 16, 99, 100, 4096, 16383, 16384, 16385, 32768, 50000, n / 3, n / 2, n - 16384, n - 1};
    int refused = 0;
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        write_bytes(bad, b, cuts[i]);
        int rc = try_read(bad, NULL);
        refused += rc == WP_ERR_FORMAT;
        if (rc != WP_ERR_FORMAT)
            fprintf(stderr, "cut at %zu of %zu: %s\n", cuts[i], n, wp_err_name(rc));
    }
    CHECK_EQ_INT(refused, (int)(sizeof(cuts) / sizeof(cuts[0])));
    char msg[1024];
    write_bytes(bad, b, n / 2);
    read_error(bad, msg, sizeof(msg));
    CHECK(strstr(msg, "truncated") != NULL);
    free(b);
}

/* Garbage over whole pages: refused or (where the garbage lands in free space) read; never a crash. */
static void test_garbage_pages(void)
{
    size_t n = 0;
    unsigned char *b = load(good, &n);
    uint64_t st = 99;
    int ok_or_format = 0, tries = 0;
    for (size_t page = 1; page * 16384 + 16384 <= n; page++, tries++) {
        unsigned char *c = malloc(n);
        memcpy(c, b, n);
        for (size_t i = 0; i < 16384; i++)
            c[page * 16384 + i] = (unsigned char)synth_rand(&st);
        write_bytes(bad, c, n);
        int rc = try_read(bad, NULL);
        ok_or_format += rc == WP_OK || rc == WP_ERR_FORMAT;
        free(c);
    }
    CHECK(tries > 3);
    CHECK_EQ_INT(ok_or_format, tries);
    free(b);
}

static void test_schema_mismatch(void)
{
    char msg[1024];
    copy_good();
    exec_on(bad, "PRAGMA user_version = 99");
    CHECK_EQ_INT(read_error(bad, msg, sizeof(msg)), WP_ERR_FORMAT);
    CHECK(strstr(msg, "newer") != NULL);
    copy_good();
    exec_on(bad, "ALTER TABLE CUPTI_ACTIVITY_KIND_MEMSET DROP COLUMN wpAsync");
    CHECK_EQ_INT(read_error(bad, msg, sizeof(msg)), WP_ERR_FORMAT);
    CHECK(strstr(msg, "wpAsync") != NULL);
    copy_good();
    exec_on(bad, "DROP TABLE CUPTI_ACTIVITY_KIND_OVERHEAD");
    CHECK_EQ_INT(read_error(bad, msg, sizeof(msg)), WP_ERR_FORMAT);
    CHECK(strstr(msg, "CUPTI_ACTIVITY_KIND_OVERHEAD") != NULL);
    /* An nsys-style table with mistyped columns, then one with a text where a timestamp belongs. */
    unlink(bad);
    exec_on(bad, "CREATE TABLE StringIds (id INTEGER PRIMARY KEY, value TEXT);"
                 "CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (start TEXT, end TEXT, deviceId TEXT, globalPid INTEGER,"
                 " demangledName INTEGER); INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL VALUES ('abc', 'def', 'x', 1, 1)");
    CHECK_EQ_INT(wp_sqlite_probe(bad), WP_FMT_NSYS_SQLITE);
    CHECK_EQ_INT(read_error(bad, msg, sizeof(msg)), WP_ERR_FORMAT);
    CHECK(strstr(msg, "declared TEXT") != NULL);
    unlink(bad);
    exec_on(bad, "CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (start INTEGER, end INTEGER, globalPid INTEGER);"
                 "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL VALUES (5, 6, 1), ('late', 7, 1)");
    CHECK_EQ_INT(read_error(bad, msg, sizeof(msg)), WP_ERR_FORMAT);
    CHECK(strstr(msg, "not an integer") != NULL);
    unlink(bad);
    exec_on(bad, "CREATE TABLE recipes (id INTEGER, name TEXT)");
    CHECK_EQ_INT(wp_sqlite_probe(bad), WP_FMT_UNKNOWN);
    CHECK_EQ_INT(read_error(bad, msg, sizeof(msg)), WP_ERR_FORMAT);
    CHECK(strstr(msg, "not a trace") != NULL);
}

/* A writer limited to a small file size (as on a full disk) fails with a message naming the output (not its
 * temporary file) and the cause, and removes its temporary file. */
static void test_write_error(const synth_run *run)
{
    const char *out = "test_sqlite_corrupt_full.sqlite";
    unlink(out);
    pid_t child = fork();
    if (child == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {512 * 1024, 512 * 1024};
        setrlimit(RLIMIT_FSIZE, &lim);
        wp_diag diag = {0};
        wp_writer *w = wp_sqlite_writer_open(out, NULL, &diag);
        if (!w)
            _exit(2);
        wp_tool *t = wp_writer_tool(w);
        t->strings = run->strings;
        for (int p = 0; p < 2; p++)
            t->process(t, &run->procs[p]);
        for (size_t i = 0; i < run->count; i++)
            t->any(t, &run->events[i]);
        if (wp_writer_flush(w, &diag) != WP_OK)
            _exit(3);
        int failed = 0;
        for (int rep = 1; rep < 2000 && !failed; rep++) /* ~80 bytes an event: far past 512 KiB */
            for (size_t i = 0; i < run->count && !failed; i++) {
                wp_event ev = run->events[i];
                ev.start += rep * 1000000000LL;
                ev.end += rep * 1000000000LL;
                failed = t->any(t, &ev) != 0;
            }
        int rc = wp_writer_close(w, &diag);
        FILE *f = fopen("test_sqlite_corrupt_full.msg", "w");
        if (f) {
            fprintf(f, "%s", diag.error);
            fclose(f);
        }
        _exit(rc == WP_ERR_IO ? 0 : 4);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    size_t n = 0;
    char *msg = (char *)load("test_sqlite_corrupt_full.msg", &n);
    if (msg) {
        msg = realloc(msg, n + 1);
        msg[n] = 0;
        CHECK(strstr(msg, out) != NULL);
        CHECK(strstr(msg, strerror(EFBIG)) || strstr(msg, "short write") || strstr(msg, "disk full"));
        CHECK(strstr(msg, ".wanprof-") == NULL);
        free(msg);
    }
    CHECK(access(out, F_OK) != 0); /* never renamed into place */
    DIR *d = opendir(".");
    for (struct dirent *e; d && (e = readdir(d));)
        CHECK(strncmp(e->d_name, ".wanprof-", 9) != 0);
    if (d)
        closedir(d);
    unlink("test_sqlite_corrupt_full.msg");
}

int main(void)
{
    synth_run run;
    synth_build(&run, 18, 7);
    wp_diag diag = {0};
    wp_write_opts opts = {.force = 1};
    wp_writer *w = wp_sqlite_writer_open(good, &opts, &diag);
    CHECK(w != NULL);
    CHECK_EQ_INT(synth_emit(&run, wp_writer_tool(w)), 0);
    CHECK_EQ_INT(wp_writer_close(w, &diag), WP_OK);
    size_t events = 0;
    CHECK_EQ_INT(try_read(good, &events), WP_OK);
    CHECK_EQ_INT(events, run.count);
    test_not_sqlite();
    test_truncated();
    test_garbage_pages();
    test_schema_mismatch();
    test_write_error(&run);
    synth_free(&run);
    return check_done();
}
