/* run.h: what one pass over a trace keeps for the analyses: processes, metadata, GPU activity intervals (timeline.h),
 * the first appearance of each kernel name, one compact record per unit of GPU work (start, end, launch time, name:
 * 32 bytes) for finding and timing steps, and records only for what needs exact replay: memcpys, host calls of
 * interest (syncs, copies, allocations, module loads), compile phases, compiled-region calls and step marks. Nothing
 * is kept of CPU ops, Python frames or other API calls, so memory grows with the GPU work, not the trace size.
 * Fill it through wp_run_tool() (any reader, any event order), then call wp_run_finish() once. */
#ifndef WP_RUN_H
#define WP_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "steppattern.h"
#include "timeline.h"
#include "tool.h"

#define WP_DEFAULT_STEP_PATTERN "^((denois(e|ing)?[ _-]?)?step|ProfilerStep#)[ _#:-]*([0-9]+)"

typedef struct wp_run_copy {
    int64_t start, end; /* ns */
    uint64_t bytes;
    uint32_t proc, device;
    uint8_t kind;     /* wp_copy_kind */
    uint8_t src, dst; /* wp_mem_kind */
    uint8_t async;
} wp_run_copy;

typedef enum wp_host_class {
    WP_HOST_SYNC = 1,   /* synchronisation wait: cuda*Synchronize, CUPTI SYNCHRONIZATION */
    WP_HOST_COPY_CALL,  /* cudaMemcpy* / cuMemcpy* API call (host blocked while it runs) */
    WP_HOST_ALLOC,      /* cudaMalloc*, cuMemAlloc*, CUPTI memory alloc */
    WP_HOST_FREE,       /* cudaFree*, cuMemFree*, CUPTI memory free */
    WP_HOST_MODULE,     /* cuModuleLoad*, cuLibraryLoad*, nvrtc / ptxas / nvJitLink: JIT and module loads */
    WP_HOST_COMPILE,    /* torch.compile phases: entire_frame_compile, backend_compile, "... (dynamo_timed)" */
    WP_HOST_REGION,     /* one call of a "Torch-Compiled Region: F/C" (aux = F << 32 | C) */
    WP_HOST_STEP,       /* a range matching the step pattern (aux = step number, -1 when none) */
    WP_HOST_RUNNER_STEP,/* a step range of our runner (NVTX domain "wanprof"; aux = payload) */
    WP_HOST_EXPERT,     /* a runner mark of an expert switch ("expert switch ...", "load expert ...") */
    WP_HOST_INIT,       /* start-up: CUDA context (cuInit, a process's first CUDA call), registering host memory,
                         * MPI_Init, NCCL communicator set-up */
    WP_HOST_CLASS_COUNT
} wp_host_class;

typedef struct wp_run_host {
    int64_t start, end; /* ns */
    int64_t aux;
    uint32_t proc;
    uint32_t name; /* string id */
    uint8_t cls;   /* wp_host_class */
} wp_run_host;

typedef struct wp_run_proc {
    wp_process info;
    int64_t first, last;    /* earliest start and latest end of any event (ns) */
    uint64_t host_events;   /* API calls, ranges, syncs */
    uint64_t gpu_events;    /* kernels, copies, memsets */
    uint32_t owner;         /* the process whose steps this one's GPU work belongs to (see wp_run_finish) */
    char *config;           /* JSON text of meta "config" or "schedule", NULL when none */
    char *machine;          /* JSON text of meta "machine" (what `wanprof calibrate` measured), NULL when none */
    wp_run_host first_api;  /* the process's first CUDA call: it creates the context (end == start: none yet) */
    uint64_t dropped;
} wp_run_proc;

typedef struct wp_kernel_seen {
    uint64_t key;    /* proc << 32 | name id */
    int64_t first;   /* start of its first appearance (ns) */
    uint64_t count;  /* appearances */
} wp_kernel_seen;

/* One unit of GPU work (kernel, copy or memset), kept so that steps can be found from the sequence of the work and
 * timed by the work each step launched. 32 bytes each: memory grows with the GPU work, not the rest of the trace. */
typedef struct wp_run_op {
    int64_t start, end; /* ns */
    int64_t launch;     /* start of the host call that launched it (matched by correlation id), INT64_MIN unknown */
    uint32_t key;       /* a kernel's name id, or WP_OP_COPY | copy kind, or WP_OP_MEMSET */
    uint32_t proc;
} wp_run_op;

#define WP_OP_COPY 0x80000000u
#define WP_OP_MEMSET 0xC0000000u
#define WP_OP_IS_KERNEL(key) ((key) < WP_OP_COPY)

/* A change of the device memory a process holds: an allocation (delta > 0) or a free (delta < 0) of GPU memory. */
typedef struct wp_run_mem {
    int64_t start; /* ns */
    int64_t delta; /* bytes */
    uint32_t proc;
} wp_run_mem;

/* A host call that launched GPU work: its correlation id and start, until wp_run_finish has matched the ops. */
typedef struct wp_run_launch {
    uint64_t corr;
    int64_t start;
    uint32_t proc;
} wp_run_launch;

typedef struct wp_run {
    wp_tool tool;              /* first member: the reader calls these */
    const wp_strtab *strings;  /* set by the reader */
    wp_run_proc *procs;        /* as many as the trace has */
    uint32_t nprocs, capprocs;
    uint32_t *proc_slots;      /* open-addressing index: process index -> position in procs + 1 (0 empty) */
    uint32_t capslots;
    wp_timeline *timeline;
    wp_run_copy *copies;
    size_t ncopies, capcopies;
    wp_run_host *hosts;
    size_t nhosts, caphosts;
    wp_kernel_seen *kernels; /* open-addressing hash set, key 0 = empty; once finished, one entry per (owner, name)
                              * sorted by (owner, first) */
    size_t nkernels, capkernels;
    wp_run_op *ops;          /* every kernel, copy and memset; sorted by (proc, start) once finished */
    size_t nops, capops;
    wp_run_mem *mems;        /* device allocations and frees; sorted by (proc, start) once finished */
    size_t nmems, capmems;
    wp_run_launch *launches; /* freed by wp_run_finish */
    size_t nlaunches, caplaunches;
    uint64_t events;
    wp_step_pattern *step_re;
    int user_pattern;        /* the step pattern came from the user (--step-pattern), not the default */
    uint64_t pattern_hits;   /* distinct range names the step pattern matched */
    int nomem;
    int finished;            /* wp_run_finish ran: kernels[] is a compact array of nkernels */
    uint32_t owners_done;    /* procs[0..owners_done) already had their GPU work assigned (per input file) */
    /* name-id classification cache: the same few hundred names come back millions of times */
    uint8_t *name_class;     /* per string id: 0 unknown yet, 1 + class or 0xff "nothing of interest" */
    size_t name_class_cap;
} wp_run;

/* Prepares r (step_pattern: a PCRE2 regular expression within steppattern.h's limits, NULL for
 * WP_DEFAULT_STEP_PATTERN). Returns WP_OK, WP_ERR_USAGE (bad pattern or over a limit; message in diag) or
 * WP_ERR_NOMEM. */
int wp_run_init(wp_run *r, const char *step_pattern, wp_diag *diag);
void wp_run_free(wp_run *r);
/* The tool to hand to a reader. */
wp_tool *wp_run_tool(wp_run *r);
/* Sorts the records by (proc, start), decides which process owns which GPU work (Kineto puts GPU events under
 * pseudo-processes; they go to the one process that has host events when there is exactly one) and gives each op the
 * start of the host call that launched it. Returns WP_OK or WP_ERR_NOMEM. */
int wp_run_finish(wp_run *r);
/* The process with this index, or NULL. O(1). */
const wp_run_proc *wp_run_proc_find(const wp_run *r, uint32_t index);
/* The string for an id (via the reader's table). */
const char *wp_run_str(const wp_run *r, uint32_t id);
/* Number of kernel names of proc first seen inside [start, end) (on any of its devices). O(log n). */
uint32_t wp_run_new_kernels(const wp_run *r, uint32_t proc, int64_t start, int64_t end);
/* Index range [*lo, *hi) of copies (or hosts) of proc starting in [start, end). */
void wp_run_copy_range(const wp_run *r, uint32_t proc, int64_t start, int64_t end, size_t *lo, size_t *hi);
void wp_run_host_range(const wp_run *r, uint32_t proc, int64_t start, int64_t end, size_t *lo, size_t *hi);
void wp_run_op_range(const wp_run *r, uint32_t proc, int64_t start, int64_t end, size_t *lo, size_t *hi);
/* Number of kernels of proc starting in [start, end). */
uint32_t wp_run_kernels_in(const wp_run *r, uint32_t proc, int64_t start, int64_t end);
/* The most device memory proc held at any moment of [start, end), counting from the trace's first record (what it
 * held when start began is the least it can be). Returns the number of allocation records of proc in the whole
 * trace (0: the trace recorded none, and *peak means nothing). */
size_t wp_run_mem_peak(const wp_run *r, uint32_t proc, int64_t start, int64_t end, int64_t *peak);
/* Approximate bytes held, for the memory bound. */
size_t wp_run_bytes(const wp_run *r);

#endif

#ifndef WP_RUN_LOAD
#define WP_RUN_LOAD
#include "trace_read.h"
/* Reads paths[0..n) (any supported format; several inputs are merged as ranks) into r, then wp_run_finish(r).
 * strings receives every string (caller owns it; it must outlive r). stats may be NULL (else n entries).
 * Returns WP_OK or a wp_err with diag->error naming the file; WP_ERR_USAGE when the step pattern ran past its match
 * limits. A user's step pattern that matched no range name is a warning through diag. */
int wp_run_load(wp_run *r, const char *const *paths, int n, wp_strtab *strings, wp_diag *diag,
                wp_read_stats *stats);
#endif
