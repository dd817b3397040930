#!/usr/bin/env bash
# Builds the libFuzzer targets in the ASan+UBSan build (asan preset, build-asan/: the same build
# scripts/sanitizer-tests.sh asan uses, compiled with -fsanitize=fuzzer-no-link) and runs each for
# FLOWTRACK_FUZZ_SECONDS (30) from its seed corpus in tests/fuzz/corpus, two at a time; any crash
# fails. A crash leaves its input as crash-* in build-asan/tests/fuzz: add it to the corpus and a test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset asan -DFLOWTRACK_FUZZ_SECONDS="${FLOWTRACK_FUZZ_SECONDS:-30}" >/dev/null
cmake --build --preset fuzz
ctest --preset fuzz
