#!/usr/bin/env bash
# tsan-check.sh — build concur with ThreadSanitizer in build-tsan and run the
# whole test suite through ctest: unit tests of the threaded plugins and the
# integration tests, which run real pthreads and epoll threads inside the
# concur binary.  Any TSan report fails the test that produced it
# (halt_on_error), so the script exits non-zero on a data race, a
# lock-order inversion or a leak of a thread.  CONCUR_TEST_SANITIZER=thread
# tells tests to relax wall-time bounds that TSan's slowdown would break
# (never a correctness check).
#
# Usage: scripts/tsan-check.sh [BUILD_DIR] [CTEST_REGEX] [CTEST_EXCLUDE]
#   BUILD_DIR      default build-tsan
#   CTEST_REGEX    default: every test
#   CTEST_EXCLUDE  tests to leave out (ctest -E); default none
# Works with gcc (the default cc) and clang: plugins are linked without
# -Wl,--no-undefined in sanitizer builds.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build-tsan}
regex=${2:-.}
exclude=${3:-}
jobs=$(nproc)
# ctest slots: CONCUR_TEST_JOBS when set (scripts/test.sh sets it), else one per CPU.
test_jobs=${CONCUR_TEST_JOBS:-$jobs}

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONCUR_SANITIZE=thread
cmake --build "$build" -j "$jobs"

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
# Tests relax wall-time bounds (never correctness) when they see this.
export CONCUR_TEST_SANITIZER=thread

# TSan (gcc 12, clang 14) maps its shadow memory at fixed addresses and dies
# with "unexpected memory mapping" when the kernel randomises mmap with more
# bits than it expects (vm.mmap_rnd_bits > 28 on recent kernels).  Running
# without address-space randomisation avoids that; setarch -R does it for
# this process tree only.
wrap=()
if [[ -r /proc/sys/vm/mmap_rnd_bits ]] &&
   (( $(cat /proc/sys/vm/mmap_rnd_bits) > 28 )) &&
   setarch "$(uname -m)" -R true 2>/dev/null; then
    wrap=(setarch "$(uname -m)" -R)
fi

echo "== tests under ThreadSanitizer ($build, -R '$regex'${exclude:+, -E '$exclude'}) =="
"${wrap[@]}" ctest --test-dir "$build" --output-on-failure -j "$test_jobs" -R "$regex" \
    ${exclude:+-E "$exclude"}
