#!/bin/sh
# valgrind-check.sh - one integration run under valgrind memcheck: the sync
# strategy of configs/quick.ini (cpu_sum and null workloads), with no
# definite leak and no memory error in concur itself.  valgrind always
# runs fork()ed children too; --child-silent-after-fork=yes keeps their
# reports out (a run child leaves with _exit() and everything its parent
# allocated still reachable, which is not a leak), and nothing is exec'd.
#
#   scripts/valgrind-check.sh [BUILD_DIR]   default build; needs valgrind
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
concur=$build/harness/concur
command -v valgrind >/dev/null || { echo "valgrind-check: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
[ -x "$concur" ] || { echo "valgrind-check: $concur not built" >&2; exit 2; }

out=$(mktemp -d /tmp/concur-vg.XXXXXX)
trap 'rm -rf "$out"' EXIT
# Plugins are dlclose()d at exit; keep their symbols so a leak inside one
# is reported with its function names rather than ???.
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --error-exitcode=1 \
	--child-silent-after-fork=yes --trace-children=no \
	--keep-debuginfo=yes --num-callers=30 \
	"$concur" run "$here/configs/quick.ini" -o "$out/quick.csv" --force \
	--set sums.count=4 --set experiment.repetitions=2 \
	--set experiment.timeout=120s --quiet \
	--set pthreads.workers=1 >"$out/stdout" 2>"$out/valgrind.log" || {
	rc=$?
	cat "$out/valgrind.log" >&2
	echo "valgrind-check: FAILED (exit $rc)" >&2
	exit 1
}
grep -E "ERROR SUMMARY|definitely lost" "$out/valgrind.log" || true
echo "valgrind-check: ok: no definite leaks, no errors"
