#!/usr/bin/env bash
# Runs a GUI test on a real X server (Xvfb, the xcb platform) for what the offscreen platform cannot
# show: a clipboard owned by another process. Exit 77 (skipped) where xvfb-run is missing.
#   tests/ui/run_under_xvfb.sh TEST_EXECUTABLE [ARG]...
set -euo pipefail
if ! command -v xvfb-run >/dev/null; then
  echo "xvfb-run is not installed: skipped"
  exit 77
fi
exec xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb "$@"
