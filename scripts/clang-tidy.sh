#!/usr/bin/env bash
# clang-tidy (checks in .clang-tidy) over the project's own translation units in a configured
# build's compile_commands.json: src, apps, bench, examples and tests (the fuzz targets too when
# that build has them). Prints only the findings; exits non-zero on any. A translation unit found
# clean before is not checked again until it, a header it includes, its flags or .clang-tidy change
# (scripts/clang_tidy_cached.py: the cache key is its preprocessed source; FLOWTRACK_TIDY_CACHE=off
# checks everything).
# Usage: scripts/clang-tidy.sh [BUILD_DIR [clang-tidy-14 options, e.g. -fix]]
#   BUILD_DIR defaults to build/ (the default preset's; scripts/test.sh configures it).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
shift $(($# > 0 ? 1 : 0))
if [[ ! -f $build/compile_commands.json ]]; then
  echo "clang-tidy: no $build/compile_commands.json; configure first (cmake --preset default)" >&2
  exit 2
fi
scripts/install-deps.sh

# The source tree as CMake recorded it, so the file filter matches compile_commands.json's paths.
source_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
source_re=$(python3 -c 'import re, sys; print(re.escape(sys.argv[1]))' "$source_dir")
# src/asio compiles Asio itself (ASIO_SEPARATE_COMPILATION): Asio's code, not ours.
files_re="^$source_re/(?!src/asio/)(src|apps|bench|examples|tests)/"

exec python3 scripts/clang_tidy_cached.py "$build" "$files_re" "$@"
