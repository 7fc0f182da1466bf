#!/usr/bin/env bash
# tsan-check.sh — build concur with ThreadSanitizer in build-tsan and run the
# thread-related tests (the pthreads/forkpool/sync strategy tests, the
# epoll strategy with its threads option, the download workload) through
# ctest.  test_testserver is left out by default: its 1000-connection test
# has a wall-time bound that TSan's slowdown can exceed, and the threads it
# starts are libmicrohttpd's own, which TSan does not instrument.
# Any TSan report fails the test that produced it (halt_on_error), so the
# script exits non-zero on a data race, a lock-order inversion or a leak of
# a thread.
#
# Usage: scripts/tsan-check.sh [BUILD_DIR] [CTEST_REGEX]
#   BUILD_DIR    default build-tsan
#   CTEST_REGEX  default: every test_plugins_*, test_epoll, test_http_download
# Compiler: the default cc (gcc).  A clang TSan build does not link yet:
# plugins are linked with -Wl,--no-undefined and clang, unlike gcc, leaves
# the sanitizer runtime's symbols undefined in shared objects.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build-tsan}
regex=${2:-'^(test_plugins_.*|test_epoll|test_http_download)$'}
jobs=$(nproc)

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONCUR_SANITIZE=thread
cmake --build "$build" -j "$jobs"

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"

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

echo "== tests under ThreadSanitizer ($build, -R '$regex') =="
"${wrap[@]}" ctest --test-dir "$build" --output-on-failure -j "$jobs" -R "$regex"
