# The Qt-free GPU tests (tests/gpu, CTest label gpu). On the GPU machine a skipped test is a failure:
# it means the test saw no CUDA device. Verbose, so the log keeps each case's compared counts.
set -euo pipefail
out=${OUT:-/tmp}
ctest --test-dir build/gpu -L gpu --verbose --no-tests=error 2>&1 | tee "$out/gpu_tests.log"
if grep -E -q "Not Run|\*\*\*Skipped" "$out/gpu_tests.log"; then
  echo "GPU tests were skipped on a GPU machine"
  exit 1
fi
