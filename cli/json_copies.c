/* json_copies.c: see json_copies.h. */
#include "json_copies.h"

void json_copy_table(json_out *j, const wp_copy_stat copy[WP_DIR_COUNT][WP_HMEM_COUNT])
{
    json_begin_array(j);
    for (int d = 0; d < WP_DIR_COUNT; d++)
        for (int m = 0; m < WP_HMEM_COUNT; m++) {
            const wp_copy_stat *c = &copy[d][m];
            if (!c->count)
                continue;
            json_begin_object(j);
            json_key_string(j, "direction", wp_dir_name(d));
            json_key_string(j, "host_memory", wp_hmem_name(m));
            json_key_int(j, "count", c->count);
            json_key_int(j, "bytes", (long long)c->bytes);
            json_key_double(j, "seconds", (double)c->ns * 1e-9);
            json_key_double(j, "bandwidth_gbps", c->ns ? (double)c->bytes / (double)c->ns : 0);
            json_end_object(j);
        }
    json_end_array(j);
}
