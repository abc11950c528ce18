/* peer.c: see peer.h. */
#include "peer.h"


#include "cuda_check.h"

/* Enables src's access to dst once; "already enabled" from an earlier pair is no error. */
static int enable_peer(int src, int dst)
{
    int can = 0;
    CUDA_CHECK(cudaDeviceCanAccessPeer(&can, src, dst));
    if (!can)
        return 0;
    CUDA_CHECK(cudaSetDevice(src));
    cudaError_t err = cudaDeviceEnablePeerAccess(dst, 0);
    if (err == cudaErrorPeerAccessAlreadyEnabled)
        cudaGetLastError(); /* clears it */
    else
        CUDA_CHECK(err);
    return 1;
}

cal_spread cal_peer_bandwidth(cal_gpu *src, cal_gpu *dst, size_t bytes, int repeats, int *direct)
{
    *direct = enable_peer(src->device, dst->device);
    CUDA_CHECK(cudaSetDevice(src->device));
    double samples[repeats];
    for (int r = -1; r < repeats; r++) { /* r = -1: untimed warm-up */
        double t0 = cal_now_s();
        CUDA_CHECK(cudaMemcpyPeerAsync(dst->peer_buf, dst->device, src->device_buf, src->device, bytes, src->stream));
        CUDA_CHECK(cudaStreamSynchronize(src->stream));
        if (r >= 0)
            samples[r] = (double)bytes / (cal_now_s() - t0) / 1e9;
    }
    return cal_spread_of(samples, repeats);
}
