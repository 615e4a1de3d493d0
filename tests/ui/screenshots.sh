#!/usr/bin/env bash
# Saves screenshots of VoRA Studio into docs/screenshots/: the real window over the real runtime and a
# real model, light and dark, at scale 1 and 1.5 (QT_SCALE_FACTOR), under Xvfb.
#   tests/ui/screenshots.sh [MODEL_DIR]     (from the repository root, after building the dev preset)
# MODEL_DIR defaults to the folder packaging/demo-model prints (it builds the demo model once).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
model=${1:-$(packaging/demo-model | tail -n 1)}
image=resources/samples/shapes-scene.png
packaging/env cmake --build --preset dev --target vora_screenshots >/dev/null
for scale in 1 1.5; do
  suffix=$([[ $scale == 1 ]] && echo "" || echo "@${scale}x")
  for scheme in light dark; do
    QT_SCALE_FACTOR=$scale VORA_ENV_PASS="QT_SCALE_FACTOR" packaging/env --xvfb \
      build/dev/tests/vora_screenshots docs/screenshots --model "$model" --image "$image" --scheme "$scheme" --suffix "$suffix"
  done
done
# 256-colour PNGs: a quarter of the size, no visible loss on UI shots.
packaging/env bash -c 'for f in docs/screenshots/*.png; do convert "$f" -colors 256 "PNG8:$f"; done'
ls -la docs/screenshots
