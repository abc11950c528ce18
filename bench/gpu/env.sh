# Sourced on the GPU machine: makes the carried build (see prepare.sh) runnable there.
# usage: source bench/gpu/env.sh [BUILD_DIR]
WP_BUILD=$(cd "${1:-build-gpu}" && pwd)
export WP_BUILD
export LD_LIBRARY_PATH="$WP_BUILD/devlibs:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export PATH="$WP_BUILD/bin:$PATH"
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
export PYTHONUNBUFFERED=1
