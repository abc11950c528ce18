/* fuzz_machine.c: wp_machine_parse on fuzzed JSON (a `wanprof calibrate` file or a machine description: what
 * `wanprof whatif --machine` and `wanprof report --machine` read from the user), then every copy figure a prediction
 * asks of a machine that parsed. A figure given must be a spread (0 < min <= median <= max, finite) for any size and
 * any number of GPUs sharing the host link; a kernel time scale from the compute curve, finite and > 0 for any busy
 * share. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

static void check(const wp_spread *s)
{
    if (!(isfinite(s->min) && isfinite(s->median) && isfinite(s->max) && s->min > 0 && s->min <= s->median &&
          s->median <= s->max))
        abort(); /* a prediction would carry a range that is not one */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    wp_machine m;
    wp_diag diag = {0};
    if (wp_machine_parse(text, "fuzz.json", &m, &diag) == 0) {
        static const uint64_t sizes[] = {1, 4096, 1u << 20, 83u << 20, (uint64_t)1 << 40};
        char note[600];
        for (int dir = 0; dir < 2; dir++)
            for (int kind = 0; kind < 3; kind++)
                for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
                    for (int sharing = 1; sharing <= 8; sharing *= 2) {
                        wp_spread bw, s;
                        if (wp_machine_bandwidth(&m, dir, kind, sizes[i], sharing, &bw, note, sizeof(note)) == 0)
                            check(&bw);
                        if (wp_machine_copy_seconds(&m, dir, kind, sizes[i], 40, sharing, &s, note, sizeof(note)) ==
                            0)
                            check(&s);
                    }
        static const double busy[] = {0, 0.01, 0.3, 0.5, 0.74, 1, 1.7};
        for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
            for (size_t j = 0; j < sizeof(busy) / sizeof(busy[0]); j++)
                for (int line = WP_CURVE_MEDIAN; line <= WP_CURVE_SLOWEST; line++) {
                    double k = wp_machine_kernel_scale(&m, busy[i], busy[j], line);
                    if (!(isfinite(k) && k > 0))
                        abort(); /* kernel times scaled to nothing, or to infinity */
                }
    }
    free(text);
    return 0;
}
