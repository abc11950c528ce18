/* test_analyzer_explain.c: the analysis on synthetic runs fed through wp_tool in reverse time order (the JSON reader
 * delivers file order, not time order): planted spikes are found with the planted cause first and no others, causes
 * plus the unexplained remainder add up to the excess, steps come from marks or compiled-region calls, and the
 * schedule check points at the shifts that explain an early switch. */
#include <math.h>

#include "check.h"
#include "explain.h"
#include "tool.h"

typedef struct synth {
    wp_strtab *s;
    wp_event ev[20000];
    int n;
} synth;

static wp_event *push(synth *y, uint32_t kind, const char *name, int64_t start, int64_t end)
{
    wp_event *e = &y->ev[y->n++];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->name = wp_strtab_intern_cstr(y->s, name);
    e->start = start;
    e->end = end;
    e->device = kind == WP_EV_KERNEL || kind == WP_EV_MEMCPY ? 0 : WP_NONE;
    e->stream = 7;
    e->tid = 100;
    return e;
}

static void copy(synth *y, int64_t t, int64_t d, uint8_t kind, uint64_t bytes)
{
    wp_event *c = push(y, WP_EV_MEMCPY, kind == WP_COPY_HTOD ? "Memcpy HtoD" : "Memcpy DtoH", t, t + d);
    c->u.memcpy = (wp_memcpy_info){.bytes = bytes, .copy_kind = kind, .src_kind = kind == WP_COPY_HTOD ? 0 : 2,
                                   .dst_kind = kind == WP_COPY_HTOD ? 2 : 0};
    push(y, WP_EV_API, "cudaMemcpyAsync", t - 1000, t + d + 1000);
}

/* 16 steps of 10 ms: 8 ms of kernels each; planted: step 4 expert swap (+40 ms), step 7 allocator storm (+20 ms),
 * step 11 recompilation (+60 ms). Step marks "step N" unless regions: then one compiled-region call per step (1), no
 * marks at all (2), or SGLang's NVTX names "denoising_step_N_tT" whose timesteps cross 875 at step 4 (3). */
static void build(synth *y, int regions)
{
    memset(y, 0, sizeof(*y));
    y->s = wp_strtab_new();
    int64_t t = 1000000000;
    for (int i = 0; i < 16; i++) {
        int64_t s0 = t, extra = i == 4 ? 40000000 : i == 7 ? 20000000 : i == 11 ? 60000000 : 0;
        int64_t k = t + 200000;
        if (i == 4) { /* 16 DtoH + 16 HtoD copies of 4 MiB, 1.25 ms each: 40 ms of swap */
            for (int c = 0; c < 32; c++, k += 1250000)
                copy(y, k, 1200000, c < 16 ? WP_COPY_DTOH : WP_COPY_HTOD, 4u << 20);
        } else if (i == 7) { /* 100 cudaFree + 100 cudaMalloc of 100 us each */
            for (int c = 0; c < 200; c++, k += 100000)
                push(y, WP_EV_API, c < 100 ? "cudaFree" : "cudaMalloc", k, k + 99000);
        } else if (i == 11) {
            push(y, WP_EV_RANGE, "entire_frame_compile", k, k + extra)->u.range.source = WP_RANGE_CPU_OP;
            push(y, WP_EV_RANGE, "backend_compile", k + 1000, k + extra - 1000)->u.range.source = WP_RANGE_CPU_OP;
            k += extra;
        }
        for (int j = 0; j < 8; j++, k += 1000000)
            push(y, WP_EV_KERNEL, i == 11 && j == 0 ? "triton_new_kernel" : "gemm_kernel", k, k + 990000);
        t = k + 1800000 + (i % 3) * 10000;
        char name[32];
        if (regions == 3)
            snprintf(name, sizeof(name), "denoising_step_%d_t%d", i, i < 4 ? 999 - 20 * i : 857 - 20 * i);
        else
            snprintf(name, sizeof(name), "step %d", i);
        if (regions == 2) { /* no marks at all: one scheduler kernel ends each step */
            push(y, WP_EV_KERNEL, "sched_update_kernel", k + 100000, k + 150000);
        } else if (regions == 1) {
            const char *rn = i == 11 ? "Torch-Compiled Region: 0/1" : "Torch-Compiled Region: 0/0";
            push(y, WP_EV_RANGE, rn, t - 1500000, t - 100000)->u.range.source = WP_RANGE_CPU_OP;
        } else {
            push(y, WP_EV_RANGE, name, s0, t)->u.range.source = WP_RANGE_USER_ANNOTATION;
        }
        (void)extra;
    }
}

static void analyse(synth *y, wp_run *r, wp_explain *e, const wp_explain_opts *o)
{
    CHECK_EQ_INT(wp_run_init(r, NULL, NULL), WP_OK);
    wp_tool *tool = wp_run_tool(r);
    tool->strings = y->s;
    wp_process p = {.index = 0, .pid = 42, .rank = 0};
    tool->process(tool, &p);
    for (int i = y->n - 1; i >= 0; i--) /* reverse time order */
        CHECK_EQ_INT(wp_tool_event(tool, &y->ev[i]), 0);
    CHECK_EQ_INT(wp_run_finish(r), WP_OK);
    CHECK_EQ_INT(wp_explain_run(r, o, e), WP_OK);
}

/* The spike on step `index` of a rank, or NULL. */
static const wp_spike *spike_at(const wp_rank_result *rr, int index)
{
    for (int s = 0; s < rr->nspikes; s++)
        if (rr->spikes[s].index == index)
            return &rr->spikes[s];
    return NULL;
}

static void check_planted(const wp_explain *e, int regions)
{
    CHECK_EQ_INT(e->nranks, 1);
    const wp_rank_result *rr = &e->ranks[0];
    CHECK_EQ_INT(rr->steps.count, 16);
    CHECK_EQ_INT(rr->steps.source, regions == 2 ? WP_STEPS_KERNELS : regions ? WP_STEPS_REGION : WP_STEPS_PATTERN);
    int want[] = {4, 7, 11};
    const char *cause[] = {"expert_switch", "allocator", "recompilation"};
    int k = 0;
    for (int s = 0; s < rr->nspikes; s++) {
        const wp_spike *sp = &rr->spikes[s];
        if (sp->warmup)
            continue;
        CHECK(k < 3);
        if (k >= 3)
            break;
        CHECK_EQ_INT(sp->index, want[k]);
        CHECK(sp->ncauses >= 1);
        if (sp->ncauses)
            CHECK_EQ_STR(sp->causes[0].id, cause[k]);
        double sum = sp->unexplained;
        for (int c = 0; c < sp->ncauses; c++)
            sum += sp->causes[c].seconds;
        CHECK_NEAR(sum, sp->excess, 1e-9);
        CHECK(sp->causes[0].seconds > 0.7 * sp->excess); /* the planted cause explains most of it */
        k++;
    }
    CHECK_EQ_INT(k, 3);
    CHECK_NEAR(rr->baseline.median, 0.0100, 0.0005);
    CHECK(rr->stats[11].new_kernels == 1);
    CHECK_EQ_INT(rr->stats[4].weight_dtoh, 16);
    CHECK_EQ_INT(rr->stats[4].weight_htod, 16);
}

/* Two ranks; in step 5 rank 1 computes 30 ms longer and rank 0's all-reduce waits for it. */
static void check_nccl_wait(void)
{
    static synth y;
    memset(&y, 0, sizeof(y));
    y.s = wp_strtab_new();
    for (int rank = 0; rank < 2; rank++) {
        int64_t t = 5000000000LL;
        for (int i = 0; i < 10; i++) {
            int64_t s0 = t, k = t + 100000, slow = i == 5 ? 30000000 : 0;
            for (int j = 0; j < 8; j++, k += 1000000)
                push(&y, WP_EV_KERNEL, "gemm_kernel", k, k + 990000)->proc = (uint32_t)rank;
            if (rank == 1) {
                push(&y, WP_EV_KERNEL, "gemm_kernel", k, k + slow)->proc = 1;
                k += slow;
                push(&y, WP_EV_KERNEL, "ncclDevKernel_AllReduce", k, k + 500000)->proc = 1;
            } else {
                push(&y, WP_EV_KERNEL, "ncclDevKernel_AllReduce", k, k + slow + 500000)->proc = 0;
                k += slow;
            }
            t = k + 600000 + i * 1000;
            char name[32];
            snprintf(name, sizeof(name), "step %d", i);
            wp_event *e = push(&y, WP_EV_RANGE, name, s0, t);
            e->u.range.source = WP_RANGE_NVTX;
            e->proc = (uint32_t)rank;
        }
    }
    wp_run r;
    wp_explain e;
    wp_explain_opts o;
    wp_explain_opts_default(&o);
    CHECK_EQ_INT(wp_run_init(&r, NULL, NULL), WP_OK);
    wp_tool *tool = wp_run_tool(&r);
    tool->strings = y.s;
    for (int p = 0; p < 2; p++) {
        wp_process pr = {.index = (uint32_t)p, .pid = 100 + p, .rank = p};
        tool->process(tool, &pr);
    }
    for (int i = y.n - 1; i >= 0; i--)
        wp_tool_event(tool, &y.ev[i]);
    CHECK_EQ_INT(wp_run_finish(&r), WP_OK);
    CHECK_EQ_INT(wp_explain_run(&r, &o, &e), WP_OK);
    CHECK_EQ_INT(e.nranks, 2);
    const wp_rank_result *r0 = e.ranks[0].rank == 0 ? &e.ranks[0] : &e.ranks[1];
    int found = 0;
    for (int s = 0; s < r0->nspikes; s++)
        if (r0->spikes[s].index == 5 && r0->spikes[s].ncauses) {
            found = 1;
            CHECK_EQ_STR(r0->spikes[s].causes[0].id, "nccl_wait");
            CHECK(strstr(r0->spikes[s].causes[0].evidence, "rank 1") != NULL);
        }
    CHECK(found);
    wp_explain_free(&e);
    wp_run_free(&r);
    wp_strtab_free(y.s);
}

/* A collector trace reports one wait twice (the cudaDeviceSynchronize call and CUPTI's SYNCHRONIZATION record inside
 * it) and one allocation twice (the cudaMalloc call and the MEMORY record inside it): each counts once. */
static void check_no_double_count(void)
{
    static synth y;
    build(&y, 0);
    for (int i = 0, n = y.n; i < n; i++) {
        const wp_event *ev = &y.ev[i];
        const char *name = wp_strtab_get(y.s, ev->name);
        if (ev->kind == WP_EV_RANGE && strncmp(name, "step ", 5) == 0) {
            int64_t t = ev->end - 1500000; /* the step's last 1.2 ms: waiting for its kernels */
            push(&y, WP_EV_API, "cudaDeviceSynchronize", t, t + 1200000);
            push(&y, WP_EV_SYNC, "", t + 1000, t + 1199000)->u.sync.type = WP_SYNC_CONTEXT;
        } else if (ev->kind == WP_EV_API && strcmp(name, "cudaMalloc") == 0) {
            wp_event *m = push(&y, WP_EV_MEMORY, "", ev->start + 500, ev->start + 500);
            m->u.memory = (wp_memory_info){.address = 0x1000, .bytes = 1 << 20, .op = WP_MEMORY_ALLOC};
        }
    }
    wp_explain_opts o;
    wp_explain_opts_default(&o);
    wp_run r;
    wp_explain e;
    analyse(&y, &r, &e, &o);
    const wp_rank_result *rr = &e.ranks[0];
    CHECK_EQ_INT(rr->steps.count, 16);
    for (int i = 0; i < rr->steps.count; i++) {
        CHECK_EQ_INT(rr->stats[i].syncs, 1);
        CHECK_EQ_INT(rr->stats[i].sync_ns, 1200000);
    }
    CHECK_EQ_INT(rr->stats[7].allocs, 100);
    CHECK_EQ_INT(rr->stats[7].frees, 100);
    wp_explain_free(&e);
    wp_run_free(&r);
    wp_strtab_free(y.s);
}

/* The expert swap of step 4 from pinned memory, plus a 4-byte pageable upload in the same step (the runner uploads
 * its timestep from the stack): the evidence names the memory the weights moved through, pinned. Then the original
 * pageable swap is named pageable. */
static void check_swap_memory_kind(void)
{
    for (int pinned = 0; pinned < 2; pinned++) {
        static synth y;
        build(&y, 0);
        if (pinned) {
            for (int i = 0; i < y.n; i++)
                if (y.ev[i].kind == WP_EV_MEMCPY) {
                    if (y.ev[i].u.memcpy.copy_kind == WP_COPY_HTOD)
                        y.ev[i].u.memcpy.src_kind = 1;
                    else
                        y.ev[i].u.memcpy.dst_kind = 1;
                }
            int64_t at = 0;
            for (int i = 0; i < y.n; i++)
                if (y.ev[i].kind == WP_EV_MEMCPY && (at == 0 || y.ev[i].start < at))
                    at = y.ev[i].start;
            copy(&y, at - 100000, 1000, WP_COPY_HTOD, 4); /* pageable */
        }
        wp_explain_opts o;
        wp_explain_opts_default(&o);
        wp_run r;
        wp_explain e;
        analyse(&y, &r, &e, &o);
        const wp_spike *sp = spike_at(&e.ranks[0], 4);
        CHECK(sp && sp->ncauses >= 1);
        if (sp && sp->ncauses) {
            CHECK_EQ_STR(sp->causes[0].id, "expert_switch");
            CHECK(strstr(sp->causes[0].evidence, pinned ? ", pinned host memory)" : ", pageable host memory)"));
        }
        wp_explain_free(&e);
        wp_run_free(&r);
        wp_strtab_free(y.s);
    }
}

/* Layerwise offload: every step copies 4 blocks of 8 MiB, host->GPU, 1 ms each; the first overlaps a kernel, the
 * other three run while the GPU has nothing else: 3 ms of copy time exposed per step, which the text report gives. */
static void check_per_step_copies(void)
{
    static synth y;
    memset(&y, 0, sizeof(y));
    y.s = wp_strtab_new();
    int64_t t = 2000000000LL;
    for (int i = 0; i < 12; i++) {
        int64_t s0 = t, k = t + 100000;
        push(&y, WP_EV_KERNEL, "gemm_kernel", k, k + 1000000);
        for (int c = 0; c < 4; c++, k += 1000000)
            copy(&y, k, 1000000, WP_COPY_HTOD, 8u << 20);
        push(&y, WP_EV_KERNEL, "gemm_kernel", k, k + 2000000);
        t = k + 2100000;
        char name[32];
        snprintf(name, sizeof(name), "step %d", i);
        push(&y, WP_EV_RANGE, name, s0, t)->u.range.source = WP_RANGE_USER_ANNOTATION;
    }
    wp_explain_opts o;
    wp_explain_opts_default(&o);
    wp_run r;
    wp_explain e;
    analyse(&y, &r, &e, &o);
    CHECK_EQ_INT(e.ranks[0].steps.count, 12);
    CHECK_NEAR((double)e.ranks[0].stats[5].copy_exposed_ns, 3e6, 1e3);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    wp_explain_write_text(&e, "synthetic", f);
    fclose(f);
    CHECK(strstr(text, "host<->GPU copies per step (median): 33.6 MB in 4 copies, 4.0 ms on the copy engines, 3.0 ms "
                       "of copy time exposed") != NULL);
    if (!strstr(text, "copies per step (median): 33.6 MB"))
        fprintf(stderr, "text report (%zu bytes):\n%s\n", len, text);
    free(text);
    wp_explain_free(&e);
    wp_run_free(&r);
    wp_strtab_free(y.s);
}

/* A CUPTI trace of torch.compile: no compile phases, but in step 6 a module load and 40 ms with the GPU idle
 * before the kernels (the host compiling): `recompilation`, for the idle stretch. */
static void check_recompile_without_phases(void)
{
    static synth y;
    memset(&y, 0, sizeof(y));
    y.s = wp_strtab_new();
    int64_t t = 3000000000LL;
    for (int i = 0; i < 12; i++) {
        int64_t s0 = t, k = t + 100000;
        if (i == 6) {
            push(&y, WP_EV_API, "cuModuleLoadData", k, k + 500000);
            k += 40000000;
        }
        for (int j = 0; j < 4; j++, k += 1000000)
            push(&y, WP_EV_KERNEL, "triton_poi_fused_gelu_1", k, k + 990000);
        t = k + 200000;
        char name[32];
        snprintf(name, sizeof(name), "step %d", i);
        push(&y, WP_EV_RANGE, name, s0, t)->u.range.source = WP_RANGE_USER_ANNOTATION;
    }
    wp_explain_opts o;
    wp_explain_opts_default(&o);
    wp_run r;
    wp_explain e;
    analyse(&y, &r, &e, &o);
    const wp_spike *sp = spike_at(&e.ranks[0], 6);
    CHECK(sp && sp->ncauses >= 1);
    if (sp && sp->ncauses) {
        CHECK_EQ_STR(sp->causes[0].id, "recompilation");
        CHECK(sp->causes[0].seconds > 0.035 && sp->causes[0].seconds <= sp->excess + 1e-9);
        CHECK(strstr(sp->causes[0].evidence, "1 module loads/JIT") != NULL);
        CHECK(strstr(sp->causes[0].evidence, "torch.compile phases") == NULL);
    }
    wp_explain_free(&e);
    wp_run_free(&r);
    wp_strtab_free(y.s);
}

int main(void)
{
    check_recompile_without_phases();
    check_swap_memory_kind();
    check_per_step_copies();
    check_nccl_wait();
    check_no_double_count();
    static synth y;
    wp_explain_opts o;
    wp_explain_opts_default(&o);
    for (int regions = 0; regions < 3; regions++) {
        build(&y, regions);
        wp_run r;
        wp_explain e;
        analyse(&y, &r, &e, &o);
        check_planted(&e, regions);
        CHECK_EQ_INT(e.sched.have, 0); /* no metadata, no flags */
        wp_explain_free(&e);
        wp_run_free(&r);
        wp_strtab_free(y.s);
    }
    /* SGLang's step names carry the timestep: the switch is checked against them, no schedule needed */
    build(&y, 3);
    {
        wp_run rm;
        wp_explain em;
        analyse(&y, &rm, &em, &o);
        CHECK_EQ_INT(em.ranks[0].steps.count, 16);
        CHECK_EQ_INT(em.marked.have, 1);
        CHECK_EQ_INT(em.marked.step, 4);
        CHECK_EQ_INT(em.marked.observed, 4);
        CHECK(strstr(em.marked.note, "the observed switch is there") != NULL);
        CHECK_NEAR(em.marked.boundary_t, 875.0, 1e-9);
        wp_explain_free(&em);
        wp_run_free(&rm);
        wp_strtab_free(y.s);
    }
    /* schedule check: a 16-step wan schedule at shift 12 switches late; the swap at index 4 needs a smaller shift */
    build(&y, 0);
    o.have_schedule = 1;
    o.sched.steps = 16;
    o.sched.shift = 12.0;
    wp_run r;
    wp_explain e;
    analyse(&y, &r, &e, &o);
    CHECK_EQ_INT(e.sched.have, 1);
    CHECK_EQ_INT(e.sched.observed, 4);
    CHECK(e.sched.predicted > 4);
    CHECK_EQ_INT(e.sched.matches, 0);
    CHECK(e.sched.nranges >= 1);
    if (e.sched.nranges)
        CHECK(e.sched.ranges[0].hi < 12.0);
    CHECK(strstr(e.sched.note, "step 4") != NULL);
    wp_explain_free(&e);
    wp_run_free(&r);
    wp_strtab_free(y.s);
    /* the 27-step question: a switch seen at index 9 with shift 12 configured names shift ~3 and its known cause */
    wp_schedcheck c;
    wp_schedule_params p;
    wp_schedule_params_default(&p);
    wp_schedcheck_run(&p, "flags", 9, &c);
    CHECK_EQ_INT(c.predicted, 18);
    CHECK(c.nranges == 1 && c.ranges[0].lo < 3.0 && c.ranges[0].hi > 3.0);
    CHECK(strstr(c.note, "flow_shift 3.0") != NULL);
    CHECK(strstr(c.note, "10th") != NULL && strstr(c.note, "19th") != NULL);
    return check_done();
}
