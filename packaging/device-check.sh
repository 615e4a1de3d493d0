#!/usr/bin/env bash
# Runs on the GPU machine (the device tool): builds the headless `gpu` preset against the machine's
# CUDA LibTorch, shows `vora info`, then runs whatever GPU checks and benchmarks are asked for.
#   packaging/device-check.sh [build] [info] [STEP...]
# Steps are scripts under packaging/device-steps/ (NAME.sh), run in order; each must exit non-zero when
# anything in it fails. A failed build stops the run; any failed step makes this script exit 1. A summary
# table (step, result, seconds) comes last. Output goes to stdout and, when $OUT is set, to
# $OUT/device-check.log (the build log to $OUT/build.log).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${OUT:-/tmp}
mkdir -p "$out"
exec > >(tee -a "$out/device-check.log") 2>&1
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(build info)
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

build() {
  local prefix
  prefix=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)') || return 1
  # The arch list keeps LibTorch's CMake from probing the GPU; sm_90 is Hopper (H100, H200).
  TORCH_CUDA_ARCH_LIST=9.0 cmake --preset gpu -DCMAKE_PREFIX_PATH="$prefix" -DVORA_WARNINGS_AS_ERRORS=ON \
    >"$out/configure.log" 2>&1 || { tail -40 "$out/configure.log"; return 1; }
  grep -E "VoRA Studio:" "$out/configure.log"
  if ! cmake --build --preset gpu -j "$(nproc)" >"$out/build.log" 2>&1; then
    grep -E -A6 "error|FAILED" "$out/build.log" | head -80
    return 1
  fi
  grep -E "warning" "$out/build.log" | head -20 || true
}

info() { build/gpu/bin/vora info && build/gpu/bin/vora info --json; }

results=()
failed=0
for step in "${steps[@]}"; do
  echo "=== step: $step ($(date +%T))"
  start=$(date +%s)
  case "$step" in
    build) build ;;
    info) info ;;
    *)
      if [[ -f "packaging/device-steps/$step.sh" ]]; then
        bash "packaging/device-steps/$step.sh"
      else
        echo "no such step: packaging/device-steps/$step.sh"
        false
      fi
      ;;
  esac
  rc=$?
  seconds=$(( $(date +%s) - start ))
  if [[ $rc -eq 0 ]]; then
    results+=("$(printf '%-16s %-10s %5s s' "$step" ok "$seconds")")
  else
    results+=("$(printf '%-16s %-10s %5s s' "$step" "FAILED($rc)" "$seconds")")
    failed=1
    echo "=== step $step FAILED (exit $rc)"
    [[ $step == build ]] && break
  fi
done

echo
echo "=== summary ($(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1))"
printf '%s\n' "${results[@]}"
[[ -f "$out/summary.txt" ]] && cat "$out/summary.txt"
exit $failed
