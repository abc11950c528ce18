/* event.h: the one event model. Every reader (our SQLite, nsys SQLite, Chrome/Kineto JSON) produces these records and
 * every analysis consumes them; no analysis knows a file format. Records are fixed-size and hold no pointers (strings
 * are ids into a wp_strtab), so they can be copied, sorted and spilled to disk as plain bytes. */
#ifndef WP_EVENT_H
#define WP_EVENT_H

#include <stdint.h>

#define WP_NONE UINT32_MAX /* "not applicable / unknown" for device, stream, rank */

typedef enum wp_event_kind {
    WP_EV_KERNEL = 1,
    WP_EV_MEMCPY,   /* includes peer-to-peer copies (copy_kind WP_COPY_PTOP) */
    WP_EV_MEMSET,
    WP_EV_API,      /* CUDA runtime or driver API call, on a host thread */
    WP_EV_SYNC,     /* host blocked in a synchronisation call (CUPTI SYNCHRONIZATION) */
    WP_EV_MEMORY,   /* device/pinned allocation or free (CUPTI MEMORY2) */
    WP_EV_RANGE,    /* NVTX range or instant mark, Kineto user_annotation / cpu_op / python_function */
    WP_EV_OVERHEAD, /* time the profiler itself spent (CUPTI OVERHEAD, Kineto "overhead") */
    WP_EV_KIND_COUNT
} wp_event_kind;

/* Memcpy direction: nsys ENUM_CUDA_MEMCPY_OPER numbering (identical to CUPTI's CUpti_ActivityMemcpyKind). */
typedef enum wp_copy_kind {
    WP_COPY_UNKNOWN = 0,
    WP_COPY_HTOD = 1,
    WP_COPY_DTOH = 2,
    WP_COPY_HTOA = 3,
    WP_COPY_ATOH = 4,
    WP_COPY_ATOA = 5,
    WP_COPY_ATOD = 6,
    WP_COPY_DTOA = 7,
    WP_COPY_DTOD = 8,
    WP_COPY_HTOH = 9,
    WP_COPY_PTOP = 10,
} wp_copy_kind;

/* Memory kind: nsys ENUM_CUDA_MEM_KIND numbering. CUPTI numbers these one higher (0 is its "unknown"): readers of
 * CUPTI records remap with wp_mem_kind_from_cupti(). */
typedef enum wp_mem_kind {
    WP_MEM_PAGEABLE = 0,
    WP_MEM_PINNED = 1,
    WP_MEM_DEVICE = 2,
    WP_MEM_ARRAY = 3,
    WP_MEM_MANAGED = 4,
    WP_MEM_DEVICE_STATIC = 5,
    WP_MEM_MANAGED_STATIC = 6,
    WP_MEM_UNKNOWN = 7,
} wp_mem_kind;

/* Synchronisation type: CUPTI's CUpti_ActivitySynchronizationType numbering (nsys keeps it). */
typedef enum wp_sync_type {
    WP_SYNC_UNKNOWN = 0,
    WP_SYNC_EVENT = 1,          /* cudaEventSynchronize */
    WP_SYNC_STREAM_WAIT_EVENT = 2,
    WP_SYNC_STREAM = 3,         /* cudaStreamSynchronize */
    WP_SYNC_CONTEXT = 4,        /* cudaDeviceSynchronize */
} wp_sync_type;

/* Where a range came from; the analyzer treats them alike but reports the source. */
typedef enum wp_range_source {
    WP_RANGE_NVTX = 0,
    WP_RANGE_USER_ANNOTATION = 1,     /* Kineto user_annotation (torch.profiler.record_function) */
    WP_RANGE_GPU_USER_ANNOTATION = 2, /* Kineto gpu_user_annotation: the GPU span of an annotation */
    WP_RANGE_CPU_OP = 3,              /* Kineto cpu_op (aten ops, torch.compile phases) */
    WP_RANGE_PYTHON = 4,              /* Kineto python_function */
    WP_RANGE_OTHER = 5,
} wp_range_source;

typedef enum wp_payload_type {
    WP_PAYLOAD_NONE = 0,
    WP_PAYLOAD_INT = 1,
    WP_PAYLOAD_UINT = 2,
    WP_PAYLOAD_DOUBLE = 3,
} wp_payload_type;

typedef enum wp_api_domain {
    WP_API_RUNTIME = 0,
    WP_API_DRIVER = 1,
} wp_api_domain;

typedef enum wp_memory_op {
    WP_MEMORY_ALLOC = 0,
    WP_MEMORY_FREE = 1,
} wp_memory_op;

#define WP_RANGE_FLAG_INSTANT 0x1u /* a mark, not a range: start == end */

typedef struct wp_kernel_info {
    uint32_t grid[3];
    uint32_t block[3];
    uint32_t registers_per_thread;
    uint32_t static_shared;  /* bytes */
    uint32_t dynamic_shared; /* bytes */
} wp_kernel_info;

typedef struct wp_memcpy_info {
    uint64_t bytes;
    uint8_t copy_kind; /* wp_copy_kind */
    uint8_t src_kind;  /* wp_mem_kind */
    uint8_t dst_kind;  /* wp_mem_kind */
    uint8_t async;     /* 1 when issued by an *Async call */
    uint32_t src_device;
    uint32_t dst_device;
} wp_memcpy_info;

typedef struct wp_memset_info {
    uint64_t bytes;
    uint32_t value;
    uint8_t mem_kind; /* wp_mem_kind */
    uint8_t async;
} wp_memset_info;

typedef struct wp_api_info {
    uint32_t cbid;        /* CUPTI callback id; 0 when the source has none (Kineto) */
    int32_t return_value; /* CUDA error code; 0 = success */
    uint8_t domain;       /* wp_api_domain */
} wp_api_info;

typedef struct wp_sync_info {
    uint8_t type;       /* wp_sync_type */
    uint64_t cuda_event; /* CUDA event handle id when type is EVENT or STREAM_WAIT_EVENT */
} wp_sync_info;

typedef struct wp_memory_info {
    uint64_t address;
    uint64_t bytes;
    uint8_t op;       /* wp_memory_op */
    uint8_t mem_kind; /* wp_mem_kind */
    uint8_t async;    /* stream-ordered allocator (cudaMallocAsync / cudaFreeAsync) */
} wp_memory_info;

typedef struct wp_range_info {
    uint32_t domain;      /* string id of the NVTX domain; 0 = default domain */
    uint32_t args;        /* string id of a compact JSON object with extra fields; 0 = none */
    uint8_t source;       /* wp_range_source */
    uint8_t payload_type; /* wp_payload_type */
    uint8_t flags;        /* WP_RANGE_FLAG_* */
    uint32_t color;       /* ARGB, 0 = none */
    union {
        int64_t i;
        uint64_t u;
        double d;
    } payload;
} wp_range_info;

/* One record. Times are ns, int64, in the clock of the source (CUPTI timestamps, or Kineto's µs * 1000); readers do not
 * rebase them, so events from one source stay comparable and round trips stay exact to the ns. Producers zero a record
 * (memset) before filling it, so two records with the same fields compare equal byte for byte. */
typedef struct wp_event {
    int64_t start;
    int64_t end;          /* == start for instants */
    uint32_t kind;        /* wp_event_kind */
    uint32_t proc;        /* index into the process table (wp_process.index) */
    uint32_t name;        /* string id: kernel name, API name, range text, memcpy label; 0 = none */
    uint32_t device;      /* GPU ordinal, WP_NONE for host-only events */
    uint32_t stream;      /* CUDA stream id, WP_NONE for host events */
    uint32_t tid;         /* host thread of host events (API, sync, range); 0 unknown */
    uint64_t correlation; /* ties an API call to the GPU work it launched; 0 none */
    union {
        wp_kernel_info kernel;
        wp_memcpy_info memcpy;
        wp_memset_info memset;
        wp_api_info api;
        wp_sync_info sync;
        wp_memory_info memory;
        wp_range_info range;
    } u;
} wp_event;

/* A process of the run: one per rank in multi-GPU jobs. */
typedef struct wp_process {
    uint32_t index; /* dense, 0-based, unique within one read/merge */
    int64_t pid;    /* OS pid; 0 unknown */
    int32_t rank;   /* distributed rank; -1 unknown */
    uint32_t host;  /* string id of the host name; 0 unknown */
    uint32_t label; /* string id of a display name ("rank 0"), 0 none */
} wp_process;

typedef struct wp_device {
    uint32_t proc;  /* process that used it */
    uint32_t id;    /* ordinal as that process saw it */
    uint32_t name;  /* string id, e.g. "NVIDIA H200" */
    int32_t cc_major;
    int32_t cc_minor;
    int32_t sm_count;
    uint64_t total_memory; /* bytes */
} wp_device;

/* Names for reports ("HtoD", "pinned", ...); never NULL. */
const char *wp_event_kind_name(uint32_t kind);
const char *wp_copy_kind_name(uint32_t copy_kind);
const char *wp_mem_kind_name(uint32_t mem_kind);
/* Maps CUPTI's CUpti_ActivityMemoryKind (0 unknown, 1 pageable, ...) to nsys numbering. */
uint8_t wp_mem_kind_from_cupti(uint32_t cupti_kind);

#endif
