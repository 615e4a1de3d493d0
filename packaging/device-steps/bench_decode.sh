# The README's fast-path table in one step, all on this card: `vora bench` (CUDA-graph decode and, for
# comparison, the same graphs without overlapped launches, with the eager prefill, with attention capture,
# and eager decode) vs HF transformers eager and static cache + compile vs the bandwidth floor, for decode tok/s, first-token time and second-turn
# first-token time (tests/reference/gpu_decode_bench.py).
# Reuses /tmp/vora7b when bench7b made it in this call. Every part runs even when one fails (the table
# shows "-" for it); the step then fails.
set -uo pipefail
dir=/tmp/vora7b
out=${OUT:-/tmp}
py=tests/reference/gpu_decode_bench.py
failed=0
part() { "$@" || { echo "FAILED: $*"; failed=1; }; }
[[ -f $dir/config.json ]] || python3 tests/reference/gpu_vora7b.py make $dir || exit 1
part python3 $py floor "$out/floor.json"
part bash -c "set -o pipefail; build/gpu/bin/vora bench --model $dir --device cuda --dtype bfloat16 --image-tokens 1024 \
  --prompt-tokens 64 --new-tokens 128 --repeat 3 --decode both | tee '$out/vora_bench.json'"
part bash -c "set -o pipefail; build/gpu/bin/vora bench --model $dir --device cuda --dtype bfloat16 --image-tokens 1024 \
  --prompt-tokens 64 --new-tokens 128 --repeat 3 --decode graph --launch-overlap off | tee '$out/vora_bench_serial.json'"
part bash -c "set -o pipefail; build/gpu/bin/vora bench --model $dir --device cuda --dtype bfloat16 --image-tokens 1024 \
  --prompt-tokens 64 --new-tokens 128 --repeat 3 --decode graph --prefill eager | tee '$out/vora_bench_eager_prefill.json'"
for detail in layers heads; do # the attention capture's cost (issue: at most 2% of decode time)
  part bash -c "set -o pipefail; build/gpu/bin/vora bench --model $dir --device cuda --dtype bfloat16 --image-tokens 1024 \
    --prompt-tokens 64 --new-tokens 128 --repeat 3 --decode graph --capture-attention $detail | tee '$out/vora_bench_capture_$detail.json'"
done
part python3 $py hf eager "$out/hf_eager.json"
part python3 $py hf static "$out/hf_static.json"
part python3 $py summary "$out"
exit $failed
