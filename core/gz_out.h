/* gz_out.h: buffered output to a file, deflated (gzip container) or plain. Used by the Chrome trace writer; a sync
 * flush leaves a file that any gzip reader can decode up to the flush point, so a writer that dies keeps its prefix. */
#ifndef WP_GZ_OUT_H
#define WP_GZ_OUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct wp_gz_out wp_gz_out;

/* Creates path (truncating it; a symbolic link there is refused: ELOOP); gzip != 0 deflates at the given zlib level. NULL with errno set on failure. */
wp_gz_out *wp_gz_out_open(const char *path, int gzip, int level);
/* Appends len bytes. Returns 0, or -1 with errno set (the stream is then unusable). */
int wp_gz_out_write(wp_gz_out *o, const void *data, size_t len);
/* Makes everything written so far readable from the file (deflate Z_SYNC_FLUSH, then fflush). 0 or -1 (errno). */
int wp_gz_out_flush(wp_gz_out *o);
/* Finishes the stream (gzip trailer), closes the file and frees o, also on failure. 0 or -1 (errno). */
int wp_gz_out_close(wp_gz_out *o);
/* Uncompressed bytes written since open / since the last flush. */
uint64_t wp_gz_out_total(const wp_gz_out *o);
uint64_t wp_gz_out_unflushed(const wp_gz_out *o);

#endif
