#!/usr/bin/env python3
"""gen.py: a small torch.compile'd denoising-style loop with one recompilation at a known step, for `wanprof run`.

16 steps, each an NVTX range "step N" (payload-free; explain reads N from the text) holding two forwards of the same
compiled module (a conditional and an unconditional one, as classifier-free guidance runs them) and a
torch.cuda.synchronize() at its end. The module: 6 blocks of LayerNorm -> Linear 2048->8192 -> GELU -> Linear
8192->2048 with a residual, bf16, on a (4096, 2048) input. At step RECOMPILE_AT (index 6, the 7th step) the input has
4160 rows instead of 4096 (a longer prompt, say): torch.compile(dynamic=False) guards on the shape, so that step
compiles a second graph; step 7 goes back to 4096 rows and reuses the first one. Step 0 compiles the first graph.

  wanprof run -o torch_compile -- python3 examples/torch_compile/gen.py
"""
import time

import torch
import torch.nn as nn

STEPS = 16
RECOMPILE_AT = 6
TOKENS, TOKENS_CHANGED, DIM, HIDDEN, BLOCKS = 4096, 4160, 2048, 8192, 6


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(DIM)
        self.up = nn.Linear(DIM, HIDDEN)
        self.down = nn.Linear(HIDDEN, DIM)

    def forward(self, x):
        return x + self.down(torch.nn.functional.gelu(self.up(self.norm(x)), approximate="tanh"))


def main():
    torch.manual_seed(0)
    model = nn.Sequential(*[Block() for _ in range(BLOCKS)]).to("cuda", torch.bfloat16).eval()
    compiled = torch.compile(model, dynamic=False)
    inputs = {n: torch.randn(n, DIM, device="cuda", dtype=torch.bfloat16) for n in (TOKENS, TOKENS_CHANGED)}
    torch.cuda.synchronize()
    with torch.no_grad():
        for step in range(STEPS):
            x = inputs[TOKENS_CHANGED if step == RECOMPILE_AT else TOKENS]
            t0 = time.perf_counter()
            torch.cuda.nvtx.range_push(f"step {step}")
            cond = compiled(x)
            uncond = compiled(x)
            out = uncond + 4.0 * (cond - uncond)
            torch.cuda.synchronize()
            torch.cuda.nvtx.range_pop()
            print(f"step {step}: {x.shape[0]} rows, {1e3 * (time.perf_counter() - t0):.1f} ms, "
                  f"|out| {out.float().norm().item():.1f}", flush=True)


if __name__ == "__main__":
    main()
