/* chrome_parse.h: one traceEvents element parsed into the fields the reader uses, without allocating: strings are
 * spans into the input window (valid until the window moves), numbers are decoded, every other key is skipped.
 * Private to core/. */
#ifndef WP_CHROME_PARSE_H
#define WP_CHROME_PARSE_H

#include "json_scan.h"

/* The args keys we read (Kineto's and ours); A_COUNT is the size of the tables below. */
typedef enum wp_arg {
    A_DEVICE, A_STREAM, A_CORRELATION, A_TID, A_CBID, A_RETURN, A_BYTES, A_REGS, A_SHARED, A_STATIC_SHARED,
    A_DYNAMIC_SHARED, A_ASYNC, A_FROM_DEVICE, A_TO_DEVICE, A_VALUE, A_SYNC_TYPE, A_CUDA_EVENT, A_OP, A_MEM_KIND,
    A_COLOR, A_FLAGS, A_RECORDS, A_WP_INDEX, A_WP_PID, A_WP_RANK, A_ID, A_TOTAL_MEM, A_CC_MAJOR, A_CC_MINOR,
    A_NUM_SMS, A_RANK, A_ADDRESS_NUM, A_ALLOC_BYTES, A_ALLOC_ADDR, A_ALLOC_DEVICE_TYPE, A_ALLOC_DEVICE_ID,
    A_NUM_COUNT, /* numeric args above, string / raw args below */
    A_LABEL = A_NUM_COUNT, A_SOURCE, A_DOMAIN, A_PAYLOAD_TYPE, A_WP_ARGS, A_ADDRESS, A_NAME, A_KEY, A_WP_HOST,
    A_WP_LABEL, A_PAYLOAD, A_META_VALUE,
    A_COUNT
} wp_arg;

#define WP_ARG_BIT(a) ((uint64_t)1 << (a))

typedef struct wp_chrome_raw {
    char ph;          /* 'X', 'i', 'M', 's', 'f', ...; 0 when absent */
    uint8_t pid_num;  /* pid is a number (Kineto also writes strings such as "Spans") */
    uint8_t tid_num;  /* tid is a number, or a string with one (see parse_tid_string in chrome_parse.c) */
    uint8_t has_ts, has_dur;
    wp_jstr cat, name;
    int64_t pid, tid;
    int64_t ts, dur; /* ns */
    uint64_t have;   /* WP_ARG_BIT of each args key seen */
    uint64_t num[A_NUM_COUNT];
    wp_jstr str[A_COUNT - A_NUM_COUNT]; /* strings unquoted; A_PAYLOAD / A_META_VALUE: the raw value text */
    uint32_t grid[3], block[3];
    uint8_t has_grid, has_block;
    uint8_t bad_number; /* a number we need was out of range: the event is skipped, not the file */
} wp_chrome_raw;

#define WP_RAW_STR(r, a) ((r)->str[(a) - A_NUM_COUNT])

/* Parses the object at p (which must be '{'); on WP_JS_OK *next is just past its '}'. */
int wp_chrome_parse_event(const char *p, const char *end, wp_chrome_raw *ev, const char **next, const char **bad);

#endif
