"""attention_bench.py: torch.nn.functional.scaled_dot_product_attention on the shapes of attention_bench.c, bf16,
in torch's preferred (1, heads, L, head_dim) layout. For each shape: the default choice (and which backend it ran, read
from the kernel names the profiler records), then each backend forced with sdpa_kernel (flash, efficient, cudnn).
Prints "torch-<backend> <shape> Lq Lk heads head_dim ms TFLOP/s", FLOPs = 4 Lq Lk head_dim heads; mean of the timed runs
after 2 warm-ups."""
import sys

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

SHAPES = [("self_full", 75600, 75600, 10, 128), ("cross", 75600, 512, 10, 128), ("self_8k", 8192, 8192, 10, 128),
          ("self_d64", 32768, 32768, 10, 64)]
BACKENDS = {"flash": SDPBackend.FLASH_ATTENTION, "efficient": SDPBackend.EFFICIENT_ATTENTION,
            "cudnn": SDPBackend.CUDNN_ATTENTION}


def time_ms(fn, iters):
    for _ in range(2):
        fn()
    t0, t1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    t0.record()
    for _ in range(iters):
        fn()
    t1.record()
    torch.cuda.synchronize()
    return t0.elapsed_time(t1) / iters


def default_backend_kernels(fn):
    """Names of the GPU kernels one default SDPA call runs (they say which backend torch picked)."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    return sorted({e.key for e in prof.key_averages() if e.device_type == torch.autograd.DeviceType.CUDA})


def main():
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}, flash_sdp_enabled={torch.backends.cuda.flash_sdp_enabled()}"
          f" mem_efficient_sdp_enabled={torch.backends.cuda.mem_efficient_sdp_enabled()}"
          f" cudnn_sdp_enabled={torch.backends.cuda.cudnn_sdp_enabled()}")
    g = torch.Generator(device="cuda").manual_seed(0)
    for name, lq, lk, heads, d in SHAPES:
        q = (torch.rand(1, heads, lq, d, device="cuda", generator=g) * 3.4 - 1.7).to(torch.bfloat16)
        k = (torch.rand(1, heads, lk, d, device="cuda", generator=g) * 3.4 - 1.7).to(torch.bfloat16)
        v = (torch.rand(1, heads, lk, d, device="cuda", generator=g) * 3.4 - 1.7).to(torch.bfloat16)
        flops = 4.0 * lq * lk * d * heads
        fn = lambda: F.scaled_dot_product_attention(q, k, v)
        kernels = [n for n in default_backend_kernels(fn) if "elementwise" not in n]
        print(f"# {name}: default SDPA ran: {'; '.join(n[:90] for n in kernels)}")
        runs = [("default", None)] + list(BACKENDS.items())
        for label, backend in runs:
            try:
                if backend is None:
                    ms = time_ms(fn, iters)
                else:
                    with sdpa_kernel(backend):
                        ms = time_ms(fn, iters)
                print(f"torch-{label:<9} {name:<10} {lq:6d} {lk:6d} {heads:5d} {d:8d} {ms:10.3f} {flops / ms / 1e9:9.1f}")
            except RuntimeError as e:
                print(f"torch-{label:<9} {name:<10} not available: {str(e).splitlines()[0][:120]}")
        del q, k, v
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
