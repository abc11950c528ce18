/* buffers.c: the two CUPTI buffer callbacks. Both are short and never wait on I/O: a completed buffer is queued for the
 * writer thread, which converts and writes it off the application's path. When the writer falls behind (more than
 * WPC_MAX_QUEUED buffers out), new requests are refused: CUPTI then drops records and counts them, and the count ends
 * up in the output; memory stays bounded. */
#include "collector.h"

#include <cupti.h>
#include <stdlib.h>

void wpc_buffer_requested(uint8_t **buffer, size_t *size, size_t *max_records)
{
    *buffer = NULL;
    *size = 0;
    *max_records = 0;
    pthread_mutex_lock(&wpc.lock);
    int ok = wpc.queued < WPC_MAX_QUEUED;
    if (ok)
        wpc.queued++;
    else
        wpc.buffers_refused++;
    pthread_mutex_unlock(&wpc.lock);
    if (!ok)
        return;
    void *p = NULL;
    if (posix_memalign(&p, 8, wpc.cfg.buffer_bytes) != 0) {
        pthread_mutex_lock(&wpc.lock);
        wpc.queued--;
        wpc.buffers_refused++;
        pthread_mutex_unlock(&wpc.lock);
        return;
    }
    *buffer = p;
    *size = wpc.cfg.buffer_bytes;
}

void wpc_buffer_release(wpc_buffer *b)
{
    free(b->data);
    free(b);
    pthread_mutex_lock(&wpc.lock);
    wpc.queued--;
    pthread_mutex_unlock(&wpc.lock);
}

void wpc_buffer_completed(void *ctx, uint32_t stream, uint8_t *buffer, size_t size, size_t valid)
{
    (void)size;
    size_t dropped = 0;
    if (cuptiActivityGetNumDroppedRecords((CUcontext)ctx, stream, &dropped) != CUPTI_SUCCESS)
        dropped = 0;
    wpc_buffer *b = malloc(sizeof(*b));
    if (!b || !wpc.active || !wpc.writer_running || wpc.cfg.discard) {
        /* A forked child, CUPTI delivering after the final close (nothing may be written any more), or
         * WANPROF_DISCARD. */
        free(b);
        free(buffer);
        pthread_mutex_lock(&wpc.lock);
        wpc.queued--;
        pthread_mutex_unlock(&wpc.lock);
        return;
    }
    b->data = buffer;
    b->valid = valid;
    b->next = NULL;
    pthread_mutex_lock(&wpc.lock);
    wpc.dropped += dropped;
    if (wpc.queue_tail)
        wpc.queue_tail->next = b;
    else
        wpc.queue_head = b;
    wpc.queue_tail = b;
    pthread_mutex_unlock(&wpc.lock);
    wpc_writer_wake();
}

wpc_buffer *wpc_queue_take(void)
{
    pthread_mutex_lock(&wpc.lock);
    wpc_buffer *list = wpc.queue_head;
    wpc.queue_head = wpc.queue_tail = NULL;
    pthread_mutex_unlock(&wpc.lock);
    return list;
}
