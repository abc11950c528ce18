/* run.c: the one-pass collector behind every analysis (see run.h). */
#include "run.h"

#include <ctype.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "hash64.h"
#include "nsmath.h"

#define CLS_NONE 0x0f
#define CLS_DONE 0x10
#define CLS_NCCL 0x20

int wp_run_init(wp_run *r, const char *step_pattern, wp_diag *diag)
{
    memset(r, 0, sizeof(*r));
    r->user_pattern = step_pattern != NULL;
    int rc = wp_step_pattern_new(step_pattern ? step_pattern : WP_DEFAULT_STEP_PATTERN, &r->step_re, diag);
    if (rc != WP_OK)
        return rc;
    r->timeline = wp_timeline_new();
    if (!r->timeline) {
        wp_step_pattern_free(r->step_re);
        return wp_diag_error(diag, WP_ERR_NOMEM, "out of memory");
    }
    return WP_OK;
}

void wp_run_free(wp_run *r)
{
    wp_step_pattern_free(r->step_re);
    wp_timeline_free(r->timeline);
    free(r->copies);
    free(r->hosts);
    free(r->ops);
    free(r->mems);
    free(r->launches);
    free(r->kernels);
    free(r->name_class);
    for (uint32_t i = 0; i < r->nprocs; i++) {
        free(r->procs[i].config);
        free(r->procs[i].machine);
    }
    free(r->procs);
    free(r->proc_slots);
    memset(r, 0, sizeof(*r));
}

const char *wp_run_str(const wp_run *r, uint32_t id)
{
    return r->strings ? wp_strtab_get(r->strings, id) : "";
}

/* The slot of process `index` in proc_slots: where it is, or the empty slot where it goes. */
static size_t proc_slot(const wp_run *r, uint32_t index)
{
    size_t i = wp_hash64(index) & (r->capslots - 1);
    while (r->proc_slots[i] && r->procs[r->proc_slots[i] - 1].info.index != index)
        i = (i + 1) & (r->capslots - 1);
    return i;
}

/* The process with this index, or NULL. */
static wp_run_proc *find_proc(const wp_run *r, uint32_t index)
{
    if (!r->capslots)
        return NULL;
    uint32_t at = r->proc_slots[proc_slot(r, index)];
    return at ? &r->procs[at - 1] : NULL;
}

const wp_run_proc *wp_run_proc_find(const wp_run *r, uint32_t index)
{
    return find_proc(r, index);
}

/* Room for one more process in procs and its index; 0 or -1 (out of memory). */
static int make_room(wp_run *r)
{
    if (r->nprocs == r->capprocs) {
        uint32_t ncap = r->capprocs ? r->capprocs * 2 : 16;
        wp_run_proc *np = ncap > r->capprocs ? realloc(r->procs, ncap * sizeof(*np)) : NULL;
        if (!np)
            return -1;
        r->procs = np;
        r->capprocs = ncap;
    }
    if ((r->nprocs + 1) * 2 <= r->capslots)
        return 0;
    uint32_t ncap = r->capslots ? r->capslots * 2 : 64;
    uint32_t *ns = ncap > r->capslots ? calloc(ncap, sizeof(*ns)) : NULL;
    if (!ns)
        return -1;
    free(r->proc_slots);
    r->proc_slots = ns;
    r->capslots = ncap;
    for (uint32_t i = 0; i < r->nprocs; i++)
        r->proc_slots[proc_slot(r, r->procs[i].info.index)] = i + 1;
    return 0;
}

/* The process with this index, added when new; NULL (r->nomem set) when out of memory. */
static wp_run_proc *proc_of(wp_run *r, uint32_t index)
{
    wp_run_proc *p = find_proc(r, index);
    if (p)
        return p;
    if (make_room(r)) {
        r->nomem = 1;
        return NULL;
    }
    p = &r->procs[r->nprocs++];
    memset(p, 0, sizeof(*p));
    p->info.index = index;
    p->info.rank = -1;
    p->first = INT64_MAX;
    p->last = INT64_MIN;
    p->owner = index;
    r->proc_slots[proc_slot(r, index)] = r->nprocs;
    return p;
}

static int on_process(wp_tool *tool, const wp_process *proc)
{
    wp_run *r = (wp_run *)tool;
    r->strings = tool->strings;
    wp_run_proc *p = proc_of(r, proc->index);
    if (!p)
        return WP_ERR_NOMEM;
    p->info = *proc;
    return 0;
}

static int on_meta(wp_tool *tool, uint32_t proc, const char *key, const char *json)
{
    wp_run *r = (wp_run *)tool;
    int machine = strcmp(key, "machine") == 0;
    if (!machine && strcmp(key, "config") != 0 && strcmp(key, "schedule") != 0)
        return 0;
    wp_run_proc *p = proc_of(r, proc);
    if (!p)
        return WP_ERR_NOMEM;
    if (machine) {
        free(p->machine);
        p->machine = strdup(json);
        return p->machine ? 0 : WP_ERR_NOMEM;
    }
    if (p->config && strcmp(key, "schedule") != 0)
        return 0; /* "schedule" wins over "config" */
    free(p->config);
    p->config = strdup(json);
    return 0;
}

static int on_dropped(wp_tool *tool, uint32_t proc, uint64_t n)
{
    wp_run_proc *p = proc_of((wp_run *)tool, proc);
    if (!p)
        return WP_ERR_NOMEM;
    p->dropped += n;
    return 0;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Start-up calls: context creation, host memory registration, communicator set-up. */
static int is_init(const char *n)
{
    static const char *const names[] = {"cuInit", "cuDevicePrimaryCtxRetain", "cuCtxCreate", "cudaHostRegister",
                                        "cuMemHostRegister", "ncclCommInit", "MPI_Init"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (starts(n, names[i]))
            return 1;
    return 0;
}

static int classify_api(const char *n)
{
    if (is_init(n))
        return WP_HOST_INIT;
    if (strstr(n, "Synchronize"))
        return WP_HOST_SYNC;
    if (starts(n, "cudaMemcpy") || starts(n, "cuMemcpy"))
        return WP_HOST_COPY_CALL;
    if (starts(n, "cudaMalloc") || starts(n, "cudaHostAlloc") || starts(n, "cuMemAlloc") || starts(n, "cuMemCreate") ||
        starts(n, "cuMemHostAlloc"))
        return WP_HOST_ALLOC;
    if (starts(n, "cudaFree") || starts(n, "cuMemFree") || starts(n, "cuMemRelease") || starts(n, "cudaHostUnregister"))
        return WP_HOST_FREE;
    if (starts(n, "cuModuleLoad") || starts(n, "cuLibraryLoad") || starts(n, "cudaLibraryLoad") ||
        starts(n, "cuLink") || starts(n, "nvrtc") || starts(n, "nvJitLink") || strstr(n, "ptxas"))
        return WP_HOST_MODULE;
    return CLS_NONE;
}

static int classify_range(wp_run *r, const char *n)
{
    if (is_init(n))
        return WP_HOST_INIT;
    if (starts(n, "Torch-Compiled Region"))
        return WP_HOST_REGION;
    if (starts(n, "entire_frame_compile") || starts(n, "backend_compile") || strstr(n, "(dynamo_timed)") ||
        starts(n, "inductor_compile") || strstr(n, "compile_id="))
        return WP_HOST_COMPILE;
    if (wp_step_pattern_match(r->step_re, n, NULL)) {
        r->pattern_hits++;
        return WP_HOST_STEP;
    }
    if (strcasestr(n, "expert") && (strcasestr(n, "switch") || strcasestr(n, "swap") || strcasestr(n, "load")))
        return WP_HOST_EXPERT;
    return CLS_NONE;
}

/* Cached per string id: the class of a name (API or range alike), plus whether a kernel name is NCCL's. */
static int name_class(wp_run *r, uint32_t id, int is_api)
{
    if (id >= r->name_class_cap) {
        size_t ncap = r->name_class_cap ? r->name_class_cap : 4096;
        while (ncap <= id)
            ncap *= 2;
        uint8_t *nc = realloc(r->name_class, ncap);
        if (!nc)
            return CLS_NONE;
        memset(nc + r->name_class_cap, 0, ncap - r->name_class_cap);
        r->name_class = nc;
        r->name_class_cap = ncap;
    }
    uint8_t c = r->name_class[id];
    if (c & CLS_DONE)
        return c & 0x2f;
    const char *n = wp_run_str(r, id);
    int cls = is_api ? classify_api(n) : classify_range(r, n);
    if (strcasestr(n, "nccl"))
        cls |= CLS_NCCL;
    r->name_class[id] = (uint8_t)(cls | CLS_DONE);
    return cls;
}

/* Grows an array of elem-sized records by doubling; returns 0 or -1 (out of memory, r->nomem set). */
static int grow(wp_run *r, void **arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 4096;
    void *na = realloc(*arr, ncap * elem);
    if (!na) {
        r->nomem = 1;
        return -1;
    }
    *arr = na;
    *cap = ncap;
    return 0;
}

static int push_host(wp_run *r, const wp_event *ev, int cls, int64_t aux)
{
    if (grow(r, (void **)&r->hosts, r->nhosts, &r->caphosts, sizeof(*r->hosts)))
        return -1;
    r->hosts[r->nhosts++] = (wp_run_host){ev->start, ev->end, aux, ev->proc, ev->name, (uint8_t)cls};
    return 0;
}

static int push_mem(wp_run *r, const wp_event *ev)
{
    if (grow(r, (void **)&r->mems, r->nmems, &r->capmems, sizeof(*r->mems)))
        return -1;
    int64_t bytes = (int64_t)ev->u.memory.bytes;
    r->mems[r->nmems++] = (wp_run_mem){ev->start, ev->u.memory.op == WP_MEMORY_FREE ? -bytes : bytes, ev->proc};
    return 0;
}

static int push_copy(wp_run *r, const wp_event *ev)
{
    if (grow(r, (void **)&r->copies, r->ncopies, &r->capcopies, sizeof(*r->copies)))
        return -1;
    const wp_memcpy_info *m = &ev->u.memcpy;
    r->copies[r->ncopies++] = (wp_run_copy){ev->start, ev->end, m->bytes, ev->proc, ev->device,
                                            m->copy_kind, m->src_kind, m->dst_kind, m->async};
    return 0;
}

static int kernel_seen(wp_run *r, uint32_t proc, uint32_t name, int64_t start)
{
    uint64_t key = ((uint64_t)proc << 32 | name) + 1; /* +1: key 0 marks an empty slot */
    if ((r->nkernels + 1) * 2 > r->capkernels) {
        size_t ncap = r->capkernels ? r->capkernels * 2 : 1024;
        wp_kernel_seen *nk = calloc(ncap, sizeof(*nk));
        if (!nk) {
            r->nomem = 1;
            return -1;
        }
        for (size_t i = 0; i < r->capkernels; i++) {
            if (!r->kernels[i].key)
                continue;
            size_t j = wp_hash64(r->kernels[i].key) & (ncap - 1);
            while (nk[j].key)
                j = (j + 1) & (ncap - 1);
            nk[j] = r->kernels[i];
        }
        free(r->kernels);
        r->kernels = nk;
        r->capkernels = ncap;
    }
    size_t i = wp_hash64(key) & (r->capkernels - 1);
    while (r->kernels[i].key && r->kernels[i].key != key)
        i = (i + 1) & (r->capkernels - 1);
    wp_kernel_seen *k = &r->kernels[i];
    if (!k->key) {
        k->key = key;
        k->first = start;
        r->nkernels++;
    } else if (start < k->first) {
        k->first = start;
    }
    k->count++;
    return 0;
}

/* Until wp_run_finish, an op's launch field holds its correlation id (0: none). */
static int push_op(wp_run *r, const wp_event *ev, uint32_t key)
{
    if (grow(r, (void **)&r->ops, r->nops, &r->capops, sizeof(*r->ops)))
        return -1;
    r->ops[r->nops++] = (wp_run_op){ev->start, ev->end, (int64_t)ev->correlation, key, ev->proc};
    return 0;
}

static int push_launch(wp_run *r, const wp_event *ev)
{
    if (!ev->correlation)
        return 0;
    if (grow(r, (void **)&r->launches, r->nlaunches, &r->caplaunches, sizeof(*r->launches)))
        return -1;
    r->launches[r->nlaunches++] = (wp_run_launch){ev->correlation, ev->start, ev->proc};
    return 0;
}

/* The step number in a step-mark name: the last all-digit capture group of the pattern, else the first digits. */
static int64_t step_number(wp_run *r, const char *n)
{
    int64_t number = -1;
    if (wp_step_pattern_match(r->step_re, n, &number) && number >= 0)
        return number;
    for (const char *p = n; *p; p++)
        if (isdigit((unsigned char)*p))
            return strtoll(p, NULL, 10);
    return -1;
}

static int on_range(wp_run *r, const wp_event *ev, wp_run_proc *p)
{
    p->host_events++;
    if (ev->u.range.source == WP_RANGE_GPU_USER_ANNOTATION)
        return 0;
    const char *domain = ev->u.range.domain ? wp_run_str(r, ev->u.range.domain) : "";
    int cls = name_class(r, ev->name, 0) & 0x0f;
    if (strcmp(domain, "wanprof") == 0 && (cls == WP_HOST_STEP || ev->u.range.payload_type != WP_PAYLOAD_NONE) &&
        cls != WP_HOST_EXPERT) {
        int64_t n = ev->u.range.payload_type == WP_PAYLOAD_NONE ? step_number(r, wp_run_str(r, ev->name))
                    : ev->u.range.payload_type == WP_PAYLOAD_DOUBLE ? (int64_t)ev->u.range.payload.d
                                                                     : ev->u.range.payload.i;
        return push_host(r, ev, WP_HOST_RUNNER_STEP, n);
    }
    switch (cls) {
    case WP_HOST_STEP:
        return push_host(r, ev, cls, step_number(r, wp_run_str(r, ev->name)));
    case WP_HOST_REGION: {
        unsigned f = 0, c = 0;
        sscanf(wp_run_str(r, ev->name), "Torch-Compiled Region: %u/%u", &f, &c);
        return push_host(r, ev, cls, (int64_t)f << 32 | c);
    }
    case WP_HOST_COMPILE:
    case WP_HOST_EXPERT:
    case WP_HOST_INIT:
        return push_host(r, ev, cls, 0);
    default:
        return 0;
    }
}

static int on_event(wp_tool *tool, const wp_event *ev)
{
    wp_run *r = (wp_run *)tool;
    r->strings = tool->strings;
    r->events++;
    wp_run_proc *p = proc_of(r, ev->proc);
    if (!p)
        return WP_ERR_NOMEM;
    if (ev->start < p->first)
        p->first = ev->start;
    if (ev->end > p->last)
        p->last = ev->end;
    int rc = 0;
    switch (ev->kind) {
    case WP_EV_KERNEL:
        p->gpu_events++;
        rc = wp_timeline_add(r->timeline, ev->proc, ev->device,
                             (name_class(r, ev->name, 1) & CLS_NCCL) ? WP_ACT_NCCL : WP_ACT_COMPUTE, ev->start,
                             ev->end);
        if (rc == 0)
            rc = kernel_seen(r, ev->proc, ev->name, ev->start);
        if (rc == 0)
            rc = push_op(r, ev, ev->name & ~WP_OP_MEMSET);
        break;
    case WP_EV_MEMSET:
        p->gpu_events++;
        rc = wp_timeline_add(r->timeline, ev->proc, ev->device, WP_ACT_COMPUTE, ev->start, ev->end);
        if (rc == 0)
            rc = push_op(r, ev, WP_OP_MEMSET);
        break;
    case WP_EV_MEMCPY:
        p->gpu_events++;
        rc = wp_timeline_add(r->timeline, ev->proc, ev->device, WP_ACT_COPY, ev->start, ev->end);
        if (rc == 0)
            rc = push_copy(r, ev);
        if (rc == 0)
            rc = push_op(r, ev, WP_OP_COPY | ev->u.memcpy.copy_kind);
        break;
    case WP_EV_API: {
        p->host_events++;
        if (p->first_api.end == p->first_api.start || ev->start < p->first_api.start)
            p->first_api = (wp_run_host){ev->start, ev->end, 0, ev->proc, ev->name, WP_HOST_INIT};
        int cls = name_class(r, ev->name, 1) & 0x0f;
        if (cls != CLS_NONE)
            rc = push_host(r, ev, cls, 0);
        if (rc == 0)
            rc = push_launch(r, ev);
        break;
    }
    case WP_EV_SYNC:
        p->host_events++;
        rc = push_host(r, ev, WP_HOST_SYNC, 0);
        break;
    case WP_EV_MEMORY:
        rc = push_host(r, ev, ev->u.memory.op == WP_MEMORY_FREE ? WP_HOST_FREE : WP_HOST_ALLOC, 0);
        if (rc == 0 && ev->u.memory.mem_kind == WP_MEM_DEVICE && ev->u.memory.bytes <= (uint64_t)INT64_MAX)
            rc = push_mem(r, ev);
        break;
    case WP_EV_RANGE:
        rc = on_range(r, ev, p);
        break;
    default:
        break;
    }
    if (rc != 0) {
        r->nomem = 1;
        return WP_ERR_NOMEM;
    }
    return 0;
}

wp_tool *wp_run_tool(wp_run *r)
{
    r->tool.process = on_process;
    r->tool.meta = on_meta;
    r->tool.dropped = on_dropped;
    r->tool.any = on_event;
    return &r->tool;
}

static int cmp_copy(const void *a, const void *b)
{
    const wp_run_copy *x = a, *y = b;
    if (x->proc != y->proc)
        return x->proc < y->proc ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_mem(const void *a, const void *b)
{
    const wp_run_mem *x = a, *y = b;
    if (x->proc != y->proc)
        return x->proc < y->proc ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_host(const void *a, const void *b)
{
    const wp_run_host *x = a, *y = b;
    if (x->proc != y->proc)
        return x->proc < y->proc ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end;
}

static int cmp_op(const void *a, const void *b)
{
    const wp_run_op *x = a, *y = b;
    if (x->proc != y->proc)
        return x->proc < y->proc ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_launch(const void *a, const void *b)
{
    const wp_run_launch *x = a, *y = b;
    if (x->proc != y->proc)
        return x->proc < y->proc ? -1 : 1;
    return x->corr < y->corr ? -1 : x->corr > y->corr;
}

static int cmp_kernel(const void *a, const void *b)
{
    const wp_kernel_seen *x = a, *y = b;
    uint32_t px = (uint32_t)(x->key >> 32), py = (uint32_t)(y->key >> 32);
    if (px != py)
        return px < py ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* GPU-only processes (Kineto's device pseudo-processes) belong to the one process with host events, if only one. */
static void assign_owners(wp_run *r)
{
    int hosts = 0;
    uint32_t host = 0, from = r->owners_done;
    r->owners_done = r->nprocs;
    for (uint32_t i = from; i < r->nprocs; i++)
        if (r->procs[i].host_events) {
            hosts++;
            host = r->procs[i].info.index;
        }
    for (uint32_t i = from; i < r->nprocs; i++) {
        wp_run_proc *p = &r->procs[i];
        p->owner = p->info.index;
        if (hosts == 1 && !p->host_events && p->gpu_events) {
            p->owner = host;
            if (wp_timeline_alias(r->timeline, p->info.index, host))
                r->nomem = 1;
            wp_run_proc *h = find_proc(r, host);
            if (h && p->first < h->first)
                h->first = p->first;
            if (h && p->last > h->last)
                h->last = p->last;
        }
    }
}

static uint32_t owner_of(const wp_run *r, uint32_t index)
{
    const wp_run_proc *p = find_proc(r, index);
    return p ? p->owner : index;
}

/* Gives each op the start of the host call with its correlation id (same owning process), then sorts the ops.
 * Correlation ids repeat across processes, never within one. */
static void resolve_launches(wp_run *r)
{
    for (size_t i = 0; i < r->nlaunches; i++)
        r->launches[i].proc = owner_of(r, r->launches[i].proc);
    if (r->nlaunches)
        qsort(r->launches, r->nlaunches, sizeof(*r->launches), cmp_launch);
    for (size_t i = 0; i < r->nops; i++) {
        wp_run_op *op = &r->ops[i];
        op->proc = owner_of(r, op->proc);
        uint64_t corr = (uint64_t)op->launch;
        op->launch = INT64_MIN;
        size_t lo = 0, hi = r->nlaunches;
        while (corr && lo < hi) {
            size_t mid = (lo + hi) / 2;
            const wp_run_launch *l = &r->launches[mid];
            if (l->proc < op->proc || (l->proc == op->proc && l->corr < corr))
                lo = mid + 1;
            else
                hi = mid;
        }
        if (corr && lo < r->nlaunches && r->launches[lo].proc == op->proc && r->launches[lo].corr == corr)
            op->launch = r->launches[lo].start;
    }
    free(r->launches);
    r->launches = NULL;
    r->nlaunches = r->caplaunches = 0;
    if (r->nops)
        qsort(r->ops, r->nops, sizeof(*r->ops), cmp_op);
}

/* A process's first CUDA call creates its context, whatever the call is: start-up time (unless it is a call of
 * another class, whose record is kept already: a synchronisation is not start-up). */
static void push_first_calls(wp_run *r)
{
    for (uint32_t i = 0; i < r->nprocs; i++) {
        const wp_run_host *f = &r->procs[i].first_api;
        if (f->end > f->start && (name_class(r, f->name, 1) & 0x0f) == CLS_NONE &&
            !grow(r, (void **)&r->hosts, r->nhosts, &r->caphosts, sizeof(*r->hosts)))
            r->hosts[r->nhosts++] = *f;
    }
}

static int cmp_kernel_name(const void *a, const void *b)
{
    const wp_kernel_seen *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Compacts the hash set into one entry per (owner, name), sorted by (owner, first). A name seen under two
 * pseudo-processes of one owner (Kineto puts each GPU under its own) is one kernel, first seen at its earliest
 * appearance on any of them: the second GPU running it is not a kernel never seen before. */
static void compact_kernels(wp_run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->capkernels; i++) {
        if (!r->kernels[i].key)
            continue;
        uint64_t k = r->kernels[i].key - 1;
        wp_kernel_seen e = r->kernels[i];
        e.key = (uint64_t)owner_of(r, (uint32_t)(k >> 32)) << 32 | (uint32_t)k;
        r->kernels[n++] = e;
    }
    if (n)
        qsort(r->kernels, n, sizeof(*r->kernels), cmp_kernel_name);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u && r->kernels[u - 1].key == r->kernels[i].key)
            r->kernels[u - 1].count += r->kernels[i].count; /* sorted by first: the earlier one stays */
        else
            r->kernels[u++] = r->kernels[i];
    }
    r->nkernels = u;
    r->finished = 1;
    if (u)
        qsort(r->kernels, u, sizeof(*r->kernels), cmp_kernel);
}

int wp_run_finish(wp_run *r)
{
    if (r->nomem)
        return WP_ERR_NOMEM;
    push_first_calls(r);
    if (r->nomem)
        return WP_ERR_NOMEM;
    assign_owners(r);
    if (r->nomem)
        return WP_ERR_NOMEM;
    for (size_t i = 0; i < r->ncopies; i++)
        r->copies[i].proc = owner_of(r, r->copies[i].proc);
    if (r->ncopies)
        qsort(r->copies, r->ncopies, sizeof(*r->copies), cmp_copy);
    if (r->nhosts)
        qsort(r->hosts, r->nhosts, sizeof(*r->hosts), cmp_host);
    if (r->nmems)
        qsort(r->mems, r->nmems, sizeof(*r->mems), cmp_mem);
    compact_kernels(r);
    if (wp_timeline_finish(r->timeline))
        return WP_ERR_NOMEM;
    resolve_launches(r);
    return WP_OK;
}

/* Index of the first kernel entry at or after (proc, t) in the (owner, first) order. */
static size_t kernel_lower_bound(const wp_run *r, uint32_t proc, int64_t t)
{
    size_t lo = 0, hi = r->nkernels;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t p = (uint32_t)(r->kernels[mid].key >> 32);
        if (p < proc || (p == proc && r->kernels[mid].first < t))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t wp_run_new_kernels(const wp_run *r, uint32_t proc, int64_t start, int64_t end)
{
    if (end <= start)
        return 0;
    size_t n = kernel_lower_bound(r, proc, end) - kernel_lower_bound(r, proc, start);
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

#define LOWER_BOUND(arr, count, P, T, out)                                                                           \
    do {                                                                                                             \
        size_t lo_ = 0, hi_ = (count);                                                                               \
        while (lo_ < hi_) {                                                                                          \
            size_t mid_ = (lo_ + hi_) / 2;                                                                           \
            if ((arr)[mid_].proc < (P) || ((arr)[mid_].proc == (P) && (arr)[mid_].start < (T)))                      \
                lo_ = mid_ + 1;                                                                                      \
            else                                                                                                     \
                hi_ = mid_;                                                                                          \
        }                                                                                                            \
        (out) = lo_;                                                                                                 \
    } while (0)

void wp_run_copy_range(const wp_run *r, uint32_t proc, int64_t start, int64_t end, size_t *lo, size_t *hi)
{
    LOWER_BOUND(r->copies, r->ncopies, proc, start, *lo);
    LOWER_BOUND(r->copies, r->ncopies, proc, end, *hi);
}

void wp_run_host_range(const wp_run *r, uint32_t proc, int64_t start, int64_t end, size_t *lo, size_t *hi)
{
    LOWER_BOUND(r->hosts, r->nhosts, proc, start, *lo);
    LOWER_BOUND(r->hosts, r->nhosts, proc, end, *hi);
}

void wp_run_op_range(const wp_run *r, uint32_t proc, int64_t start, int64_t end, size_t *lo, size_t *hi)
{
    LOWER_BOUND(r->ops, r->nops, proc, start, *lo);
    LOWER_BOUND(r->ops, r->nops, proc, end, *hi);
}

uint32_t wp_run_kernels_in(const wp_run *r, uint32_t proc, int64_t start, int64_t end)
{
    size_t lo, hi;
    uint32_t n = 0;
    wp_run_op_range(r, proc, start, end, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        n += WP_OP_IS_KERNEL(r->ops[i].key);
    return n;
}

size_t wp_run_mem_peak(const wp_run *r, uint32_t proc, int64_t start, int64_t end, int64_t *peak)
{
    size_t lo = 0, allocs = 0;
    LOWER_BOUND(r->mems, r->nmems, proc, INT64_MIN, lo);
    int64_t held = 0, before = 0, most = INT64_MIN;
    for (size_t i = lo; i < r->nmems && r->mems[i].proc == proc; i++) {
        const wp_run_mem *m = &r->mems[i];
        allocs += m->delta > 0;
        if (m->start < start)
            before = wp_ns_add(before, m->delta);
        held = wp_ns_add(held, m->delta);
        if (m->start >= start && m->start < end && held > most)
            most = held;
    }
    *peak = most > before ? most : before; /* bytes: the same saturating sums as ns */
    return allocs;
}

size_t wp_run_bytes(const wp_run *r)
{
    return sizeof(*r) + wp_timeline_bytes(r->timeline) + r->capcopies * sizeof(wp_run_copy) +
           r->caphosts * sizeof(wp_run_host) + r->capkernels * sizeof(wp_kernel_seen) + r->name_class_cap +
           r->capops * sizeof(wp_run_op) + r->caplaunches * sizeof(wp_run_launch) + r->capmems * sizeof(wp_run_mem);
}

int wp_run_load(wp_run *r, const char *const *paths, int n, wp_strtab *strings, wp_diag *diag,
                wp_read_stats *stats)
{
    uint32_t base = 0;
    for (int i = 0; i < n; i++) {
        wp_read_opts opts = {.proc_base = base, .time_ordered = 0};
        wp_read_stats st;
        memset(&st, 0, sizeof(st));
        int rc = wp_trace_read(paths[i], strings, wp_run_tool(r), &opts, diag, &st);
        if (rc != WP_OK)
            return rc;
        if (r->nomem)
            return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory while analysing", paths[i]);
        if (st.events == 0)
            return wp_diag_error(diag, WP_ERR_FORMAT, "%s: no events to analyse (was the profiler running?)",
                                 paths[i]);
        if (stats)
            stats[i] = st;
        assign_owners(r); /* per file: a Kineto file's GPU pseudo-processes belong to its own host process */
        uint32_t top = base;
        for (uint32_t k = 0; k < r->nprocs; k++)
            if (r->procs[k].info.index + 1 > top)
                top = r->procs[k].info.index + 1;
        base = top > base + st.processes ? top : base + st.processes;
    }
    if (wp_step_pattern_exceeded(r->step_re))
        return wp_diag_error(diag, WP_ERR_USAGE, "step pattern '%s': matching a range name ran past the match limits "
                             "(%d backtracking steps, depth %d, %d KiB): simplify the pattern (nested or repeated "
                             "groups such as (.*)* backtrack without end)", wp_step_pattern_text(r->step_re),
                             WP_STEP_PATTERN_MATCH_LIMIT, WP_STEP_PATTERN_DEPTH_LIMIT, WP_STEP_PATTERN_HEAP_KIB);
    if (r->user_pattern && r->pattern_hits == 0)
        wp_diag_warn(diag, "--step-pattern '%s' matched no range name in %s%s: the steps come from the next source "
                     "the trace has (the 'steps:' line says which); pass --step-source pattern to make this an error",
                     wp_step_pattern_text(r->step_re), paths[0], n > 1 ? " or the other inputs" : "");
    int rc = wp_run_finish(r);
    return rc == WP_OK ? rc : wp_diag_error(diag, rc, "out of memory while analysing");
}
