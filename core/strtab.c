/* strtab.c: open-addressing hash index over strings stored in large arena blocks, so interning costs one hash and
 * usually one memcmp, and no per-string malloc. */
#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_BYTES (1u << 20)

typedef struct block {
    struct block *next;
    size_t used, cap;
    char data[];
} block;

struct wp_strtab {
    block *blocks;
    const char **strs; /* id -> string */
    uint32_t *lens;
    uint32_t count, strs_cap;
    uint32_t *slots; /* hash slot -> id + 1, 0 empty */
    uint32_t slot_mask;
    size_t bytes;
};

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a: short strings dominate, it is fast enough and simple */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static char *arena_copy(wp_strtab *t, const char *s, size_t len)
{
    block *b = t->blocks;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > BLOCK_BYTES ? len + 1 : BLOCK_BYTES;
        b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->next = t->blocks;
        b->used = 0;
        b->cap = cap;
        t->blocks = b;
        t->bytes += sizeof(*b) + cap;
    }
    char *dst = b->data + b->used;
    memcpy(dst, s, len);
    dst[len] = '\0';
    b->used += len + 1;
    return dst;
}

static int grow_slots(wp_strtab *t)
{
    uint32_t new_size = t->slot_mask ? (t->slot_mask + 1) * 2 : 1024;
    uint32_t *slots = calloc(new_size, sizeof(*slots));
    if (!slots)
        return -1;
    for (uint32_t id = 0; id < t->count; id++) {
        uint32_t i = (uint32_t)hash_bytes(t->strs[id], t->lens[id]) & (new_size - 1);
        while (slots[i])
            i = (i + 1) & (new_size - 1);
        slots[i] = id + 1;
    }
    t->bytes += (size_t)(new_size - (t->slot_mask ? t->slot_mask + 1 : 0)) * sizeof(*slots);
    free(t->slots);
    t->slots = slots;
    t->slot_mask = new_size - 1;
    return 0;
}

static int grow_ids(wp_strtab *t)
{
    uint32_t cap = t->strs_cap ? t->strs_cap * 2 : 1024;
    const char **strs = realloc((void *)t->strs, cap * sizeof(*strs));
    if (!strs)
        return -1;
    t->strs = strs;
    uint32_t *lens = realloc(t->lens, cap * sizeof(*lens));
    if (!lens)
        return -1;
    t->lens = lens;
    t->bytes += (size_t)(cap - t->strs_cap) * (sizeof(*strs) + sizeof(*lens));
    t->strs_cap = cap;
    return 0;
}

wp_strtab *wp_strtab_new(void)
{
    wp_strtab *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (wp_strtab_intern(t, "", 0) != 0) {
        wp_strtab_free(t);
        return NULL;
    }
    return t;
}

void wp_strtab_free(wp_strtab *t)
{
    if (!t)
        return;
    for (block *b = t->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free((void *)t->strs);
    free(t->lens);
    free(t->slots);
    free(t);
}

uint32_t wp_strtab_intern(wp_strtab *t, const char *s, size_t len)
{
    if (len > UINT32_MAX - 1)
        return UINT32_MAX;
    if ((uint64_t)(t->count + 1) * 2 > (uint64_t)t->slot_mask + 1 && grow_slots(t) != 0)
        return UINT32_MAX;
    uint32_t i = (uint32_t)hash_bytes(s, len) & t->slot_mask;
    for (; t->slots[i]; i = (i + 1) & t->slot_mask) {
        uint32_t id = t->slots[i] - 1;
        if (t->lens[id] == len && memcmp(t->strs[id], s, len) == 0)
            return id;
    }
    if (t->count == UINT32_MAX - 1 || (t->count == t->strs_cap && grow_ids(t) != 0))
        return UINT32_MAX;
    char *copy = arena_copy(t, s, len);
    if (!copy)
        return UINT32_MAX;
    uint32_t id = t->count++;
    t->strs[id] = copy;
    t->lens[id] = (uint32_t)len;
    t->slots[i] = id + 1;
    return id;
}

uint32_t wp_strtab_intern_cstr(wp_strtab *t, const char *s)
{
    return wp_strtab_intern(t, s, strlen(s));
}

const char *wp_strtab_get(const wp_strtab *t, uint32_t id)
{
    return id < t->count ? t->strs[id] : "";
}

uint32_t wp_strtab_count(const wp_strtab *t)
{
    return t->count;
}

