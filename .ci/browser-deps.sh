#!/usr/bin/env bash
# Browser-test dependencies: Debian chromium (+ fonts) and the local CesiumJS build.
# Idempotent: installs only what is missing. Called by .ci/run before pytest; run it by
# hand to enable the browser tests and benchmarks/globe.py locally.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi dejavu; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
        chromium fonts-dejavu-core
fi
chromium --version

# CJK glyphs for the Chinese UI (workbench.locale.fonts.FONT_STACK falls back to them)
if ! fc-list :lang=zh family 2>/dev/null | grep -qi "Noto Sans CJK SC"; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
        fonts-noto-cjk
fi
fc-list :lang=zh family | grep -i "Noto Sans CJK SC" | head -n 1

if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends npm
fi
# npm install cesium@1.145.0 into the workbench cache (no-op when already there)
uv run python -c "from workbench.widgets.cesium import install_cesium; print('cesium:', install_cesium())"
