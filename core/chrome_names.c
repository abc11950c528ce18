/* chrome_names.c: see chrome_names.h. */
#include "chrome_names.h"

#include "event.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The memory kinds in copy and memset names ("Memcpy HtoD (Pageable -> Device)", "Memset (Device)"). CUPTI's
 * memoryKindString spellings come first: the writer prints the first name of a kind. ROCm's Kineto names the sides of
 * a copy "Host" and "Device" only (roctracer and rocprofiler-sdk know the direction, not the kind of host memory), so
 * "Host" is host memory of unknown kind: neither pageable nor pinned, and never device memory. Any other name
 * (CUPTI's "Unrecognized", ROCm's "?") reads as unknown too. */
static const struct mem_side {
    const char *name;
    uint8_t kind;
} mem_sides[] = {
    {"Pageable", WP_MEM_PAGEABLE},
    {"Pinned", WP_MEM_PINNED},
    {"Device", WP_MEM_DEVICE},
    {"Array", WP_MEM_ARRAY},
    {"Managed", WP_MEM_MANAGED},
    {"Device Static", WP_MEM_DEVICE_STATIC},
    {"Managed Static", WP_MEM_MANAGED_STATIC},
    {"Unknown", WP_MEM_UNKNOWN},
    {"Host", WP_MEM_UNKNOWN}, /* ROCm */
};
static const char *const copy_labels[] = {"Unknown", "HtoD", "DtoH", "HtoA", "AtoH", "AtoA",
                                          "AtoD",    "DtoA", "DtoD", "HtoH", "PtoP"};
static const char *const sync_labels[] = {"Unknown Sync", "Event Sync", "Stream Wait Event", "Stream Sync",
                                          "Context Sync"};
static const char *const source_names[] = {"nvtx", "user_annotation", "gpu_user_annotation", "cpu_op",
                                           "python_function", "other"};

const char *wp_chrome_mem_label(uint32_t k)
{
    for (size_t i = 0; i < COUNT(mem_sides); i++)
        if (mem_sides[i].kind == k)
            return mem_sides[i].name;
    return "Unknown";
}

const char *wp_chrome_copy_label(uint32_t k)
{
    return k < COUNT(copy_labels) ? copy_labels[k] : "Unknown";
}

void wp_chrome_memcpy_name(char *buf, size_t n, uint32_t copy_kind, uint32_t src_kind, uint32_t dst_kind)
{
    snprintf(buf, n, "Memcpy %s (%s -> %s)", wp_chrome_copy_label(copy_kind), wp_chrome_mem_label(src_kind),
             wp_chrome_mem_label(dst_kind));
}

const char *wp_chrome_sync_label(uint32_t k)
{
    return k < COUNT(sync_labels) ? sync_labels[k] : "Unknown Sync";
}

const char *wp_chrome_range_cat(uint32_t source)
{
    switch (source) {
    case WP_RANGE_GPU_USER_ANNOTATION: return "gpu_user_annotation";
    case WP_RANGE_CPU_OP: return "cpu_op";
    case WP_RANGE_PYTHON: return "python_function";
    default: return "user_annotation"; /* NVTX and others: what Kineto-reading tools look at for steps */
    }
}

static int find(const char *const *names, size_t count, const char *s, size_t len)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(names[i]) == len && strncasecmp(names[i], s, len) == 0)
            return (int)i;
    return -1;
}

int wp_chrome_mem_parse(const char *s, size_t len)
{
    for (size_t i = 0; i < COUNT(mem_sides); i++)
        if (strlen(mem_sides[i].name) == len && strncasecmp(mem_sides[i].name, s, len) == 0)
            return mem_sides[i].kind;
    return -1;
}

int wp_chrome_copy_parse(const char *s, size_t len)
{
    return find(copy_labels, COUNT(copy_labels), s, len);
}

int wp_chrome_sync_parse(const char *s, size_t len)
{
    return find(sync_labels, COUNT(sync_labels), s, len);
}

int wp_chrome_source_parse(const char *s, size_t len)
{
    return find(source_names, COUNT(source_names), s, len);
}

/* Splits "(A -> B)" at s into the two kinds. */
static int parse_kinds(const char *s, size_t len, uint8_t *src, uint8_t *dst)
{
    if (len < 2 || s[0] != '(' || s[len - 1] != ')')
        return 0;
    const char *arrow = memchr(s, '>', len);
    if (!arrow || arrow - s < 3 || arrow[-1] != '-' || arrow[-2] != ' ' || arrow + 2 > s + len - 1 || arrow[1] != ' ')
        return 0;
    int a = wp_chrome_mem_parse(s + 1, (size_t)(arrow - 2 - (s + 1)));
    int b = wp_chrome_mem_parse(arrow + 2, (size_t)(s + len - 1 - (arrow + 2)));
    *src = (uint8_t)(a < 0 ? WP_MEM_UNKNOWN : a);
    *dst = (uint8_t)(b < 0 ? WP_MEM_UNKNOWN : b);
    return 1;
}

int wp_chrome_parse_memcpy_name(const char *s, size_t len, uint8_t *copy_kind, uint8_t *src_kind, uint8_t *dst_kind)
{
    *copy_kind = WP_COPY_UNKNOWN;
    *src_kind = *dst_kind = WP_MEM_UNKNOWN;
    if (len < 7 || strncmp(s, "Memcpy ", 7) != 0)
        return 0;
    s += 7;
    len -= 7;
    const char *space = memchr(s, ' ', len);
    size_t klen = space ? (size_t)(space - s) : len;
    int k = wp_chrome_copy_parse(s, klen);
    *copy_kind = (uint8_t)(k < 0 ? WP_COPY_UNKNOWN : k);
    if (space)
        parse_kinds(space + 1, len - klen - 1, src_kind, dst_kind);
    return 1;
}

int wp_chrome_parse_memset_name(const char *s, size_t len, uint8_t *mem_kind)
{
    *mem_kind = WP_MEM_UNKNOWN;
    if (len < 9 || strncmp(s, "Memset (", 8) != 0 || s[len - 1] != ')')
        return 0;
    int k = wp_chrome_mem_parse(s + 8, len - 9);
    *mem_kind = (uint8_t)(k < 0 ? WP_MEM_UNKNOWN : k);
    return 1;
}
