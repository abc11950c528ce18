/* loopfacts_impl.h: what loopfacts.c and loopfacts_sources.c share: where the weights and the recorded offload mode
 * come from. Each fills what it knows of f and leaves the rest; what it assumes goes into f->notes. */
#ifndef WP_LOOPFACTS_IMPL_H
#define WP_LOOPFACTS_IMPL_H

#include "loopfacts.h"

/* The runner's metadata ("meta config"): mode, blocks, forwards, ranks and, from runners that record it, what the
 * weights weigh. Returns 1 when the trace has it (expert_bytes stays 0 for an older runner's). */
int wp_loop_from_metadata(const char *json, wp_loop_facts *f);
/* The weights' sizes from a model config, as diffusers holds them (bf16; the modules it keeps in fp32 in fp32).
 * WP_OK, WP_ERR_NOMEM, or WP_ERR_FORMAT with diag naming the file. */
int wp_loop_from_model_config(const char *path, wp_loop_facts *f, wp_diag *diag);
/* The weights from the copies of rr's ordinary steps (indices ordinary[0..nord)) where nothing said them yet, and
 * with set_mode (no runner metadata) the recorded mode. */
void wp_loop_from_copies(const wp_rank_result *rr, const int *ordinary, int nord, int set_mode, wp_loop_facts *f);

#endif
