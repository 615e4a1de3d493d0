#!/usr/bin/env bash
# The shipped demo model answers the synthetic test scenes (tests/data/synth_tiny, drawn by training/synth with
# a seed the training never saw): `vora eval` over every question, and the accuracy per question type must
# meet docs/demo-model.md's targets (colour and shape >= 95%, count >= 90%, number >= 90%), with every question
# of the file scored. Exit 77 (skipped) when the wheel/GGUF cache is absent or the repository ships no trained
# parts yet (packaging/demo-model then builds the text-only base).
# Usage: test_demo_model_answers.sh VORA_EXECUTABLE
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vora=$1
cache_root=${VORA_CACHE:-/var/cache/vora-studio}
real=${VORA_DEMO_CACHE:-$cache_root/demo-model}
if [[ ! -f $real/gguf/SmolLM2-135M-Instruct.Q4_1.gguf ]]; then
  echo "SKIP: $real has no GGUF; run packaging/demo-model first"
  exit 77
fi
if [[ ! -f $repo/resources/demo-model/SHA256SUMS ]]; then
  echo "SKIP: the repository ships no trained demo-model parts yet (resources/demo-model/SHA256SUMS)"
  exit 77
fi
model=$(VORA_BIN=$vora "$repo/packaging/demo-model" | tail -n 1)
data=$repo/tests/data/synth_tiny
result=$("$vora" eval --model "$model" --data "$data/finetune-test.jsonl" --image-root "$data" --device cpu --json | tail -n 1)
python3 - "$result" "$(grep -c . "$data/finetune-test.jsonl")" <<'PY'
import json, sys
result, lines = json.loads(sys.argv[1]), int(sys.argv[2])
assert result["questions"] == lines and result["overall"]["total"] == lines, f"scored {result['overall']['total']} of {lines}"
targets = {"color": 0.95, "shape": 0.95, "count": 0.90, "number": 0.90}
failed = []
for kind, target in targets.items():
    t = result["types"][kind]
    print(f"{kind}: {t['correct']}/{t['total']} = {t['accuracy']:.3f} (target {target})")
    if t["total"] == 0 or t["accuracy"] < target:
        failed.append(kind)
assert not failed, f"below target: {failed}"
print(f"PASS: {lines} questions, {len(targets)} types checked")
PY
