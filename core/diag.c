/* diag.c: error and warning messages for library code. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

int wp_diag_error(wp_diag *d, int code, const char *fmt, ...)
{
    if (d) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->error, sizeof(d->error), fmt, ap);
        va_end(ap);
    }
    return code;
}

void wp_diag_warn(wp_diag *d, const char *fmt, ...)
{
    if (!d)
        return;
    d->warnings++;
    if (!d->warn)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    d->warn(d->warn_ctx, msg);
}

const char *wp_err_name(int code)
{
    switch (code) {
    case WP_OK: return "ok";
    case WP_ERR_IO: return "I/O error";
    case WP_ERR_FORMAT: return "bad input";
    case WP_ERR_NOMEM: return "out of memory";
    case WP_ERR_USAGE: return "bad argument";
    case WP_ERR_EXISTS: return "output exists";
    case WP_ERR_STOPPED: return "stopped";
    default: return "error";
    }
}
