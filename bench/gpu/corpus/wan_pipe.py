#!/usr/bin/env python3
"""One recording of a real third-party diffusion run: diffusers' WanPipeline with two randomly initialised Wan2.2-style
experts (high noise: `transformer`, low noise: `transformer_2`), run cold, once, the way a user runs it.

Ground truth (step boundaries, timesteps, the expert of each step) is written by the program itself to PREFIX.truth.json
and never into the trace: no synchronize, no NVTX, no record_function is added. What is added is host-side only: a
replacement progress bar (the pipeline calls it once per step) and Python hooks on the experts. See README.md.
The loop's device memory is the caching allocator's own count (torch.cuda peak stats, reset at loop entry): host-side
bookkeeping, read without a synchronize.

usage: wan_pipe.py --out PREFIX [--offload none|model|sequential|group] [--sampler unipc|euler] [--shift S] [--steps N]
                   [--cfg on|off] [--compile] [--profiler none|torch|torch_sched] [...]   (--help for all)
"""
import argparse
import gzip
import json
import os
import platform
import shutil
import sys
import time
import traceback

SCHEMA = "wanprof-corpus-truth/1"


def clocks():
    """The same instant on the three clocks a trace may use (read back to back, ~100 ns apart)."""
    return {
        "monotonic_ns": time.monotonic_ns(),
        "monotonic_raw_ns": time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW),
        "realtime_ns": time.time_ns(),
    }


def log(msg):
    print(f"[wan_pipe {os.getpid()}] {msg}", flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output prefix: PREFIX.truth.json (+ PREFIX.json.gz with a profiler)")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--dim", type=int, default=1536, help="heads * head_dim")
    p.add_argument("--head-dim", type=int, default=128, help="Wan's head_dim is 128")
    p.add_argument("--ffn", type=int, default=4096)
    p.add_argument("--text-dim", type=int, default=4096, help="umT5-xxl output width, as in Wan")
    p.add_argument("--text-len", type=int, default=512, help="prompt tokens (Wan pads to 512)")
    p.add_argument("--frames", type=int, default=17, help="video frames; 4k+1 (VAE temporal stride 4)")
    p.add_argument("--height", type=int, default=128, help="multiple of 16 (VAE stride 8 x patch 2)")
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--steps", type=int, default=27)
    p.add_argument("--sampler", choices=["unipc", "euler"], default="unipc")
    p.add_argument("--shift", type=float, default=3.0)
    p.add_argument("--cfg", choices=["on", "off"], default="on")
    p.add_argument("--guidance", type=float, default=4.0, help="guidance_scale (high-noise expert) with --cfg on")
    p.add_argument("--guidance-2", type=float, default=3.0, help="guidance_scale_2 (low-noise expert) with --cfg on")
    p.add_argument("--offload", choices=["none", "model", "sequential", "group"], default="model")
    p.add_argument("--compile", action="store_true", help="torch.compile both experts (nn.Module.compile, in place)")
    p.add_argument("--profiler", choices=["none", "torch", "torch_sched"], default="none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--boundary", type=float, default=0.875, help="boundary_ratio (Wan2.2 T2V-A14B: 0.875)")
    p.add_argument("--dtype", choices=["bf16"], default="bf16")
    a = p.parse_args(argv)
    if a.dim % a.head_dim:
        p.error(f"--dim {a.dim} is not a multiple of --head-dim {a.head_dim}")
    if a.height % 16 or a.width % 16:
        p.error("--height and --width must be multiples of 16")
    if (a.frames - 1) % 4:
        p.error("--frames must be 4k+1")
    return a


def build_expert(torch, WanTransformer3DModel, a, seed, dtype):
    """A random expert, cast the way from_pretrained(torch_dtype=bf16) casts a real one: parameters of the
    modules in _keep_in_fp32_modules stay fp32 (matched on the dotted name's parts, as diffusers'
    load_model_dict_into_meta does), the others become bf16; buffers (RoPE tables) keep their dtype."""
    torch.manual_seed(seed)
    m = WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=a.dim // a.head_dim,
        attention_head_dim=a.head_dim,
        in_channels=16,
        out_channels=16,
        text_dim=a.text_dim,
        freq_dim=256,
        ffn_dim=a.ffn,
        num_layers=a.layers,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        eps=1e-6,
        rope_max_seq_len=1024,
    )
    keep = list(getattr(m, "_keep_in_fp32_modules", None) or [])
    for name, prm in m.named_parameters():
        fp32 = any(k in name.split(".") for k in keep)
        prm.data = prm.data.to(torch.float32 if fp32 else dtype)
    m.eval()  # from_pretrained returns eval-mode models; a constructed one is in training mode
    return m


def param_stats(torch, m):
    n = sum(p.numel() for p in m.parameters())
    b = sum(p.numel() * p.element_size() for p in m.parameters())
    n32 = sum(p.numel() for p in m.parameters() if p.dtype == torch.float32)
    return {"params": n, "bytes": b, "fp32_params": n32, "tensors": sum(1 for _ in m.parameters())}


class Recorder:
    """Host-side ground truth. `step` is the index of the denoising step in progress: the number of
    progress_bar.update() calls so far (the pipeline updates once per step for order-1 schedulers)."""

    def __init__(self, truth, torch=None, dev=None):
        self.t = truth
        self.step = 0
        self.torch, self.dev = torch, dev  # for the loop's device memory (None: not recorded)

    # -- the progress bar: WanPipeline does `with self.progress_bar(total=N) as pb: ... pb.update()`
    def progress_bar(self, iterable=None, total=None):
        if iterable is not None:  # not used by WanPipeline; keep the API honest
            raise RuntimeError("wan_pipe: progress_bar(iterable=...) is not expected from WanPipeline")
        self.t["progress_total"] = total
        return self

    def __enter__(self):
        if self.torch is not None:
            # The truth for whatif's "peak device memory the loop holds" (cudaMalloc calls of the caching allocator,
            # i.e. reserved memory, from the first step's start to the last step's end): the allocator's peak since
            # here. Reset before loop_enter is read, so the window holds every step. The peak so far is read first, so
            # that output.gpu_max_allocated_bytes stays the whole run's peak.
            cuda = self.torch.cuda
            self.t["memory"] = {
                "from": "torch.cuda after reset_peak_memory_stats at loop entry",
                "max_allocated_before_loop_bytes": cuda.max_memory_allocated(self.dev),
                "reserved_at_loop_enter_bytes": cuda.memory_reserved(self.dev),
                "allocated_at_loop_enter_bytes": cuda.memory_allocated(self.dev),
            }
            cuda.reset_peak_memory_stats(self.dev)
        self.t["events"]["loop_enter"] = clocks()
        return self

    def update(self, n=1):
        self.t["step_ends"].append(clocks())
        self.step += n

    def __exit__(self, *exc):
        self.t["events"]["loop_exit"] = clocks()
        if self.torch is not None and self.t.get("memory"):  # read after loop_exit: the window holds every step
            cuda = self.torch.cuda
            self.t["memory"].update(max_reserved_bytes=cuda.max_memory_reserved(self.dev),
                                    max_allocated_bytes=cuda.max_memory_allocated(self.dev),
                                    reserved_at_loop_exit_bytes=cuda.memory_reserved(self.dev))
        return False

    # -- the experts
    def wrap_cache_context(self, model, expert):
        """WanPipeline runs every forward inside `with current_model.cache_context("cond"|"uncond")`, in its own
        Python code: wrapping it sees each forward from outside the model (and outside any compiled region)."""
        orig = model.cache_context

        def cache_context(name, _orig=orig):
            self.t["expert_calls"].append({"step": self.step, "expert": expert, "branch": name, "at": clocks()})
            return _orig(name)

        model.cache_context = cache_context  # instance attribute shadows the method

    def hook_forward(self, model, expert):
        """A forward pre-hook (not with --compile: a compiled _call_impl would trace the hook and guard on
        self.step, recompiling every step)."""
        self.t["hooked_forwards"] = self.t["hooked_forwards"] or []

        def pre_hook(module, args):
            self.t["hooked_forwards"].append([self.step, expert])

        model.register_forward_pre_hook(pre_hook)

    def on_step_end(self, prof):
        """callback_on_step_end for --profiler torch_sched: called as callback(pipe, i, t, callback_kwargs) after the
        scheduler step and before progress_bar.update(); must return a dict (the pipeline pops tensors from it)."""

        def cb(pipe, i, t, kwargs):
            self.t["profiler"]["step_calls"].append(clocks())
            prof.step()
            return {}

        return cb


def derive(truth, a):
    """Per-step table and expert switch from what was recorded."""
    ev, ends = truth["events"], truth["step_ends"]
    calls = truth["expert_calls"]
    steps = []
    for i, end in enumerate(ends):
        start = ev.get("loop_enter") if i == 0 else ends[i - 1]
        mine = [c for c in calls if c["step"] == i]
        steps.append({
            "index": i,
            "start": start,
            "end": end,
            "duration_ns": (end["monotonic_ns"] - start["monotonic_ns"]) if start else None,
            "timestep": truth["timesteps"][i] if i < len(truth["timesteps"] or []) else None,
            "experts": sorted({c["expert"] for c in mine}),
            "forwards": len(mine),
            "branches": [c["branch"] for c in mine],
        })
    truth["steps"] = steps
    truth["forwards_per_step"] = [s["forwards"] for s in steps]
    truth["expert_by_step"] = ["+".join(s["experts"]) for s in steps]
    truth["switch_step"] = next((s["index"] for s in steps if "transformer_2" in s["experts"]), None)
    if truth["timesteps"]:
        bt = a.boundary * 1000  # WanPipeline: transformer while t >= boundary_ratio * num_train_timesteps
        rule = ["transformer" if t >= bt else "transformer_2" for t in truth["timesteps"]]
        truth["expert_by_rule"] = rule
        truth["switch_step_by_rule"] = next((i for i, e in enumerate(rule) if e == "transformer_2"), None)
        truth["experts_match_rule"] = rule == truth["expert_by_step"]


def profiler_map(steps):
    """Which ProfilerStep#k holds which denoising step, for schedule(wait=0, warmup=1, active=steps): prof.step() is
    called once per denoising step, from callback_on_step_end, so ProfilerStep#k runs from the k-th call to the
    (k+1)-th. #0 (from the profiler's start) is the warm-up window and is not in the trace."""
    r = [{"name": "ProfilerStep#0", "recorded": False, "denoising_step": 0,
          "from": "events.profiler_enter", "to": "profiler.step_calls[0]",
          "note": "warm-up: pipeline prologue and denoising step 0 (cold weight moves), not recorded"}]
    for k in range(1, steps):
        r.append({"name": f"ProfilerStep#{k}", "recorded": True, "denoising_step": k,
                  "from": f"profiler.step_calls[{k - 1}]", "to": f"profiler.step_calls[{k}]",
                  "note": "starts after step k-1's callback (step k-1's progress update falls in it)"})
    r.append({"name": f"ProfilerStep#{steps}", "recorded": True, "denoising_step": None,
              "from": f"profiler.step_calls[{steps - 1}]", "to": "events.profiler_exit",
              "note": "tail: last progress update, loop exit, model offload at the end of __call__; ends when the "
                      "profiler starts stopping, well before events.profiler_exit (after the stop's flush)"})
    return r


def gzip_file(src, dst):
    with open(src, "rb") as fi, gzip.open(dst, "wb", compresslevel=6) as fo:
        shutil.copyfileobj(fi, fo, 1 << 20)
    os.remove(src)


def main(argv):
    a = parse_args(argv)
    truth = {
        "schema": SCHEMA, "ok": False, "error": None, "args": vars(a),
        "clocks": {"monotonic_ns": "time.monotonic_ns() (CLOCK_MONOTONIC)",
                   "monotonic_raw_ns": "time.clock_gettime_ns(CLOCK_MONOTONIC_RAW)",
                   "realtime_ns": "time.time_ns() (CLOCK_REALTIME, ns since the epoch)"},
        "events": {"process_start": clocks()},
        "env": {"pid": os.getpid(), "host": platform.node(), "python": platform.python_version(),
                "diffusers_commit": os.environ.get("DIFFUSERS_COMMIT"),
                "under_wanprof": bool(os.environ.get("CUDA_INJECTION64_PATH"))},
        "recording": None, "model": None, "progress_total": None,
        "step_ends": [], "expert_calls": [], "hooked_forwards": None, "memory": None,
        "timesteps": None, "profiler": None, "output": None, "outputs": {"truth": a.out + ".truth.json", "trace": None},
    }
    rc = 1
    try:
        import torch
        import diffusers
        from diffusers import (FlowMatchEulerDiscreteScheduler, UniPCMultistepScheduler, WanPipeline,
                               WanTransformer3DModel)

        env = truth["env"]
        env.update(torch=torch.__version__, cuda_runtime=torch.version.cuda, diffusers=diffusers.__version__,
                   diffusers_file=diffusers.__file__)
        for mod in ("accelerate", "transformers"):
            try:
                env[mod] = __import__(mod).__version__
            except Exception as e:  # recorded, not fatal: only some offload modes need accelerate
                env[mod] = f"unavailable: {e}"
        env["gpu"] = torch.cuda.get_device_name(0)  # also creates the CUDA context, before the recorded call
        log(f"torch {env['torch']} diffusers {env['diffusers']} accelerate {env['accelerate']} on {env['gpu']}")

        dtype = torch.bfloat16
        dev = torch.device("cuda")
        t1 = build_expert(torch, WanTransformer3DModel, a, a.seed, dtype)
        t2 = build_expert(torch, WanTransformer3DModel, a, a.seed + 1, dtype)
        truth["model"] = {"config": dict(t1.config), "per_expert": param_stats(torch, t1),
                          "dtype": "bf16 (fp32: _keep_in_fp32_modules)",
                          "keep_in_fp32_modules": list(t1._keep_in_fp32_modules or [])}
        log(f"experts: {truth['model']['per_expert']}")

        if a.sampler == "unipc":  # Wan's diffusers scheduler: flow-matching UniPC
            sched = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True,
                                            flow_shift=a.shift, num_train_timesteps=1000)
        else:
            sched = FlowMatchEulerDiscreteScheduler(shift=a.shift, num_train_timesteps=1000)

        pipe = WanPipeline(tokenizer=None, text_encoder=None, vae=None, scheduler=sched,
                           transformer=t1, transformer_2=t2, boundary_ratio=a.boundary)

        if a.offload == "none":
            pipe.to("cuda")
        elif a.offload == "model":
            pipe.enable_model_cpu_offload()  # accelerate hooks: a whole expert moves when its forward is called
        elif a.offload == "sequential":
            pipe.enable_sequential_cpu_offload()  # accelerate: every leaf module's weights move per forward
        else:  # block-level group offloading with a copy stream (prefetch of the next block, pinned host copies)
            for m in (t1, t2):
                m.enable_group_offload(onload_device=dev, offload_device=torch.device("cpu"),
                                       offload_type="block_level", num_blocks_per_group=1, use_stream=True)
        if a.compile:
            t1.compile()  # in place: compiles on the first forward of each expert, i.e. inside the recorded call
            t2.compile()

        rec = Recorder(truth, torch, dev)
        pipe.progress_bar = rec.progress_bar  # instance attribute shadows DiffusionPipeline.progress_bar
        for m, name in ((t1, "transformer"), (t2, "transformer_2")):
            rec.wrap_cache_context(m, name)
            if not a.compile:
                rec.hook_forward(m, name)

        cfg = a.cfg == "on"
        # do_classifier_free_guidance is `guidance_scale > 1` alone: guidance_scale_2 cannot switch CFG on or off
        gs, gs2 = (a.guidance, a.guidance_2) if cfg else (1.0, 1.0)
        g = torch.Generator(device="cpu").manual_seed(a.seed + 100)
        pe = torch.randn(1, a.text_len, a.text_dim, generator=g).to(dev, dtype)
        ne = torch.randn(1, a.text_len, a.text_dim, generator=g).to(dev, dtype) if cfg else None
        latent = [1, 16, (a.frames - 1) // 4 + 1, a.height // 8, a.width // 8]
        truth["recording"] = {
            "profiler": a.profiler, "offload": a.offload, "sampler": a.sampler, "shift": a.shift, "steps": a.steps,
            "cfg": cfg, "guidance_scale": gs, "guidance_scale_2": gs2, "compile": a.compile, "seed": a.seed,
            "boundary_ratio": a.boundary, "boundary_timestep": a.boundary * 1000,
            "scheduler": type(sched).__name__, "scheduler_config": dict(sched.config),
            "latent_shape": latent, "tokens": latent[2] * (latent[3] // 2) * (latent[4] // 2), "text_len": a.text_len,
            "forwards_per_step_expected": 2 if cfg else 1,
        }
        kwargs = dict(prompt_embeds=pe, negative_prompt_embeds=ne, guidance_scale=gs, guidance_scale_2=gs2,
                      height=a.height, width=a.width, num_frames=a.frames, num_inference_steps=a.steps,
                      generator=torch.Generator(device="cuda").manual_seed(a.seed), output_type="latent",
                      max_sequence_length=a.text_len)

        prof = None
        if a.profiler != "none":
            from torch.profiler import ProfilerActivity, profile, schedule
            pkw = dict(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], record_shapes=False, with_stack=False)
            truth["profiler"] = {"mode": a.profiler, "schedule": None}
            if a.profiler == "torch_sched":  # SGLang's steps mode: warm-up window first, then record
                pkw["schedule"] = schedule(wait=0, warmup=1, active=a.steps)
                truth["profiler"].update(schedule={"wait": 0, "warmup": 1, "active": a.steps, "repeat": 0},
                                         step_calls=[], ranges=profiler_map(a.steps))
            prof = profile(**pkw)
            if a.profiler == "torch_sched":
                kwargs["callback_on_step_end"] = rec.on_step_end(prof)

        truth["events"]["setup_done"] = clocks()
        log(f"calling the pipeline: {a.steps} steps, {a.sampler} shift {a.shift}, cfg {a.cfg}, offload {a.offload}"
            f"{', compiled' if a.compile else ''}, profiler {a.profiler}")
        out = None
        if prof is not None:
            truth["events"]["profiler_enter"] = clocks()
            with prof:
                truth["events"]["call_start"] = clocks()
                out = pipe(**kwargs)
                truth["events"]["call_end"] = clocks()
            truth["events"]["profiler_exit"] = clocks()
        else:
            truth["events"]["call_start"] = clocks()
            out = pipe(**kwargs)
            truth["events"]["call_end"] = clocks()
        ev = truth["events"]
        log(f"call took {(ev['call_end']['monotonic_ns'] - ev['call_start']['monotonic_ns']) / 1e6:.1f} ms; "
            f"{len(truth['step_ends'])} steps")

        # Everything below runs after the recorded call (and outside the torch profiler's window).
        truth["timesteps"] = [float(x) for x in pipe.scheduler.timesteps.float().cpu().tolist()]
        lat = out.frames
        before_loop = (truth["memory"] or {}).get("max_allocated_before_loop_bytes", 0)
        truth["output"] = {"shape": list(lat.shape), "dtype": str(lat.dtype),
                           "finite": bool(torch.isfinite(lat).all().item()),
                           # the whole run's peak: the peak stats were reset at loop entry, after reading them
                           "gpu_max_allocated_bytes": max(torch.cuda.max_memory_allocated(), before_loop)}
        derive(truth, a)
        log(f"switch step {truth['switch_step']} (rule: {truth.get('switch_step_by_rule')}), "
            f"forwards/step {sorted(set(truth['forwards_per_step']))}")
        if len(truth["step_ends"]) != a.steps:
            raise RuntimeError(f"{len(truth['step_ends'])} progress updates for {a.steps} steps")

        if prof is not None:
            path = a.out + ".json"
            t0 = time.monotonic()
            prof.export_chrome_trace(path)
            gzip_file(path, path + ".gz")
            truth["outputs"]["trace"] = path + ".gz"
            log(f"wrote {path}.gz ({os.path.getsize(path + '.gz')} bytes) in {time.monotonic() - t0:.1f} s")
        truth["ok"] = True
        rc = 0
    except BaseException as e:  # written to the truth file too, so a failed recording says why
        truth["error"] = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        log("FAILED:\n" + truth["error"])
        if isinstance(e, KeyboardInterrupt):
            rc = 130
    finally:
        if "steps" not in truth:  # a failed call: still tabulate the steps it got through
            try:
                derive(truth, a)
            except Exception as e:
                truth["derive_error"] = repr(e)
        truth["events"]["process_end"] = clocks()
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out + ".truth.json", "w") as f:
            json.dump(truth, f, indent=1, default=str)
        log(f"wrote {a.out}.truth.json (ok={truth['ok']})")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
