/* gz_in.h: the bytes of a file, inflated when it is gzip (told by its magic, concatenated members included), made
 * by a second thread so that inflating and parsing overlap. The consumer takes chunks in order; how the input ended
 * (cleanly, cut short, corrupt) is known once the last chunk has been taken. */
#ifndef WP_GZ_IN_H
#define WP_GZ_IN_H

#include <stddef.h>
#include <stdint.h>

typedef struct wp_gz_in wp_gz_in;

typedef enum wp_gz_status {
    WP_GZ_OK = 0,        /* the input ended where it should */
    WP_GZ_TRUNCATED = 1, /* a gzip stream ended before its end marker */
    WP_GZ_CORRUPT = 2,   /* inflate found invalid data (everything before it was delivered) */
    WP_GZ_IOERR = 3,     /* read() failed */
} wp_gz_status;

#define WP_GZ_HEAD_MAX 512 /* bytes of a stream that were read before it was handed over (wp_gz_in_open_fd) */

/* Opens path and starts the producer thread. NULL with errno set on failure. */
wp_gz_in *wp_gz_in_open(const char *path);
/* The same for an open descriptor (taken over: closed in all cases) whose first len bytes (at most WP_GZ_HEAD_MAX)
 * were already read into head, as format detection does with a pipe that cannot be read twice: they come first. */
wp_gz_in *wp_gz_in_open_fd(int fd, const void *head, size_t len);
/* The next chunk of bytes, valid until the next call; 0 at the end. */
size_t wp_gz_in_next(wp_gz_in *in, const char **data);
/* After the end: how it ended, a one-line detail ("" when OK), and the compressed bytes consumed. */
wp_gz_status wp_gz_in_status(const wp_gz_in *in);
const char *wp_gz_in_detail(const wp_gz_in *in);
int wp_gz_in_is_gzip(const wp_gz_in *in);
/* Stops the producer and frees everything (also before the end). */
void wp_gz_in_close(wp_gz_in *in);

#endif
