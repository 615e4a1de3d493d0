# The demo model's whole recipe (training/demo_recipe.py) on the GPU machine, meant to run DETACHED so that
# one device call starts it and short later calls watch it:
#   setsid nohup bash packaging/device-steps/demo_pipeline.sh WORK GGUF FONTS HELDOUT > WORK.log 2>&1 &
# WORK is created; GGUF is SmolLM2-135M-Instruct.Q4_1.gguf (sha256 checked by the recipe); FONTS holds the
# DejaVu TTFs; HELDOUT the ImageMagick scenes (python3 -m training.synth.heldout). Run from a copy of the
# repository outside the device tool's working tree (its files are replaced at every call).
# Phases log to WORK/../pipeline-PHASE.log and end with "PHASE_EXIT <code>"; the trained parts come out as
# WORK/out/demo-parts.tar.gz before any evaluation starts; WORK/out/results.json and demo-logs.tar.gz last.
# Every poll call of the lease should also run `python3 -m training.demo_recipe collect --work WORK --out $OUT`:
# each run's newest checkpoint comes home at once (run 2 lost its weights when the lease ended mid-stage 2).
# STAGE1_INIT_FROM (e.g. resources/demo-model/stage1) starts the pre-training run from an earlier stage-1 part;
# STAGE1_REUSE (a stage-1 part) trains no stage 1: stage 2 builds on that part (run 5).
# ABLATIONS=none|beside|after overrides where the ablation rows train; STAGE2_VARIANTS the stage-2 candidates
# (NAME:LR:LAYERS:RANK,...).
# Budgets (seconds) can be set with STAGE1_S, ABLATION_S, STAGE2_S (on one GPU the ablation rows train after
# stage 2, beside the final evaluations; `final` waits for them before evaluating them); STAGE2_DEVICES (e.g. cuda:0) keeps the
# fine-tuning runs and the evaluations off the other GPUs. The inputs may still be arriving when the pipeline starts (a large GGUF
# comes over in several calls): each phase waits up to 15 minutes for what it reads to exist.
set -u
work=$1 gguf=$2 fonts=$3 heldout=$4
logs=$(dirname "$work")
mkdir -p "$work"
phase() { # phase NAME COMMAND...: runs it, logs it, stops the pipeline when it fails
  local name=$1; shift
  "$@" > "$logs/pipeline-$name.log" 2>&1
  local rc=$?
  echo "${name}_EXIT $rc" >> "$logs/pipeline-$name.log"
  echo "$(date +%T) $name exit $rc"
  [[ $rc -eq 0 ]] || exit "$rc"
}
await() { # await PATH: waits until PATH exists
  local end=$(( $(date +%s) + 900 ))
  until [[ -e $1 ]]; do
    (( $(date +%s) < end )) || { echo "$(date +%T) gave up waiting for $1"; exit 1; }
    sleep 2
  done
}
seed=$(python3 -c 'import training.demo_recipe as r; print(r.SEED)')
# The scenes need no binary: they are generated while vora builds.
await "$fonts"
python3 -m training.synth generate --out "$work/data" --seed "$seed" --format ppm --fonts-dir "$fonts" \
  --sizes 224,160,320 --other-size-share 0.1 --train 100000 --val 1000 --test 600 --workers 24 \
  > "$logs/pipeline-generate.log" 2>&1 &
generator=$!
prefix=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
phase build bash -c "TORCH_CUDA_ARCH_LIST=9.0 cmake --preset gpu -DCMAKE_PREFIX_PATH=$prefix -DVORA_WARNINGS_AS_ERRORS=OFF \
  && cmake --build --preset gpu -j "$(nproc)" --target vora"
wait "$generator" || { echo "scene generation failed"; exit 1; }
await "$gguf"; await "$heldout"
phase setup python3 -m training.demo_recipe setup --work "$work" --gguf "$gguf" --fonts "$fonts" --heldout "$heldout"
phase stage1 python3 -m training.demo_recipe stage1 --work "$work" --budget-s "${STAGE1_S:-330}" \
  --ablation-budget-s "${ABLATION_S:-560}" ${ABLATIONS:+--ablations "$ABLATIONS"} ${STAGE1_INIT_FROM:+--init-from "$STAGE1_INIT_FROM"} \
  ${STAGE1_REUSE:+--reuse "$STAGE1_REUSE"}
phase wait1 python3 -m training.demo_recipe wait --work "$work" --until stage1 --max-s 1200
phase stage2 python3 -m training.demo_recipe stage2 --work "$work" --budget-s "${STAGE2_S:-240}" \
  --devices "${STAGE2_DEVICES:-}" ${STAGE2_VARIANTS:+--variants "$STAGE2_VARIANTS"}
phase wait2 python3 -m training.demo_recipe wait --work "$work" --until all --max-s 1200
# On one GPU the ablation rows start only now (beside the final merges and evaluations); else this does nothing.
phase ablations python3 -m training.demo_recipe ablations --work "$work"
phase final python3 -m training.demo_recipe final --work "$work" --out "$work/out" --devices "${STAGE2_DEVICES:-}"
echo "$(date +%T) pipeline done"
