/* notes.h: a list of remarks in one fixed buffer ("a; b; c"), for the assumptions an analysis made. */
#ifndef WP_NOTES_H
#define WP_NOTES_H

#include <stddef.h>

/* Appends the formatted remark to buf (capacity n), after "; " when buf holds one already; a full buffer cuts it. */
void wp_note_add(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
