#!/bin/sh
# fuzz-check.sh - build the libFuzzer target over the experiment reader
# (tests/fuzz/fuzz_config.c) with clang, ASan and UBSan, and run it for a
# bounded time over the committed corpus.  Exit status non-zero when the
# fuzzer finds a crash, a leak or undefined behaviour (the reproducer is
# left in the work folder and its path printed).
#
#   scripts/fuzz-check.sh [SECONDS]     default 60; env CC (default clang),
#                                       FUZZ_WORK (default a temp folder)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
cc=${CC:-clang}
work=${FUZZ_WORK:-$(mktemp -d /tmp/concur-fuzz.XXXXXX)}
mkdir -p "$work/corpus"

command -v "$cc" >/dev/null || { echo "fuzz-check: $cc not found (apt-get install clang)" >&2; exit 2; }

echo "fuzz-check: building $work/fuzz_config with $cc"
"$cc" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -I"$here/harness" -I"$here/include" \
	"$here/tests/fuzz/fuzz_config.c" "$here/harness/config.c" \
	"$here/harness/value.c" "$here/harness/util.c" "$here/harness/fileio.c" \
	-linih \
	-o "$work/fuzz_config"

echo "fuzz-check: fuzzing for ${secs}s over tests/fuzz/corpus and tests/fixtures/hostile"
cd "$work"
# New inputs go to $work/corpus; the committed seeds are read only.  Inputs
# above 64 KiB are cut: the reader refuses files above 1 MiB anyway, and
# the big hostile files are covered by tests/integration/test_hostile.py.
set +e
./fuzz_config -max_total_time="$secs" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 \
	-dict="$here/tests/fuzz/ini.dict" -artifact_prefix="$work/" \
	"$work/corpus" "$here/tests/fuzz/corpus" "$here/tests/fixtures/hostile" \
	>"$work/fuzz.log" 2>&1
rc=$?
set -e
tail -n 20 "$work/fuzz.log"
if [ "$rc" -ne 0 ]; then
	echo "fuzz-check: FAILED (exit $rc); reproducers: $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | tr '\n' ' ')" >&2
	echo "fuzz-check: replay with $work/fuzz_config FILE" >&2
	exit 1
fi
echo "fuzz-check: ok ($secs s, no crash)"
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
