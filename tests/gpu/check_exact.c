/* check_exact.c: reads a trace of collector_exact (SQLite or .json.gz, through wp_trace_read) and checks it.
 *   check_exact exact TRACE            every operation of exact_ops.h present exactly once, with the right bytes,
 *                                      directions, memory kinds, async flags, payloads and nesting
 *   check_exact loop TRACE MIN_ITERS   --loop mode: the "iter" ranges recorded are 0..M without a gap, M+1 >= MIN_ITERS,
 *                                      and every recorded iteration has its kernels and its copy
 * Prints every failed check (not only the first) and exits 1 when any failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exact_ops.h"
#include "trace_read.h"

typedef struct events {
    wp_event *v;
    size_t n, cap;
    const wp_strtab *strings;
} events;

static int failures;

#define EXPECT(cond, ...)                                                                                  \
    do {                                                                                                   \
        if (!(cond)) {                                                                                     \
            failures++;                                                                                    \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                    \
            printf(__VA_ARGS__);                                                                           \
            printf("\n");                                                                                  \
        }                                                                                                  \
    } while (0)

static int collect(wp_tool *tool, const wp_event *ev)
{
    events *e = (events *)((char *)tool + sizeof(wp_tool));
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4096;
        e->v = realloc(e->v, e->cap * sizeof(wp_event));
        if (!e->v)
            return -1;
    }
    e->v[e->n++] = *ev;
    return 0;
}

static const char *name_of(const events *e, const wp_event *ev)
{
    return wp_strtab_get(e->strings, ev->name);
}

/* The events of kind whose name contains text (NULL: any); returns how many, the last one in *out. */
static int find(const events *e, uint32_t kind, const char *text, const wp_event **out)
{
    int n = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->v[i].kind != kind || (text && !strstr(name_of(e, &e->v[i]), text)))
            continue;
        n++;
        if (out)
            *out = &e->v[i];
    }
    return n;
}

static void check_copy(const events *e, uint64_t bytes, int copy_kind, int src, int dst, int async)
{
    int n = 0;
    const wp_event *m = NULL;
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].kind == WP_EV_MEMCPY && e->v[i].u.memcpy.bytes == bytes)
            n++, m = &e->v[i];
    EXPECT(n == 1, "copy of %llu bytes: found %d times, expected once", (unsigned long long)bytes, n);
    if (!m)
        return;
    printf("copy %9llu B: %s %s->%s async=%d (%s)\n", (unsigned long long)bytes,
           wp_copy_kind_name(m->u.memcpy.copy_kind), wp_mem_kind_name(m->u.memcpy.src_kind),
           wp_mem_kind_name(m->u.memcpy.dst_kind), m->u.memcpy.async, name_of(e, m));
    EXPECT(m->u.memcpy.copy_kind == copy_kind, "copy of %llu bytes: direction %s, expected %s",
           (unsigned long long)bytes, wp_copy_kind_name(m->u.memcpy.copy_kind), wp_copy_kind_name(copy_kind));
    EXPECT(m->u.memcpy.src_kind == src && m->u.memcpy.dst_kind == dst, "copy of %llu bytes: %s -> %s, expected %s -> %s",
           (unsigned long long)bytes, wp_mem_kind_name(m->u.memcpy.src_kind), wp_mem_kind_name(m->u.memcpy.dst_kind),
           wp_mem_kind_name(src), wp_mem_kind_name(dst));
    if (async >= 0)
        EXPECT(m->u.memcpy.async == async, "copy of %llu bytes: async=%d, expected %d", (unsigned long long)bytes,
               m->u.memcpy.async, async);
    EXPECT(m->end >= m->start && m->start > 0, "copy of %llu bytes: bad times", (unsigned long long)bytes);
}

static void check_memset(const events *e, uint64_t bytes, uint32_t value, int async)
{
    int n = 0;
    const wp_event *m = NULL;
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].kind == WP_EV_MEMSET && e->v[i].u.memset.bytes == bytes)
            n++, m = &e->v[i];
    EXPECT(n == 1, "memset of %llu bytes: found %d times, expected once", (unsigned long long)bytes, n);
    if (!m)
        return;
    EXPECT(m->u.memset.value == value, "memset of %llu bytes: value %u, expected %u", (unsigned long long)bytes,
           m->u.memset.value, value);
    EXPECT(m->u.memset.mem_kind == WP_MEM_DEVICE, "memset of %llu bytes: memory kind %s", (unsigned long long)bytes,
           wp_mem_kind_name(m->u.memset.mem_kind));
    EXPECT(m->u.memset.async == async, "memset of %llu bytes: async=%d, expected %d", (unsigned long long)bytes,
           m->u.memset.async, async);
}

static int inside(const wp_event *in, const wp_event *out)
{
    return in->start >= out->start && in->end <= out->end;
}

static void check_ranges(const events *e)
{
    const wp_event *outer = NULL, *inner = NULL, *mark = NULL, *dom = NULL;
    EXPECT(find(e, WP_EV_RANGE, "exact:outer", &outer) == 1, "range exact:outer: not exactly once");
    EXPECT(find(e, WP_EV_RANGE, "exact:inner", &inner) == 1, "range exact:inner: not exactly once");
    EXPECT(find(e, WP_EV_RANGE, "exact:mark", &mark) == 1, "mark exact:mark: not exactly once");
    EXPECT(find(e, WP_EV_RANGE, "exact:domain_range", &dom) == 1, "range exact:domain_range: not exactly once");
    if (outer) {
        EXPECT(outer->u.range.payload_type == WP_PAYLOAD_INT && outer->u.range.payload.i == EXACT_OUTER_PAYLOAD,
               "exact:outer payload: type %u value %lld", outer->u.range.payload_type,
               (long long)outer->u.range.payload.i);
        EXPECT(outer->end > outer->start, "exact:outer: empty");
    }
    if (inner) {
        EXPECT(inner->u.range.payload_type == WP_PAYLOAD_DOUBLE && inner->u.range.payload.d == EXACT_INNER_PAYLOAD,
               "exact:inner payload: type %u value %g", inner->u.range.payload_type, inner->u.range.payload.d);
        EXPECT(outer && inside(inner, outer) && inner->tid == outer->tid, "exact:inner is not nested in exact:outer");
    }
    if (mark) {
        EXPECT(mark->start == mark->end && (mark->u.range.flags & WP_RANGE_FLAG_INSTANT), "exact:mark: not an instant");
        EXPECT(mark->u.range.payload_type == WP_PAYLOAD_UINT && mark->u.range.payload.u == EXACT_MARK_PAYLOAD,
               "exact:mark payload: type %u value %llu", mark->u.range.payload_type,
               (unsigned long long)mark->u.range.payload.u);
        EXPECT(outer && inside(mark, outer) && (!inner || mark->start >= inner->end), "exact:mark misplaced");
    }
    if (dom) {
        EXPECT(strcmp(wp_strtab_get(e->strings, dom->u.range.domain), "exact_domain") == 0,
               "exact:domain_range: domain '%s'", wp_strtab_get(e->strings, dom->u.range.domain));
        EXPECT(outer && dom->start >= outer->end, "exact:domain_range should follow exact:outer");
    }
    /* Every kernel was launched inside exact:inner: its launch call (same correlation id) starts there. */
    for (size_t i = 0; inner && i < e->n; i++) {
        const wp_event *k = &e->v[i];
        if (k->kind != WP_EV_KERNEL)
            continue;
        int launched_inside = 0;
        for (size_t j = 0; j < e->n; j++)
            if (e->v[j].kind == WP_EV_API && e->v[j].correlation == k->correlation)
                launched_inside = inside(&e->v[j], inner);
        EXPECT(launched_inside, "kernel (grid %u) not launched inside exact:inner", k->u.kernel.grid[0]);
    }
}

static void check_kernels(const events *e)
{
    int seen[EXACT_DRIVER_GRID + 1] = {0};
    int total = find(e, WP_EV_KERNEL, NULL, NULL);
    EXPECT(total == EXACT_KERNELS + 1, "kernels: %d, expected %d", total, EXACT_KERNELS + 1);
    for (size_t i = 0; i < e->n; i++) {
        const wp_event *k = &e->v[i];
        if (k->kind != WP_EV_KERNEL)
            continue;
        EXPECT(strstr(name_of(e, k), "exact_kernel") != NULL, "kernel name '%s'", name_of(e, k));
        EXPECT(k->u.kernel.block[0] == 128, "kernel block %u", k->u.kernel.block[0]);
        if (k->u.kernel.grid[0] >= 1 && k->u.kernel.grid[0] <= EXACT_DRIVER_GRID)
            seen[k->u.kernel.grid[0]]++;
    }
    for (int g = 1; g <= EXACT_DRIVER_GRID; g++)
        EXPECT(seen[g] == 1, "kernel with grid %d: %d times", g, seen[g]);
}

static void check_alloc(const events *e)
{
    int allocs = 0, frees = 0;
    uint64_t addr = 0;
    for (size_t i = 0; i < e->n; i++) {
        const wp_event *m = &e->v[i];
        if (m->kind != WP_EV_MEMORY || m->u.memory.bytes != EXACT_ALLOC_BYTES)
            continue;
        if (m->u.memory.op == WP_MEMORY_ALLOC)
            allocs++, addr = m->u.memory.address;
        else
            frees++;
        EXPECT(m->u.memory.mem_kind == WP_MEM_DEVICE, "allocation kind %s", wp_mem_kind_name(m->u.memory.mem_kind));
    }
    EXPECT(allocs == 1 && frees == 1, "cudaMalloc/cudaFree of %d bytes: %d allocations, %d frees", EXACT_ALLOC_BYTES,
           allocs, frees);
    EXPECT(addr != 0, "allocation without an address");
}

static void check_exact(const events *e)
{
    check_kernels(e);
    check_copy(e, EXACT_H2D_PAGEABLE_SYNC, WP_COPY_HTOD, WP_MEM_PAGEABLE, WP_MEM_DEVICE, 0);
    check_copy(e, EXACT_H2D_PINNED_SYNC, WP_COPY_HTOD, WP_MEM_PINNED, WP_MEM_DEVICE, 0);
    check_copy(e, EXACT_H2D_PINNED_ASYNC, WP_COPY_HTOD, WP_MEM_PINNED, WP_MEM_DEVICE, 1);
    check_copy(e, EXACT_D2H_PAGEABLE_SYNC, WP_COPY_DTOH, WP_MEM_DEVICE, WP_MEM_PAGEABLE, 0);
    check_copy(e, EXACT_D2H_PINNED_ASYNC, WP_COPY_DTOH, WP_MEM_DEVICE, WP_MEM_PINNED, 1);
    check_copy(e, EXACT_D2D_ASYNC, WP_COPY_DTOD, WP_MEM_DEVICE, WP_MEM_DEVICE, 1);
    check_copy(e, EXACT_H2D_PAGEABLE_ASYNC, WP_COPY_HTOD, WP_MEM_PAGEABLE, WP_MEM_DEVICE, -1);
    int copies = find(e, WP_EV_MEMCPY, NULL, NULL);
    EXPECT(copies == 7, "copies: %d, expected 7", copies);
    check_memset(e, EXACT_MEMSET_SYNC, 0x5a, 0);
    check_memset(e, EXACT_MEMSET_ASYNC, 0, 1);
    EXPECT(find(e, WP_EV_MEMSET, NULL, NULL) == 2, "memsets: expected 2");
    check_alloc(e);
    check_ranges(e);
    EXPECT(find(e, WP_EV_API, "cudaLaunchKernel", NULL) == EXACT_KERNELS, "cudaLaunchKernel calls: %d",
           find(e, WP_EV_API, "cudaLaunchKernel", NULL));
    /* The driver launch is recorded by default (not only with --trace=driver), once: the runtime's own launches do
     * not show up a second time as driver calls. */
    const wp_event *drv = NULL;
    EXPECT(find(e, WP_EV_API, "cuLaunchKernel", &drv) == 1, "cuLaunchKernel calls: %d, expected 1",
           find(e, WP_EV_API, "cuLaunchKernel", NULL));
    EXPECT(drv && drv->u.api.domain == WP_API_DRIVER, "cuLaunchKernel not recorded as a driver call");
}

static void check_loop(const events *e, long min_iters)
{
    long max_it = -1, n_iter = 0;
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].kind == WP_EV_RANGE && strcmp(name_of(e, &e->v[i]), "iter") == 0) {
            n_iter++;
            if (e->v[i].u.range.payload.i > max_it)
                max_it = e->v[i].u.range.payload.i;
        }
    printf("loop: %ld iter ranges recorded, last %ld, at least %ld required\n", n_iter, max_it, min_iters);
    EXPECT(n_iter == max_it + 1, "iter ranges are not 0..%ld without gaps (%ld ranges)", max_it, n_iter);
    EXPECT(n_iter >= min_iters, "only %ld iterations recorded, expected at least %ld", n_iter, min_iters);
    long kernels = find(e, WP_EV_KERNEL, NULL, NULL), copies = 0;
    for (size_t i = 0; i < e->n; i++)
        copies += e->v[i].kind == WP_EV_MEMCPY && e->v[i].u.memcpy.bytes == EXACT_LOOP_COPY;
    printf("loop: %ld kernels, %ld copies\n", kernels, copies);
    EXPECT(kernels >= n_iter * EXACT_LOOP_KERNELS, "kernels %ld < %ld iterations x %d", kernels, n_iter,
           EXACT_LOOP_KERNELS);
    EXPECT(copies >= n_iter, "copies %ld < %ld iterations", copies, n_iter);
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "loop") == 0 && argc != 4)) {
        fprintf(stderr, "usage: check_exact exact TRACE | check_exact loop TRACE MIN_ITERS\n");
        return 2;
    }
    struct { wp_tool tool; events e; } t;
    memset(&t, 0, sizeof(t));
    t.tool.any = collect;
    wp_strtab *strings = wp_strtab_new();
    wp_diag diag;
    memset(&diag, 0, sizeof(diag));
    wp_read_stats st;
    wp_read_opts ropts = {0, 0};
    int rc = wp_trace_read(argv[2], strings, &t.tool, &ropts, &diag, &st);
    if (rc != WP_OK) {
        printf("FAIL: cannot read %s: %s\n", argv[2], diag.error);
        return 1;
    }
    t.e.strings = strings;
    printf("%s: %llu events, %llu dropped, truncated=%d\n", argv[2], (unsigned long long)st.events,
           (unsigned long long)st.dropped, st.truncated);
    if (strcmp(argv[1], "exact") == 0)
        check_exact(&t.e);
    else
        check_loop(&t.e, atol(argv[3]));
    printf("%s: %s (%d failed checks)\n", argv[2], failures ? "FAIL" : "ok", failures);
    free(t.e.v);
    wp_strtab_free(strings);
    return failures ? 1 : 0;
}
