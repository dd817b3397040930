#!/usr/bin/env bash
# Installs the build into a temporary prefix, then configures, builds and runs a consumer
# project that finds it with find_package(flowtrack CONFIG REQUIRED).
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
# Through ccache when installed, with paths taken relative to the temporary directory, so an
# unchanged consumer against unchanged headers is not compiled again.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="env;CCACHE_BASEDIR=$work;CCACHE_NOHASHDIR=true;ccache")
fi
cmake -S "$source_dir/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="${CXX:-clang++}" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
