# The synthetic data set on the GPU machine (docs/synthetic-data.md): pictures as PPM (this vora build
# has no OpenCV), the text-only prompts answered by the base model, and `vora data check` over all of
# it. Needs: the DejaVu .ttf files carried in (VORA_FONTS_DIR, default shared/fonts/dejavu), the base
# model as an HF-layout folder (VORA_BASE_MODEL, e.g. what `vora import-gguf` wrote), build/gpu/bin/vora.
# Sizes via SYNTH_TRAIN / SYNTH_VAL / SYNTH_TEST / SYNTH_PROMPTS. Data goes to SYNTH_DIR (default
# /tmp/synth: 100k PPM pictures are ~15 GB); manifests and logs to $OUT.
set -uo pipefail
out=${OUT:-/tmp}
data=${SYNTH_DIR:-/tmp/synth}
fonts=${VORA_FONTS_DIR:-shared/fonts/dejavu}
base=${VORA_BASE_MODEL:?set VORA_BASE_MODEL to the base model folder}
start=$(date +%s)
python3 -m training.synth generate --out "$data" --seed 0 --format ppm --fonts-dir "$fonts" --workers 16 \
  --train "${SYNTH_TRAIN:-100000}" --val "${SYNTH_VAL:-1000}" --test "${SYNTH_TEST:-2000}" || exit 1
echo "pictures: $(( $(date +%s) - start )) s, $(du -sh "$data/images" | cut -f1)"
cp "$data/manifest.json" "$out/synth-manifest.json"
python3 -m training.synth prompts --out "$data/prompts.jsonl" --count "${SYNTH_PROMPTS:-20000}" || exit 1
python3 -m training.synth.distill_text --model "$base" --prompts "$data/prompts.jsonl" --out "$data" \
  --device cuda --dtype bfloat16 --batch-size 256 --max-new-tokens 128 || exit 1
cp "$data/text-manifest.json" "$out/" && head -5 "$data/text-val.jsonl" > "$out/text-val-head.jsonl"
for f in pretrain-train pretrain-val finetune-train finetune-val finetune-test text-train text-val; do
  build/gpu/bin/vora data check --data "$data/$f.jsonl" --image-root "$data" --model "$base" --max-text-len 512 --json \
    | python3 -c "import json,sys; r=json.load(sys.stdin); print('$f:', r['lines'], 'lines,', r['good'], 'good,', \
      len(r['problems']), 'problems, max', r['max_text_tokens'], 'text tokens')"
done
