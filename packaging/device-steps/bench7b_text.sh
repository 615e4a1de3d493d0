# Apples-to-apples prefill: 1088 text tokens (plain causal attention, no vision embedding), as the HF
# baseline in bench7b measures it. Run after bench7b (it reuses /tmp/vora7b).
set -euo pipefail
out=${OUT:-/tmp}
build/gpu/bin/vora bench --model /tmp/vora7b --device cuda --dtype bfloat16 --image-tokens 0 --prompt-tokens 1088 \
  --new-tokens 128 --repeat 3 | tee $out/vora_bench_text.json
