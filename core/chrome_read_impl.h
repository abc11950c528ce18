/* chrome_read_impl.h: state shared by the Chrome trace reader's driver (chrome_read.c: input window, top-level
 * structure, salvage) and its mapping of parsed elements onto the model (chrome_map.c). Private to core/. */
#ifndef WP_CHROME_READ_IMPL_H
#define WP_CHROME_READ_IMPL_H

#include "chrome_parse.h"
#include "event_sort.h"
#include "trace_read.h"

#define WP_INTERN_CACHE 512
#define WP_CHROME_MAX_PROCS 65536u /* processes (ranks) in one file */

#define HAVE(raw, a) (((raw)->have & WP_ARG_BIT(a)) != 0)
#define NUM_OR(raw, a, dflt) (HAVE(raw, a) ? (raw)->num[a] : (uint64_t)(dflt))

/* The Kineto categories the model takes (cuda_sync and cuda_memory are ours); C_ALLOCATOR stands for Kineto's
 * "[memory]" instants (PyTorch's caching allocator), which are told by their name, not by a category. */
enum wp_chrome_cat {
    C_UNKNOWN, C_KERNEL, C_MEMCPY, C_MEMSET, C_RUNTIME, C_DRIVER, C_SYNC, C_MEMORY, C_USER_ANNOTATION,
    C_GPU_USER_ANNOTATION, C_CPU_OP, C_PYTHON, C_OVERHEAD, C_ALLOCATOR
};

typedef struct wp_chrome_pmap {
    int64_t chrome_pid;
    uint32_t index;
} wp_chrome_pmap;

typedef struct wp_chrome_reader {
    const char *path;
    wp_strtab *strings;
    wp_tool *tool;
    wp_diag *diag;
    wp_read_stats *stats;
    uint32_t proc_base;
    wp_event_sort *sorter; /* set when events must be delivered in time order */

    int ours; /* the file starts with our "wanprof" key: fields come from our args */
    wp_chrome_pmap *pmap; /* our files: Chrome pid -> process index, in order of announcement */
    uint32_t npmap, pmap_cap, last_pmap;
    uint32_t *pslots; /* hash index into pmap (entry + 1, 0 empty) */
    uint32_t pslot_mask;

    /* Kineto files hold one process, announced at the first event (its pid is the host events' pid). */
    int kineto_announced;
    int32_t kineto_rank;
    wp_device *kineto_devs; /* from deviceProperties, delivered right after the process */
    uint32_t nkineto_devs;

    struct {
        const char *s;
        uint32_t len, id;
    } cache[WP_INTERN_CACHE]; /* recent names: most events repeat a few hundred names */
    char *scratch;            /* unescaping and NUL-terminating */
    size_t scratch_cap;

    uint64_t unknown; /* elements of unknown category or shape */
    char unknown_example[64];
    uint64_t bad_numbers;
    uint64_t negative;   /* X events with a negative duration, skipped */
    uint64_t host_allocs; /* "[memory]" instants of host (or other non-CUDA) memory, or without a size: skipped */
    uint64_t undeclared; /* our files: pids without a process record */
    int rc; /* first non-OK result (a handler's stop, out of memory) */
} wp_chrome_reader;

/* Handles one traceEvents element. Returns WP_OK, or the code to stop the read with (diag set). */
int wp_chrome_handle(wp_chrome_reader *r, const wp_chrome_raw *raw);
/* Announces the Kineto process (and its devices) if that has not happened; used at the end of a read too. */
int wp_chrome_kineto_announce(wp_chrome_reader *r, int64_t pid);
/* Fills ev (zeroed by the caller) from a parsed X / i element of category cat. WP_OK or WP_ERR_NOMEM. */
int wp_chrome_fill(wp_chrome_reader *r, const wp_chrome_raw *raw, int cat, wp_event *ev);
/* Our files: the process index of a Chrome pid; an unannounced pid gets a placeholder process. */
int wp_chrome_proc_of(wp_chrome_reader *r, int64_t chrome_pid, uint32_t *index);
/* A top-level value other than traceEvents (the text p, len): our marker, Kineto's deviceProperties and
 * distributedInfo. WP_OK, or the code to stop with. */
int wp_chrome_top_value(wp_chrome_reader *r, const wp_jstr *key, const char *p, size_t len);
/* Interns a string span (decoding escapes); UINT32_MAX when out of memory. */
uint32_t wp_chrome_intern(wp_chrome_reader *r, const wp_jstr *s);

#endif
