/* chrome_tracks.h: the writer's per-track state: whether a track's name was announced yet, and a stack of the X events
 * open on it, used to send an event that would partially overlap its enclosing one to a sibling track (Perfetto drops
 * such events instead of drawing them). Private to core/. */
#ifndef WP_CHROME_TRACKS_H
#define WP_CHROME_TRACKS_H

#include <stdint.h>

#define WP_TRACK_DEPTH 48

typedef struct wp_track {
    uint64_t key; /* chrome pid << 32 | tid, + 1 (0 = empty slot) */
    int depth;
    int64_t last_start;
    int64_t ends[WP_TRACK_DEPTH];
} wp_track;

typedef struct wp_tracks {
    wp_track *slots;
    uint32_t mask, used;
} wp_tracks;

void wp_tracks_free(wp_tracks *t);
/* The state of track (pid, tid); *is_new is set to 1 the first time. NULL when out of memory. */
wp_track *wp_tracks_get(wp_tracks *t, int64_t pid, uint32_t tid, int *is_new);
/* Records an X event [start, end] on track k. Returns 1 when it nests (or follows) properly, 0 when it would partially
 * overlap an open event there (the caller then tries the sibling track). Events are expected in start order per
 * track; one that goes back in time clears the stack, as nothing can be said about it. */
int wp_track_place(wp_track *k, int64_t start, int64_t end);

#endif
