#!/usr/bin/env bash
# error_class() under g++: configures the gcc preset (build-gcc), builds only the
# flowtrack_error_class_tests target (error_class.cpp, error.cpp and the table test; a few TUs,
# not the whole library) and runs it. The clang build runs the same test file in the normal
# suite (unit.cli.ErrorClass.*), with the same expected strings: both compilers must name every
# error alike, or dashboards split one error into several.
# Usage: scripts/gcc-cli-check.sh [gtest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset gcc >/dev/null
cmake --build --preset gcc --target flowtrack_error_class_tests -j2
build-gcc/bin/flowtrack_error_class_tests "$@"
