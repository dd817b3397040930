#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset: clang, ASan+UBSan) and runs each for
# FLOWTRACK_FUZZ_SECONDS (30) from its seed corpus in tests/fuzz/corpus; any crash fails.
# A crash leaves its input as crash-* in build-fuzz/tests/fuzz: add it to the corpus and a test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh libclang-rt-14-dev
cmake --preset fuzz -DFLOWTRACK_FUZZ_SECONDS="${FLOWTRACK_FUZZ_SECONDS:-30}" >/dev/null
cmake --build --preset fuzz --target fuzz_response_parser fuzz_request_parser fuzz_encoder fuzz_spool_reader
(cd build-fuzz/tests/fuzz && ctest --test-dir .. -L fuzz --output-on-failure)
