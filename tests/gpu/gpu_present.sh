# gpu_present.sh: sourced by the GPU tests: exits 77 (ctest "skipped") with a one-line reason when no GPU is usable.
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
    echo "SKIP: no NVIDIA GPU here (nvidia-smi -L fails); GPU tests run on the GPU machine (bench/gpu/collector.sh)"
    exit 77
fi
