#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds and runs the consumer twice: a CMake
# project that finds it with find_package(flowtrack CONFIG REQUIRED), and the same main.cpp
# compiled by hand with the flags of `pkg-config --cflags --libs flowtrack`.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
# The standalone drainer (handoff_options::drainer_program): installed, and refuses to run
# without its argument (usage, exit 2) rather than draining anything.
drain_status=0
"$work/prefix/bin/flowtrack-drain" </dev/null 2>/dev/null || drain_status=$?
if ((drain_status != 2)); then
  echo "check_install: bin/flowtrack-drain missing or exited $drain_status without its argument" >&2
  exit 1
fi
# The tools component: mock-segment and flowtrack-demo, installed alone into a prefix of their
# own, and mock-segment serving the API there (its first line says where it listens).
cmake --install "$build_dir" --prefix "$work/tools" --component tools >/dev/null
[[ -x $work/tools/bin/flowtrack-demo && ! -e $work/tools/lib ]] || {
  echo "check_install: the tools component is not flowtrack-demo and mock-segment alone" >&2
  exit 1
}
mkfifo "$work/mock-ready"
"$work/tools/bin/mock-segment" --port 0 >"$work/mock-ready" 2>/dev/null </dev/null &
mock_pid=$!
read -r -t 10 mock_line <"$work/mock-ready" || true
kill "$mock_pid" 2>/dev/null || true
wait "$mock_pid" 2>/dev/null || true
[[ $mock_line == "listening on http://"* ]] || { echo "check_install: the installed mock-segment did not start" >&2; exit 1; }
echo "consumer: installed mock-segment $mock_line"
# Through ccache when installed, with paths taken relative to the temporary directory, so an
# unchanged consumer against unchanged headers is not compiled again.
ccache_cmd=()
launcher=()
if command -v ccache >/dev/null; then
  ccache_cmd=(env "CCACHE_BASEDIR=$work" CCACHE_NOHASHDIR=true ccache)
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="$(IFS=';'; echo "${ccache_cmd[*]}")")
fi
cmake -S "$source_dir/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="${CXX:-clang++}" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
# The pkg-config route: the installed flowtrack.pc alone says how to compile and link.
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build_dir/CMakeCache.txt")
export PKG_CONFIG_PATH="$work/prefix/$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
read -ra pc_flags < <(pkg-config --cflags --libs flowtrack)
"${ccache_cmd[@]}" "${CXX:-clang++}" -O1 -o "$work/consumer-pkg-config" "$source_dir/consumer/main.cpp" "${pc_flags[@]}"
"$work/consumer-pkg-config"
# A consumer compiled by the other compiler is refused by find_package, with the reason (it could
# not link: the two compilers mangle Asio's separately compiled symbols differently).
other=g++
[[ $("${CXX:-clang++}" --version) == *clang* ]] || other=clang++
if command -v "$other" >/dev/null; then
  if cmake -S "$source_dir/consumer" -B "$work/build-$other" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_CXX_COMPILER="$other" >"$work/other.log" 2>&1; then
    echo "check_install: find_package accepted a consumer compiled by $other" >&2
    exit 1
  fi
  grep -q "mangle Asio's separately compiled" "$work/other.log" || {
    cat "$work/other.log" >&2
    exit 1
  }
  echo "consumer: $other refused with the reason"
fi
