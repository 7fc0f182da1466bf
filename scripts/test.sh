#!/usr/bin/env bash
# Quick start, command 2: set up, build, and run the whole test suite with
# ctest — the normal build, then again under AddressSanitizer +
# UndefinedBehaviorSanitizer, then the threaded tests under ThreadSanitizer,
# then the extra checks each area keeps in scripts/*-check.sh (fuzzing,
# valgrind).  CI (.ci/run) runs exactly this.  CONCUR_SKIP_SANITIZERS=1 runs
# the normal build's tests only.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang + its runtimes for the libFuzzer target, valgrind for memcheck;
# LibreOffice (headless) and openpyxl read the workbook back; slurm-wlm +
# munge for the test that runs a real single-node Slurm cluster; nginx is
# the HTTP/2 peer of integration_http2; strace counts integration_io_costs'
# syscalls.
export CONCUR_EXTRA_PACKAGES="clang libclang-rt-14-dev valgrind clang-format libreoffice-calc-nogui python3-openpyxl slurm-wlm munge libbenchmark-tools python3-scipy python3-jsonschema nginx strace"
scripts/setup.sh build

# The locale tests check '.' decimals under a German locale.
if [[ $(id -u) -eq 0 ]] && ! locale -a 2>/dev/null | grep -qi '^de_DE.utf8$'; then
    localedef -i de_DE -f UTF-8 de_DE.UTF-8 || echo "test.sh: could not generate de_DE.UTF-8" >&2
fi

jobs=$(nproc)
echo "== format (.clang-format) =="
scripts/format-check.sh

echo "== tests (Release build) =="
ctest --test-dir build --output-on-failure -j "$jobs"

if [[ "${CONCUR_SKIP_SANITIZERS:-0}" != 1 ]]; then
    echo "== tests (ASan + UBSan build) =="
    scripts/setup.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DCONCUR_SANITIZE=address,undefined
    # test_queueing checks queueing theory on the scheduler's timing,
    # integration_slurm a real cluster's handling of the submit script and
    # integration_io_costs the resident memory and epoll_ctl calls of
    # downloads: the Release pass judges them, a sanitizer's slowdown only
    # makes the first skip its settings, its shadow memory is not concur's,
    # and the syscalls are the same in every build.  integration_http2
    # (nginx as a peer) runs the plugin code test_http2 already runs under
    # the sanitizers.
    # intercept_tls_get_addr=0: GCC 12's LeakSanitizer misreads glibc's
    # dynamic TLS vector once enough modules are loaded (concur list with
    # every shipped plugin and two from --plugin-path: "Tracer caught signal
    # 11" at exit); leaks are still checked, dynamic TLS is not scanned.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j "$jobs" \
        -E '^(test_queueing|integration_(slurm|http2|io_costs))$'

    echo "== tests (ThreadSanitizer build) =="
    # Every test but those about files and processes, whose concur runs no
    # threads of note beyond what the others cover (faults, torture, the
    # Slurm cluster, the workbook, merge, compare, exports, goldens; the
    # file_read workload, whose threads test_file_read runs in-process), and
    # test_queueing and integration_io_costs (as above): they passed above
    # and took most of ThreadSanitizer's time.
    scripts/tsan-check.sh build-tsan . \
        '^(test_queueing|integration_(io_costs|faults|torture|file_read|slurm|http2|workbook_scratch|merge_output|merge|compare|export|golden|csv_contract|hardening|xlsx_libreoffice|xlsx_openpyxl|special_files|version))$'

    for check in scripts/fuzz-check.sh scripts/valgrind-check.sh; do
        if [[ -x $check ]]; then
            echo "== $check =="
            "$check"
        fi
    done
fi
