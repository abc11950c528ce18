/* gz_in.c: a producer thread and a ring of NCHUNK fixed-size chunks. The producer fills a free chunk (read() or
 * inflate) and publishes it; the consumer hands back the previous chunk when it takes the next. Memory is fixed:
 * NCHUNK * CHUNK_BYTES plus zlib's window, whatever the file size. */
#include "gz_in.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define NCHUNK 4
#define CHUNK_BYTES (1u << 20)
#define IN_BYTES (256u * 1024u)

typedef struct chunk {
    char *data;
    size_t len;
} chunk;

struct wp_gz_in {
    int fd;
    int gzip;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    chunk ring[NCHUNK];
    unsigned head, tail; /* chunks [tail, head) are full; the consumer holds tail - 1 while it reads it */
    int holding;         /* the consumer still holds chunk tail - 1 */
    int done, stop;
    wp_gz_status status;
    char detail[160];
    /* producer-only state */
    z_stream z;
    unsigned char lead[WP_GZ_HEAD_MAX]; /* bytes read before the hand-over, delivered before the descriptor's */
    size_t lead_len, lead_used;
    unsigned char in[IN_BYTES];
    uint64_t compressed_in;
};

static ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* The next bytes of the input: what is left of lead, then the descriptor. */
static ssize_t read_input(wp_gz_in *in, void *buf, size_t len)
{
    size_t from_lead = in->lead_len - in->lead_used;
    if (from_lead > len)
        from_lead = len;
    memcpy(buf, in->lead + in->lead_used, from_lead);
    in->lead_used += from_lead;
    ssize_t n = read_full(in->fd, (char *)buf + from_lead, len - from_lead);
    return n < 0 ? n : (ssize_t)from_lead + n;
}

/* Fills c from a plain file. Returns 1 at the end of input, 0 otherwise. */
static int fill_plain(wp_gz_in *in, chunk *c)
{
    ssize_t n = read_input(in, c->data, CHUNK_BYTES);
    if (n < 0) {
        in->status = WP_GZ_IOERR;
        snprintf(in->detail, sizeof(in->detail), "read failed: %s", strerror(errno));
        c->len = 0;
        return 1;
    }
    c->len = (size_t)n;
    return n == 0;
}

static int gz_fail(wp_gz_in *in, wp_gz_status st, const char *what)
{
    in->status = st;
    snprintf(in->detail, sizeof(in->detail), "%s after %llu compressed bytes", what,
             (unsigned long long)(in->compressed_in - in->z.avail_in));
    return 1;
}

/* Fills c by inflating. Returns 1 at the end of input (or on an error, recorded in status), 0 otherwise. */
static int fill_gzip(wp_gz_in *in, chunk *c)
{
    in->z.next_out = (unsigned char *)c->data;
    in->z.avail_out = CHUNK_BYTES;
    int end = 0;
    while (in->z.avail_out && !end) {
        if (in->z.avail_in == 0) {
            ssize_t n = read_input(in, in->in, IN_BYTES);
            if (n < 0) {
                end = gz_fail(in, WP_GZ_IOERR, "read failed");
                break;
            }
            if (n == 0) { /* input over before the stream's end marker */
                end = gz_fail(in, WP_GZ_TRUNCATED, "gzip stream cut short");
                break;
            }
            in->z.next_in = in->in;
            in->z.avail_in = (uInt)n;
            in->compressed_in += (uint64_t)n;
        }
        int rc = inflate(&in->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            /* Another gzip member may follow (concatenated files); anything else ends the input. */
            if (in->z.avail_in == 0) {
                ssize_t n = read_input(in, in->in, IN_BYTES);
                in->z.next_in = in->in;
                in->z.avail_in = n > 0 ? (uInt)n : 0;
                in->compressed_in += n > 0 ? (uint64_t)n : 0;
            }
            if (in->z.avail_in >= 2 && in->z.next_in[0] == 0x1f && in->z.next_in[1] == 0x8b)
                inflateReset(&in->z);
            else
                end = 1;
        } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
            end = gz_fail(in, WP_GZ_CORRUPT, in->z.msg ? in->z.msg : "invalid compressed data");
        } else if (rc == Z_MEM_ERROR) {
            end = gz_fail(in, WP_GZ_IOERR, "out of memory in inflate");
        }
        /* Z_BUF_ERROR: no progress possible without more input; the loop reads more. */
    }
    c->len = CHUNK_BYTES - in->z.avail_out;
    return end;
}

static void *producer(void *arg)
{
    wp_gz_in *in = arg;
    for (;;) {
        pthread_mutex_lock(&in->lock);
        while (!in->stop && in->head - in->tail + (unsigned)in->holding >= NCHUNK)
            pthread_cond_wait(&in->cond, &in->lock);
        int stop = in->stop;
        chunk *c = &in->ring[in->head % NCHUNK];
        pthread_mutex_unlock(&in->lock);
        if (stop)
            break;
        int end = in->gzip ? fill_gzip(in, c) : fill_plain(in, c);
        pthread_mutex_lock(&in->lock);
        if (c->len)
            in->head++;
        in->done = end;
        pthread_cond_broadcast(&in->cond);
        pthread_mutex_unlock(&in->lock);
        if (end)
            break;
    }
    return NULL;
}

wp_gz_in *wp_gz_in_open(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    unsigned char magic[2];
    ssize_t n = read_full(fd, magic, sizeof(magic)); /* read, not pread: a FIFO cannot seek */
    if (n < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    return wp_gz_in_open_fd(fd, magic, (size_t)n);
}

wp_gz_in *wp_gz_in_open_fd(int fd, const void *head, size_t len)
{
    wp_gz_in *in = calloc(1, sizeof(*in));
    if (!in) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    in->fd = fd;
    in->lead_len = len < WP_GZ_HEAD_MAX ? len : WP_GZ_HEAD_MAX;
    memcpy(in->lead, head, in->lead_len);
    in->gzip = in->lead_len >= 2 && in->lead[0] == 0x1f && in->lead[1] == 0x8b;
    posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (in->gzip && inflateInit2(&in->z, 15 + 32) != Z_OK) /* 15 + 32: gzip or zlib header, detected */
        goto nomem;
    for (int i = 0; i < NCHUNK; i++)
        if (!(in->ring[i].data = malloc(CHUNK_BYTES)))
            goto nomem;
    pthread_mutex_init(&in->lock, NULL);
    pthread_cond_init(&in->cond, NULL);
    if (pthread_create(&in->thread, NULL, producer, in) != 0) {
        pthread_mutex_destroy(&in->lock);
        pthread_cond_destroy(&in->cond);
        goto nomem;
    }
    return in;
nomem:
    for (int i = 0; i < NCHUNK; i++)
        free(in->ring[i].data);
    if (in->gzip)
        inflateEnd(&in->z);
    close(in->fd);
    free(in);
    errno = ENOMEM;
    return NULL;
}

size_t wp_gz_in_next(wp_gz_in *in, const char **data)
{
    pthread_mutex_lock(&in->lock);
    if (in->holding) { /* give the previous chunk back */
        in->holding = 0;
        pthread_cond_broadcast(&in->cond);
    }
    while (in->tail == in->head && !in->done)
        pthread_cond_wait(&in->cond, &in->lock);
    size_t len = 0;
    if (in->tail != in->head) {
        chunk *c = &in->ring[in->tail % NCHUNK];
        *data = c->data;
        len = c->len;
        in->tail++;
        in->holding = 1;
    }
    pthread_mutex_unlock(&in->lock);
    return len;
}

wp_gz_status wp_gz_in_status(const wp_gz_in *in)
{
    return in->status;
}

const char *wp_gz_in_detail(const wp_gz_in *in)
{
    return in->detail;
}

int wp_gz_in_is_gzip(const wp_gz_in *in)
{
    return in->gzip;
}

void wp_gz_in_close(wp_gz_in *in)
{
    if (!in)
        return;
    pthread_mutex_lock(&in->lock);
    in->stop = 1;
    pthread_cond_broadcast(&in->cond);
    pthread_mutex_unlock(&in->lock);
    pthread_join(in->thread, NULL);
    pthread_mutex_destroy(&in->lock);
    pthread_cond_destroy(&in->cond);
    for (int i = 0; i < NCHUNK; i++)
        free(in->ring[i].data);
    if (in->gzip)
        inflateEnd(&in->z);
    close(in->fd);
    free(in);
}
