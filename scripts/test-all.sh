#!/usr/bin/env bash
# Every test rtcstack has, in three builds (the README's second command; .ci/run calls it):
#   1. gcc, warnings as errors: unit, integration and script tests, install + pkg-config
#   2. gcc with AddressSanitizer and UndefinedBehaviorSanitizer: the same tests again
#   3. clang-16 with libFuzzer (+ASan/UBSan): each fuzz target for a bounded smoke run
# Installs missing Debian packages first. Ends with "N passed, N failed" summed over all
# test cases; exits non-zero on any failure, sanitizer report or fuzz crash.
# Environment: FUZZ_SECONDS / FUZZ_RUNS bound each fuzz run (default 20 s / 100000 runs).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}" "${INTEROP_PACKAGES[@]}" || exit 1
ensure_browser_drivers || exit 1

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
jobs=$(nproc)
logs=()
build_failures=0

# stage NAME DIR "TEST ARGS" [ENV=VALUE...] -- [MESON SETUP OPTIONS...]
stage() {
  local name=$1 dir=$2 test_args=$3
  shift 3
  local env=()
  while [ "$1" != "--" ]; do env+=("$1"); shift; done
  shift
  say "Stage $name: configure $dir ($*)"
  if ! env "${env[@]}" bash -c 'source scripts/lib/common.sh; configure_build "$@"' _ "$dir" -Dwerror=true "$@"; then
    echo "stage $name: meson setup failed"
    build_failures=$((build_failures + 1))
    return
  fi
  say "Stage $name: build"
  if ! ninja -C "$dir" -j "$jobs"; then
    echo "stage $name: build failed"
    build_failures=$((build_failures + 1))
    return
  fi
  say "Stage $name: test"
  rm -f "$dir/meson-logs/testlog.json"
  # shellcheck disable=SC2086  # test_args is a list of meson test options
  meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes "$jobs" $test_args
  # Keep this stage's results apart, so nothing run later in $dir can change the total.
  local results="build/results-$name.json"
  if [ -f "$dir/meson-logs/testlog.json" ]; then
    cp "$dir/meson-logs/testlog.json" "$results"
    logs+=("$results")
  else
    echo "stage $name: meson test left no results"
    build_failures=$((build_failures + 1))
    return
  fi
  python3 scripts/count_results.py --show "$results"
  read -r p f s < <(python3 scripts/count_results.py "$results")
  local line="stage $name: $p passed, $f failed"
  [ "$s" -gt 0 ] && line+=", $s skipped"
  echo "$line"
}

stage gcc build/gcc "" -- -Dbuildtype=debugoptimized
stage sanitize build/asan "--no-suite install" -- -Dbuildtype=debugoptimized \
  -Db_sanitize=address,undefined -Dbench=disabled
stage fuzz build/fuzz "--suite fuzz" CXX=clang++-16 -- -Dbuildtype=debugoptimized \
  -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true -Dtests=false -Dbench=disabled

read -r passed failed skipped < <(python3 scripts/count_results.py "${logs[@]}")
failed=$((failed + build_failures))
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
say "All stages done"
echo "$summary"
[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ]
