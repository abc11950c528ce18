#include "trace_words.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned bits;
} words[] = {
    {"cuda", WP_TRACE_GPU | WP_TRACE_API}, {"gpu", WP_TRACE_GPU}, {"api", WP_TRACE_API}, {"driver", WP_TRACE_DRIVER},
    {"modules", WP_TRACE_MODULES}, {"nvtx", WP_TRACE_NVTX}, {"memory", WP_TRACE_MEMORY}, {"sync", WP_TRACE_SYNC},
    {"overhead", WP_TRACE_OVERHEAD}, {"all", 0xff}, {"none", 0},
};

const char *wp_trace_word(int i)
{
    return i >= 0 && i < (int)(sizeof(words) / sizeof(words[0])) ? words[i].name : NULL;
}

const char *wp_trace_words(void)
{
    static char list[128];
    if (!list[0])
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
            if (i)
                strcat(list, ",");
            strcat(list, words[i].name);
        }
    return list;
}

int wp_trace_parse(const char *text, unsigned *bits)
{
    *bits = 0;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, ","), i;
        for (i = 0; len && i < sizeof(words) / sizeof(words[0]); i++)
            if (strlen(words[i].name) == len && strncmp(words[i].name, p, len) == 0)
                break;
        if (len && i == sizeof(words) / sizeof(words[0]))
            return -1;
        if (len)
            *bits |= words[i].bits;
        p += len + (p[len] == ',');
    }
    return 0;
}
