#!/usr/bin/env bash
# Runs on the GPU machine (the device tool): builds the headless `gpu` preset against the machine's
# CUDA LibTorch, shows `vora info`, then runs whatever GPU checks and benchmarks are asked for.
#   packaging/device-check.sh [build] [info] [STEP...]
# Steps are scripts under packaging/device-steps/ (NAME.sh), run in order. Output goes to stdout and,
# when $OUT is set, to $OUT/device-check.log.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log=${OUT:-/tmp}/device-check.log
exec > >(tee -a "$log") 2>&1
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(build info)
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
for step in "${steps[@]}"; do
  echo "=== step: $step ($(date +%T))"
  case "$step" in
    build)
      prefix=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
      start=$(date +%s)
      cmake --preset gpu -DCMAKE_PREFIX_PATH="$prefix" -DVORA_WARNINGS_AS_ERRORS=ON >/tmp/configure.log 2>&1 \
        || { tail -40 /tmp/configure.log; exit 1; }
      grep -E "VoRA Studio:" /tmp/configure.log
      cmake --build --preset gpu -j 16 2>&1 | grep -E "error|warning|FAILED|Linking" || true
      [[ -x build/gpu/bin/vora ]] || { echo "build failed"; exit 1; }
      echo "build: $(( $(date +%s) - start )) s"
      ;;
    info)
      build/gpu/bin/vora info && build/gpu/bin/vora info --json
      ;;
    *)
      bash "packaging/device-steps/$step.sh" || echo "step $step failed: $?"
      ;;
  esac
done
