"""The PyTorch side of block_bench.sh: diffusers' own WanTransformer3DModel (run from source, .ref/src), bf16 as
WanPipeline runs it, random weights, on the same shapes as block_bench.c; a block's time is t(2 layers) - t(1 layer).
usage: python3 block_bench.py DIFFUSERS_SRC C,F,H,W TEXT_TOKENS ITERS"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "tests", "reference", "runner"))
from make_reference import install_shim  # noqa: E402  (stubs import-time-only packages the GPU machine lacks)


def time_forward(torch, Model, layers, shape, text_tokens, iters):
    C, F, H, W = shape
    model = Model(num_layers=layers).to(device="cuda", dtype=torch.bfloat16).eval()
    # as from_pretrained(torch_dtype=bfloat16) leaves them: the _keep_in_fp32_modules back in fp32
    keep = set(Model._keep_in_fp32_modules)
    for name, module in model.named_modules():
        if keep & set(name.split(".")):
            module.float()
    for name, param in model.named_parameters():
        if keep & set(name.split(".")):
            param.data = param.data.float()
    x = torch.randn(1, C, F, H, W, device="cuda", dtype=torch.bfloat16)
    ctx = torch.randn(1, text_tokens, 4096, device="cuda", dtype=torch.bfloat16)
    t = torch.tensor([500], device="cuda")
    times = []
    with torch.no_grad():
        for i in range(iters + 2):
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            model(hidden_states=x, timestep=t, encoder_hidden_states=ctx, return_dict=False)
            b.record()
            b.synchronize()
            if i >= 2:
                times.append(a.elapsed_time(b))
    del model
    torch.cuda.empty_cache()
    return sorted(times)[len(times) // 2]


def main():
    src, shape_s, text_tokens, iters = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    shape = [int(v) for v in shape_s.split(",")]
    install_shim([])
    import torch
    sys.path.insert(0, os.path.abspath(src))
    from diffusers.models.transformers.transformer_wan import WanTransformer3DModel

    t1 = time_forward(torch, WanTransformer3DModel, 1, shape, text_tokens, iters)
    t2 = time_forward(torch, WanTransformer3DModel, 2, shape, text_tokens, iters)
    tokens = shape[1] * (shape[2] // 2) * (shape[3] // 2)
    print(f"impl=diffusers torch={torch.__version__} tokens={tokens} layers1_ms={t1:.3f} layers2_ms={t2:.3f} "
          f"block_ms={t2 - t1:.3f}")


if __name__ == "__main__":
    main()
