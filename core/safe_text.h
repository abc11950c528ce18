/* safe_text.h: text from a trace made safe to show. Kernel, NVTX, device and process names are the profiled
 * program's bytes: printed raw, an ESC, BEL or CR in one can retitle the terminal, recolour it or forge a line, and a
 * name cut in the middle of a UTF-8 character breaks every JSON or XML reader downstream. Every place that shows a
 * name (text on a terminal, SVG/HTML markup) or cuts one goes through these functions; JSON strings go through
 * json_emit.h, which shares the UTF-8 check below. */
#ifndef WP_SAFE_TEXT_H
#define WP_SAFE_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Length of the valid UTF-8 character at s (at most n bytes, n > 0): 1 for ASCII, 2 to 4 for a longer one, 0 when
 * the bytes there are not valid UTF-8 (overlong forms, surrogates and code points past U+10FFFF are invalid, as in
 * RFC 3629). */
size_t wp_utf8_char_len(const char *s, size_t n);

/* The length of the longest prefix of s that is at most max bytes and does not end inside a valid UTF-8 character
 * (an invalid byte counts as a character of its own): `printf("%.*s", wp_utf8_cut(s, 40), s)` cuts a name on a
 * character boundary where `%.40s` could split one. s may be NULL (0). */
int wp_utf8_cut(const char *s, size_t max);

/* Writes s to out for a person to read: printable ASCII and valid UTF-8 as they are, every control character (C0,
 * DEL, and C1 written as UTF-8), the bidirectional formatting characters and every byte that is not valid UTF-8 as
 * \xNN, so nothing in s can move the cursor, end the line, reorder it or talk to the terminal. The backslash itself
 * is not escaped: this is for reading, not for parsing back (--json keeps the exact bytes). s may be NULL (writes
 * nothing). */
void wp_text_put(FILE *out, const char *s);

/* Writes s as XML/HTML character data (element content, not an attribute value): & < > as entities, tab and
 * newline as they are, everything else as wp_text_put writes it (so a name reads the same in a report as on the
 * terminal, and an SVG or HTML file stays well-formed: XML 1.0 cannot hold most control characters at all). s may be
 * NULL. */
void wp_markup_put(FILE *out, const char *s);

#endif
