#!/usr/bin/env bash
# Saves screenshots of VoRA Studio (fake backend, real X server under Xvfb) into docs/screenshots/:
#   tests/ui/screenshots.sh            (from the repository root, after building the dev preset)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
packaging/env cmake --build --preset dev --target vora_screenshots >/dev/null
photo=/usr/lib/python3/dist-packages/skimage/data/chelsea.png
packaging/env --xvfb build/dev/tests/vora_screenshots docs/screenshots "$photo"
# 256-colour PNGs: a quarter of the size, no visible loss on UI shots.
packaging/env bash -c 'for f in docs/screenshots/*.png; do convert "$f" -colors 256 "PNG8:$f"; done'
ls -la docs/screenshots
