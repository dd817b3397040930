#!/usr/bin/env bash
# The conventional build a packager or a consumer runs, with Debian's default compiler (g++ 12):
# no preset, `cmake -DCMAKE_BUILD_TYPE=Release`, warnings not turned into errors (FLOWTRACK_WERROR
# is OFF outside the presets). Builds the library and flowtrack-demo, then runs the demo once.
# Usage: scripts/gcc-release-build.sh [BUILD_DIR]   (default build-gcc-release/)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build-gcc-release}
scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
  -DFLOWTRACK_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target flowtrack flowtrack-demo
# The demo with telemetry off: proves the g++ binary starts and runs a command, without a server.
DO_NOT_TRACK=1 "$build/bin/flowtrack-demo" --help >/dev/null
echo "gcc-release-build: flowtrack and flowtrack-demo built with $(g++ -dumpfullversion) (Release) and run"
