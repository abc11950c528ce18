/* timeline.h: GPU activity of one run in fixed time bins, per (process, device), so an analysis can ask "how busy was
 * this GPU between t0 and t1" without keeping one record per kernel. Events may arrive in any order (the JSON reader
 * delivers them in file order). Memory: 8 bytes per 50 us bin that saw any GPU work, in chunks of 4096 bins. */
#ifndef WP_TIMELINE_H
#define WP_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#define WP_TIMELINE_BIN_NS 50000 /* bin width (ns): the resolution of busy/idle figures */

typedef enum wp_activity {
    WP_ACT_COMPUTE = 0, /* kernels (NCCL included) and memsets */
    WP_ACT_NCCL = 1,    /* NCCL kernels (also counted as compute) */
    WP_ACT_COPY = 2,    /* memcpys */
} wp_activity;

typedef struct wp_timeline wp_timeline;

/* Busy time summed over a window (ns); compute and copy are each clamped to the bin width per bin. */
typedef struct wp_busy {
    int64_t compute;  /* kernels and memsets */
    int64_t nccl;     /* NCCL kernels */
    int64_t copy;     /* memcpys */
    int64_t busy;     /* anything (compute or copy; overlap estimated per bin as independent) */
    int64_t idle;     /* window length - busy */
    int64_t max_idle; /* longest run of wholly idle bins inside the window */
    int64_t last_busy_end; /* end of the last bin with any activity, or INT64_MIN */
} wp_busy;

wp_timeline *wp_timeline_new(void);
void wp_timeline_free(wp_timeline *t);
/* Adds [start, end) of activity on (proc, device). Returns 0, or -1 when out of memory. */
int wp_timeline_add(wp_timeline *t, uint32_t proc, uint32_t device, wp_activity what, int64_t start, int64_t end);
/* Sums the activity of every device of proc over [start, end) (the device with the most busy time when proc used
 * several: one rank normally drives one GPU). */
void wp_timeline_query(const wp_timeline *t, uint32_t proc, int64_t start, int64_t end, wp_busy *out);
/* Compute (kernel) fraction of [start, end) on proc's devices, 0..1: used to split a copy into hidden/exposed time. */
double wp_timeline_compute_fraction(const wp_timeline *t, uint32_t proc, int64_t start, int64_t end);
/* From now on, queries for proc `to` also see the activity recorded under proc `from` (Kineto files put GPU events
 * under device pseudo-processes); queries for `from` see nothing. */
void wp_timeline_alias(wp_timeline *t, uint32_t from, uint32_t to);
/* Bytes held. */
size_t wp_timeline_bytes(const wp_timeline *t);

#endif
