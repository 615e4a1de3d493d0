# Where the first turn's and the second turn's time goes: `vora bench --trace` at the fast-path table's
# shapes (VoRA-7B, bf16, 1024 image + 64 text tokens; 8 new tokens keep the trace small), with the
# fused-kernel prefill and with the eager one, each summarized by tests/reference/trace_summary.py.
# The traces (gzip) and summaries go to $OUT. Recording slows the launches: the bench's own timed runs,
# printed first, are the numbers; the trace says where time goes.
set -uo pipefail
dir=/tmp/vora7b
out=${OUT:-/tmp}
failed=0
[[ -f $dir/config.json ]] || python3 tests/reference/gpu_vora7b.py make $dir || exit 1
for prefill in kernels eager; do
  trace=$out/first_turn_trace_$prefill.json
  build/gpu/bin/vora bench --model $dir --device cuda --dtype bfloat16 --image-tokens 1024 --prompt-tokens 64 \
    --new-tokens 8 --repeat 3 --decode graph --prefill $prefill --trace "$trace" || { failed=1; continue; }
  python3 tests/reference/trace_summary.py "$trace" --json "$out/first_turn_summary_$prefill.json" || failed=1
  gzip -f "$trace"
done
exit $failed
