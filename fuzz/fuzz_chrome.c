/* fuzz_chrome.c: the Chrome trace reader (JSON and .json.gz, Kineto's and ours), through format detection.
 * Input: one flags byte, then the file. Flags: bit 0 time-ordered delivery (the external sort), bit 4 a process base
 * (merging), bits 1-2 how the rest becomes the file: 0 as is, 1 gzip-compressed here (so mutations act on the JSON
 * inside), 2 gzip-compressed and cut (salvage of a killed writer), 3 gzip-compressed with a second member appended. */
#include "fuzz_common.h"

#include <zlib.h>

/* gzip of data into a malloc'd buffer (*out_len bytes); NULL on failure. */
static unsigned char *gzip_bytes(const uint8_t *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    int how = (flags >> 1) & 3;
    char path[512];
    fuzz_path(path, sizeof(path), "chrome", how ? ".json.gz" : ".json");
    int ok;
    if (how == 0) {
        ok = fuzz_write_file(path, body, len) == 0;
    } else {
        size_t zlen = 0;
        unsigned char *z = gzip_bytes(body, len, &zlen);
        if (!z)
            return 0;
        if (how == 2 && zlen > 1)
            zlen = 1 + (size_t)(flags >> 5) * (zlen - 1) / 8; /* a cut in eight places, never past the end */
        if (how == 3) {
            unsigned char *z2 = realloc(z, 2 * zlen);
            if (!z2) {
                free(z);
                return 0;
            }
            z = z2;
            memcpy(z + zlen, z, zlen);
            zlen *= 2;
        }
        ok = fuzz_write_file(path, z, zlen) == 0;
        free(z);
    }
    if (ok)
        fuzz_read(path, flags);
    unlink(path);
    return 0;
}
