/* notes.c: see notes.h. */
#include "notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wp_note_add(char *buf, size_t n, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 3 >= n)
        return;
    if (used)
        used += (size_t)snprintf(buf + used, n - used, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}
