# Decode-step kernel timings (tests/gpu/bench_decode_kernels.cpp): copy bandwidth, cuBLAS vs the project's
# GEMV per projection of VoRA-7B as a share of that bandwidth, decode attention at several lengths.
set -euo pipefail
out=${OUT:-/tmp}
build/gpu/tests/bench_decode_kernels | tee "$out/decode_kernels.txt"
