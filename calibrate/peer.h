/* peer.h: GPU->GPU copies (cudaMemcpyPeer), the path a tensor takes between ranks outside NCCL. */
#ifndef WP_CAL_PEER_H
#define WP_CAL_PEER_H

#include "copies.h"

/* Bandwidth in GB/s of copies of `bytes` from src's device buffer to dst's: one untimed copy, then `repeats` timed
 * ones. *direct is set to whether peer access was enabled (NVLink or PCIe peer to peer) rather than the driver
 * staging through host memory. */
cal_spread cal_peer_bandwidth(cal_gpu *src, cal_gpu *dst, size_t bytes, int repeats, int *direct);

#endif
