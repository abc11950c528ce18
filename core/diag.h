/* diag.h: how library code reports problems without printing. A function that fails returns a wp_err and leaves a
 * one-line message in diag->error naming the file and what is wrong (with the byte offset for parse errors); warnings
 * (salvaged input, skipped records) go through diag->warn and are counted. Only the CLI layer prints. */
#ifndef WP_DIAG_H
#define WP_DIAG_H

#include <stdint.h>

typedef enum wp_err {
    WP_OK = 0,
    WP_ERR_IO = -1,      /* open/read/write failed, disk full */
    WP_ERR_FORMAT = -2,  /* input is not what it claims or is corrupt */
    WP_ERR_NOMEM = -3,
    WP_ERR_USAGE = -4,   /* bad argument */
    WP_ERR_EXISTS = -5,  /* output exists and overwriting was not allowed */
    WP_ERR_STOPPED = -6, /* a callback asked to stop */
} wp_err;

typedef struct wp_diag {
    char error[1024];                              /* the message for the last failure; "" when none */
    uint64_t warnings;                             /* how many warnings were raised */
    void (*warn)(void *ctx, const char *message);  /* optional: receives each warning (CLI prints it) */
    void *warn_ctx;
} wp_diag;

/* Formats the failure message and returns code, so callers can write `return wp_diag_error(d, WP_ERR_IO, ...)`.
 * d may be NULL. */
int wp_diag_error(wp_diag *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Counts a warning and hands the formatted message to d->warn. d may be NULL. */
void wp_diag_warn(wp_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "I/O error", "bad input", ...; never NULL. */
const char *wp_err_name(int code);

#endif
