#!/usr/bin/env bash
# Saves screenshots of the Fine-tune page's steps into docs/screenshots/finetune-*.png: the real window,
# a real training and merge of the tiny test base on the CPU, light and dark, under Xvfb.
#   tests/ui/finetune_screenshots.sh     (from the repository root, after building the dev preset)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
packaging/env cmake --build --preset dev --target vora_finetune_screenshots vora >/dev/null
for scheme in light dark; do
  VORA_ENV_PASS="QT_SCALE_FACTOR" packaging/env --xvfb build/dev/tests/vora_finetune_screenshots docs/screenshots --scheme "$scheme"
done
# 256-colour PNGs: a quarter of the size, no visible loss on UI shots.
packaging/env bash -c 'for f in docs/screenshots/finetune-*.png; do convert "$f" -colors 256 "PNG8:$f"; done'
ls -la docs/screenshots/finetune-*
