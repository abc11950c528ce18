/* outname.c: expansion of %p %h %r %q{VAR} %% in output names (see outname.h). */
#include "outname.h"

#include "rank_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int wp_outname_rank(void)
{
    int r = wp_env_get(WP_ENV_RANK, NULL);
    return r >= 0 ? r : -1;
}

/* Appends s (sanitised: '/' -> '_') at *pos; returns -1 when it does not fit. */
static int put_value(char *out, size_t n, size_t *pos, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (*pos + 1 >= n)
            return -1;
        out[(*pos)++] = s[i] == '/' ? '_' : s[i];
    }
    out[*pos] = '\0';
    return 0;
}

static int fail(char *out, size_t n, const char *msg, const char *tmpl)
{
    snprintf(out, n, "%s in output name '%s'", msg, tmpl);
    return -1;
}

int wp_outname_expand(const char *tmpl, long pid, char *out, size_t n)
{
    size_t pos = 0;
    char buf[256];
    if (n == 0)
        return -1;
    out[0] = '\0';
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%') {
            if (pos + 1 >= n)
                return fail(out, n, "too long", tmpl);
            out[pos++] = *p;
            out[pos] = '\0';
            continue;
        }
        const char *val = buf;
        size_t len;
        switch (*++p) {
        case '%': val = "%"; len = 1; break;
        case 'p': len = (size_t)snprintf(buf, sizeof(buf), "%ld", pid); break;
        case 'h':
            if (gethostname(buf, sizeof(buf)) != 0)
                snprintf(buf, sizeof(buf), "unknown-host");
            buf[sizeof(buf) - 1] = '\0';
            len = strlen(buf);
            break;
        case 'r': {
            int r = wp_outname_rank();
            len = r < 0 ? 0 : (size_t)snprintf(buf, sizeof(buf), "%d", r);
            break;
        }
        case 'q': {
            const char *close = p[1] == '{' ? strchr(p + 2, '}') : NULL;
            if (!close || close - (p + 2) >= (long)sizeof(buf) || close == p + 2)
                return fail(out, n, "bad %q{VAR}", tmpl);
            memcpy(buf, p + 2, (size_t)(close - (p + 2)));
            buf[close - (p + 2)] = '\0';
            val = getenv(buf);
            if (!val)
                val = "";
            len = strlen(val);
            p = close;
            break;
        }
        default:
            return fail(out, n, "unknown placeholder (use %p %h %r %q{VAR} %%)", tmpl);
        }
        if (put_value(out, n, &pos, val, len) != 0)
            return fail(out, n, "too long", tmpl);
    }
    return 0;
}

int wp_outname_has_rank_placeholder(const char *tmpl)
{
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == 'r' || *p == 'p' || *p == 'q')
            return 1;
        if (*p == '\0')
            break;
    }
    return 0;
}
