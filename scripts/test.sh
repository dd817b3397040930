#!/usr/bin/env bash
# Every test, from a fresh Debian 12 machine: installs what is missing, builds (Release with
# debug info, clang) and runs the whole ctest suite (unit, coroutine, integration against
# mock-segment processes the suite starts itself, e2e, and the live page in headless Chromium).
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh chromium
cmake --preset default >/dev/null
build_start=$(date +%s)
cmake --build --preset default
echo "build: $(( $(date +%s) - build_start )) s"
ctest --preset default "$@"
