/* test_safetensors.c: the safetensors reader and writer. A file written by an independent writer (Python's json and
 * struct: tests/fixtures/model/make_fixtures.py) reads back value for value; wp_st_write round-trips, refuses to
 * overwrite without force, and leaves nothing under the final name when it fails (bad tensors, a write cut short by
 * RLIMIT_FSIZE); every kind of broken file is refused with a message naming the file and, where there is one, the
 * tensor. */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "model_test.h"
#include "wpmodel.h"

static char *path_in(const char *name)
{
    static char p[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof(p[k]), "%s/%s", scratch_dir(), name);
    return p[k];
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Files in the scratch directory whose name contains part. */
static int count_files(const char *part)
{
    DIR *d = opendir(scratch_dir());
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strstr(e->d_name, part) != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_fixture_from_python(void)
{
    char fx[4096];
    snprintf(fx, sizeof(fx), "%s", check_fixture("model/st/mixed.safetensors"));
    wp_safetensors *st = NULL;
    char err[1024] = "";
    int rc = wp_st_open(fx, &st, err, sizeof(err));
    CHECK_EQ_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_INT(wp_st_count(st), 5);
    CHECK_EQ_STR(wp_st_at(st, 0)->name, "a"); /* header order */
    CHECK_EQ_STR(wp_st_at(st, 3)->name, "step");
    CHECK(wp_st_at(st, 5) == NULL);
    const wp_st_tensor *a = wp_st_find(st, "a"), *b = wp_st_find(st, "b"), *c = wp_st_find(st, "c");
    CHECK(a && a->dtype == WP_ST_F32 && a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 3 && a->nbytes == 24);
    float v[6];
    wp_convert_to_f32(v, a->data, a->dtype, 6);
    CHECK(v[0] == 0 && v[5] == 5);
    CHECK(b && b->dtype == WP_ST_BF16 && b->nbytes == 8);
    wp_convert_to_f32(v, b->data, b->dtype, 4);
    CHECK(v[0] == 1.0f && v[1] == -2.0f && v[2] == 0.5f && isnan(v[3]));
    CHECK(c && c->dtype == WP_ST_F16);
    wp_convert_to_f32(v, c->data, c->dtype, 4);
    CHECK(v[0] == 1.0f && v[1] == -2.0f && v[2] == 0.5f && v[3] == ldexpf(1, -24));
    const wp_st_tensor *s = wp_st_find(st, "step"), *e = wp_st_find(st, "empty");
    CHECK(s && s->dtype == WP_ST_OTHER && s->ndim == 0 && s->nbytes == 8);
    CHECK(e && e->nbytes == 0 && e->ndim == 2 && e->shape[0] == 0);
    CHECK(wp_st_find(st, "nope") == NULL);
    CHECK(wp_st_find(st, "__metadata__") == NULL);
    CHECK_EQ_STR(wp_st_path(st), fx);
    wp_st_close(st);
}

static void test_roundtrip_and_force(void)
{
    float a[6] = {1, 2, 3, 4, 5, 6};
    uint16_t b[3] = {0x3f80, 0x7fc0, 0x0001};
    uint16_t h = 0x3c00;
    wp_st_tensor t[4] = {
        {.name = "x.weight", .dtype = WP_ST_F32, .ndim = 2, .shape = {3, 2}, .data = a, .nbytes = sizeof(a)},
        {.name = "quote\"back\\slash\nnl", .dtype = WP_ST_BF16, .ndim = 1, .shape = {3}, .data = b, .nbytes = 6},
        {.name = "scalar", .dtype = WP_ST_F16, .ndim = 0, .data = &h, .nbytes = 2},
        {.name = "none", .dtype = WP_ST_F32, .ndim = 3, .shape = {4, 0, 2}, .data = NULL, .nbytes = 0},
    };
    const char *p = path_in("rt.safetensors");
    char err[1024] = "";
    CHECK_EQ_INT(wp_st_write(p, t, 4, 0, err, sizeof(err)), 0);
    wp_safetensors *st = NULL;
    CHECK_EQ_INT(wp_st_open(p, &st, err, sizeof(err)), 0);
    if (!st)
        return;
    CHECK_EQ_INT(wp_st_count(st), 4);
    for (int i = 0; i < 4; i++) {
        const wp_st_tensor *r = wp_st_at(st, (size_t)i);
        CHECK_EQ_STR(r->name, t[i].name);
        CHECK(r->dtype == t[i].dtype && r->ndim == t[i].ndim && r->nbytes == t[i].nbytes);
        CHECK(memcmp(r->shape, t[i].shape, sizeof(int64_t) * (size_t)t[i].ndim) == 0);
        CHECK(r->nbytes == 0 || memcmp(r->data, t[i].data, r->nbytes) == 0);
    }
    wp_st_close(st);

    /* no overwrite without force: an error, the file as it was */
    a[0] = 42;
    CHECK_EQ_INT(wp_st_write(p, t, 1, 0, err, sizeof(err)), -1);
    CHECK(strstr(err, p) && strstr(err, "exists"));
    CHECK_EQ_INT(wp_st_open(p, &st, err, sizeof(err)), 0);
    CHECK(st && wp_st_count(st) == 4);
    wp_st_close(st);
    CHECK_EQ_INT(wp_st_write(p, t, 1, 1, err, sizeof(err)), 0);
    CHECK_EQ_INT(wp_st_open(p, &st, err, sizeof(err)), 0);
    CHECK(st && wp_st_count(st) == 1 && ((const float *)wp_st_at(st, 0)->data)[0] == 42.0f);
    wp_st_close(st);
    CHECK_EQ_INT(count_files(".tmp-"), 0);
}

static void test_write_refusals(void)
{
    float a[2] = {1, 2};
    char err[1024] = "";
    const char *p = path_in("bad.safetensors");
    wp_st_tensor t[2] = {
        {.name = "a", .dtype = WP_ST_F32, .ndim = 1, .shape = {2}, .data = a, .nbytes = 8},
        {.name = "a", .dtype = WP_ST_F32, .ndim = 1, .shape = {2}, .data = a, .nbytes = 8},
    };
    CHECK_EQ_INT(wp_st_write(p, t, 2, 0, err, sizeof(err)), -1);
    CHECK(strstr(err, "\"a\" is given twice") != NULL);
    t[0].nbytes = 4;
    CHECK_EQ_INT(wp_st_write(p, t, 1, 0, err, sizeof(err)), -1);
    CHECK(strstr(err, "nbytes 4") && strstr(err, "make 8"));
    t[0].nbytes = 8;
    t[0].dtype = WP_ST_OTHER;
    CHECK_EQ_INT(wp_st_write(p, t, 1, 0, err, sizeof(err)), -1);
    CHECK(strstr(err, "only F32, BF16 and F16") != NULL);
    CHECK(!file_exists(p));
    CHECK_EQ_INT(wp_st_write("/nonexistent-dir/x.safetensors", t, 0, 0, err, sizeof(err)), -1);
    CHECK(strstr(err, "/nonexistent-dir/x.safetensors") != NULL);
}

/* A write cut short (the file size limit, as a full disk would): -1 and nothing under the final name or left over. */
static void test_write_cut_short(void)
{
    const char *p = path_in("big.safetensors");
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG instead of killing the process */
        struct rlimit rl = {65536, 65536};
        setrlimit(RLIMIT_FSIZE, &rl);
        static float big[1 << 18]; /* 1 MiB */
        wp_st_tensor t = {.name = "big", .dtype = WP_ST_F32, .ndim = 1, .shape = {1 << 18}, .data = big,
                          .nbytes = sizeof(big)};
        char err[1024] = "";
        int rc = wp_st_write(p, &t, 1, 0, err, sizeof(err));
        _exit(rc == -1 && strstr(err, "cannot write") ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(!file_exists(p));
    CHECK_EQ_INT(count_files(".tmp-"), 0);
}

/* Writes 8-byte length + header (+ padding spaces none) + data_len zero bytes. */
static const char *raw_file(const char *name, const char *header, size_t data_len)
{
    const char *p = path_in(name);
    FILE *f = fopen(p, "wb");
    uint64_t n = strlen(header);
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    fwrite(len, 1, 8, f);
    fwrite(header, 1, n, f);
    for (size_t i = 0; i < data_len; i++)
        fputc(0, f);
    fclose(f);
    return p;
}

/* Opening must fail with a message holding the path and every one of the given fragments. */
static void expect_refused(const char *p, const char *frag1, const char *frag2)
{
    wp_safetensors *st = NULL;
    char err[1024] = "";
    int rc = wp_st_open(p, &st, err, sizeof(err));
    CHECK_EQ_INT(rc, -1);
    CHECK(st == NULL);
    int ok = strstr(err, p) && strstr(err, frag1) && (!frag2 || strstr(err, frag2));
    if (!ok)
        fprintf(stderr, "message for %s: \"%s\" lacks \"%s\" / \"%s\"\n", p, err, frag1, frag2 ? frag2 : "");
    CHECK(ok);
    wp_st_close(st);
}

static void test_broken_headers(void)
{
    const char *p = path_in("short.safetensors");
    FILE *f = fopen(p, "wb");
    fwrite("\x05\0\0", 1, 3, f);
    fclose(f);
    expect_refused(p, "too short", NULL);
    p = path_in("hugelen.safetensors");
    f = fopen(p, "wb");
    fwrite("\xff\xff\0\0\0\0\0\0{}", 1, 10, f);
    fclose(f);
    expect_refused(p, "past the end of the file", NULL);
    expect_refused(raw_file("zero.safetensors", "", 0), "header length 0 is zero", NULL);
    expect_refused(raw_file("notjson.safetensors", "{\"a\":", 0), "not one JSON object", NULL);
    expect_refused(raw_file("array.safetensors", "[1, 2]  ", 0), "not one JSON object", NULL);
    expect_refused(raw_file("trail.safetensors", "{} x", 0), "not one JSON object", NULL);
    expect_refused(raw_file("dtype.safetensors", "{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                   "tensor \"w\"", "dtype \"Q7\"");
    expect_refused(raw_file("shape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                   "tensor \"w\"", "shape[0]");
    expect_refused(raw_file("frac.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4),
                   "tensor \"w\"", "shape[0]");
    expect_refused(raw_file("dims.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4),
                   "tensor \"w\"", "at most 8");
    expect_refused(raw_file("size.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4),
                   "tensor \"w\"", "hold 4 bytes but F32 of that shape needs 8");
    expect_refused(raw_file("overflow.safetensors",
                            "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4),
                   "tensor \"w\"", "overflows");
    expect_refused(raw_file("past.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
                   "tensor \"w\"", "truncated");
    expect_refused(raw_file("backwards.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4),
                   "tensor \"w\"", "begin <= end");
    expect_refused(raw_file("overlap.safetensors",
                            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                   "\"b\" (data bytes 4 to 12) overlaps tensor \"a\"", NULL);
    expect_refused(raw_file("gap.safetensors",
                            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
                   "4 bytes before tensor \"b\"", "gap");
    expect_refused(raw_file("after.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 6),
                   "2 bytes after the last tensor", NULL);
    expect_refused(raw_file("dup.safetensors",
                            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                   "tensor \"a\" appears twice", NULL);
    expect_refused(raw_file("missing.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
                   "tensor \"a\"", "missing \"data_offsets\"");
    expect_refused(raw_file("extra.safetensors",
                            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"crc\":1}}", 4),
                   "tensor \"a\"", "unknown key \"crc\"");
    expect_refused(raw_file("meta.safetensors", "{\"__metadata__\":{\"format\":1}}", 0), "\"format\" is a number", NULL);
    expect_refused(raw_file("entry.safetensors", "{\"a\":[1]}", 0), "tensor \"a\"", "expected an object");
}

static void test_truncated_and_empty(void)
{
    float a[16] = {0};
    wp_st_tensor t = {.name = "w", .dtype = WP_ST_F32, .ndim = 1, .shape = {16}, .data = a, .nbytes = sizeof(a)};
    const char *p = path_in("trunc.safetensors");
    char err[1024];
    CHECK_EQ_INT(wp_st_write(p, &t, 1, 0, err, sizeof(err)), 0);
    struct stat sb;
    stat(p, &sb);
    CHECK_EQ_INT(truncate(p, sb.st_size - 10), 0);
    expect_refused(p, "tensor \"w\"", "truncated");

    const char *e = path_in("empty.safetensors"); /* no tensors at all: valid */
    CHECK_EQ_INT(wp_st_write(e, NULL, 0, 0, err, sizeof(err)), 0);
    wp_safetensors *st = NULL;
    CHECK_EQ_INT(wp_st_open(e, &st, err, sizeof(err)), 0);
    CHECK(st && wp_st_count(st) == 0 && wp_st_find(st, "w") == NULL);
    wp_st_close(st);
    expect_refused(path_in("absent.safetensors"), "cannot open", NULL);
    expect_refused(scratch_dir(), "not a regular file", NULL);
}

int main(void)
{
    test_fixture_from_python();
    test_roundtrip_and_force();
    test_write_refusals();
    test_write_cut_short();
    test_broken_headers();
    test_truncated_and_empty();
    scratch_remove();
    return check_done();
}
