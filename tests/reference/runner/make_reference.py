#!/usr/bin/env python3
"""make_reference.py: reference data for the wanprof runner, computed by diffusers itself (run from source).

What it makes (under --out; README.md beside this file says what each file holds):
  tiny/                 a diffusers-layout model folder: two WanTransformer3DModel experts with seeded random weights,
                        `transformer` saved sharded in fp32, `transformer_2` saved in bf16, the scheduler config and
                        model_index.json (boundary_ratio 0.875)
  inputs.safetensors    latents (1,16,3,16,24) and the prompt / negative-prompt embeddings (1,77,64)
  forward.safetensors   one forward of each expert at one timestep, in fp32 and in bf16
  loop.safetensors      the whole 8-step two-expert CFG + UniPC loop, as WanPipeline.__call__ runs it, in fp32 and bf16
  summary.txt           what was run, where, with which versions, and the norms of every output

Only two diffusers modules are used: diffusers.models.transformers.transformer_wan.WanTransformer3DModel and
diffusers.schedulers.scheduling_unipc_multistep.UniPCMultistepScheduler (the pipeline module cannot be imported: it
needs transformers' text encoder classes; its denoising loop is replicated below, line by line, with citations).

Import shim: packages that diffusers imports at import time but that these two modules never call (image I/O,
downloads, progress bars) are replaced by inert stub modules ONLY when they are missing from the machine; a stub
raises if anything calls it (except as a plain decorator, which it returns unchanged), so it cannot change a number.
The summary lists what was stubbed, if anything. Packages that the loading path really uses (torch, numpy,
safetensors, huggingface_hub for the shard split and the local-folder lookup, accelerate for low_cpu_mem_usage
loading, which _keep_in_fp32_modules requires) are never stubbed: the script stops if one is missing.

usage: python3 make_reference.py --diffusers-src DIR_CONTAINING_diffusers/ --out OUT_DIR [--commit SHA] [--hide PKGS]
       [--compare COMMITTED_DIR] [--sensitivity]
Needs a CUDA GPU (the reference is what diffusers computes on the GPU the runner is checked on).
"""
import argparse
import importlib
import importlib.machinery
import importlib.metadata
import json
import os
import shutil
import sys
import types

# ---------------------------------------------------------------------------------------------------------------
# The setup the reference is made with (schemas/wan-tiny.json describes the same model).
TINY_CONFIG = dict(
    patch_size=[1, 2, 2],
    num_attention_heads=2,
    attention_head_dim=64,
    in_channels=16,
    out_channels=16,
    text_dim=64,
    freq_dim=256,
    ffn_dim=256,
    num_layers=2,
    cross_attn_norm=True,
    qk_norm="rms_norm_across_heads",
    eps=1e-6,
    image_dim=None,
    added_kv_proj_dim=None,
    rope_max_seq_len=1024,
    pos_embed_seq_len=None,
)
# Wan2.2-T2V-A14B-Diffusers scheduler/scheduler_config.json (diffusers 0.35.0.dev0, the Wan2.2 release), with
# flow_shift 3.0 so that the expert switch falls mid-loop in 8 steps.
SCHEDULER_CONFIG = {
    "_class_name": "UniPCMultistepScheduler",
    "_diffusers_version": "0.35.0.dev0",
    "beta_end": 0.02,
    "beta_schedule": "linear",
    "beta_start": 0.0001,
    "disable_corrector": [],
    "dynamic_thresholding_ratio": 0.995,
    "final_sigmas_type": "zero",
    "flow_shift": 3.0,
    "lower_order_final": True,
    "num_train_timesteps": 1000,
    "predict_x0": True,
    "prediction_type": "flow_prediction",
    "rescale_betas_zero_snr": False,
    "sample_max_value": 1.0,
    "solver_order": 2,
    "solver_p": None,
    "solver_type": "bh2",
    "steps_offset": 0,
    "thresholding": False,
    "time_shift_type": "exponential",
    "timestep_spacing": "linspace",
    "trained_betas": None,
    "use_beta_sigmas": False,
    "use_dynamic_shifting": False,
    "use_exponential_sigmas": False,
    "use_flow_sigmas": True,
    "use_karras_sigmas": False,
}
BOUNDARY_RATIO = 0.875
GUIDANCE = 4.0  # guidance_scale: high-noise expert (transformer)
GUIDANCE_2 = 3.0  # guidance_scale_2: low-noise expert (transformer_2)
STEPS = 8
LATENT_SHAPE = (1, 16, 3, 16, 24)  # (B, C, F, H, W) -> 3 * 8 * 12 = 288 tokens
TEXT_LEN, TEXT_DIM = 77, 64
PROMPT_TOKENS, NEGATIVE_TOKENS = 21, 13  # rows past these are zero, as WanPipeline pads umT5's output
FORWARD_T = {"transformer": 900, "transformer_2": 500}
SEEDS = {"transformer": 1, "transformer_2": 2, "inputs": 3}
EXPERTS = ("transformer", "transformer_2")

# Packages that may be replaced by inert stubs when missing (import-time only for the two modules used here).
STUBBABLE = {
    "PIL": "image helpers (utils.pil_utils, loading_utils, export_utils, remote_utils, image_processor)",
    "requests": "downloads (utils.loading_utils, remote_utils, loaders.single_file_utils)",
    "tqdm": "progress bars (utils.logging); the loop below has none",
    "regex": "prompt cleaning in pipelines (not imported by the two modules, listed for safety)",
    "ftfy": "prompt cleaning in pipelines (not imported by the two modules, listed for safety)",
    "yaml": "single-file checkpoint configs (loaders.single_file_utils)",
}
# Version checks diffusers makes at import (dependency_versions_check.py) need the distribution metadata.
RUNTIME_CHECKED = ("requests", "filelock", "numpy")


class _Stub:
    """Stands for any attribute of a stubbed package: usable in annotations, as a base class or a decorator; raises
    when really called."""

    def __init__(self, name):
        self._stub_name = name

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return _Stub(f"{self._stub_name}.{attr}")

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]  # used as a bare decorator: leave the function as it is
        raise RuntimeError(f"make_reference: stub {self._stub_name} was called; the real package is needed")

    def __mro_entries__(self, bases):
        return (object,)

    def __or__(self, other):
        return self

    __ror__ = __or__

    def __repr__(self):
        return f"<stub {self._stub_name}>"


class _StubModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return _Stub(f"{self.__name__}.{attr}")


class _StubFinder:
    """Meta-path finder, last in line, that makes stub modules for the packages named in self.tops (and their
    submodules)."""

    def __init__(self):
        self.tops = set()

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in self.tops:
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        mod = _StubModule(spec.name)
        mod.__path__ = []
        mod.__version__ = "0.0.0"
        return mod

    def exec_module(self, module):
        pass


def install_shim(hide):
    """Stubs the STUBBABLE packages that are missing and hides the ones named in `hide`. Returns a description of
    what was done, one line each."""
    notes = []
    finder = _StubFinder()
    for name in hide:
        sys.modules[name] = None  # find_spec -> None: diffusers treats the package as not installed
        notes.append(f"hidden (treated as not installed): {name}")
    for name, why in STUBBABLE.items():
        if name in hide:
            continue
        try:
            importlib.import_module(name)
        except ImportError:
            finder.tops.add(name)
            notes.append(f"stubbed (missing here; used by diffusers only for {why}): {name}")
    if finder.tops:
        sys.meta_path.append(finder)
    missing_meta = []
    for dist in RUNTIME_CHECKED:
        try:
            importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            missing_meta.append(dist)
    if missing_meta:
        # diffusers/dependency_versions_check.py raises at import when a distribution's metadata is missing;
        # the check only compares versions, it computes nothing.
        mod = types.ModuleType("diffusers.dependency_versions_check")
        mod.dep_version_check = lambda pkg, hint=None: None
        sys.modules["diffusers.dependency_versions_check"] = mod
        notes.append(f"stubbed diffusers.dependency_versions_check (no metadata for: {', '.join(missing_meta)})")
    return notes


def environment_report():
    lines = [f"python {sys.version.split()[0]} at {sys.executable}"]
    for dist in ("torch", "numpy", "safetensors", "huggingface_hub", "accelerate", "transformers", "peft", "Pillow",
                 "regex", "requests", "filelock", "tqdm", "packaging", "typing_extensions", "scipy", "PyYAML",
                 "httpx", "ftfy"):
        try:
            lines.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(f"{dist} MISSING")
    return lines


# ---------------------------------------------------------------------------------------------------------------
def init_weights(torch, model, seed):
    """Seeded random weights scaled so that activations stay O(1) through the tiny model (the diffusers default init
    is left behind entirely): Linear/Conv weights N(0, 1/fan_in), biases N(0, 0.02^2), norm scales 1 + N(0, 0.1^2),
    scale_shift_table N(0,1)/sqrt(dim) as diffusers initialises it."""
    g = torch.Generator().manual_seed(seed)
    dim = model.config.num_attention_heads * model.config.attention_head_dim
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("scale_shift_table"):
                v = torch.randn(p.shape, generator=g) / dim**0.5
            elif p.ndim >= 2:
                v = torch.randn(p.shape, generator=g) / p[0].numel() ** 0.5
            elif name.endswith(".weight"):
                v = 1.0 + 0.1 * torch.randn(p.shape, generator=g)
            else:
                v = 0.02 * torch.randn(p.shape, generator=g)
            p.copy_(v.to(p.dtype))


def write_tiny(torch, WanTransformer3DModel, tiny, version):
    """Writes the model folder; returns {expert: state dict as saved (CPU tensors)}."""
    os.makedirs(os.path.join(tiny, "scheduler"), exist_ok=True)
    saved = {}
    for expert in EXPERTS:
        model = WanTransformer3DModel(**TINY_CONFIG)
        init_weights(torch, model, SEEDS[expert])
        target = os.path.join(tiny, expert)
        if expert == "transformer":
            total = sum(p.numel() * p.element_size() for p in model.parameters())
            model.save_pretrained(target, max_shard_size=int(total * 0.6))  # fp32, two shards + index
        else:
            model = model.to(torch.bfloat16)
            model.save_pretrained(target)  # bf16, one file
        saved[expert] = {k: v.detach().clone() for k, v in model.state_dict().items()}
    files = {e: sorted(os.listdir(os.path.join(tiny, e))) for e in EXPERTS}
    shards = [f for f in files["transformer"] if f.endswith(".safetensors")]
    assert len(shards) == 2 and "diffusion_pytorch_model.safetensors.index.json" in files["transformer"], files
    assert "diffusion_pytorch_model.safetensors" in files["transformer_2"], files
    with open(os.path.join(tiny, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(SCHEDULER_CONFIG, f, indent=2, sort_keys=True)
        f.write("\n")
    index = {
        "_class_name": "WanPipeline",
        "_diffusers_version": version,
        "boundary_ratio": BOUNDARY_RATIO,
        "expand_timesteps": False,
        "scheduler": ["diffusers", "UniPCMultistepScheduler"],
        "text_encoder": [None, None],
        "tokenizer": [None, None],
        "transformer": ["diffusers", "WanTransformer3DModel"],
        "transformer_2": ["diffusers", "WanTransformer3DModel"],
        "vae": [None, None],
    }
    with open(os.path.join(tiny, "model_index.json"), "w") as f:
        json.dump(index, f, indent=2, sort_keys=True)
        f.write("\n")
    return saved, files


def make_inputs(torch):
    g = torch.Generator().manual_seed(SEEDS["inputs"])
    latents = torch.randn(LATENT_SHAPE, generator=g, dtype=torch.float32)
    prompt = torch.randn((1, TEXT_LEN, TEXT_DIM), generator=g, dtype=torch.float32)
    negative = torch.randn((1, TEXT_LEN, TEXT_DIM), generator=g, dtype=torch.float32)
    prompt[:, PROMPT_TOKENS:] = 0
    negative[:, NEGATIVE_TOKENS:] = 0
    return {"latents": latents, "prompt_embeds": prompt, "negative_prompt_embeds": negative}


def load_experts(torch, WanTransformer3DModel, tiny, dtype, device):
    """As WanPipeline.from_pretrained(tiny, torch_dtype=dtype).to(device) loads each transformer."""
    return {e: WanTransformer3DModel.from_pretrained(os.path.join(tiny, e), torch_dtype=dtype).to(device)
            for e in EXPERTS}


def call_model(model, latent_model_input, timestep, embeds):
    """The call of pipeline_wan.py lines 614-621 (and 624-631 for the negative prompt)."""
    with model.cache_context("cond"):
        return model(hidden_states=latent_model_input, timestep=timestep, encoder_hidden_states=embeds,
                     attention_kwargs=None, return_dict=False)[0]


def run_loop(torch, Scheduler, tiny, models, inputs, device, keep_noise_pred):
    """WanPipeline.__call__ (src/diffusers/pipelines/wan/pipeline_wan.py at the recorded commit), the parts that act
    on the numbers, with prompt_embeds / negative_prompt_embeds / latents given and output_type="latent"."""
    out = {}
    scheduler = Scheduler.from_pretrained(tiny, subfolder="scheduler")
    transformer, transformer_2 = models["transformer"], models["transformer_2"]
    # 547-550: transformer_dtype = self.transformer.dtype; embeds cast to it
    transformer_dtype = transformer.dtype
    prompt_embeds = inputs["prompt_embeds"].to(device).to(transformer_dtype)
    negative_prompt_embeds = inputs["negative_prompt_embeds"].to(device).to(transformer_dtype)
    # 553-554
    scheduler.set_timesteps(STEPS, device=device)
    timesteps = scheduler.timesteps
    # 562-572 -> prepare_latents 337-338: latents.to(device=device, dtype=torch.float32)
    latents = inputs["latents"].to(device=device, dtype=torch.float32)
    # 582
    scheduler.set_begin_index(0)
    # 584-587
    boundary_timestep = BOUNDARY_RATIO * scheduler.config.num_train_timesteps
    experts_used = []
    for i, t in enumerate(timesteps):  # 590
        # 596-603
        if boundary_timestep is None or t >= boundary_timestep:
            current_model, current_guidance_scale, name = transformer, GUIDANCE, "transformer"
        else:
            current_model, current_guidance_scale, name = transformer_2, GUIDANCE_2, "transformer_2"
        experts_used.append(name)
        # 605, 612 (expand_timesteps is False for T2V-A14B)
        latent_model_input = latents.to(transformer_dtype)
        timestep = t.expand(latents.shape[0])
        # 614-632 (do_classifier_free_guidance: guidance_scale > 1)
        noise_pred = call_model(current_model, latent_model_input, timestep, prompt_embeds)
        with current_model.cache_context("uncond"):
            noise_uncond = current_model(hidden_states=latent_model_input, timestep=timestep,
                                         encoder_hidden_states=negative_prompt_embeds, attention_kwargs=None,
                                         return_dict=False)[0]
        noise_pred = noise_uncond + current_guidance_scale * (noise_pred - noise_uncond)
        if keep_noise_pred:
            out[f"noise_pred.{i}"] = host(noise_pred)
        # 635
        latents = scheduler.step(noise_pred, t, latents, return_dict=False)[0]
        out[f"latents.{i}"] = host(latents)
    out["timesteps"] = host(timesteps)
    out["final"] = host(latents)
    return out, experts_used, [int(x) for x in timesteps.cpu().tolist()]


def host(x):
    """fp32, on the CPU, contiguous (as safetensors stores it)."""
    return x.detach().float().cpu().contiguous()


def norm(torch, x):
    return float(torch.linalg.vector_norm(x.double()))


def rel(torch, a, b):
    return float(torch.linalg.vector_norm((a.double() - b.double())) / torch.linalg.vector_norm(b.double()))


def sensitivity(torch, WanTransformer3DModel, tiny, inputs, forward, device):
    """How far the fp32 forward of `transformer` at t=900 moves under small changes, next to the 1e-4 tolerance."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    model = WanTransformer3DModel.from_pretrained(os.path.join(tiny, "transformer"), torch_dtype=torch.float32)
    model = model.to(device)
    lat = inputs["latents"].to(device)
    emb = inputs["prompt_embeds"].to(device)
    base = forward["fp32.transformer.t900"]

    def run(t=900, e=emb, dtype=torch.int64):
        with torch.no_grad():
            return host(call_model(model, lat, torch.tensor([t], dtype=dtype, device=device), e))

    print("# sensitivity of fp32.transformer.t900 (rel. change of the output):", flush=True)
    print(f"  same call again: {rel(torch, run(), base):.3e}")
    print(f"  timestep 901: {rel(torch, run(901), base):.3e}; 899: {rel(torch, run(899), base):.3e}")
    print(f"  timestep as float32 900.0: {rel(torch, run(dtype=torch.float32), base):.3e}")
    neg = inputs["negative_prompt_embeds"].to(device)
    print(f"  negative prompt instead: {rel(torch, run(e=neg), base):.3e}")
    e2 = emb.clone()
    e2[:, 21:] = 1e-3  # the padding rows not zero
    print(f"  padding rows 1e-3 instead of 0: {rel(torch, run(e=e2), base):.3e}")
    for name, backend in (("math", SDPBackend.MATH), ("efficient", SDPBackend.EFFICIENT_ATTENTION),
                          ("cudnn", SDPBackend.CUDNN_ATTENTION)):
        try:
            with sdpa_kernel([backend]):
                print(f"  SDPA {name} only: {rel(torch, run(), base):.3e}")
        except RuntimeError as err:
            print(f"  SDPA {name} only: not available ({str(err).splitlines()[0][:80]})")
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    print(f"  TF32 on (matmul and cuDNN): {rel(torch, run(), base):.3e}")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
        run()
    names = sorted({e.name for e in prof.events() if any(w in e.name.lower() for w in
                                                         ("fmha", "attention", "flash", "sdpa", "conv"))})
    print("  attention / conv kernels of the default fp32 forward: " + "; ".join(n[:90] for n in names))


def compare(torch, load_file, new, old):
    """True when every file under `old` has its twin under `new` with equal tensors (safetensors) or equal text."""
    ok = True
    for root, _, fs in sorted(os.walk(old)):
        for f in sorted(fs):
            rel_path = os.path.relpath(os.path.join(root, f), old)
            a, b = os.path.join(old, rel_path), os.path.join(new, rel_path)
            if f.endswith(".py") or f.endswith(".md") or f == "summary.txt":
                continue
            if not os.path.exists(b):
                print(f"  compare: {rel_path} not made", flush=True)
                ok = False
            elif f.endswith(".safetensors"):
                x, y = load_file(a), load_file(b)
                same = set(x) == set(y) and all(x[k].dtype == y[k].dtype and torch.equal(x[k], y[k]) for k in x)
                print(f"  compare: {rel_path}: {len(x)} tensors {'bit-equal' if same else 'DIFFER'}")
                ok &= same
            else:
                same = open(a, "rb").read() == open(b, "rb").read()
                print(f"  compare: {rel_path}: {'identical' if same else 'DIFFERS'}")
                ok &= same
    old_s, new_s = os.path.join(old, "summary.txt"), os.path.join(new, "summary.txt")
    if os.path.exists(old_s):
        same = open(old_s).read() == open(new_s).read()
        print(f"  compare: summary.txt: {'identical' if same else 'differs'}")
    print(f"# compare with {old}: {'all equal' if ok else 'NOT EQUAL'}", flush=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--diffusers-src", required=True, help="folder that holds diffusers/ (diffusers' src/)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--commit", default=None, help="diffusers commit (default: DIFFUSERS_COMMIT beside diffusers/)")
    ap.add_argument("--hide", default="", help="comma-separated packages to treat as not installed")
    ap.add_argument("--compare", default=None, help="after making the data, compare it with the data in this folder")
    ap.add_argument("--sensitivity", action="store_true",
                    help="also print how much the fp32 forward moves under small changes (not written to summary.txt)")
    args = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HOME", "/tmp/make_reference_hf")
    log = []

    def say(line=""):
        print(line, flush=True)
        log.append(line)

    commit = args.commit
    commit_file = os.path.join(args.diffusers_src, "DIFFUSERS_COMMIT")
    if commit is None and os.path.isfile(commit_file):
        commit = open(commit_file).read().strip()
    say("# environment")
    for line in environment_report():
        say("  " + line)
    hide = [h for h in args.hide.split(",") if h]
    notes = install_shim(hide)
    say("# import shim: " + ("nothing stubbed or hidden" if not notes else ""))
    for n in notes:
        say("  " + n)

    import numpy as np  # noqa: F401  (real: the scheduler computes with it)
    import torch
    from safetensors.torch import load_file, save_file

    sys.path.insert(0, os.path.abspath(args.diffusers_src))
    from diffusers.models.transformers.transformer_wan import WanTransformer3DModel
    from diffusers.schedulers.scheduling_unipc_multistep import UniPCMultistepScheduler
    import diffusers

    say(f"# diffusers {diffusers.__version__} from {os.path.dirname(diffusers.__file__)}, commit {commit}")
    assert os.path.abspath(diffusers.__file__).startswith(os.path.abspath(args.diffusers_src)), diffusers.__file__
    if not torch.cuda.is_available():
        sys.exit("make_reference: no CUDA GPU: the reference is made on the GPU machine")
    device = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    say(f"# torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")
    say(f"  matmul.allow_tf32={torch.backends.cuda.matmul.allow_tf32} cudnn.allow_tf32={torch.backends.cudnn.allow_tf32}"
        f" bf16_reduced_precision_reduction={torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction}"
        f" sdp flash={torch.backends.cuda.flash_sdp_enabled()} mem_efficient="
        f"{torch.backends.cuda.mem_efficient_sdp_enabled()} cudnn={torch.backends.cuda.cudnn_sdp_enabled()}"
        f" math={torch.backends.cuda.math_sdp_enabled()}")

    out_dir = os.path.abspath(args.out)
    tiny = os.path.join(out_dir, "tiny")
    if os.path.exists(tiny):
        shutil.rmtree(tiny)
    os.makedirs(out_dir, exist_ok=True)
    meta = {"diffusers_commit": str(commit), "diffusers_version": diffusers.__version__,
            "torch": torch.__version__, "device": torch.cuda.get_device_name(0),
            "made_by": "tests/reference/runner/make_reference.py"}

    saved, files = write_tiny(torch, WanTransformer3DModel, tiny, diffusers.__version__)
    say("# tiny/: " + "; ".join(f"{e}: {', '.join(files[e])}" for e in EXPERTS))
    nparams = sum(v.numel() for v in saved["transformer"].values())
    say(f"  {nparams} parameters per expert, {len(saved['transformer'])} tensors")
    inputs = make_inputs(torch)
    save_file(inputs, os.path.join(out_dir, "inputs.safetensors"), metadata=meta)

    forward, loop, summary = {}, {}, {}
    for prec, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        models = load_experts(torch, WanTransformer3DModel, tiny, dtype, device)
        # what was loaded is what was saved (bit for bit in fp32; in bf16, the bf16 cast of it, fp32 modules kept)
        for e in EXPERTS:
            got = models[e].state_dict()
            assert set(got) == set(saved[e]), (e, set(got) ^ set(saved[e]))
            for k, v in saved[e].items():
                g = got[k].cpu()
                want = v.to(g.dtype)
                assert torch.equal(g, want), f"{prec} {e} {k}: loaded weights differ from the saved ones"
            fp32_names = [k for k, v in got.items() if v.dtype == torch.float32]
            say(f"# {prec} {e}: loaded = saved, dtype() {models[e].dtype}; {len(fp32_names)}/{len(got)} tensors"
                f" in fp32" + ("" if prec == "fp32" else ": " + ", ".join(sorted({
                    ".".join(p for p in k.split(".") if not p.isdigit()) for k in fp32_names}))))
        transformer_dtype = models["transformer"].dtype  # pipeline_wan.py 547
        lat = inputs["latents"].to(device).to(transformer_dtype)
        emb = inputs["prompt_embeds"].to(device).to(transformer_dtype)
        with torch.no_grad():  # WanPipeline.__call__ is decorated @torch.no_grad() (line 381)
            for e in EXPERTS:
                T = FORWARD_T[e]
                t = torch.tensor([T], dtype=torch.int64, device=device)  # like t.expand(1) of the int64 timesteps
                y = call_model(models[e], lat, t, emb)
                y2 = call_model(models[e], lat, t, emb)
                key = f"{prec}.{e}.t{T}"
                forward[key] = host(y)
                say(f"  forward {key}: |out| {norm(torch, forward[key]):.6f}, out dtype {y.dtype}, repeat bit-equal "
                    f"{torch.equal(y, y2)}")
            res, experts_used, ts = run_loop(torch, UniPCMultistepScheduler, tiny, models, inputs, device,
                                             keep_noise_pred=(prec == "fp32"))
        for k, v in res.items():
            loop[f"{prec}.{k}"] = v
        switch = experts_used.index("transformer_2")
        summary[prec] = (experts_used, ts, switch)
        say(f"  loop {prec}: timesteps {ts}; experts {experts_used}; first low-noise step {switch}")
        for i in range(STEPS):
            np_s = f" |noise_pred| {norm(torch, res[f'noise_pred.{i}']):.6f}" if f"noise_pred.{i}" in res else ""
            say(f"    step {i} t={ts[i]} {experts_used[i]}:{np_s} |latents| {norm(torch, res[f'latents.{i}']):.6f}")
        say(f"    |final| {norm(torch, res['final']):.6f}")
        del models
        torch.cuda.empty_cache()

    sched = UniPCMultistepScheduler.from_pretrained(tiny, subfolder="scheduler")
    sched.set_timesteps(STEPS)
    loop["schedule.timesteps"] = host(sched.timesteps)
    loop["schedule.sigmas"] = host(sched.sigmas)
    say(f"# schedule (8 steps, shift 3): timesteps {sched.timesteps.tolist()} ({sched.timesteps.dtype} in the"
        f" scheduler)\n  sigmas {[round(float(s), 7) for s in sched.sigmas]}")
    assert summary["fp32"][0] == summary["bf16"][0]

    say("# bf16 vs fp32 (||bf16 - fp32|| / ||fp32||), for scale:")
    for e in EXPERTS:
        k = f"{e}.t{FORWARD_T[e]}"
        say(f"  forward {k}: {rel(torch, forward['bf16.' + k], forward['fp32.' + k]):.3e}")
    for i in range(STEPS):
        say(f"  loop latents.{i}: {rel(torch, loop[f'bf16.latents.{i}'], loop[f'fp32.latents.{i}']):.3e}")

    save_file(forward, os.path.join(out_dir, "forward.safetensors"), metadata=meta)
    save_file(loop, os.path.join(out_dir, "loop.safetensors"), metadata=meta)
    # read back what was written
    for name, d in (("inputs", inputs), ("forward", forward), ("loop", loop)):
        back = load_file(os.path.join(out_dir, f"{name}.safetensors"))
        assert set(back) == set(d) and all(torch.equal(back[k], d[k].cpu()) for k in d), name
    say("# written and read back: inputs, forward, loop .safetensors; sizes:")
    for root, _, fs in sorted(os.walk(out_dir)):
        for f in sorted(fs):
            p = os.path.join(root, f)
            say(f"  {os.path.relpath(p, out_dir)} {os.path.getsize(p)} B")
    with open(os.path.join(out_dir, "summary.txt"), "w") as f:
        f.write("\n".join(log) + "\n")
    if args.sensitivity:
        sensitivity(torch, WanTransformer3DModel, tiny, inputs, forward, device)
    if args.compare:
        sys.exit(0 if compare(torch, load_file, out_dir, os.path.abspath(args.compare)) else 1)


if __name__ == "__main__":
    main()
