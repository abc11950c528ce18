/* err.c: the one-line error messages, the loader's notes and shapes as messages print them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model_impl.h"

int model_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void model_note(char *note, size_t notelen, const char *fmt, ...)
{
    size_t used = strnlen(note, notelen);
    if (used + 1 >= notelen)
        return;
    if (used) {
        snprintf(note + used, notelen - used, "; ");
        used = strnlen(note, notelen);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note + used, notelen - used, fmt, ap);
    va_end(ap);
}

void model_format_shape(char *out, size_t outlen, const int64_t *shape, int ndim)
{
    size_t used = (size_t)snprintf(out, outlen, "(");
    for (int i = 0; i < ndim && used < outlen; i++)
        used += (size_t)snprintf(out + used, outlen - used, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (used < outlen)
        snprintf(out + used, outlen - used, ")");
}
