/* trace_words.h: what `wanprof run --trace` and WANPROF_TRACE may ask the collector to record: one table of words,
 * read by the collector (what to enable) and by the CLI (the option checked before anything runs). */
#ifndef WP_TRACE_WORDS_H
#define WP_TRACE_WORDS_H

#define WP_TRACE_GPU (1u << 0)
#define WP_TRACE_API (1u << 1)
#define WP_TRACE_DRIVER (1u << 2)
#define WP_TRACE_NVTX (1u << 3)
#define WP_TRACE_MEMORY (1u << 4)
#define WP_TRACE_SYNC (1u << 5)
#define WP_TRACE_OVERHEAD (1u << 6)
#define WP_TRACE_MODULES (1u << 7) /* driver API module/library loads and links only (rare calls: cheap) */
#define WP_TRACE_DEFAULT "cuda,nvtx,memory,sync,overhead,modules"

/* Parses a comma-separated list of words (cuda, gpu, api, driver, modules, nvtx, memory, sync, overhead, all, none;
 * empty items ignored) into *bits (WP_TRACE_*). Returns 0, or -1 at the first unknown word. */
int wp_trace_parse(const char *text, unsigned *bits);
/* The words, comma-separated, for messages. */
const char *wp_trace_words(void);
/* The i-th word, for help and completion; NULL past the last. */
const char *wp_trace_word(int i);

#endif
