/* outname.h: nsys-style placeholders in output names, shared by the collector (per-process files) and `wanprof run`
 * (the merged outputs): one rule for both. */
#ifndef WP_OUTNAME_H
#define WP_OUTNAME_H

#include <stddef.h>

/* The distributed rank (rank_env.h: RANK, OMPI_COMM_WORLD_RANK, SLURM_PROCID); -1 when none is set or the one set
 * is not a rank. */
int wp_outname_rank(void);

/* Expands tmpl into out (n bytes): %p the pid given, %h the host name, %r the rank (empty when there is none),
 * %q{VAR} the value of environment variable VAR (empty when unset), %% a percent sign. '/' inside expanded values
 * becomes '_' so a value never adds a directory. Returns 0, or -1 when the result does not fit or tmpl holds an unknown
 * placeholder or an unterminated %q{ (out then holds a message saying which). */
int wp_outname_expand(const char *tmpl, long pid, char *out, size_t n);

/* 1 when tmpl holds a placeholder that differs between the ranks of one job (%r, %p or %q{...}). */
int wp_outname_has_rank_placeholder(const char *tmpl);

#endif
