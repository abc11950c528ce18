/* chrome_parse.c: the per-event parser. One pass over the object; the keys we know are found by length and a byte
 * compare, the args keys through a small hash table built once; everything else is skipped without being decoded. */
#include "chrome_parse.h"

#include <pthread.h>
#include <string.h>

typedef enum { T_NUM, T_STR, T_RAW, T_ADDR, T_ARR3, T_VALUE } arg_type;

typedef struct arg_def {
    const char *key;
    unsigned len; /* filled in by build_hash */
    int id;
    arg_type type;
} arg_def;

static arg_def arg_defs[] = {
    {"device", 0, A_DEVICE, T_NUM},
    {"stream", 0, A_STREAM, T_NUM},
    {"correlation", 0, A_CORRELATION, T_NUM},
    {"tid", 0, A_TID, T_NUM},
    {"cbid", 0, A_CBID, T_NUM},
    {"return value", 0, A_RETURN, T_NUM},
    {"bytes", 0, A_BYTES, T_NUM},
    {"registers per thread", 0, A_REGS, T_NUM},
    {"shared memory", 0, A_SHARED, T_NUM},
    {"static shared memory", 0, A_STATIC_SHARED, T_NUM},
    {"dynamic shared memory", 0, A_DYNAMIC_SHARED, T_NUM},
    {"async", 0, A_ASYNC, T_NUM},
    {"fromDevice", 0, A_FROM_DEVICE, T_NUM},
    {"toDevice", 0, A_TO_DEVICE, T_NUM},
    {"value", 0, A_META_VALUE, T_VALUE},
    {"sync type", 0, A_SYNC_TYPE, T_NUM},
    {"cuda event", 0, A_CUDA_EVENT, T_NUM},
    {"op", 0, A_OP, T_NUM},
    {"mem kind", 0, A_MEM_KIND, T_NUM},
    {"color", 0, A_COLOR, T_NUM},
    {"flags", 0, A_FLAGS, T_NUM},
    {"records", 0, A_RECORDS, T_NUM},
    {"wp_index", 0, A_WP_INDEX, T_NUM},
    {"wp_pid", 0, A_WP_PID, T_NUM},
    {"wp_rank", 0, A_WP_RANK, T_NUM},
    {"id", 0, A_ID, T_NUM},
    {"totalGlobalMem", 0, A_TOTAL_MEM, T_NUM},
    {"computeMajor", 0, A_CC_MAJOR, T_NUM},
    {"computeMinor", 0, A_CC_MINOR, T_NUM},
    {"numSms", 0, A_NUM_SMS, T_NUM},
    {"rank", 0, A_RANK, T_NUM},
    /* Kineto's "[memory]" instants (PyTorch's caching allocator): signed size, address, c10::DeviceType, ordinal. */
    {"Bytes", 0, A_ALLOC_BYTES, T_NUM},
    {"Addr", 0, A_ALLOC_ADDR, T_NUM},
    {"Device Type", 0, A_ALLOC_DEVICE_TYPE, T_NUM},
    {"Device Id", 0, A_ALLOC_DEVICE_ID, T_NUM},
    {"address", 0, A_ADDRESS, T_ADDR},
    {"label", 0, A_LABEL, T_STR},
    {"source", 0, A_SOURCE, T_STR},
    {"domain", 0, A_DOMAIN, T_STR},
    {"payload type", 0, A_PAYLOAD_TYPE, T_STR},
    {"wp_args", 0, A_WP_ARGS, T_STR},
    {"name", 0, A_NAME, T_STR},
    {"key", 0, A_KEY, T_STR},
    {"wp_host", 0, A_WP_HOST, T_STR},
    {"wp_label", 0, A_WP_LABEL, T_STR},
    {"payload", 0, A_PAYLOAD, T_RAW},
    {"grid", 0, 0, T_ARR3},
    {"block", 0, 1, T_ARR3},
};

#define NDEFS (sizeof(arg_defs) / sizeof(arg_defs[0]))
#define HASH_SLOTS 256

static int8_t hash_slots[HASH_SLOTS]; /* def index + 1, 0 empty */
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static unsigned key_hash(const char *k, size_t len)
{
    unsigned h = (unsigned)len * 131u + (unsigned char)k[0] * 31u;
    if (len > 1)
        h += (unsigned char)k[len - 1] * 7u + (unsigned char)k[len / 2];
    return h & (HASH_SLOTS - 1);
}

static void build_hash(void)
{
    for (size_t i = 0; i < NDEFS; i++) {
        arg_defs[i].len = (unsigned)strlen(arg_defs[i].key);
        unsigned h = key_hash(arg_defs[i].key, arg_defs[i].len);
        while (hash_slots[h])
            h = (h + 1) & (HASH_SLOTS - 1);
        hash_slots[h] = (int8_t)(i + 1);
    }
}

static const arg_def *find_arg(const wp_jstr *k)
{
    if (k->len == 0)
        return NULL;
    for (unsigned h = key_hash(k->p, k->len); hash_slots[h]; h = (h + 1) & (HASH_SLOTS - 1)) {
        const arg_def *d = &arg_defs[hash_slots[h] - 1];
        if (d->len == k->len && memcmp(d->key, k->p, k->len) == 0)
            return d;
    }
    return NULL;
}

/* Reports MORE when the failure is only the window's end. */
#define FAIL_AT(q)                                                                                                   \
    do {                                                                                                             \
        if ((q) >= end)                                                                                              \
            return WP_JS_MORE;                                                                                       \
        *bad = (q);                                                                                                  \
        return WP_JS_BAD;                                                                                            \
    } while (0)

static int parse_arr3(const char *p, const char *end, uint32_t out[3], const char **next, const char **bad)
{
    const char *start = p;
    if (*p != '[')
        return wp_js_skip(p, end, next, bad);
    p = wp_js_ws(p + 1);
    for (int i = 0; i < 3; i++) {
        uint64_t u;
        int is_int, over;
        if (wp_js_number(p, end, &u, &is_int, &over, &p, bad) != WP_JS_OK)
            return wp_js_skip(start, end, next, bad); /* not three plain numbers: not ours to read */
        out[i] = (uint32_t)u;
        p = wp_js_ws(p);
        if (*p != (i < 2 ? ',' : ']'))
            return wp_js_skip(start, end, next, bad);
        p = wp_js_ws(p + 1);
    }
    *next = p;
    return WP_JS_OK;
}

static int parse_num_arg(const char *p, const char *end, wp_chrome_raw *ev, int id, const char **next,
                         const char **bad)
{
    if (*p != '-' && (*p < '0' || *p > '9'))
        return wp_js_skip(p, end, next, bad); /* a string or null where we expect a number: ignore the key */
    uint64_t u;
    int is_int, over;
    int rc = wp_js_number(p, end, &u, &is_int, &over, next, bad);
    if (rc != WP_JS_OK)
        return rc;
    if (over)
        ev->bad_number = 1;
    ev->num[id] = u;
    ev->have |= WP_ARG_BIT(id);
    return WP_JS_OK;
}

static int parse_arg_value(const char *p, const char *end, wp_chrome_raw *ev, const arg_def *d, const char **next,
                           const char **bad)
{
    int rc;
    switch (d->type) {
    case T_NUM: return parse_num_arg(p, end, ev, d->id, next, bad);
    case T_ADDR:
        if (*p != '"')
            return parse_num_arg(p, end, ev, A_ADDRESS_NUM, next, bad);
        /* fall through */
    case T_STR:
        if (*p != '"')
            return wp_js_skip(p, end, next, bad);
        rc = wp_js_string(p, end, &WP_RAW_STR(ev, d->id), next);
        break;
    case T_ARR3:
        rc = parse_arr3(p, end, d->id ? ev->block : ev->grid, next, bad);
        if (rc == WP_JS_OK && *p == '[') {
            if (d->id)
                ev->has_block = 1;
            else
                ev->has_grid = 1;
        }
        return rc;
    case T_VALUE: /* memset value (a number) or metadata value (any JSON): keep the text, decode numbers too */
        if (*p == '-' || (*p >= '0' && *p <= '9')) {
            rc = parse_num_arg(p, end, ev, A_VALUE, next, bad);
            if (rc != WP_JS_OK)
                return rc;
        } else {
            rc = wp_js_skip(p, end, next, bad);
            if (rc != WP_JS_OK)
                return rc;
        }
        WP_RAW_STR(ev, d->id) = (wp_jstr){p, (uint32_t)(*next - p), 0};
        break;
    default: /* T_RAW */
        rc = wp_js_skip(p, end, next, bad);
        if (rc == WP_JS_OK)
            WP_RAW_STR(ev, d->id) = (wp_jstr){p, (uint32_t)(*next - p), 0};
        break;
    }
    if (rc == WP_JS_OK)
        ev->have |= WP_ARG_BIT(d->id);
    return rc;
}

/* Walks an object calling one of the two key handlers; shared by the event and its args. */
static int parse_args(const char *p, const char *end, wp_chrome_raw *ev, const char **next, const char **bad)
{
    if (*p != '{')
        return wp_js_skip(p, end, next, bad);
    p = wp_js_ws(p + 1);
    if (*p == '}') {
        *next = p + 1;
        return WP_JS_OK;
    }
    for (;;) {
        wp_jstr key;
        if (*p != '"')
            FAIL_AT(p);
        if (wp_js_string(p, end, &key, &p) != WP_JS_OK)
            return WP_JS_MORE;
        p = wp_js_ws(p);
        if (*p != ':')
            FAIL_AT(p);
        p = wp_js_ws(p + 1);
        const arg_def *d = find_arg(&key);
        int rc = d ? parse_arg_value(p, end, ev, d, &p, bad) : wp_js_skip(p, end, &p, bad);
        if (rc != WP_JS_OK)
            return rc;
        p = wp_js_ws(p);
        if (*p == '}') {
            *next = p + 1;
            return WP_JS_OK;
        }
        if (*p != ',')
            FAIL_AT(p);
        p = wp_js_ws(p + 1);
    }
}

static int parse_id(const char *p, const char *end, int64_t *v, uint8_t *is_num, const char **next, const char **bad)
{
    if (*p != '-' && (*p < '0' || *p > '9')) {
        *is_num = 0;
        return wp_js_skip(p, end, next, bad);
    }
    uint64_t u = 0;
    int is_int = 0, over = 0;
    int rc = wp_js_number(p, end, &u, &is_int, &over, next, bad);
    *v = (int64_t)u;
    *is_num = rc == WP_JS_OK && is_int && !over;
    return rc;
}

/* Kineto before torch 1.10 wrote the tid of X events as a string: a host thread as "25738", a GPU track as "stream 7"
 * (kernels, copies) or "stream 7 user" (the GPU spans of annotations, which carry no "stream" arg). The number in them
 * is the thread or the stream; any other string ("PyTorch Profiler") names no thread. */
static int parse_tid_string(const wp_jstr *s, int64_t *v)
{
    static const char stream_prefix[] = "stream ";
    const size_t plen = sizeof(stream_prefix) - 1;
    const char *p = s->p, *end = s->p + s->len;
    int prefixed = s->len > plen && memcmp(p, stream_prefix, plen) == 0;
    if (s->esc)
        return 0;
    if (prefixed)
        p += plen;
    int64_t n = 0;
    const char *digits = p;
    for (; p < end && *p >= '0' && *p <= '9' && p - digits < 18; p++)
        n = n * 10 + (*p - '0');
    if (p == digits || (p < end && !(prefixed && *p == ' ')))
        return 0;
    *v = n;
    return 1;
}

static int parse_tid(const char *p, const char *end, wp_chrome_raw *ev, const char **next, const char **bad)
{
    if (*p != '"')
        return parse_id(p, end, &ev->tid, &ev->tid_num, next, bad);
    wp_jstr s;
    int rc = wp_js_string(p, end, &s, next);
    if (rc == WP_JS_OK)
        ev->tid_num = (uint8_t)parse_tid_string(&s, &ev->tid);
    return rc;
}

static int parse_time(const char *p, const char *end, wp_chrome_raw *ev, int64_t *v, uint8_t *has, const char **next,
                      const char **bad)
{
    if (*p != '-' && (*p < '0' || *p > '9'))
        return wp_js_skip(p, end, next, bad);
    int rc = wp_js_us_to_ns(p, end, v, next, bad);
    if (rc == WP_JS_BAD) { /* out of range, or not a number at all? */
        uint64_t u;
        int is_int, over;
        rc = wp_js_number(p, end, &u, &is_int, &over, next, bad);
        ev->bad_number = rc == WP_JS_OK;
        return rc;
    }
    *has = rc == WP_JS_OK;
    return rc;
}

static int parse_key_value(const char *p, const char *end, const wp_jstr *key, wp_chrome_raw *ev, const char **next,
                           const char **bad)
{
    const char *k = key->p;
    switch (key->len) {
    case 2:
        if (k[0] == 'p' && k[1] == 'h') {
            wp_jstr s;
            if (*p != '"')
                return wp_js_skip(p, end, next, bad);
            int rc = wp_js_string(p, end, &s, next);
            if (rc == WP_JS_OK && s.len)
                ev->ph = s.p[0];
            return rc;
        }
        if (k[0] == 't' && k[1] == 's')
            return parse_time(p, end, ev, &ev->ts, &ev->has_ts, next, bad);
        break;
    case 3:
        if (memcmp(k, "cat", 3) == 0 && *p == '"')
            return wp_js_string(p, end, &ev->cat, next);
        if (memcmp(k, "pid", 3) == 0)
            return parse_id(p, end, &ev->pid, &ev->pid_num, next, bad);
        if (memcmp(k, "tid", 3) == 0)
            return parse_tid(p, end, ev, next, bad);
        if (memcmp(k, "dur", 3) == 0)
            return parse_time(p, end, ev, &ev->dur, &ev->has_dur, next, bad);
        break;
    case 4:
        if (memcmp(k, "name", 4) == 0 && *p == '"')
            return wp_js_string(p, end, &ev->name, next);
        if (memcmp(k, "args", 4) == 0)
            return parse_args(p, end, ev, next, bad);
        break;
    default: break;
    }
    return wp_js_skip(p, end, next, bad);
}

int wp_chrome_parse_event(const char *p, const char *end, wp_chrome_raw *ev, const char **next, const char **bad)
{
    pthread_once(&hash_once, build_hash);
    memset(ev, 0, offsetof(wp_chrome_raw, num)); /* num[] and str[] are only read where their have-bit is set */
    ev->has_grid = ev->has_block = ev->bad_number = 0;
    if (*p != '{')
        FAIL_AT(p);
    p = wp_js_ws(p + 1);
    if (*p == '}') {
        *next = p + 1;
        return WP_JS_OK;
    }
    for (;;) {
        wp_jstr key;
        if (*p != '"')
            FAIL_AT(p);
        if (wp_js_string(p, end, &key, &p) != WP_JS_OK)
            return WP_JS_MORE;
        p = wp_js_ws(p);
        if (*p != ':')
            FAIL_AT(p);
        p = wp_js_ws(p + 1);
        int rc = parse_key_value(p, end, &key, ev, &p, bad);
        if (rc != WP_JS_OK)
            return rc;
        p = wp_js_ws(p);
        if (*p == '}') {
            *next = p + 1;
            return WP_JS_OK;
        }
        if (*p != ',')
            FAIL_AT(p);
        p = wp_js_ws(p + 1);
    }
}
