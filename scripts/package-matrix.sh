#!/usr/bin/env bash
# The package matrix: {clang++, g++} x {static, shared} x {find_package, pkg-config}.
# For each compiler and library kind it builds and installs the library the conventional way
# (`cmake -DCMAKE_BUILD_TYPE=Release [-DBUILD_SHARED_LIBS=ON]`, no preset), then builds the
# consumer from the README's own text (tests/package/readme_consumer.py: the "Using the client"
# program, the ```cmake lines, the pkg-config line) both ways with the same compiler, and runs
# each against mock-segment: offline first (the event spooled within the snippet's bounds), then
# online (the spooled event and the new one delivered). A shared consumer must load the installed
# libflowtrack.so.<soname>, and the shared library must export nothing of Beast or Boost.
# Usage: scripts/package-matrix.sh MOCK_SEGMENT [WORK_DIR]   (mock-segment from any build)
set -euo pipefail
cd "$(dirname "$0")/.."
mock=$(realpath "${1:?usage: scripts/package-matrix.sh MOCK_SEGMENT [WORK_DIR]}")
work=${2:-build-package-matrix}
mkdir -p "$work"
work=$(realpath "$work")
python3 tests/package/readme_consumer.py README.md "$work/consumer-src"

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
for cxx in clang++ g++; do
  for kind in static shared; do
    cell="$cxx-$kind"
    shared=OFF
    [[ $kind == shared ]] && shared=ON
    start=$(date +%s)
    cmake -S . -B "$work/$cell/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" \
      -DBUILD_SHARED_LIBS=$shared -DFLOWTRACK_BUILD_TESTS=OFF -DFLOWTRACK_BUILD_APPS=OFF "${launcher[@]}" >/dev/null
    cmake --build "$work/$cell/build" >/dev/null
    rm -rf "$work/$cell/prefix"
    cmake --install "$work/$cell/build" --prefix "$work/$cell/prefix" >/dev/null
    libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$work/$cell/build/CMakeCache.txt")
    if [[ $kind == shared ]]; then
      lib=$(find "$work/$cell/prefix/$libdir" -name 'libflowtrack.so.*.*.*' | head -1)
      soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
      [[ $soname == libflowtrack.so.* ]] || { echo "package-matrix: $cell: no SONAME in $lib" >&2; exit 1; }
      # The symbol's own name (after the address and type), not its argument types.
      if nm -DC --defined-only "$lib" | grep -E '^[0-9a-f]+ [A-Za-z] ([a-z ]+ for )?(boost|nlohmann)::' >/dev/null; then
        echo "package-matrix: $cell: libflowtrack exports Boost or nlohmann symbols" >&2
        exit 1
      fi
    fi

    # find_package: the README's CMake lines.
    cmake -S "$work/consumer-src" -B "$work/$cell/find_package" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/$cell/prefix" "${launcher[@]}" >/dev/null
    cmake --build "$work/$cell/find_package" >/dev/null
    # pkg-config: the README's line, run as written (with this cell's compiler as c++).
    mkdir -p "$work/$cell/pkg-config"
    cp "$work/consumer-src/app.cpp" "$work/$cell/pkg-config/"
    (cd "$work/$cell/pkg-config" &&
      PKG_CONFIG_PATH="$work/$cell/prefix/$libdir/pkgconfig" CXX="$cxx" bash "$work/consumer-src/pkg-config.sh")

    for route in find_package pkg-config; do
      app="$work/$cell/$route/app"
      run_env=()
      if [[ $kind == shared ]]; then
        # The README's pkg-config line sets no rpath: the program finds the library through
        # LD_LIBRARY_PATH (or an rpath of the user's own), as its README paragraph says.
        [[ $route == pkg-config ]] && run_env=(env "LD_LIBRARY_PATH=$work/$cell/prefix/$libdir")
        loaded=$("${run_env[@]}" ldd "$app" | grep -o "libflowtrack.so[^ ]* => [^ ]*" || true)
        [[ $loaded == *"$work/$cell/prefix/"* ]] || {
          echo "package-matrix: $cell/$route: the program does not load the installed libflowtrack ($loaded)" >&2
          exit 1
        }
      fi
      "${run_env[@]}" python3 tests/docs/run_against_mock.py --mock "$mock" --event "Signed Up" \
        --offline-first -- "$app" '{url}' >"$work/$cell/run-$route.log" 2>&1 || {
        cat "$work/$cell/run-$route.log" >&2
        echo "package-matrix: $cell/$route: the README program failed against mock-segment" >&2
        exit 1
      }
    done
    echo "package-matrix: $cell: find_package and pkg-config consumers built from the README and delivered ($(( $(date +%s) - start )) s)"
  done
done
