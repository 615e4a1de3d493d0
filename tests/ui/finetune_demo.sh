#!/usr/bin/env bash
# A short real fine-tune from the wizard (docs/finetune.md, "A real fine-tune: teaching the demo model a new
# question"): the demo model learns "Is there a <colour> <shape>?" on synthetic scenes, on the CPU.
#   tests/ui/finetune_demo.sh [WORK] [STEPS]     (from the repository root, after building the dev preset)
# Draws the data (training.synth --question-types exists), asks the demo model the test questions before,
# drives the real window through the wizard (vora_finetune_demo: measure, train, merge, Compare; screenshots
# docs/screenshots/finetune-demo-*-light.png), asks the merged model the same questions after, and plots the
# run's curves (docs/images/finetune-demo-curves.png). Takes about 20 minutes on the 2-core machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
work=${1:-${VORA_CACHE:-/var/cache/vora-studio}/finetune-demo}
steps=${2:-120}
model=$(packaging/demo-model | tail -n 1)
packaging/env cmake --build --preset dev --target vora_finetune_demo vora >/dev/null
rm -rf "$work" && mkdir -p "$work"
data=$work/data
packaging/env python3 -m training.synth generate --out "$data" --seed 11 --train 800 --val 40 --test 100 --number-share 0 \
  --question-types exists --questions-per-image 0 --workers 2 >/dev/null
head -n 20 "$data/finetune-val.jsonl" > "$data/val20.jsonl"  # a validation pass on the CPU stays short
ask() { # ask MODEL NAME: the first 60 test questions, greedy
  OMP_NUM_THREADS=2 packaging/env build/dev/bin/vora eval --model "$1" --data "$data/finetune-test.jsonl" --image-root "$data" \
    --device cpu --json --loss --limit 60 --out-records "$work/$2.records.jsonl" | tail -n 1 > "$work/$2.json"
}
ask "$model" before
OMP_NUM_THREADS=2 VORA_ENV_PASS="QT_SCALE_FACTOR" packaging/env --xvfb build/dev/tests/vora_finetune_demo docs/screenshots \
  --base "$model" --data "$data/finetune-train.jsonl" --val "$data/val20.jsonl" --keep "$work" --steps "$steps" --batch 2 \
  --lr 0.001 | tee "$work/wizard.log"
merged=$(sed -n 's/^merged: //p' "$work/wizard.log")
ask "$merged" after
packaging/env python3 -m training.plot_progress --out docs/images/finetune-demo-curves.png "$work/run"
packaging/env bash -c 'for f in docs/screenshots/finetune-demo-*.png; do convert "$f" -colors 256 "PNG8:$f"; done'
# Whole answers right (scored as "other": the normalised answer equals the reference) and the yes/no alone.
for name in before after; do
  python3 - "$work/$name.json" "$work/$name.records.jsonl" "$name" <<'PY'
import json, sys
summary, records = json.load(open(sys.argv[1])), [json.loads(l) for l in open(sys.argv[2])]
first = lambda text: (text.strip().split() or [""])[0].strip(",.").lower()
decided = sum(first(r["answer"]) == first(r["reference"]) for r in records)
print(f"{sys.argv[3]}: {summary['overall']['correct']}/{summary['overall']['total']} answers right, yes/no right "
      f"{decided}/{len(records)}, validation loss {summary.get('val_loss'):.3f}")
PY
done
