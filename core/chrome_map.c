/* chrome_map.c: parsed traceEvents elements -> the event model. Our files carry every field in args (see
 * chrome_write_args.c); Kineto files are read by their conventions: GPU events use pid = device and tid = stream,
 * memcpy directions and memory kinds are in the name, the whole file is one process. */
#include "chrome_read_impl.h"

#include "chrome_format.h"
#include "chrome_names.h"
#include "safe_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IS(s, lit) ((s)->len == sizeof(lit) - 1 && memcmp((s)->p, lit, sizeof(lit) - 1) == 0)

/* Category spellings and the model's category each stands for. Kineto names categories after its ActivityType
 * (libkineto/src/ActivityType.cpp) since mid-2021; before that libkineto/src/output_json.cpp wrote capitalised names
 * of its own, and those of GPU work lasted until kineto 1679e50e (April 2022, first shipped in torch 1.12). A table,
 * so that a spelling found in another old trace is one line. */
typedef struct cat_name {
    const char *name;
    uint32_t len;
    enum wp_chrome_cat cat;
} cat_name;

#define CAT(s, c) {s, sizeof(s) - 1, c}
static const cat_name cat_names[] = {
    /* today's Kineto */
    CAT("kernel", C_KERNEL), CAT("gpu_memcpy", C_MEMCPY), CAT("gpu_memset", C_MEMSET),
    CAT("cuda_runtime", C_RUNTIME), CAT("cuda_driver", C_DRIVER), CAT("cpu_op", C_CPU_OP),
    CAT("user_annotation", C_USER_ANNOTATION), CAT("gpu_user_annotation", C_GPU_USER_ANNOTATION),
    CAT("python_function", C_PYTHON), CAT("overhead", C_OVERHEAD),
    /* ours: Kineto has no synchronisation or allocation records of CUPTI's */
    CAT("cuda_sync", C_SYNC), CAT("cuda_memory", C_MEMORY),
    /* torch <= 1.11: GPU work */
    CAT("Kernel", C_KERNEL), CAT("Memcpy", C_MEMCPY), CAT("Memset", C_MEMSET),
    /* torch <= 1.10: CUDA runtime calls (also the ROCm build's HIP calls, kineto e624b51d) */
    CAT("Runtime", C_RUNTIME),
    /* torch 1.10 and 1.11: ActivityType's misspelling, corrected in kineto 3db5c597 (May 2022) */
    CAT("gpu_user_Annotation", C_GPU_USER_ANNOTATION),
    /* torch <= 1.9: aten ops; the GPU spans of annotations (pid = device, tid "stream N user") */
    CAT("Operator", C_CPU_OP), CAT("User", C_GPU_USER_ANNOTATION),
    /* Python-level spans under the name the TensorBoard plugin lists among the old categories */
    CAT("Python", C_PYTHON),
};
#undef CAT

static enum wp_chrome_cat cat_of(const wp_jstr *c)
{
    for (size_t i = 0; i < sizeof(cat_names) / sizeof(cat_names[0]); i++)
        if (cat_names[i].len == c->len && memcmp(cat_names[i].name, c->p, c->len) == 0)
            return cat_names[i].cat;
    return C_UNKNOWN;
}

/* Kineto's allocator records are instants named "[memory]": category "cpu_instant_event" since torch 1.12, none
 * before (kineto 1679e50e added it). */
static int is_allocator_event(const wp_chrome_raw *raw)
{
    return (raw->ph == 'i' || raw->ph == 'I') && IS(&raw->name, "[memory]") &&
           (raw->cat.len == 0 || IS(&raw->cat, "cpu_instant_event"));
}

/* c10::DeviceType of CUDA memory; ROCm builds of PyTorch report HIP memory as CUDA too. The model's memory events are
 * device allocations, so host memory (0) and other devices have no place in it, nor has a record without a size. */
#define C10_DEVICE_TYPE_CUDA 1

static int allocator_event_mappable(const wp_chrome_raw *raw)
{
    return NUM_OR(raw, A_ALLOC_DEVICE_TYPE, UINT64_MAX) == C10_DEVICE_TYPE_CUDA && NUM_OR(raw, A_ALLOC_BYTES, 0) != 0;
}

static char *scratch(wp_chrome_reader *r, size_t need)
{
    if (need > r->scratch_cap) {
        size_t cap = need < 4096 ? 4096 : need * 2;
        char *s = realloc(r->scratch, cap);
        if (!s)
            return NULL;
        r->scratch = s;
        r->scratch_cap = cap;
    }
    return r->scratch;
}

uint32_t wp_chrome_intern(wp_chrome_reader *r, const wp_jstr *s)
{
    const char *p = s->p;
    size_t len = s->len;
    if (s->esc) {
        char *buf = scratch(r, len * 2 + 4);
        if (!buf)
            return UINT32_MAX;
        len = wp_js_unescape(s, buf);
        p = buf;
    }
    if (len == 0)
        return 0;
    uint64_t a = 0, b = 0;
    memcpy(&a, p, len < 8 ? len : 8);
    memcpy(&b, p + (len > 8 ? len - 8 : 0), len < 8 ? len : 8);
    uint64_t h = (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full) ^ len;
    unsigned slot = (unsigned)(h >> 40) & (WP_INTERN_CACHE - 1);
    if (r->cache[slot].s && r->cache[slot].len == len && memcmp(r->cache[slot].s, p, len) == 0)
        return r->cache[slot].id;
    uint32_t id = wp_strtab_intern(r->strings, p, len);
    if (id != UINT32_MAX) {
        r->cache[slot].s = wp_strtab_get(r->strings, id); /* stable until the table is freed */
        r->cache[slot].len = (uint32_t)len;
        r->cache[slot].id = id;
    }
    return id;
}

/* A NUL-terminated copy of a span (decoded) in the scratch buffer. */
static const char *cstr(wp_chrome_reader *r, const wp_jstr *s, int decode)
{
    char *buf = scratch(r, (size_t)s->len * 2 + 4);
    if (!buf)
        return NULL;
    size_t n = decode && s->esc ? wp_js_unescape(s, buf) : s->len;
    if (!(decode && s->esc))
        memcpy(buf, s->p, n);
    buf[n] = '\0';
    return buf;
}

static int deliver(wp_chrome_reader *r, const wp_event *ev)
{
    r->stats->events++;
    if (r->sorter)
        return wp_event_sort_add(r->sorter, ev, r->diag);
    int rc = wp_tool_event(r->tool, ev);
    if (rc)
        return rc < 0 ? wp_diag_error(r->diag, rc, "%s: stopped by the consumer", r->path)
                      : wp_diag_error(r->diag, WP_ERR_STOPPED, "%s: stopped by the consumer", r->path);
    return WP_OK;
}

static uint32_t pid_slot(int64_t pid, uint32_t mask)
{
    return (uint32_t)(((uint64_t)pid * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

/* The pmap entry of a Chrome pid, or NULL. A hash index: a file may (if only by corruption) name many pids. */
static const wp_chrome_pmap *pmap_find(const wp_chrome_reader *r, int64_t chrome_pid)
{
    if (!r->pslots)
        return NULL;
    for (uint32_t i = pid_slot(chrome_pid, r->pslot_mask); r->pslots[i]; i = (i + 1) & r->pslot_mask)
        if (r->pmap[r->pslots[i] - 1].chrome_pid == chrome_pid)
            return &r->pmap[r->pslots[i] - 1];
    return NULL;
}

static int pmap_add(wp_chrome_reader *r, int64_t chrome_pid, uint32_t index)
{
    if (r->npmap == r->pmap_cap) {
        uint32_t cap = r->pmap_cap ? r->pmap_cap * 2 : 16;
        wp_chrome_pmap *m = realloc(r->pmap, cap * sizeof(*m));
        uint32_t *slots = calloc((size_t)cap * 2, sizeof(*slots));
        if (!m || !slots) {
            if (m)
                r->pmap = m;
            free(slots);
            return -1;
        }
        r->pmap = m;
        r->pmap_cap = cap;
        free(r->pslots);
        r->pslots = slots;
        r->pslot_mask = cap * 2 - 1;
        for (uint32_t k = 0; k < r->npmap; k++) {
            uint32_t i = pid_slot(r->pmap[k].chrome_pid, r->pslot_mask);
            while (r->pslots[i])
                i = (i + 1) & r->pslot_mask;
            r->pslots[i] = k + 1;
        }
    }
    uint32_t i = pid_slot(chrome_pid, r->pslot_mask);
    while (r->pslots[i])
        i = (i + 1) & r->pslot_mask;
    r->pmap[r->npmap] = (wp_chrome_pmap){chrome_pid, index};
    r->pslots[i] = ++r->npmap;
    return 0;
}

static int announce_process(wp_chrome_reader *r, const wp_process *p, int64_t chrome_pid)
{
    if (r->npmap >= WP_CHROME_MAX_PROCS)
        return wp_diag_error(r->diag, WP_ERR_FORMAT, "%s: more than %u processes in one file", r->path,
                             WP_CHROME_MAX_PROCS);
    if (pmap_add(r, chrome_pid, p->index) != 0)
        return wp_diag_error(r->diag, WP_ERR_NOMEM, "%s: out of memory", r->path);
    r->stats->processes++;
    if (r->tool->process && r->tool->process(r->tool, p))
        return wp_diag_error(r->diag, WP_ERR_STOPPED, "%s: stopped by the consumer", r->path);
    return WP_OK;
}

int wp_chrome_kineto_announce(wp_chrome_reader *r, int64_t pid)
{
    if (r->kineto_announced || r->ours)
        return WP_OK;
    r->kineto_announced = 1;
    wp_process p = {.index = r->proc_base, .pid = pid, .rank = r->kineto_rank};
    int rc = announce_process(r, &p, pid);
    for (uint32_t i = 0; rc == WP_OK && i < r->nkineto_devs; i++) {
        r->kineto_devs[i].proc = r->proc_base;
        if (r->tool->device && r->tool->device(r->tool, &r->kineto_devs[i]))
            rc = wp_diag_error(r->diag, WP_ERR_STOPPED, "%s: stopped by the consumer", r->path);
    }
    return rc;
}

int wp_chrome_proc_of(wp_chrome_reader *r, int64_t chrome_pid, uint32_t *index)
{
    if (r->npmap && r->pmap[r->last_pmap].chrome_pid == chrome_pid) { /* events come in runs of one process */
        *index = r->pmap[r->last_pmap].index;
        return WP_OK;
    }
    const wp_chrome_pmap *m = pmap_find(r, chrome_pid);
    if (m) {
        r->last_pmap = (uint32_t)(m - r->pmap);
        *index = m->index;
        return WP_OK;
    }
    /* Events of a pid that no process_name record declared (a hand-edited or merged file): a process of its own,
     * with that pid, and a warning (the first few; the total at the end). */
    wp_process p = {.index = r->proc_base + r->npmap, .pid = chrome_pid > 0 ? chrome_pid : 0, .rank = -1};
    *index = p.index;
    if (r->undeclared++ < 5)
        wp_diag_warn(r->diag, "%s: events of pid %lld, which no process record declares: read as process %u", r->path,
                     (long long)chrome_pid, p.index);
    return announce_process(r, &p, chrome_pid);
}

static int handle_metadata(wp_chrome_reader *r, const wp_chrome_raw *raw)
{
    if (!r->ours || !raw->pid_num)
        return WP_OK; /* Kineto's track names: nothing the model needs */
    const wp_jstr *n = &raw->name;
    if (IS(n, "process_name") && HAVE(raw, A_WP_INDEX)) {
        wp_process p = {.index = r->proc_base + r->npmap, .pid = (int64_t)NUM_OR(raw, A_WP_PID, 0),
                        .rank = (int32_t)NUM_OR(raw, A_WP_RANK, -1),
                        .host = HAVE(raw, A_WP_HOST) ? wp_chrome_intern(r, &WP_RAW_STR(raw, A_WP_HOST)) : 0,
                        .label = HAVE(raw, A_WP_LABEL) ? wp_chrome_intern(r, &WP_RAW_STR(raw, A_WP_LABEL)) : 0};
        if (pmap_find(r, raw->pid))
            return WP_OK; /* a placeholder (or repeat) already stands for it */
        return announce_process(r, &p, raw->pid);
    }
    uint32_t proc;
    int is_dev = IS(n, "wp_device"), is_meta = IS(n, "wp_meta"), is_drop = IS(n, "wp_dropped");
    if (!is_dev && !is_meta && !is_drop)
        return WP_OK;
    int rc = wp_chrome_proc_of(r, raw->pid, &proc);
    if (rc != WP_OK)
        return rc;
    int stop = 0;
    if (is_dev) {
        wp_device d = {.proc = proc, .id = (uint32_t)NUM_OR(raw, A_ID, 0),
                       .name = HAVE(raw, A_NAME) ? wp_chrome_intern(r, &WP_RAW_STR(raw, A_NAME)) : 0,
                       .cc_major = (int32_t)NUM_OR(raw, A_CC_MAJOR, 0), .cc_minor = (int32_t)NUM_OR(raw, A_CC_MINOR, 0),
                       .sm_count = (int32_t)NUM_OR(raw, A_NUM_SMS, 0), .total_memory = NUM_OR(raw, A_TOTAL_MEM, 0)};
        stop = r->tool->device && r->tool->device(r->tool, &d);
    } else if (is_meta && HAVE(raw, A_KEY) && HAVE(raw, A_META_VALUE)) {
        const char *key = cstr(r, &WP_RAW_STR(raw, A_KEY), 1);
        char *k = key ? strdup(key) : NULL;
        const char *value = k ? cstr(r, &WP_RAW_STR(raw, A_META_VALUE), 0) : NULL;
        if (!value) {
            free(k);
            return wp_diag_error(r->diag, WP_ERR_NOMEM, "%s: out of memory", r->path);
        }
        if (strcmp(k, WP_META_SKIPPED) == 0) /* an export's count of what its inputs skipped: a count, not metadata */
            r->stats->skipped += strtoull(value, NULL, 10);
        else
            stop = r->tool->meta && r->tool->meta(r->tool, proc, k, value);
        free(k);
    } else if (is_drop) {
        uint64_t n_rec = NUM_OR(raw, A_RECORDS, 0);
        r->stats->dropped += n_rec;
        stop = n_rec && r->tool->dropped && r->tool->dropped(r->tool, proc, n_rec);
    }
    return stop ? wp_diag_error(r->diag, WP_ERR_STOPPED, "%s: stopped by the consumer", r->path) : WP_OK;
}

static void note_unknown(wp_chrome_reader *r, const wp_chrome_raw *raw)
{
    r->stats->skipped++;
    /* Kineto's own markers, in every trace and nothing the user can act on, are counted but not warned about: the
     * "Trace" span ("PyTorch Profiler (0)") and the uncategorised instants "Iteration Start" / "Record Window End". */
    if ((raw->cat.len == 5 && memcmp(raw->cat.p, "Trace", 5) == 0) ||
        (raw->cat.len == 0 && (raw->ph == 'i' || raw->ph == 'I')))
        return;
    r->unknown++;
    if (r->unknown_example[0])
        return;
    if (raw->cat.len)
        snprintf(r->unknown_example, sizeof(r->unknown_example), "category \"%.*s\"",
                 raw->cat.len < 40 ? (int)raw->cat.len : wp_utf8_cut(raw->cat.p, 40), raw->cat.p);
    else
        snprintf(r->unknown_example, sizeof(r->unknown_example), "ph \"%c\" without a category",
                 raw->ph ? raw->ph : '?');
}


int wp_chrome_handle(wp_chrome_reader *r, const wp_chrome_raw *raw)
{
    if (raw->ph == 'M')
        return handle_metadata(r, raw);
    if (raw->ph == 's' || raw->ph == 'f' || raw->ph == 't')
        return WP_OK; /* flow arrows: the correlation ids in args carry the same link */
    enum wp_chrome_cat cat = is_allocator_event(raw) ? C_ALLOCATOR : cat_of(&raw->cat);
    if ((raw->ph != 'X' && raw->ph != 'i' && raw->ph != 'I') || cat == C_UNKNOWN || !raw->has_ts) {
        note_unknown(r, raw);
        return WP_OK;
    }
    if (raw->bad_number) {
        r->bad_numbers++;
        r->stats->skipped++;
        return WP_OK;
    }
    if (raw->ph == 'X' && raw->has_dur && raw->dur < 0) { /* ends before it starts: no analysis can use it */
        r->negative++;
        r->stats->skipped++;
        return WP_OK;
    }
    if (cat == C_ALLOCATOR && !allocator_event_mappable(raw)) {
        r->host_allocs++;
        r->stats->skipped++;
        return WP_OK;
    }
    wp_event ev;
    memset(&ev, 0, sizeof(ev));
    int rc = wp_chrome_fill(r, raw, (int)cat, &ev);
    if (rc != WP_OK)
        return rc;
    return deliver(r, &ev);
}
