/* gz_out.c: a write buffer in front of either fwrite or deflate. Text is collected in a 256 KB buffer so deflate is
 * called on large blocks (small deflate calls cost more than the compression itself). */
#include "gz_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define IN_BYTES (256u * 1024u)
#define OUT_BYTES (256u * 1024u)

struct wp_gz_out {
    FILE *f;
    int gzip;
    int failed;
    z_stream z;
    unsigned char in[IN_BYTES];
    size_t in_used;
    unsigned char out[OUT_BYTES];
    uint64_t total, unflushed;
};

wp_gz_out *wp_gz_out_open(const char *path, int gzip, int level)
{
    wp_gz_out *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->gzip = gzip;
    /* windowBits 15 + 16: a gzip header and trailer, so `gzip -dc` and Python's gzip read the file. */
    if (gzip && deflateInit2(&o->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(o);
        errno = ENOMEM;
        return NULL;
    }
    /* Never through a symbolic link: a temporary file (output_file.c) was created by us, and a link put in its
     * place meanwhile must not redirect the write. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    o->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!o->f) {
        if (fd >= 0)
            close(fd);
        int e = errno;
        if (gzip)
            deflateEnd(&o->z);
        free(o);
        errno = e;
        return NULL;
    }
    return o;
}

/* Runs deflate over the pending input with the given flush mode and writes what it produces. */
static int deflate_pending(wp_gz_out *o, int mode)
{
    o->z.next_in = o->in;
    o->z.avail_in = (uInt)o->in_used;
    for (;;) {
        o->z.next_out = o->out;
        o->z.avail_out = OUT_BYTES;
        int rc = deflate(&o->z, mode);
        if (rc == Z_STREAM_ERROR) {
            errno = EIO;
            return -1;
        }
        size_t produced = OUT_BYTES - o->z.avail_out;
        if (produced && fwrite(o->out, 1, produced, o->f) != produced)
            return -1;
        /* Done when deflate left output space unused (all input taken, flush marker written), or at stream end. */
        if (rc == Z_STREAM_END || (o->z.avail_in == 0 && o->z.avail_out != 0))
            break;
    }
    o->in_used = 0;
    return 0;
}

static int drain(wp_gz_out *o, int mode)
{
    if (o->failed)
        return -1;
    int rc;
    if (o->gzip) {
        rc = deflate_pending(o, mode);
    } else {
        rc = o->in_used && fwrite(o->in, 1, o->in_used, o->f) != o->in_used ? -1 : 0;
        o->in_used = 0;
    }
    if (rc != 0)
        o->failed = 1;
    return rc;
}

int wp_gz_out_write(wp_gz_out *o, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len) {
        if (o->in_used == IN_BYTES && drain(o, Z_NO_FLUSH) != 0)
            return -1;
        size_t n = IN_BYTES - o->in_used;
        if (n > len)
            n = len;
        memcpy(o->in + o->in_used, p, n);
        o->in_used += n;
        p += n;
        len -= n;
        o->total += n;
        o->unflushed += n;
    }
    return o->failed ? -1 : 0;
}

int wp_gz_out_flush(wp_gz_out *o)
{
    if (drain(o, Z_SYNC_FLUSH) != 0 || fflush(o->f) != 0) {
        o->failed = 1;
        return -1;
    }
    o->unflushed = 0;
    return 0;
}

int wp_gz_out_close(wp_gz_out *o)
{
    int rc = drain(o, Z_FINISH);
    int e = errno;
    if (o->gzip)
        deflateEnd(&o->z);
    if (fclose(o->f) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    free(o);
    errno = e;
    return rc;
}

uint64_t wp_gz_out_total(const wp_gz_out *o)
{
    return o->total;
}

uint64_t wp_gz_out_unflushed(const wp_gz_out *o)
{
    return o->unflushed;
}
