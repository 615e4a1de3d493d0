# compute-sanitizer's memcheck over the decode kernels: the GPU kernel tests, then one quick pass of the
# kernel bench (VORA_BENCH_QUICK=1: every section once, including the graphs with overlapped launches).
# Any out-of-bounds or misaligned access, or a CUDA error, fails the step. Much slower than a plain run.
set -euo pipefail
out=${OUT:-/tmp}
sanitizer=$(command -v compute-sanitizer || true)
[[ -n $sanitizer ]] || sanitizer=/usr/local/cuda/bin/compute-sanitizer
if [[ ! -x $sanitizer ]]; then
  echo "memcheck: compute-sanitizer not found (PATH or /usr/local/cuda/bin)"
  exit 1
fi
"$sanitizer" --tool memcheck --error-exitcode 1 build/gpu/tests/test_gpu_kernels 2>&1 | tee "$out/memcheck_kernels.log"
VORA_BENCH_QUICK=1 "$sanitizer" --tool memcheck --error-exitcode 1 build/gpu/tests/bench_decode_kernels 2>&1 \
  | tee "$out/memcheck_bench.log"
