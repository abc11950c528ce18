// attention_cudnn_absent.c: wp_attention_cudnn where the build found no cuDNN (linalg/CMakeLists.txt picks this file
// instead of attention_cudnn.c): the calls say so, and callers fall back to their own attention kernel.
#include "linalg_internal.h"

void wp_sdpa_free(struct wp_sdpa_state *s) { (void)s; }

int wp_attention_cudnn(wp_linalg *la, void *out, const void *q, const void *k, const void *v, int Lq, int Lk,
                       int heads, int head_dim, float scale, cudaStream_t stream) {
    (void)out, (void)q, (void)k, (void)v, (void)Lq, (void)Lk, (void)heads, (void)head_dim, (void)scale, (void)stream;
    return la ? wp_linalg_fail(la, "cuDNN attention: this build has no cuDNN (cudnn.h / libcudnn not found)") : -1;
}

int wp_attention_cudnn_available(wp_linalg *la) {
    (void)la;
    return 0;
}
