/* machine.h: a machine's host<->GPU copy figures, read from either of two documents: what `wanprof calibrate`
 * measured (wanprof.machine/1, schemas/machine.schema.json) or a hand-written description of a machine nobody here can
 * measure (wanprof.machine-spec/1, schemas/machine_spec.schema.json); and what a copy of a given size costs on it. */
#ifndef WP_MACHINE_H
#define WP_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define WP_MACHINE_SPEC_SCHEMA "wanprof.machine-spec/1"
#define WP_MACHINE_MAX_COPIES 48
#define WP_MACHINE_MAX_BUSY 8
/* A spec's host_copies entry without "bytes" stands for a large copy: as large as calibrate's largest. */
#define WP_MACHINE_SPEC_DEFAULT_BYTES ((uint64_t)256 << 20)

typedef struct wp_spread {
    double median, min, max;
    int count; /* samples behind it; 0: given (a spec's figure), not measured */
} wp_spread;

enum { WP_MDIR_HTOD = 0, WP_MDIR_DTOH = 1 };
/* Host memory kinds, the `pinned` fields' values: pageable and pinned buffers kept and reused, and pageable memory
 * allocated anew for each copy (GPU->host only), as PyTorch's tensor.to("cpu") writes into: its pages are faulted
 * in by the copy itself. */
enum { WP_HMEM_KEPT_PAGEABLE = 0, WP_HMEM_KEPT_PINNED = 1, WP_HMEM_NEW_PAGEABLE = 2 };

typedef struct wp_machine_copy {
    int dir;        /* WP_MDIR_HTOD or WP_MDIR_DTOH */
    int pinned;     /* WP_HMEM_KEPT_PAGEABLE, WP_HMEM_KEPT_PINNED or WP_HMEM_NEW_PAGEABLE */
    uint64_t bytes; /* size of one copy */
    int gpus;       /* GPUs copying at once: 1, or all of the machine's */
    wp_spread gbps; /* GB/s (1e9 bytes/s): one GPU's, or with gpus > 1 the aggregate of all */
} wp_machine_copy;

typedef struct wp_machine {
    char name[128];            /* "NVIDIA H200 on HOST" (calibrate: GPU 0's name, "N x" with more) or the spec's name */
    char source[512];          /* "measured by wanprof calibrate on HOST at TIME (7 repeats)", or the spec's source
                                * (its first 511 bytes: the schema asks for a few lines, details in each entry) */
    int measured;              /* 1: wanprof calibrate's figures; 0: a description */
    int gpus;                  /* GPUs in the machine */
    uint64_t gpu_memory_bytes; /* total memory of one GPU (GPU 0's when measured) */
    wp_machine_copy copies[WP_MACHINE_MAX_COPIES];
    int ncopies;
    wp_spread latency_s[2][2]; /* [dir][pinned]: seconds of one small copy; count 0 and median 0 when unknown */
    /* The compute curve (calibrate's "compute"): the same work at busy[i] of the time took relative[i] times what it
     * took at the busiest point, ascending in busy. nbusy 0: not measured (kernel times are taken as they are). */
    int nbusy;
    double busy[WP_MACHINE_MAX_BUSY];
    wp_spread relative[WP_MACHINE_MAX_BUSY];
} wp_machine;

/* Parses json_text, a wanprof.machine/1 or wanprof.machine-spec/1 document, into m. where names the text in
 * messages (a file path, "trace metadata"). Returns 0, or WP_ERR_FORMAT with diag naming where and the field that is
 * wrong (not JSON, another schema, no host_copies, a bandwidth <= 0, min > median, ...). */
int wp_machine_parse(const char *json_text, const char *where, wp_machine *m, wp_diag *diag);

/* The bandwidth (GB/s spread) one GPU gets for one copy of `bytes` in direction dir from pinned/pageable host memory
 * while `sharing` GPUs (>= 1) copy at once: the single-GPU figures interpolated linearly in log(bytes) between the
 * sizes given (clamped at the ends); with sharing > 1, capped at the all-GPUs aggregate / sharing when the machine
 * has an all-GPUs figure for dir and kind (that aggregate is the ceiling the GPUs share). note (may be NULL) says
 * which figures were used and any assumption. Returns 0, or -1 when the machine has no single-GPU figure for
 * dir/pinned (note says so). */
int wp_machine_bandwidth(const wp_machine *m, int dir, int pinned, uint64_t bytes, int sharing, wp_spread *out,
                         char *note, size_t notelen);

/* Seconds (spread) to move `bytes` as `copies` copies of equal size (bytes / copies each, copies 0 taken as 1), each
 * at wp_machine_bandwidth's figure for that size, which already includes per-copy overheads as measured. The min
 * seconds come from the max bandwidth and vice versa. Returns 0, or -1 when there is no figure. */
int wp_machine_copy_seconds(const wp_machine *m, int dir, int pinned, uint64_t bytes, uint64_t copies, int sharing,
                            wp_spread *out, char *note, size_t notelen);

/* The compute curve's lines: through each point's median, its fastest bursts, its slowest. */
enum { WP_CURVE_MEDIAN = 0, WP_CURVE_FASTEST, WP_CURVE_SLOWEST };
/* How long kernels take on m when the GPU computes `busy` of the time (0..1), relative to how long they take at
 * `busy_from`, along one line of the compute curve (WP_CURVE_*): interpolated linearly in busy, clamped at its ends;
 * 1 without a curve, and 1 when busy == busy_from on any line. A GPU under a power limit clocks higher when it idles
 * between blocks, so a copy-bound recording's kernels are faster than the same kernels back to back; the fastest and
 * slowest lines give the range the calibration's own spread allows. */
double wp_machine_kernel_scale(const wp_machine *m, double busy, double busy_from, int line);

/* "HtoD" or "DtoH"; "pageable", "pinned" or "pageable_new". */
const char *wp_machine_dir_name(int dir);
const char *wp_machine_memory_name(int pinned);

#endif
