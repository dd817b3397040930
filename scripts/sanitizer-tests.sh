#!/usr/bin/env bash
# The unit and coroutine tests under a sanitizer: scripts/sanitizer-tests.sh tsan|asan
# (tsan = ThreadSanitizer; asan = AddressSanitizer + UndefinedBehaviorSanitizer). Builds only the
# unit test executables, the helper they spawn and the in-process hostile-server suite, with the
# preset of that name, then runs them; any sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:?usage: scripts/sanitizer-tests.sh tsan|asan}
scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
targets=$(cmake --build --preset "$preset" --target help | sed -n 's/^\(flowtrack_unit_[a-z_]*\):.*/\1/p' | sort -u)
cmake --build --preset "$preset" --target $targets track_then_die hostile_server_tests
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
ctest --preset "$preset" -L unit
# The preset's label filter admits unit tests only: the hostile-server suite by name, without it.
ctest --test-dir "build-$preset" --output-on-failure -R '^integration\.HostileServer[./]'
