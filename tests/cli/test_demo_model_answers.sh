#!/usr/bin/env bash
# The shipped demo model answers the synthetic test scenes (tests/data/synth_tiny, drawn by training/synth with
# a seed the training never saw): `vora eval` (greedy, CPU) over every question of the file, all of them scored.
#
# What is asserted is the shipped model's measured level, not the issue's targets: the parts of run 5 reach
# 40/43 here (counting 6/6, "Describe" 6/6, numbers 2/2, shape 10/10, colour 8/9, position 8/10;
# docs/demo-model.md); 43 questions are too few to test a 95% target (the full test split and the held-out
# scenes are in docs/demo-model.md). The floors below sit one question under each measured count, so a runtime or
# packaging change that blinds the model (chance is about 1 in 4 for counts, far lower for a whole
# description) fails here, while the targets are printed with MET / NOT MET. The floors belong to one set of
# parts: when resources/demo-model/SHA256SUMS changes, this test fails until they are measured again.
# Exit 77 (skipped) when the wheel/GGUF cache is absent or the repository ships no trained parts.
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
measured_for=b9df36214e7d20c90b175b2a74e459d7bf853c19989d9b94472f3e2fc0846e4e
parts=$(sha256sum "$repo/resources/demo-model/SHA256SUMS" | cut -d' ' -f1)
if [[ $parts != "$measured_for" ]]; then
  echo "FAIL: the shipped parts changed (SHA256SUMS hash $parts); measure them with this test's eval command and"
  echo "      update the floors and measured_for in $0"
  exit 1
fi
model=$(VORA_BIN=$vora "$repo/packaging/demo-model" | tail -n 1)
data=$repo/tests/data/synth_tiny
# One thread: ctest runs two tests at once on 2 cores, and LibTorch's OpenMP threads spin-wait for busy cores
# (docs/demo-model.md, "Speed on the CPU"), which made this eval 20x slower under load.
result=$(OMP_NUM_THREADS=1 "$vora" eval --model "$model" --data "$data/finetune-test.jsonl" --image-root "$data" --device cpu --json | tail -n 1)
python3 - "$result" "$(grep -c . "$data/finetune-test.jsonl")" <<'PY'
import json, sys
result, lines = json.loads(sys.argv[1]), int(sys.argv[2])
assert result["questions"] == lines and result["overall"]["total"] == lines, f"scored {result['overall']['total']} of {lines}"
# Correct answers each type must keep (measured minus one); "overall" counts every question.
floors = {"overall": 39, "count": 5, "describe": 5, "color": 7, "shape": 9, "position": 7, "number": 1}
failed = []
for kind, floor in floors.items():
    t = result[kind] if kind == "overall" else result["types"][kind]
    print(f"{kind}: {t['correct']}/{t['total']} (floor {floor})")
    if t["correct"] < floor:
        failed.append(kind)
targets = {"color": 0.95, "shape": 0.95, "count": 0.90, "number": 0.90}
for kind, target in targets.items():
    t = result["types"][kind]
    print(f"issue target {kind} >= {target}: {t['accuracy']:.3f} {'MET' if t['accuracy'] >= target else 'NOT MET'}")
assert not failed, f"below the shipped model's floor: {failed}"
print(f"PASS: {lines} questions scored, {len(floors)} floors checked")
PY
