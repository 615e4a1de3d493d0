# Pre-training on Qwen2.5-0.5B shapes with distillation: vora estimate, vora train, and the same step in
# PyTorch + transformers, in one call.
set -euo pipefail
root=/tmp/train_small
out=${OUT:-/tmp}
py=tests/reference/gpu_train_small.py
python3 $py make $root
flags=(--model $root/model --data $root/data.jsonl --image-root $root --stage pretrain --lora-rank 256 --lora-layers 12
       --distill $root/teacher --batch-size 4 --lr 2e-4 --warmup-steps 2 --max-text-len 128 --device cuda:0
       --dtype bfloat16 --gradient-checkpointing --seed 1)
build/gpu/bin/vora estimate "${flags[@]}" --json | tee $out/estimate.json
build/gpu/bin/vora estimate "${flags[@]}" --measure --json | tail -1 | tee $out/estimate_measured.json
build/gpu/bin/vora train "${flags[@]}" --max-steps 12 --save-every 0 --out /tmp/run_small > $out/train_progress.jsonl
tail -3 $out/train_progress.jsonl
python3 $py torch-loop $root | tee $out/torch_loop.json
