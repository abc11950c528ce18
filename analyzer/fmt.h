/* fmt.h: small formatting helpers shared by the analyzer's text outputs. */
#ifndef WP_FMT_H
#define WP_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"

/* "1st", "2nd", "3rd", "10th", "11th", "22nd" into buf; returns buf. */
const char *wp_ordinal(long n, char *buf, size_t len);
/* A duration with a unit chosen for it ("3.14 s", "19.3 ms", "850 us"); returns buf. */
const char *wp_fmt_seconds(double s, char *buf, size_t len);
/* Bytes with a decimal unit ("201 MB", "4.0 GB", "512 B"); returns buf. */
const char *wp_fmt_bytes(double b, char *buf, size_t len);
/* A copy size as a machine document gives it: in binary units when it is a whole number of them ("4 KiB", "256 MiB",
 * "1 GiB"), else as wp_fmt_bytes; returns buf. */
const char *wp_fmt_copy_size(uint64_t bytes, char *buf, size_t len);
/* A spread of seconds as "0.746 (0.739..0.752)", or "0.047" alone when min and max agree to 0.05 % of the median
 * (`wanprof whatif` and the report's what-if table); returns buf. */
const char *wp_fmt_spread(const wp_spread *s, char *buf, size_t len);

#endif
