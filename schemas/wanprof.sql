-- wanprof.sql: the SQLite trace format written by wanprof (core/sqlite_writer.c) and read by core/sqlite_reader.c.
--
-- Table and column names are those of the Nsight Systems SQLite export (`nsys export --type sqlite`, schema reference in
-- the Nsight Systems Analysis Guide, "SQLite Schema Reference" and "SQLite Schema Event Values"), so queries written for
-- nsys exports run on our files unchanged. Differences from nsys, all deliberate:
--   * wanprof creates every table (nsys creates them lazily) and indexes `start` of every event table (nsys has none);
--     the writer builds the indexes when it closes the file, so a file left by a killed writer has none (it still
--     reads, in time order too: SQLite then sorts).
--   * Columns nsys declares NOT NULL but wanprof cannot know are filled with nsys's defaults (contextId 0, gridId 0,
--     ...); deviceId / streamId are NULL where the event model says "unknown" (WP_NONE).
--   * Columns that nsys lacks but the event model needs for an exact round trip are appended at the end of a table and
--     start with `wp` (wpTid, wpAsync, ...), except `globalTid` on CUPTI_ACTIVITY_KIND_SYNCHRONIZATION and `end` on
--     CUDA_GPU_MEMORY_USAGE_EVENTS, which keep nsys's spelling for what they hold.
--   * Tables of our own start with WANPROF_.
--
-- Identities (as nsys packs them): globalTid = globalPid + tid, globalPid = (hi << 48) + (pid << 24), so
-- pid = globalPid / 0x1000000 % 0x1000000 and tid = globalTid % 0x1000000. nsys keeps its VM/hardware id in `hi`;
-- wanprof keeps the process index there (WANPROF_PROCESSES.procIndex), so ranks merged from several hosts stay distinct
-- even when their pids are equal. A tid that does not fit in 24 bits is kept whole in wpTid.
-- Timestamps are ns (INTEGER), in the clock of the source. Unsigned 64-bit values (bytes, addresses, correlation ids)
-- are stored as the signed INTEGER with the same bits.
-- String ids (demangledName, nameId, ...) reference StringIds(id); the writer assigns them densely from 1.
--
-- Version: PRAGMA user_version below. Readers refuse a version newer than they know (WP_SQLITE_SCHEMA_VERSION in
-- core/sqlite_format.h). Bump it on any change that an older reader would misread.

PRAGMA user_version = 1;

CREATE TABLE StringIds (
    id                          INTEGER   NOT NULL   PRIMARY KEY,      -- ID reference value.
    value                       TEXT      NOT NULL                     -- String value.
);

-- ---------------------------------------------------------------------------------------------------------------------
-- Enumerations, with nsys's numbering and names (Analysis Guide, "SQLite Schema Event Values").

CREATE TABLE ENUM_CUDA_MEMCPY_OPER (id INTEGER NOT NULL PRIMARY KEY, name TEXT, label TEXT);
INSERT INTO ENUM_CUDA_MEMCPY_OPER VALUES
    (0, 'CUDA_MEMCPY_KIND_UNKNOWN', 'Unknown'),
    (1, 'CUDA_MEMCPY_KIND_HTOD', 'Host-to-Device'),
    (2, 'CUDA_MEMCPY_KIND_DTOH', 'Device-to-Host'),
    (3, 'CUDA_MEMCPY_KIND_HTOA', 'Host-to-Array'),
    (4, 'CUDA_MEMCPY_KIND_ATOH', 'Array-to-Host'),
    (5, 'CUDA_MEMCPY_KIND_ATOA', 'Array-to-Array'),
    (6, 'CUDA_MEMCPY_KIND_ATOD', 'Array-to-Device'),
    (7, 'CUDA_MEMCPY_KIND_DTOA', 'Device-to-Array'),
    (8, 'CUDA_MEMCPY_KIND_DTOD', 'Device-to-Device'),
    (9, 'CUDA_MEMCPY_KIND_HTOH', 'Host-to-Host'),
    (10, 'CUDA_MEMCPY_KIND_PTOP', 'Peer-to-Peer'),
    (11, 'CUDA_MEMCPY_KIND_UVM_HTOD', 'Unified Host-to-Device'),
    (12, 'CUDA_MEMCPY_KIND_UVM_DTOH', 'Unified Device-to-Host'),
    (13, 'CUDA_MEMCPY_KIND_UVM_DTOD', 'Unified Device-to-Device');

-- nsys numbering; CUPTI's own numbering is one higher (CUPTI 0 = unknown): collectors remap with wp_mem_kind_from_cupti.
CREATE TABLE ENUM_CUDA_MEM_KIND (id INTEGER NOT NULL PRIMARY KEY, name TEXT, label TEXT);
INSERT INTO ENUM_CUDA_MEM_KIND VALUES
    (0, 'CUDA_MEMOPR_MEMORY_KIND_PAGEABLE', 'Pageable'),
    (1, 'CUDA_MEMOPR_MEMORY_KIND_PINNED', 'Pinned'),
    (2, 'CUDA_MEMOPR_MEMORY_KIND_DEVICE', 'Device'),
    (3, 'CUDA_MEMOPR_MEMORY_KIND_ARRAY', 'Array'),
    (4, 'CUDA_MEMOPR_MEMORY_KIND_MANAGED', 'Managed'),
    (5, 'CUDA_MEMOPR_MEMORY_KIND_DEVICE_STATIC', 'Device Static'),
    (6, 'CUDA_MEMOPR_MEMORY_KIND_MANAGED_STATIC', 'Managed Static'),
    (7, 'CUDA_MEMOPR_MEMORY_KIND_UNKNOWN', 'Unknown');

CREATE TABLE ENUM_CUDA_DEV_MEM_EVENT_OPER (id INTEGER NOT NULL PRIMARY KEY, name TEXT, label TEXT);
INSERT INTO ENUM_CUDA_DEV_MEM_EVENT_OPER VALUES
    (0, 'CUDA_DEV_MEM_EVENT_OPR_ALLOCATION', 'Allocation'),
    (1, 'CUDA_DEV_MEM_EVENT_OPR_DEALLOCATION', 'Deallocation');

CREATE TABLE ENUM_CUPTI_SYNC_TYPE (id INTEGER NOT NULL PRIMARY KEY, name TEXT, label TEXT);
INSERT INTO ENUM_CUPTI_SYNC_TYPE VALUES
    (0, 'CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_UNKNOWN', 'Unknown'),
    (1, 'CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_EVENT_SYNCHRONIZE', 'Event sync'),
    (2, 'CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_WAIT_EVENT', 'Stream wait event'),
    (3, 'CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE', 'Stream sync'),
    (4, 'CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE', 'Context sync');

-- The event classes wanprof writes (CUPTI_ACTIVITY_KIND_RUNTIME.eventClass): nsys keeps runtime and driver API calls in
-- one table and tells them apart by class; there is no CUPTI_ACTIVITY_KIND_DRIVER table.
CREATE TABLE ENUM_NSYS_EVENT_CLASS (id INTEGER NOT NULL PRIMARY KEY, name TEXT, label TEXT);
INSERT INTO ENUM_NSYS_EVENT_CLASS VALUES
    (0, 'TRACE_PROCESS_EVENT_CUDA_RUNTIME', 'CUDA runtime'),
    (1, 'TRACE_PROCESS_EVENT_CUDA_DRIVER', 'CUDA driver');

-- NVTX_EVENTS.eventType values.
CREATE TABLE ENUM_NSYS_EVENT_TYPE (id INTEGER NOT NULL PRIMARY KEY, name TEXT, label TEXT);
INSERT INTO ENUM_NSYS_EVENT_TYPE VALUES
    (33, 'NvtxCategory', 'NVTX category'),
    (34, 'NvtxMark', 'NVTX mark'),
    (39, 'NvtxThread', 'NVTX thread'),
    (59, 'NvtxPushPopRange', 'NVTX push/pop range'),
    (60, 'NvtxStartEndRange', 'NVTX start/end range'),
    (75, 'NvtxDomainCreate', 'NVTX domain create'),
    (76, 'NvtxDomainDestroy', 'NVTX domain destroy');

-- wanprof's own enumeration: NVTX_EVENTS.wpSource (wp_range_source in core/event.h).
CREATE TABLE ENUM_WANPROF_RANGE_SOURCE (id INTEGER NOT NULL PRIMARY KEY, name TEXT);
INSERT INTO ENUM_WANPROF_RANGE_SOURCE VALUES
    (0, 'nvtx'), (1, 'user_annotation'), (2, 'gpu_user_annotation'), (3, 'cpu_op'), (4, 'python_function'), (5, 'other');

-- ---------------------------------------------------------------------------------------------------------------------
-- Devices. nsys: one TARGET_INFO_GPU row per GPU and TARGET_INFO_CUDA_DEVICE mapping a process's CUDA ordinal to it.
-- wanprof writes one TARGET_INFO_GPU row per (process, device) with the process in globalPid (ours), and the matching
-- TARGET_INFO_CUDA_DEVICE row.

CREATE TABLE TARGET_INFO_GPU (
    vmId                        INTEGER   NOT NULL,                    -- Serialized GlobalId (wanprof: 0).
    id                          INTEGER   NOT NULL,                    -- Device ID.
    name                        TEXT,                                  -- Device name.
    busLocation                 TEXT,                                  -- PCI bus location.
    isDiscrete                  INTEGER,                               -- True if discrete, false if integrated.
    l2CacheSize                 INTEGER,                               -- Size of L2 cache (B).
    totalMemory                 INTEGER,                               -- Total amount of memory on the device (B).
    memoryBandwidth             INTEGER,                               -- Amount of memory transferred (B).
    clockRate                   INTEGER,                               -- Clock frequency (Hz).
    smCount                     INTEGER,                               -- Number of multiprocessors on the device.
    pwGpuId                     INTEGER,                               -- PerfWorks GPU ID.
    uuid                        TEXT,                                  -- Device UUID.
    luid                        INTEGER,                               -- Device LUID.
    chipName                    TEXT,                                  -- Chip name.
    cuDevice                    INTEGER,                               -- CUDA device ID.
    computeMajor                INTEGER,                               -- Major compute capability version number.
    computeMinor                INTEGER,                               -- Minor compute capability version number.
    globalPid                   INTEGER                                -- wanprof: the process that used the device.
);

CREATE TABLE TARGET_INFO_CUDA_DEVICE (
    gpuId                       INTEGER,                               -- GPU ID (TARGET_INFO_GPU.id).
    cudaId                      INTEGER   NOT NULL,                    -- CUDA device ID.
    pid                         INTEGER   NOT NULL,                    -- Process ID.
    uuid                        TEXT,                                  -- Device UUID.
    numMultiprocessors          INTEGER                                -- Number of SMs available on the device.
);

-- ---------------------------------------------------------------------------------------------------------------------
-- GPU activity.

CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (
    start                       INTEGER   NOT NULL,                    -- Event start timestamp (ns).
    end                         INTEGER   NOT NULL,                    -- Event end timestamp (ns).
    deviceId                    INTEGER,                               -- Device ID (NULL: unknown).
    contextId                   INTEGER   NOT NULL   DEFAULT 0,        -- Context ID.
    greenContextId              INTEGER,                               -- Green context ID.
    streamId                    INTEGER,                               -- Stream ID (NULL: unknown).
    correlationId               INTEGER,                               -- REFERENCES CUPTI_ACTIVITY_KIND_RUNTIME(correlationId)
    globalPid                   INTEGER,                               -- Serialized GlobalId.
    demangledName               INTEGER   NOT NULL,                    -- REFERENCES StringIds(id) -- Kernel function name w/ templates
    shortName                   INTEGER   NOT NULL,                    -- REFERENCES StringIds(id) -- Base kernel function name
    mangledName                 INTEGER,                               -- REFERENCES StringIds(id) -- Raw C++ mangled kernel function name
    launchType                  INTEGER,                               -- REFERENCES ENUM_CUDA_KERNEL_LAUNCH_TYPE(id)
    cacheConfig                 INTEGER,                               -- REFERENCES ENUM_CUDA_FUNC_CACHE_CONFIG(id)
    registersPerThread          INTEGER   NOT NULL,                    -- Number of registers required for each thread executing the kernel.
    gridX                       INTEGER   NOT NULL,                    -- X-dimension grid size.
    gridY                       INTEGER   NOT NULL,                    -- Y-dimension grid size.
    gridZ                       INTEGER   NOT NULL,                    -- Z-dimension grid size.
    blockX                      INTEGER   NOT NULL,                    -- X-dimension block size.
    blockY                      INTEGER   NOT NULL,                    -- Y-dimension block size.
    blockZ                      INTEGER   NOT NULL,                    -- Z-dimension block size.
    staticSharedMemory          INTEGER   NOT NULL,                    -- Static shared memory allocated for the kernel (B).
    dynamicSharedMemory         INTEGER   NOT NULL,                    -- Dynamic shared memory reserved for the kernel (B).
    localMemoryPerThread        INTEGER   NOT NULL   DEFAULT 0,        -- Amount of local memory reserved for each thread (B).
    localMemoryTotal            INTEGER   NOT NULL   DEFAULT 0,        -- Total amount of local memory reserved for the kernel (B).
    gridId                      INTEGER   NOT NULL   DEFAULT 0,        -- Unique grid ID of the kernel assigned at runtime.
    sharedMemoryExecuted        INTEGER,                               -- Shared memory size set by the driver.
    graphNodeId                 INTEGER,                               -- REFERENCES CUDA_GRAPH_NODE_EVENTS(graphNodeId)
    sharedMemoryLimitConfig     INTEGER,                               -- REFERENCES ENUM_CUDA_SHARED_MEM_LIMIT_CONFIG(id)
    wpTid                       INTEGER                                -- wanprof: host thread id when the source gave one (rare for GPU work).
);

CREATE TABLE CUPTI_ACTIVITY_KIND_MEMCPY (
    start                       INTEGER   NOT NULL,                    -- Event start timestamp (ns).
    end                         INTEGER   NOT NULL,                    -- Event end timestamp (ns).
    deviceId                    INTEGER,                               -- Device ID (NULL: unknown).
    contextId                   INTEGER   NOT NULL   DEFAULT 0,        -- Context ID.
    greenContextId              INTEGER,                               -- Green context ID.
    streamId                    INTEGER,                               -- Stream ID (NULL: unknown).
    correlationId               INTEGER,                               -- REFERENCES CUPTI_ACTIVITY_KIND_RUNTIME(correlationId)
    globalPid                   INTEGER,                               -- Serialized GlobalId.
    bytes                       INTEGER   NOT NULL,                    -- Number of bytes transferred (B).
    copyKind                    INTEGER   NOT NULL,                    -- REFERENCES ENUM_CUDA_MEMCPY_OPER(id)
    deprecatedSrcId             INTEGER,                               -- Deprecated, use srcDeviceId instead.
    srcKind                     INTEGER,                               -- REFERENCES ENUM_CUDA_MEM_KIND(id)
    dstKind                     INTEGER,                               -- REFERENCES ENUM_CUDA_MEM_KIND(id)
    srcDeviceId                 INTEGER,                               -- Source device ID (NULL: host / unknown).
    srcContextId                INTEGER,                               -- Source context ID.
    dstDeviceId                 INTEGER,                               -- Destination device ID (NULL: host / unknown).
    dstContextId                INTEGER,                               -- Destination context ID.
    migrationCause              INTEGER,                               -- REFERENCES ENUM_CUDA_UNIF_MEM_MIGRATION(id)
    graphNodeId                 INTEGER,                               -- REFERENCES CUDA_GRAPH_NODE_EVENTS(graphNodeId)
    virtualAddress              INTEGER,                               -- Virtual base address of the page/s being transferred.
    copyCount                   INTEGER,                               -- Memcpy operations traced in this record.
    wpAsync                     INTEGER,                               -- wanprof: 1 when issued by an *Async call.
    wpNameId                    INTEGER,                               -- wanprof: REFERENCES StringIds(id) -- label from the source (Kineto "Memcpy HtoD (Pinned -> Device)")
    wpTid                       INTEGER                                -- wanprof: host thread id when the source gave one.
);

CREATE TABLE CUPTI_ACTIVITY_KIND_MEMSET (
    start                       INTEGER   NOT NULL,                    -- Event start timestamp (ns).
    end                         INTEGER   NOT NULL,                    -- Event end timestamp (ns).
    deviceId                    INTEGER,                               -- Device ID (NULL: unknown).
    contextId                   INTEGER   NOT NULL   DEFAULT 0,        -- Context ID.
    greenContextId              INTEGER,                               -- Green context ID.
    streamId                    INTEGER,                               -- Stream ID (NULL: unknown).
    correlationId               INTEGER,                               -- REFERENCES CUPTI_ACTIVITY_KIND_RUNTIME(correlationId)
    globalPid                   INTEGER,                               -- Serialized GlobalId.
    value                       INTEGER   NOT NULL,                    -- Value assigned to memory.
    bytes                       INTEGER   NOT NULL,                    -- Number of bytes set (B).
    graphNodeId                 INTEGER,                               -- REFERENCES CUDA_GRAPH_NODE_EVENTS(graphNodeId)
    memKind                     INTEGER,                               -- REFERENCES ENUM_CUDA_MEM_KIND(id)
    wpAsync                     INTEGER,                               -- wanprof: 1 when issued by an *Async call.
    wpNameId                    INTEGER,                               -- wanprof: REFERENCES StringIds(id) -- label from the source
    wpTid                       INTEGER                                -- wanprof: host thread id when the source gave one.
);

-- A host thread blocked in a synchronisation call. nsys keeps the process only (globalPid); wanprof adds the thread.
CREATE TABLE CUPTI_ACTIVITY_KIND_SYNCHRONIZATION (
    start                       INTEGER   NOT NULL,                    -- Event start timestamp (ns).
    end                         INTEGER   NOT NULL,                    -- Event end timestamp (ns).
    deviceId                    INTEGER,                               -- Device ID (NULL: unknown).
    contextId                   INTEGER   NOT NULL   DEFAULT 0,        -- Context ID.
    greenContextId              INTEGER,                               -- Green context ID.
    streamId                    INTEGER,                               -- Stream ID (NULL: unknown).
    correlationId               INTEGER,                               -- Correlation ID of the synchronization API.
    globalPid                   INTEGER,                               -- Serialized GlobalId.
    deprecatedSyncType          INTEGER,                               -- Deprecated, use syncType instead.
    syncType                    INTEGER   NOT NULL,                    -- REFERENCES ENUM_CUPTI_SYNC_TYPE(id)
    eventId                     INTEGER   NOT NULL,                    -- Event ID for which the synchronization API is called (0: none).
    eventSyncId                 INTEGER,                               -- CUDA Event Sync ID.
    globalTid                   INTEGER,                               -- wanprof: Serialized GlobalId of the blocked thread.
    wpNameId                    INTEGER,                               -- wanprof: REFERENCES StringIds(id) -- name from the source
    wpTid                       INTEGER                                -- wanprof: thread id when it does not fit in globalTid.
);

-- Allocations and frees (CUPTI MEMORY2). nsys records instants; wanprof adds `end` (== start for instants).
CREATE TABLE CUDA_GPU_MEMORY_USAGE_EVENTS (
    start                       INTEGER   NOT NULL,                    -- Event start timestamp (ns).
    globalPid                   INTEGER   NOT NULL,                    -- Serialized GlobalId.
    deviceId                    INTEGER,                               -- Device ID (NULL: unknown).
    contextId                   INTEGER   NOT NULL   DEFAULT 0,        -- Context ID.
    address                     INTEGER   NOT NULL,                    -- Virtual address of the allocation/deallocation.
    pc                          INTEGER   NOT NULL   DEFAULT 0,        -- Program counter of the allocation/deallocation.
    bytes                       INTEGER   NOT NULL,                    -- Number of bytes allocated/deallocated (B).
    memKind                     INTEGER   NOT NULL,                    -- REFERENCES ENUM_CUDA_MEM_KIND(id)
    memoryOperationType         INTEGER   NOT NULL,                    -- REFERENCES ENUM_CUDA_DEV_MEM_EVENT_OPER(id)
    name                        TEXT,                                  -- Variable name, if available.
    correlationId               INTEGER,                               -- REFERENCES CUPTI_ACTIVITY_KIND_RUNTIME(correlationId)
    streamId                    INTEGER,                               -- Stream ID.
    localMemoryPoolAddress      INTEGER,                               -- Base address of the local memory pool used
    end                         INTEGER,                               -- wanprof: event end timestamp (ns).
    wpAsync                     INTEGER,                               -- wanprof: 1 for the stream-ordered allocator (cudaMallocAsync).
    globalTid                   INTEGER,                               -- wanprof: Serialized GlobalId of the calling thread.
    wpTid                       INTEGER                                -- wanprof: thread id when it does not fit in globalTid.
);

-- ---------------------------------------------------------------------------------------------------------------------
-- Host activity.

-- Runtime AND driver API calls (eventClass 0 runtime, 1 driver, as nsys does).
CREATE TABLE CUPTI_ACTIVITY_KIND_RUNTIME (
    start                       INTEGER   NOT NULL,                    -- Event start timestamp (ns).
    end                         INTEGER   NOT NULL,                    -- Event end timestamp (ns).
    eventClass                  INTEGER   NOT NULL,                    -- REFERENCES ENUM_NSYS_EVENT_CLASS(id)
    globalTid                   INTEGER,                               -- Serialized GlobalId.
    correlationId               INTEGER,                               -- ID used to identify events that this function call has triggered.
    nameId                      INTEGER   NOT NULL,                    -- REFERENCES StringIds(id) -- Function name
    returnValue                 INTEGER   NOT NULL,                    -- Return value of the function call.
    callchainId                 INTEGER,                               -- REFERENCES CUDA_CALLCHAINS(id)
    wpCbid                      INTEGER,                               -- wanprof: CUPTI callback id (0: none, e.g. Kineto).
    wpDeviceId                  INTEGER,                               -- wanprof: device, when the source tied the call to one.
    wpStreamId                  INTEGER,                               -- wanprof: stream, when the source tied the call to one.
    wpTid                       INTEGER                                -- wanprof: thread id when it does not fit in globalTid.
);

-- NVTX ranges (eventType 59), marks (34) and domain names (75: text = domain name, domainId = its id, per process).
-- wanprof also stores Kineto's user_annotation / cpu_op / python_function ranges here, telling them apart by wpSource.
-- Range names go in `text` (as nsys does for unregistered strings); payloads in the value column of their type.
CREATE TABLE NVTX_EVENTS (
    start                       INTEGER   NOT NULL,                    -- Event start timestamp (ns).
    end                         INTEGER,                               -- Event end timestamp (ns).
    eventType                   INTEGER   NOT NULL,                    -- REFERENCES ENUM_NSYS_EVENT_TYPE(id)
    rangeId                     INTEGER,                               -- Correlation ID returned from a nvtxRangeStart call.
    category                    INTEGER,                               -- User-controlled ID that can be used to group events.
    color                       INTEGER,                               -- Encoded ARGB color value (NULL: none).
    text                        TEXT,                                  -- Explicit name/text (non-registered string)
    globalTid                   INTEGER,                               -- Serialized GlobalId.
    endGlobalTid                INTEGER,                               -- Serialized GlobalId.
    textId                      INTEGER,                               -- REFERENCES StringIds(id) -- Registered NVTX domain/string
    domainId                    INTEGER,                               -- NVTX domain (0: default); named by the eventType 75 row.
    uint64Value                 INTEGER,                               -- One of possible payload value union members.
    int64Value                  INTEGER,                               -- One of possible payload value union members.
    doubleValue                 REAL,                                  -- One of possible payload value union members.
    uint32Value                 INTEGER,                               -- One of possible payload value union members.
    int32Value                  INTEGER,                               -- One of possible payload value union members.
    floatValue                  REAL,                                  -- One of possible payload value union members.
    jsonTextId                  INTEGER,                               -- One of possible payload value union members.
    jsonText                    TEXT,                                  -- One of possible payload value union members.
    wpSource                    INTEGER,                               -- wanprof: REFERENCES ENUM_WANPROF_RANGE_SOURCE(id)
    wpArgsId                    INTEGER,                               -- wanprof: REFERENCES StringIds(id) -- compact JSON object of extra fields (Kineto args)
    wpFlags                     INTEGER,                               -- wanprof: WP_RANGE_FLAG_* (bit 0: instant mark)
    wpCorrelation               INTEGER,                               -- wanprof: correlation id when the source gave one
    wpDeviceId                  INTEGER,                               -- wanprof: device of a GPU-side range (gpu_user_annotation)
    wpStreamId                  INTEGER,                               -- wanprof: stream of a GPU-side range
    wpTid                       INTEGER                                -- wanprof: thread id when it does not fit in globalTid.
);

-- Time the profiler itself spent (CUPTI OVERHEAD, Kineto "overhead").
CREATE TABLE CUPTI_ACTIVITY_KIND_OVERHEAD (
    start                       INTEGER   NOT NULL,                    -- Event start timestamp (ns).
    end                         INTEGER   NOT NULL,                    -- Event end timestamp (ns).
    eventClass                  INTEGER,                               -- REFERENCES ENUM_NSYS_EVENT_CLASS(id) (wanprof: NULL)
    globalTid                   INTEGER,                               -- Serialized GlobalId.
    correlationId               INTEGER,                               -- ID used to identify events that this function call has triggered.
    nameId                      INTEGER,                               -- REFERENCES StringIds(id) -- Function name
    overheadType                INTEGER   NOT NULL   DEFAULT 0,        -- REFERENCES ENUM_CUPTI_OVERHEAD_TYPE(id) (wanprof: 0 unknown)
    wpDeviceId                  INTEGER,                               -- wanprof: device, when the source gave one.
    wpStreamId                  INTEGER,                               -- wanprof: stream, when the source gave one.
    wpTid                       INTEGER                                -- wanprof: thread id when it does not fit in globalTid.
);

-- ---------------------------------------------------------------------------------------------------------------------
-- wanprof's own tables.

-- One row per process (rank) of the run. procIndex is wp_process.index; globalPid is how event tables refer to it.
CREATE TABLE WANPROF_PROCESSES (
    procIndex                   INTEGER   NOT NULL   PRIMARY KEY,      -- Dense 0-based process index.
    pid                         INTEGER   NOT NULL,                    -- OS pid (0: unknown).
    rank                        INTEGER   NOT NULL,                    -- Distributed rank (-1: unknown).
    host                        TEXT,                                  -- Host name (NULL: unknown).
    label                       TEXT,                                  -- Display name ("rank 0"), NULL: none.
    globalPid                   INTEGER   NOT NULL   UNIQUE            -- Serialized GlobalId used by the event tables.
);

-- The wanprof that wrote the file (`wanprof --version`: release and git revision), one row. Files written before it
-- existed lack the table; readers do not need it.
CREATE TABLE WANPROF_WRITER (
    version                     TEXT      NOT NULL                     -- "0.1.0 (git 1a2b3c4d5e6f)"
);

-- Run metadata: command line, config, schedule, ... as JSON text, per process. Its presence marks a wanprof file.
CREATE TABLE WANPROF_META (
    globalPid                   INTEGER   NOT NULL,                    -- REFERENCES WANPROF_PROCESSES(globalPid)
    key                         TEXT      NOT NULL,                    -- "command", "config", "schedule", ...
    value                       TEXT      NOT NULL                     -- JSON text.
);

-- Records the source reported as dropped (CUPTI buffers full, salvaged tails); one row per report.
CREATE TABLE WANPROF_DROPPED (
    globalPid                   INTEGER   NOT NULL,                    -- REFERENCES WANPROF_PROCESSES(globalPid)
    records                     INTEGER   NOT NULL                     -- Records lost.
);

-- Filled by the analyzer (`wanprof explain --write-back`, SQLite traces only): one row per step of each rank.
CREATE TABLE WANPROF_STEPS (
    rank                        INTEGER   NOT NULL,                    -- Distributed rank (-1: unknown).
    globalPid                   INTEGER,                               -- REFERENCES WANPROF_PROCESSES(globalPid)
    step                        INTEGER   NOT NULL,                    -- 0-based step index.
    start                       INTEGER   NOT NULL,                    -- Step start timestamp (ns).
    end                         INTEGER   NOT NULL,                    -- Step end timestamp (ns).
    duration                    INTEGER   NOT NULL,                    -- end - start (ns).
    source                      TEXT      NOT NULL                     -- What delimited the step: "runner", "pattern", "compiled-region", "kernels" (explain --step-source).
);

-- Filled by the analyzer (`wanprof explain --write-back`): each spike's causes, one row per cause and one "unexplained".
CREATE TABLE WANPROF_SPIKES (
    rank                        INTEGER   NOT NULL,                    -- Distributed rank (-1: unknown).
    step                        INTEGER   NOT NULL,                    -- REFERENCES WANPROF_STEPS(step)
    cause                       TEXT      NOT NULL,                    -- A cause id (expert_switch, recompilation, ...: `wanprof explain --help`) or "unexplained".
    seconds                     REAL      NOT NULL,                    -- Excess time attributed to the cause (s).
    evidence                    TEXT                                   -- JSON object: the events and figures behind the verdict.
);

-- @indexes: created after the bulk of the rows is written (core/sqlite_writer.c), so inserts stay fast.
CREATE INDEX CUPTI_ACTIVITY_KIND_KERNEL_start ON CUPTI_ACTIVITY_KIND_KERNEL (start);
CREATE INDEX CUPTI_ACTIVITY_KIND_MEMCPY_start ON CUPTI_ACTIVITY_KIND_MEMCPY (start);
CREATE INDEX CUPTI_ACTIVITY_KIND_MEMSET_start ON CUPTI_ACTIVITY_KIND_MEMSET (start);
CREATE INDEX CUPTI_ACTIVITY_KIND_SYNCHRONIZATION_start ON CUPTI_ACTIVITY_KIND_SYNCHRONIZATION (start);
CREATE INDEX CUDA_GPU_MEMORY_USAGE_EVENTS_start ON CUDA_GPU_MEMORY_USAGE_EVENTS (start);
CREATE INDEX CUPTI_ACTIVITY_KIND_RUNTIME_start ON CUPTI_ACTIVITY_KIND_RUNTIME (start);
CREATE INDEX NVTX_EVENTS_start ON NVTX_EVENTS (start);
CREATE INDEX CUPTI_ACTIVITY_KIND_OVERHEAD_start ON CUPTI_ACTIVITY_KIND_OVERHEAD (start);
CREATE INDEX WANPROF_STEPS_rank_step ON WANPROF_STEPS (rank, step);
