"""Kernels that PyTorch launches through the CUDA driver API: cuBLAS GEMMs (eager) and Triton's kernels
(torch.compile). Recorded by bench/gpu/driver_launches.sh under `wanprof run`."""
import torch

x = torch.randn(2048, 2048, device="cuda", dtype=torch.bfloat16)
for _ in range(5):
    y = x @ x
torch.cuda.synchronize()
print("eager: 5 GEMMs", float(y.float().abs().mean()))
try:
    f = torch.compile(lambda t: torch.relu(t.sin() * 2 + 1))
    for _ in range(5):
        z = f(x)
    torch.cuda.synchronize()
    print("compiled: 5 calls", float(z.float().mean()))
except Exception as e:  # no Triton or no compiler there: the eager part still counts
    print("compiled: not run:", type(e).__name__, str(e)[:200])
