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
# munge for the test that runs a real single-node Slurm cluster.
export CONCUR_EXTRA_PACKAGES="clang libclang-rt-14-dev valgrind clang-format libreoffice-calc-nogui python3-openpyxl slurm-wlm munge libbenchmark-tools python3-scipy python3-jsonschema"
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
    # test_queueing checks queueing theory on the scheduler's timing and
    # integration_slurm a real cluster's handling of the submit script:
    # the Release pass judges both, and a sanitizer's slowdown only makes
    # the first skip its settings.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j "$jobs" \
        -E '^(test_queueing|integration_slurm)$'

    echo "== tests (ThreadSanitizer build) =="
    # Every test but those about files and processes, whose concur runs no
    # threads of note beyond what the others cover (faults, torture, the
    # Slurm cluster, the workbook, merge, compare, exports, goldens; the
    # file_read workload, whose threads test_file_read runs in-process), and
    # test_queueing (as above): they passed above and took most of
    # ThreadSanitizer's time.
    scripts/tsan-check.sh build-tsan . \
        '^(test_queueing|integration_(faults|torture|file_read|slurm|workbook_scratch|merge_output|merge|compare|export|golden|csv_contract|hardening|xlsx_libreoffice|xlsx_openpyxl|special_files|version))$'

    for check in scripts/fuzz-check.sh scripts/valgrind-check.sh; do
        if [[ -x $check ]]; then
            echo "== $check =="
            "$check"
        fi
    done
fi
