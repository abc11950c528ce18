/* chrome_names.h: the Kineto spellings of the model's enumerations ("Memcpy HtoD (Pageable -> Device)", "Memset
 * (Device)", "Stream Sync", categories), shared by the Chrome writer and reader, and by the collector, which names
 * copies the way Kineto does. */
#ifndef WP_CHROME_NAMES_H
#define WP_CHROME_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* "Pageable", "Pinned", "Device", ..., "Unknown" (CUPTI's memoryKindString, which Kineto prints on CUDA). */
const char *wp_chrome_mem_label(uint32_t mem_kind);
/* "HtoD", ..., "PtoP"; "Unknown" for WP_COPY_UNKNOWN. */
const char *wp_chrome_copy_label(uint32_t copy_kind);
/* "Event Sync", "Stream Wait Event", "Stream Sync", "Context Sync", "Unknown Sync". */
const char *wp_chrome_sync_label(uint32_t sync_type);
/* Kineto category of a range source: user_annotation, gpu_user_annotation, cpu_op, python_function. */
const char *wp_chrome_range_cat(uint32_t source);

/* Writes "Memcpy HtoD (Pageable -> Device)" for a copy (WP_COPY_*, WP_MEM_* kinds) into buf. */
void wp_chrome_memcpy_name(char *buf, size_t n, uint32_t copy_kind, uint32_t src_kind, uint32_t dst_kind);

/* Parsers over (s, len), case-insensitive; -1 when unknown. wp_chrome_mem_parse also takes ROCm's "Host" (a host
 * buffer of unknown kind: WP_MEM_UNKNOWN). */
int wp_chrome_mem_parse(const char *s, size_t len);
int wp_chrome_copy_parse(const char *s, size_t len);
int wp_chrome_sync_parse(const char *s, size_t len);
int wp_chrome_source_parse(const char *s, size_t len); /* the spellings of wp_chrome_range_cat, and "nvtx" */

/* Parses "Memcpy HtoD (Pageable -> Device)" (also without the parenthesis); 0 when the name is not of that form. */
int wp_chrome_parse_memcpy_name(const char *s, size_t len, uint8_t *copy_kind, uint8_t *src_kind, uint8_t *dst_kind);
/* Parses "Memset (Device)"; 0 when not of that form. */
int wp_chrome_parse_memset_name(const char *s, size_t len, uint8_t *mem_kind);

#endif
