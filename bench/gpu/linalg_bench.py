"""linalg_bench.py: PyTorch on the shapes bench/gpu/linalg_bench.c timed through wplinalg, then the comparison.

usage: python3 linalg_bench.py OURS.txt [MORE.txt...]   (linalg_bench's outputs from the same GPU, same run)
Linears: torch.nn.functional.linear in bf16 with a bf16 bias (torch needs one dtype; Wan's are bf16), and for the FFN
up-projection also the GELU(tanh) that diffusers applies after it as a second kernel. Attention: SDPA on
(1, heads, L, head_dim) views of token-major (1, L, heads, head_dim) tensors, as diffusers passes them; the default
backend is reported (torch._fused_sdp_choice), then flash and cuDNN are timed explicitly.
"""
import sys
import time

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel


def cuda_ms(fn, warm, iters):
    for _ in range(warm):
        fn()
    t0, t1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    t0.record()
    for _ in range(iters):
        fn()
    t1.record()
    torch.cuda.synchronize()
    return t0.elapsed_time(t1) / iters


def rand(*shape):
    return torch.rand(*shape, device="cuda", dtype=torch.bfloat16) * 2 - 1


def bench_linears(ours):
    rows = []
    for name, count, M, N, K, gelu, our_ms, _ in ours:
        x, W, b = rand(M, K), rand(N, K), rand(N) * 0.5
        lin_ms = cuda_ms(lambda: F.linear(x, W, b), 5, 30)
        full_ms = cuda_ms(lambda: F.gelu(F.linear(x, W, b), approximate="tanh"), 5, 30) if gelu else lin_ms
        rows.append((name, count, M, N, K, gelu, our_ms, lin_ms, full_ms))
        del x, W, b
    torch.cuda.empty_cache()
    print(f"{'linear':<12} {'count':>5} {'M':>6} {'N':>6} {'K':>6} {'ours ms':>9} {'ours TF/s':>9} "
          f"{'torch ms':>9} {'torch TF/s':>10} {'+gelu ms':>9} {'ours/torch':>10}")
    tot = {"flop": 0.0, "ours": 0.0, "lin": 0.0, "full": 0.0}
    for name, count, M, N, K, gelu, our_ms, lin_ms, full_ms in rows:
        flop = 2.0 * M * N * K
        tot["flop"] += count * flop
        tot["ours"] += count * our_ms
        tot["lin"] += count * lin_ms
        tot["full"] += count * full_ms
        print(f"{name:<12} {count:>5} {M:>6} {N:>6} {K:>6} {our_ms:>9.3f} {flop / our_ms / 1e9:>9.1f} "
              f"{lin_ms:>9.3f} {flop / lin_ms / 1e9:>10.1f} {full_ms if gelu else float('nan'):>9.3f} "
              f"{lin_ms / our_ms:>9.3f}x")
    f = tot["flop"]
    print(f"TOTAL block linears: ours {tot['ours']:.3f} ms = {f / tot['ours'] / 1e9:.1f} TFLOP/s; torch F.linear "
          f"{tot['lin']:.3f} ms = {f / tot['lin'] / 1e9:.1f} TFLOP/s (ours/torch throughput "
          f"{tot['lin'] / tot['ours']:.3f}x); torch with its separate GELU {tot['full']:.3f} ms "
          f"({tot['full'] / tot['ours']:.3f}x)")


def bench_attention(L, heads, hd, ours):
    """ours: [(label, ms)] of wp_attention_cudnn runs at this shape (may be empty)."""
    q, k, v = (rand(1, L, heads, hd).transpose(1, 2) for _ in range(3))
    flop = 4.0 * L * L * hd * heads
    try:
        names = {int(b): name for name, b in SDPBackend.__members__.items()}
        choice = names.get(int(torch._fused_sdp_choice(q, k, v)), "unknown")
    except Exception as e:  # private API: report, don't fail
        choice = f"unknown ({e})"
    print(f"attention {L}x{L}, {heads} heads, head_dim {hd}, bf16: torch default backend = {choice}")
    for label, our_ms in ours:
        print(f"  ours ({label}): {our_ms:.1f} ms = {flop / our_ms / 1e9:.1f} TFLOP/s")
    for backend in (SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION):
        try:
            with sdpa_kernel([backend]):
                ms = cuda_ms(lambda: F.scaled_dot_product_attention(q, k, v), 1, 2)
            vs = "; ".join(f"ours ({label})/torch throughput {ms / m:.3f}x" for label, m in ours)
            print(f"  torch {backend.name}: {ms:.1f} ms = {flop / ms / 1e9:.1f} TFLOP/s; {vs}")
        except RuntimeError as e:
            print(f"  torch {backend.name}: not run ({str(e).splitlines()[0]})")


def main():
    """argv: one linalg_bench output with the linears, then any with attention lines (label = file name)."""
    ours_lin, ours_attn = [], []
    for path in sys.argv[1:]:
        for line in open(path):
            f = line.split()
            if f and f[0] == "LINEAR" and path == sys.argv[1]:
                ours_lin.append((f[1], int(f[2]), int(f[3]), int(f[4]), int(f[5]), int(f[6]), float(f[7]),
                                 float(f[8])))
            elif f and f[0] == "ATTN":
                ours_attn.append((path.rsplit("/", 1)[-1], float(f[5])))
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()}")
    t0 = time.time()
    if ours_lin:
        bench_linears(ours_lin)
    bench_attention(75600, 10, 128, ours_attn)
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
