# VoRA-7B shapes on random weights: HF transformers vs `vora bench` in the same call, plus bf16 parity.
set -euo pipefail
dir=/tmp/vora7b
out=${OUT:-/tmp}
py=tests/reference/gpu_vora7b.py
python3 $py make $dir
python3 $py hf-bench $dir | tee $out/hf_bench.json
build/gpu/bin/vora bench --model $dir --device cuda --dtype bfloat16 --image-tokens 1024 --prompt-tokens 64 \
  --new-tokens 128 --repeat 3 | tee $out/vora_bench.json
build/gpu/bin/vora bench --model $dir --device cuda --dtype bfloat16 --image-tokens 1024 --prompt-tokens 64 \
  --new-tokens 128 --repeat 3 --unfused | tee $out/vora_bench_unfused.json
python3 $py reference $dir /tmp/ref.safetensors
# (command substitution drops trailing newlines: keep them with a sentinel character)
prompt="$(python3 -c "import sys; sys.path.insert(0,'tests/reference'); import gpu_vora7b; print(gpu_vora7b.PROMPT, end='')"; printf x)"
prompt="${prompt%x}"
build/gpu/bin/vora run --model $dir --device cuda --dtype bfloat16 --image $dir/pixels.safetensors \
  --raw-prompt "$prompt" \
  --max-new-tokens 16 --temperature 0 --json --dump-logits /tmp/dump.safetensors | tail -1
python3 $py compare /tmp/ref.safetensors /tmp/dump.safetensors | tee $out/parity.json
