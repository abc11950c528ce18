/* test_chrome_sort.c: time-ordered delivery (core/event_sort.c, used by the Chrome reader for opts.time_ordered)
 * with a buffer of 100 events for 20,000 events, so that it spills ~200 sorted runs to temporary files and merges
 * them: the output is in start order (enclosing ranges first at equal starts) and is exactly the input, reordered
 * (checked against qsort of the input with an independent comparator). */
#include "check.h"
#include "event_sort.h"

static wp_event *out;
static size_t nout;

static int collect(wp_tool *tool, const wp_event *ev)
{
    (void)tool;
    out[nout++] = *ev;
    return 0;
}

static int by_start_then_longer(const void *pa, const void *pb)
{
    const wp_event *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end > b->end ? -1 : 1;
    return memcmp(a, b, sizeof(*a));
}

int main(void)
{
    enum { N = 20000 };
    wp_event *in = calloc(N, sizeof(*in));
    out = calloc(N, sizeof(*out));
    uint64_t st = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < N; i++) {
        st ^= st << 13, st ^= st >> 7, st ^= st << 17;
        in[i].kind = WP_EV_KERNEL + (uint32_t)(st % 8);
        in[i].start = (int64_t)(st % 5000) - 100; /* many equal starts, some negative */
        in[i].end = in[i].start + (int64_t)(st >> 40) % 300;
        in[i].correlation = (uint64_t)i;
    }
    wp_event_sort *s = wp_event_sort_new(100);
    wp_diag diag = {0};
    for (int i = 0; i < N; i++)
        CHECK_EQ_INT(wp_event_sort_add(s, &in[i], &diag), WP_OK);
    CHECK(wp_event_sort_runs(s) >= 150);
    wp_tool tool = {.any = collect};
    CHECK_EQ_INT(wp_event_sort_finish(s, &tool, &diag), WP_OK);
    wp_event_sort_free(s);
    CHECK_EQ_INT(nout, N);
    qsort(in, N, sizeof(*in), by_start_then_longer);
    CHECK(memcmp(in, out, N * sizeof(*in)) == 0);

    /* Everything in memory: no runs, same order. */
    s = wp_event_sort_new(0);
    nout = 0;
    for (int i = N - 1; i >= 0; i--)
        wp_event_sort_add(s, &in[i], &diag);
    CHECK_EQ_INT(wp_event_sort_runs(s), 0);
    CHECK_EQ_INT(wp_event_sort_finish(s, &tool, &diag), WP_OK);
    wp_event_sort_free(s);
    CHECK(memcmp(in, out, N * sizeof(*in)) == 0);
    free(in);
    free(out);
    return check_done();
}
