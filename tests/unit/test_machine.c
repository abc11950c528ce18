/* test_machine.c: both machine documents read into one model (what wanprof calibrate measured on an H200, the
 * hand-written 4 x H100 PCIe description), the bandwidth of a copy against figures worked out by hand from those
 * files, the cap when GPUs share the host link, and bad documents refused with the document and the field named. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "check.h"
#include "diag.h"
#include "fmt.h"
#include "machine.h"

#define MIB ((uint64_t)1 << 20)

/* The H200's pinned HtoD figures (tests/fixtures/machines/h200_calibrate.json): median, min, max at 1, 16, 256 MiB. */
static const double h200_htod[3][3] = {{47.66075140617852, 47.605439213929678, 48.014263575751748},
                                       {54.203936575869648, 53.821127335488725, 54.3716960999133},
                                       {55.207006332796482, 55.156991941094383, 55.2527667502958}};

static void check_spread(wp_spread s, double median, double min, double max, double tol)
{
    CHECK_NEAR(s.median, median, tol);
    CHECK_NEAR(s.min, min, tol);
    CHECK_NEAR(s.max, max, tol);
}

static void test_measured(const wp_machine *m)
{
    CHECK_EQ_STR(m->name, "NVIDIA H200 on vm");
    CHECK_EQ_STR(m->source, "measured by wanprof calibrate on vm at 2026-12-02T08:07:39Z (7 repeats)");
    CHECK_EQ_INT(m->measured, 1);
    CHECK_EQ_INT(m->gpus, 1);
    CHECK_EQ_INT(m->gpu_memory_bytes, 150109880320LL);
    CHECK_EQ_INT(m->ncopies, 12);
    CHECK_NEAR(m->latency_s[WP_MDIR_HTOD][1].median, 7.84609999996633e-06, 1e-18);
    CHECK_NEAR(m->latency_s[WP_MDIR_DTOH][0].max, 9.6463600000618049e-06, 1e-18);
    CHECK_EQ_INT(m->latency_s[WP_MDIR_DTOH][0].count, 7);

    wp_spread s;
    char note[512];
    /* At a measured size: that figure exactly. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 16 * MIB, 1, &s, note, sizeof(note)), 0);
    check_spread(s, h200_htod[1][0], h200_htod[1][1], h200_htod[1][2], 1e-12);
    CHECK_EQ_INT(s.count, 7);
    /* 4 MiB is halfway from 1 to 16 MiB in log(size). */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 4 * MIB, 1, &s, note, sizeof(note)), 0);
    check_spread(s, (h200_htod[0][0] + h200_htod[1][0]) / 2, (h200_htod[0][1] + h200_htod[1][1]) / 2,
                 (h200_htod[0][2] + h200_htod[1][2]) / 2, 1e-9);
    CHECK(strstr(note, "interpolated") != NULL);
    /* 64 MiB is halfway from 16 to 256 MiB; 2 MiB a quarter of the way from 1 to 16 MiB. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 64 * MIB, 1, &s, NULL, 0), 0);
    CHECK_NEAR(s.median, (h200_htod[1][0] + h200_htod[2][0]) / 2, 1e-9);
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 2 * MIB, 1, &s, NULL, 0), 0);
    CHECK_NEAR(s.median, h200_htod[0][0] + 0.25 * (h200_htod[1][0] - h200_htod[0][0]), 1e-9);
    /* Clamped at the ends. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 4096, 1, &s, note, sizeof(note)), 0);
    CHECK_NEAR(s.median, h200_htod[0][0], 1e-12);
    CHECK(strstr(note, "smallest") != NULL);
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 1024 * MIB, 1, &s, NULL, 0), 0);
    CHECK_NEAR(s.median, h200_htod[2][0], 1e-12);
    /* One GPU and no all-GPUs figure: sharing changes nothing, and the note says what was assumed. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 256 * MIB, 4, &s, note, sizeof(note)), 0);
    CHECK_NEAR(s.median, h200_htod[2][0], 1e-12);
    CHECK(strstr(note, "assumed not to share the host link") != NULL);
    /* 1 GiB as four 256 MiB copies: seconds from the 256 MiB figure, min from the max bandwidth. */
    CHECK_EQ_INT(wp_machine_copy_seconds(m, WP_MDIR_HTOD, 1, 1024 * MIB, 4, 1, &s, note, sizeof(note)), 0);
    check_spread(s, 1073741824.0 / (h200_htod[2][0] * 1e9), 1073741824.0 / (h200_htod[2][2] * 1e9),
                 1073741824.0 / (h200_htod[2][1] * 1e9), 1e-15);
    CHECK_EQ_INT(s.count, 7);
    /* The same bytes as 1024 copies of 1 MiB take longer. */
    wp_spread small;
    CHECK_EQ_INT(wp_machine_copy_seconds(m, WP_MDIR_HTOD, 1, 1024 * MIB, 1024, 1, &small, NULL, 0), 0);
    CHECK_NEAR(small.median, 1073741824.0 / (h200_htod[0][0] * 1e9), 1e-15);
    CHECK(small.median > s.median);
}

static void test_spec(const wp_machine *m)
{
    CHECK_EQ_STR(m->name, "4 x NVIDIA H100 PCIe 80GB (described)");
    CHECK(strstr(m->source, "PB-11133") != NULL);
    CHECK_EQ_INT(m->measured, 0);
    CHECK_EQ_INT(m->gpus, 4);
    CHECK_EQ_INT(m->gpu_memory_bytes, 80LL << 30);
    CHECK_EQ_INT(m->ncopies, 10);
    CHECK_EQ_INT(m->latency_s[WP_MDIR_HTOD][1].count, 0);
    CHECK_NEAR(m->latency_s[WP_MDIR_HTOD][1].median, 7.8e-6, 1e-18);

    wp_spread s;
    char note[512];
    /* Alone: the 256 MiB figure; 4 MiB halfway between the 1 and 16 MiB figures. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 256 * MIB, 1, &s, note, sizeof(note)), 0);
    check_spread(s, 53, 50, 55.2, 1e-12);
    CHECK_EQ_INT(s.count, 0);
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 4 * MIB, 1, &s, NULL, 0), 0);
    check_spread(s, (45.8 + 52.0) / 2, (43.2 + 49.1) / 2, (47.7 + 54.2) / 2, 1e-9);
    /* All four at once share the 4-GPU aggregate {106, 100, 220.8}: each gets a quarter where that is less. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 256 * MIB, 4, &s, note, sizeof(note)), 0);
    check_spread(s, 26.5, 25, 55.2, 1e-12);
    CHECK(strstr(note, "4-GPU aggregate") != NULL && strstr(note, ", which binds") != NULL);
    /* Two at once: half the aggregate is no less than one GPU alone gets. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 1, 256 * MIB, 2, &s, note, sizeof(note)), 0);
    check_spread(s, 53, 50, 55.2, 1e-12);
    CHECK(strstr(note, "does not bind") != NULL);
    /* A smaller copy shared by four: the aggregate is given only at 256 MiB, so it is used as it is. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_DTOH, 1, 1 * MIB, 4, &s, NULL, 0), 0);
    check_spread(s, 26.5, 25, 49.8, 1e-12); /* alone {47.9, 45.2, 49.8}; a quarter of {106, 100, 220.4} */
    /* Pageable: one figure without bytes stands for a large copy; no all-GPUs figure, so no cap. */
    CHECK_EQ_INT(wp_machine_bandwidth(m, WP_MDIR_HTOD, 0, 1 * MIB, 4, &s, note, sizeof(note)), 0);
    check_spread(s, 10, 5.4, 17.3, 1e-12);
    CHECK(strstr(note, "assumed not to share") != NULL);
    /* 40 GB of weights through one GPU's link as 40 copies of 1 GB: 40e9 / 53e9 s, [40e9/55.2e9, 40e9/50e9]. */
    CHECK_EQ_INT(wp_machine_copy_seconds(m, WP_MDIR_HTOD, 1, 40000000000ULL, 40, 1, &s, NULL, 0), 0);
    check_spread(s, 40.0 / 53, 40.0 / 55.2, 40.0 / 50, 1e-12);
}

/* A spec around one host_copies entry (or none when entry is NULL), for the refusals. */
static int parse_spec_with(const char *entry, const char *extra, wp_machine *m, wp_diag *d)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "{\"schema\":\"wanprof.machine-spec/1\",\"name\":\"t\",\"source\":\"s\",\"gpus\":4,"
             "\"gpu_memory_bytes\":1%s%s%s%s}",
             extra, entry ? ",\"host_copies\":[" : "", entry ? entry : "", entry ? "]" : "");
    memset(d, 0, sizeof(*d));
    return wp_machine_parse(text, "bad.json", m, d);
}

static void check_refused(const char *entry, const char *extra, const char *want1, const char *want2)
{
    wp_machine m;
    wp_diag d;
    CHECK(parse_spec_with(entry, extra, &m, &d) == WP_ERR_FORMAT);
    int ok = strncmp(d.error, "bad.json: ", 10) == 0 && strstr(d.error, want1) && (!want2 || strstr(d.error, want2));
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  message: %s (wanted %s%s%s)\n", d.error, want1, want2 ? " and " : "", want2 ? want2 : "");
}

#define COPY(dir, mem, gpus, bw) "{\"direction\":\"" dir "\",\"host_memory\":\"" mem "\",\"gpus\":" gpus \
                                 ",\"bandwidth_gb_per_s\":" bw "}"
#define GOOD_BW "{\"median\":50,\"min\":40,\"max\":60}"

static void test_refusals(const char *h200_text)
{
    wp_machine m;
    wp_diag d = {0};
    CHECK(wp_machine_parse("not json", "bad.json", &m, &d) == WP_ERR_FORMAT);
    CHECK_EQ_STR(d.error, "bad.json: not a JSON object");
    CHECK(wp_machine_parse("{\"schema\":\"wanprof.info/1\"}", "trace metadata", &m, &d) == WP_ERR_FORMAT);
    CHECK(strstr(d.error, "trace metadata: schema: \"wanprof.info/1\" is neither") != NULL);

    check_refused(NULL, "", "host_copies: missing", NULL);
    check_refused("", "", "host_copies: empty", NULL);
    check_refused(COPY("HtoD", "pinned", "1", "{\"median\":-5,\"min\":1,\"max\":2}"), "",
                  "host_copies[0].bandwidth_gb_per_s.median", "not a positive figure");
    check_refused(COPY("HtoD", "pinned", "1", "{\"median\":5,\"min\":6,\"max\":7}"), "",
                  "host_copies[0].bandwidth_gb_per_s", "out of order");
    check_refused(COPY("HtoD", "pinned", "1", "{\"median\":5,\"max\":7}"), "", "host_copies[0].bandwidth_gb_per_s.min",
                  "missing");
    check_refused(COPY("HtoD", "pinned", "3", GOOD_BW), "", "host_copies[0].gpus", "neither 1 nor the machine's 4");
    check_refused(COPY("HtoD", "cached", "1", GOOD_BW), "", "host_copies[0].host_memory", "\"cached\"");
    check_refused(COPY("HtoD", "pinned", "1", GOOD_BW) "," COPY("DtoH", "pinned", "1", GOOD_BW) ","
                  COPY("HtoD", "pinned", "1", GOOD_BW), "", "host_copies[2] repeats host_copies[0]", NULL);
    check_refused(COPY("HtoD", "pinned", "1", GOOD_BW), ",\"latency\":[{\"direction\":\"HtoD\"}]",
                  "latency[0].host_memory", "missing");
    /* The source is what makes a description honest: it cannot be left out. */
    wp_diag dd = {0};
    CHECK(wp_machine_parse("{\"schema\":\"wanprof.machine-spec/1\",\"name\":\"t\",\"gpus\":1,\"gpu_memory_bytes\":1,"
                           "\"host_copies\":[" COPY("HtoD", "pinned", "1", GOOD_BW) "]}",
                           "bad.json", &m, &dd) == WP_ERR_FORMAT);
    CHECK_EQ_STR(dd.error, "bad.json: source: missing");

    /* A measured file's spread must say how many samples it has. */
    cJSON *doc = cJSON_Parse(h200_text);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "host_copies"), 3);
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(first, "bandwidth_gb_per_s"), "count");
    char *text = cJSON_PrintUnformatted(doc);
    CHECK(wp_machine_parse(text, "machine.json", &m, &d) == WP_ERR_FORMAT);
    CHECK_EQ_STR(d.error, "machine.json: host_copies[3].bandwidth_gb_per_s.count: missing");
    free(text);
    cJSON_Delete(doc);

    /* A direction and kind with no figure at all is -1, and the note says so. */
    CHECK_EQ_INT(parse_spec_with(COPY("HtoD", "pinned", "1", GOOD_BW), "", &m, &d), 0);
    wp_spread s;
    char note[256];
    CHECK_EQ_INT(wp_machine_bandwidth(&m, WP_MDIR_DTOH, 1, MIB, 1, &s, note, sizeof(note)), -1);
    CHECK(strstr(note, "no single-GPU figure for DtoH copies from pinned memory") != NULL);
    CHECK_EQ_INT(wp_machine_copy_seconds(&m, WP_MDIR_HTOD, 0, MIB, 1, 1, &s, note, sizeof(note)), -1);
}

/* The compute curve: the points as calibrate wrote them (busiest first) kept ascending in busy, times relative to the
 * busiest; the scale interpolated between them and flat beyond; no curve: 1; the refusals name the field. */
static void test_compute(void)
{
    const char *spec = "{\"schema\":\"wanprof.machine-spec/1\",\"name\":\"t\",\"source\":\"s\",\"gpus\":1,"
                       "\"gpu_memory_bytes\":1,\"host_copies\":[" COPY("HtoD", "pinned", "1", GOOD_BW) "]%s}";
    char text[2048];
    wp_machine m;
    wp_diag d = {0};
    snprintf(text, sizeof(text), spec,
             ",\"compute\":{\"points\":["
             "{\"busy_measured\":1.0,\"seconds_per_unit\":{\"median\":2,\"min\":1.9,\"max\":2.2}},"
             "{\"busy_measured\":0.25,\"seconds_per_unit\":{\"median\":1.6,\"min\":1.6,\"max\":1.7}},"
             "{\"busy_measured\":0.5,\"seconds_per_unit\":{\"median\":1.7,\"min\":1.6,\"max\":1.8}}]}");
    CHECK_EQ_INT(wp_machine_parse(text, "curve.json", &m, &d), 0);
    CHECK_EQ_INT(m.nbusy, 3);
    CHECK_NEAR(m.busy[0], 0.25, 0);
    CHECK_NEAR(m.busy[2], 1.0, 0);
    check_spread(m.relative[0], 0.8, 0.8, 0.85, 1e-12);
    check_spread(m.relative[1], 0.85, 0.8, 0.9, 1e-12);
    check_spread(m.relative[2], 1.0, 0.95, 1.1, 1e-12);
    CHECK_NEAR(wp_machine_kernel_scale(&m, 1.0, 0.5, WP_CURVE_MEDIAN), 1 / 0.85, 1e-12);      /* idle half the time -> busy */
    CHECK_NEAR(wp_machine_kernel_scale(&m, 0.75, 0.25, WP_CURVE_MEDIAN), 0.925 / 0.8, 1e-12); /* halfway between 0.5 and 1 */
    CHECK_NEAR(wp_machine_kernel_scale(&m, 0.05, 1.0, WP_CURVE_MEDIAN), 0.8, 1e-12);          /* flat below the least busy point */
    CHECK_NEAR(wp_machine_kernel_scale(&m, 0.6, 0.6, WP_CURVE_MEDIAN), 1, 1e-12);
    /* the lines through the fastest and the slowest bursts: the range, and none where the shares are the same */
    CHECK_NEAR(wp_machine_kernel_scale(&m, 1.0, 0.5, WP_CURVE_FASTEST), 0.95 / 0.8, 1e-12);
    CHECK_NEAR(wp_machine_kernel_scale(&m, 1.0, 0.5, WP_CURVE_SLOWEST), 1.1 / 0.9, 1e-12);
    CHECK_NEAR(wp_machine_kernel_scale(&m, 0.3, 0.3, WP_CURVE_SLOWEST), 1, 1e-12);
    /* without a curve, or with one calibrate could not measure: kernel times as recorded */
    snprintf(text, sizeof(text), spec, "");
    CHECK_EQ_INT(wp_machine_parse(text, "plain.json", &m, &d), 0);
    CHECK_NEAR(wp_machine_kernel_scale(&m, 1.0, 0.3, WP_CURVE_MEDIAN), 1, 0);
    snprintf(text, sizeof(text), spec, ",\"compute\":{\"measured\":false,\"note\":\"no cuBLASLt algorithm\"}");
    CHECK_EQ_INT(wp_machine_parse(text, "unmeasured.json", &m, &d), 0);
    CHECK_EQ_INT(m.nbusy, 0);
    static const struct {
        const char *compute, *want;
    } bad[] = {
        {",\"compute\":[]", "compute: is not an object"},
        {",\"compute\":{\"points\":[{\"busy_measured\":1,\"seconds_per_unit\":" GOOD_BW "}]}",
         "compute.points: needs 2 to 8 points"},
        {",\"compute\":{\"points\":[{\"busy_measured\":1,\"seconds_per_unit\":" GOOD_BW "},"
         "{\"busy_measured\":0,\"seconds_per_unit\":" GOOD_BW "}]}",
         "compute.points[1].busy_measured: is not a share"},
        {",\"compute\":{\"points\":[{\"busy_measured\":1,\"seconds_per_unit\":" GOOD_BW "},"
         "{\"busy_measured\":0.5}]}",
         "compute.points[1].seconds_per_unit: missing"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), spec, bad[i].compute);
        CHECK(wp_machine_parse(text, "bad.json", &m, &d) == WP_ERR_FORMAT);
        CHECK(strstr(d.error, bad[i].want) != NULL);
        if (!strstr(d.error, bad[i].want))
            fprintf(stderr, "  message: %s (wanted %s)\n", d.error, bad[i].want);
    }
}

/* Copy sizes in the notes and calibrate's tables: binary units when whole, decimal otherwise. */
static void test_copy_size(void)
{
    char b[32];
    CHECK_EQ_STR(wp_fmt_copy_size(4096, b, sizeof(b)), "4 KiB");
    CHECK_EQ_STR(wp_fmt_copy_size(256 * MIB, b, sizeof(b)), "256 MiB");
    CHECK_EQ_STR(wp_fmt_copy_size(1024 * MIB, b, sizeof(b)), "1 GiB");
    CHECK_EQ_STR(wp_fmt_copy_size(4096 * 1024 * MIB, b, sizeof(b)), "4096 GiB");
    CHECK_EQ_STR(wp_fmt_copy_size(1000, b, sizeof(b)), "1.0 kB");
    CHECK_EQ_STR(wp_fmt_copy_size(3 * MIB + 1, b, sizeof(b)), "3.1 MB");
}

int main(void)
{
    char *h200 = check_slurp(check_fixture("machines/h200_calibrate.json")), *h100;
    /* The spec is read where users find it, examples/machines/ (two levels above the fixtures): no copy to drift. */
    const char *fixtures = getenv("WP_FIXTURES");
    char path[4200];
    snprintf(path, sizeof(path), "%s/../../examples/machines/h100_pcie_x4.json",
             fixtures ? fixtures : "tests/fixtures");
    h100 = check_slurp(path);
    CHECK(h200 != NULL && h100 != NULL);
    if (!h200 || !h100)
        return check_done();
    wp_machine m;
    wp_diag d = {0};
    CHECK_EQ_INT(wp_machine_parse(h200, "h200_calibrate.json", &m, &d), 0);
    if (d.error[0])
        fprintf(stderr, "%s\n", d.error);
    test_measured(&m);
    CHECK_EQ_INT(wp_machine_parse(h100, "h100_pcie_x4.json", &m, &d), 0);
    if (d.error[0])
        fprintf(stderr, "%s\n", d.error);
    test_spec(&m);
    test_refusals(h200);
    test_compute();
    test_copy_size();
    free(h200);
    free(h100);
    return check_done();
}
