/* timeline.h: GPU activity of one run as intervals per (process, device), so an analysis can ask "how busy was this
 * GPU between t0 and t1" without keeping one record per kernel in its own code. Events may arrive in any order (the
 * JSON reader delivers them in file order); wp_timeline_finish sorts and merges them once. Memory and time follow the
 * number of events, never their timestamps: an hour-long kernel or an event ten days after the rest costs what any
 * other event costs, and a query costs O(log n) plus the intervals inside its window (only max_idle walks them). */
#ifndef WP_TIMELINE_H
#define WP_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

typedef enum wp_activity {
    WP_ACT_COMPUTE = 0, /* kernels (NCCL included) and memsets */
    WP_ACT_NCCL = 1,    /* NCCL kernels (also counted as compute) */
    WP_ACT_COPY = 2,    /* memcpys */
} wp_activity;

typedef struct wp_timeline wp_timeline;

/* Busy time over a window (ns), exact: overlapping work on one device counts once. A process that used several
 * devices gets, per field, the device with the most of it (one rank normally drives one GPU). */
typedef struct wp_busy {
    int64_t compute;  /* kernels and memsets */
    int64_t nccl;     /* NCCL kernels */
    int64_t copy;     /* memcpys */
    int64_t busy;     /* anything (compute or copy) */
    int64_t idle;     /* window length - busy */
    int64_t max_idle; /* longest stretch inside the window with no work on any of the process's devices */
    int64_t last_busy_end; /* end of the last work inside the window (clipped to it), or INT64_MIN */
} wp_busy;

wp_timeline *wp_timeline_new(void);
void wp_timeline_free(wp_timeline *t);
/* Adds [start, end) of activity on (proc, device); empty or reversed intervals are ignored. Returns 0, or -1 when
 * out of memory. Only before wp_timeline_finish. */
int wp_timeline_add(wp_timeline *t, uint32_t proc, uint32_t device, wp_activity what, int64_t start, int64_t end);
/* From wp_timeline_finish on, queries for proc `to` also see the activity recorded under proc `from` (Kineto files
 * put GPU events under device pseudo-processes); queries for `from` see nothing. The last alias of `from` wins. */
int wp_timeline_alias(wp_timeline *t, uint32_t from, uint32_t to);
/* Sorts and merges what was added (applying the aliases). Returns 0, or -1 when out of memory. Queries before it
 * see nothing. */
int wp_timeline_finish(wp_timeline *t);
/* The activity of proc's devices over [start, end). */
void wp_timeline_query(const wp_timeline *t, uint32_t proc, int64_t start, int64_t end, wp_busy *out);
/* Compute (kernel) fraction of [start, end) on proc's busiest device, 0..1: splits a copy into hidden/exposed time. */
double wp_timeline_compute_fraction(const wp_timeline *t, uint32_t proc, int64_t start, int64_t end);
/* Bytes held. */
size_t wp_timeline_bytes(const wp_timeline *t);

#endif
