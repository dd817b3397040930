#!/usr/bin/env bash
# The check to run before each commit (a few minutes once build/ exists): builds the default
# preset incrementally, then runs the unit tier and every test suite defined in a test file that
# differs from main (committed on this branch, staged, unstaged or untracked).
# Usage: scripts/check.sh [--base REF] [extra ctest arguments]
#   --base REF   compare with REF instead of main
# .ci/run on a fresh clone is still the check to pass before an issue is called resolved.
set -euo pipefail
cd "$(dirname "$0")/.."

base=main
if [[ ${1:-} == --base ]]; then
  base=${2:?--base needs a ref}
  shift 2
fi

scripts/install-deps.sh
[[ -f build/build.ninja ]] || cmake --preset default >/dev/null
started=$(date +%s)
cmake --build --preset default

# Test files that differ from the base: what the branch committed, and what is not committed yet.
merge_base=$(git merge-base "$base" HEAD 2>/dev/null || echo HEAD)
mapfile -t changed < <({
  git diff --name-only "$merge_base" -- tests
  git ls-files --others --exclude-standard -- tests
} | sort -u | grep -E '\.(cpp|hpp)$' || true)

# GoogleTest suite names defined in them: ctest names tests <label>.<Suite>.<Test>.
suites=()
for f in "${changed[@]}"; do
  [[ -f $f ]] || continue
  while read -r suite; do suites+=("$suite"); done < <(
    sed -n 's/^ *\(TEST\|TEST_F\|TEST_P\|TYPED_TEST\|TYPED_TEST_P\)( *\([A-Za-z0-9_]*\) *,.*/\2/p' "$f" | sort -u)
done

status=0
echo "check: the unit tier"
ctest --preset default -L unit "$@" || status=$?
if ((${#suites[@]})); then
  pattern="[./]($(printf '%s\n' "${suites[@]}" | sort -u | paste -sd '|'))[./]"
  echo "check: suites changed since $base: ${suites[*]}"
  ctest --preset default -LE unit -R "$pattern" "$@" || status=$?
fi
echo "check: $( ((status == 0)) && echo passed || echo FAILED) in $(($(date +%s) - started)) s"
exit "$status"
