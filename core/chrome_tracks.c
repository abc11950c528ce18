/* chrome_tracks.c: open-addressing map from (pid, tid) to wp_track. */
#include "chrome_tracks.h"

#include <stdlib.h>
#include <string.h>

void wp_tracks_free(wp_tracks *t)
{
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static uint32_t slot_of(uint64_t key, uint32_t mask)
{
    key *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(key >> 32) & mask;
}

static int grow(wp_tracks *t)
{
    uint32_t size = t->mask ? (t->mask + 1) * 2 : 64;
    wp_track *slots = calloc(size, sizeof(*slots));
    if (!slots)
        return -1;
    for (uint32_t i = 0; t->mask && i <= t->mask; i++) {
        if (!t->slots[i].key)
            continue;
        uint32_t j = slot_of(t->slots[i].key, size - 1);
        while (slots[j].key)
            j = (j + 1) & (size - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->mask = size - 1;
    return 0;
}

wp_track *wp_tracks_get(wp_tracks *t, int64_t pid, uint32_t tid, int *is_new)
{
    uint64_t key = (((uint64_t)pid << 32) | tid) + 1;
    *is_new = 0;
    if ((t->used + 1) * 2 > (t->mask ? t->mask + 1 : 0) && grow(t) != 0)
        return NULL;
    uint32_t i = slot_of(key, t->mask);
    for (; t->slots[i].key; i = (i + 1) & t->mask)
        if (t->slots[i].key == key)
            return &t->slots[i];
    t->slots[i].key = key;
    t->slots[i].last_start = INT64_MIN;
    t->used++;
    *is_new = 1;
    return &t->slots[i];
}

int wp_track_place(wp_track *k, int64_t start, int64_t end)
{
    if (start < k->last_start)
        k->depth = 0;
    k->last_start = start;
    while (k->depth && k->ends[k->depth - 1] <= start)
        k->depth--;
    if (k->depth && end > k->ends[k->depth - 1])
        return 0;
    if (k->depth < WP_TRACK_DEPTH)
        k->ends[k->depth++] = end;
    return 1;
}
