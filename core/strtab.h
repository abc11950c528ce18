/* strtab.h: interned strings. Events carry 32-bit ids; id 0 is the empty string. A table only grows: ids stay valid
 * until wp_strtab_free. Not thread-safe: one table per thread, or a lock around it. */
#ifndef WP_STRTAB_H
#define WP_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct wp_strtab wp_strtab;

wp_strtab *wp_strtab_new(void);
void wp_strtab_free(wp_strtab *t);
/* Returns the id of the string (len bytes, need not be NUL-terminated), adding it if new; UINT32_MAX when out of
 * memory. The empty string is always id 0. */
uint32_t wp_strtab_intern(wp_strtab *t, const char *s, size_t len);
/* NUL-terminated convenience form of wp_strtab_intern. */
uint32_t wp_strtab_intern_cstr(wp_strtab *t, const char *s);
/* The string for an id, or "" for an id the table does not hold. Valid until wp_strtab_free. */
const char *wp_strtab_get(const wp_strtab *t, uint32_t id);
/* Number of ids in use (including id 0). */
uint32_t wp_strtab_count(const wp_strtab *t);

#endif
