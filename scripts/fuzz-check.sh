#!/bin/sh
# fuzz-check.sh - build the libFuzzer targets with clang, ASan and UBSan and,
# for each, first replay its committed corpus (every file once, in a fixed
# order: deterministic), then fuzz it for a bounded time:
#
#   fuzz_config   the experiment reader        tests/fuzz/fuzz_config.c
#   fuzz_results  the results-file readers     tests/fuzz/fuzz_results.c
#                 (--resume's record reader, plot's in-place reader, model,
#                 lines and SVG)
#   fuzz_query    the test server's query      tests/fuzz/fuzz_query.c
#                 parser (what any client of concur serve sends)
#   fuzz_compare_merge  compare's and merge's  tests/fuzz/fuzz_compare_merge.c
#                 readers of summary, -runs.csv, -env.csv, from memory
#   fuzz_slurm    the concur slurm script      tests/fuzz/fuzz_slurm.c
#                 generator, each script run by bash with sbatch stubbed
#
# compare_merge and slurm run for 3/8 of SECONDS each (15 s by default): with
# their builds (about 12 s of CPU) the stage grows by under a minute.
#
# The fuzzing seed is printed on the first line.  It is derived from the
# commit being tested (the first 8 hex digits of its hash), so every run of
# one commit explores the same inputs in the same order, and a failure seen
# in CI is replayed with FUZZ_SEED=SEED.  A failing input is saved in the
# work folder under the name the log prints; replay it with the printed
# command.  New inputs the fuzzer finds stay in the work folder: the
# committed corpora are only read (copy an input into one on purpose).
#
# Exit status non-zero when a fuzzer finds a crash, a leak, undefined
# behaviour or a broken invariant.
#
#   scripts/fuzz-check.sh [SECONDS]     per target, default 40; env CC
#                                       (default clang), FUZZ_WORK (default
#                                       a temp folder), FUZZ_TARGETS (default
#                                       "config results compare_merge query
#                                       slurm"), FUZZ_SEED (default: from
#                                       the commit), FUZZ_JOBS (targets at
#                                       once, default nproc)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-40}
cc=${CC:-clang}
work=${FUZZ_WORK:-$(mktemp -d /tmp/concur-fuzz.XXXXXX)}
targets=${FUZZ_TARGETS:-config results compare_merge query slurm}
h=$here/harness
mkdir -p "$work"
# version.c's build-time header, as CMake would write it
printf '#define CONCUR_GIT_REVISION "fuzz"\n' >"$work/concur_git_revision.h"

# The seed: FUZZ_SEED, else the commit's, else (no git) the time, printed
# either way.  libFuzzer reads 0 as "pick one", so 0 becomes 1.
if [ -n "${FUZZ_SEED:-}" ]; then
	seed=$FUZZ_SEED
	from="FUZZ_SEED"
elif rev=$(git -C "$here" rev-parse HEAD 2>/dev/null); then
	seed=$(printf '%u' "0x$(printf '%s' "$rev" | cut -c1-8)")
	from="commit $(printf '%s' "$rev" | cut -c1-12)"
else
	seed=$(date +%s)
	from="the clock (no git)"
fi
case $seed in
'' | *[!0-9]*)
	echo "fuzz-check: FUZZ_SEED must be a decimal number, not '$seed'" >&2
	exit 2
	;;
esac
[ "$seed" != 0 ] || seed=1
echo "fuzz-check: seed $seed (from $from); replay with FUZZ_SEED=$seed scripts/fuzz-check.sh $secs"

command -v "$cc" >/dev/null || { echo "fuzz-check: $cc not found (apt-get install clang)" >&2; exit 2; }

# Every harness folder on the include path, as the layers see their own
# and lower ones (a fuzz target may reach across, it tests several).
incs=$(find "$h" -type d -printf '-I%p ')

# build NAME SOURCES... : tests/fuzz/fuzz_NAME.c and the harness sources
build() {
	name=$1
	shift
	echo "fuzz-check: building $work/fuzz_$name with $cc"
	# shellcheck disable=SC2086 # $incs is split on purpose
	"$cc" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $incs -I"$here/include" \
		"$here/tests/fuzz/fuzz_$name.c" "$@" -o "$work/fuzz_$name"
}

# fail NAME WHAT: report a failed replay or fuzz of NAME and stop.
fail() {
	tail -n 12 "$work/$1.log"
	echo "fuzz-check: $1 FAILED while $2; failing input(s): $(ls "$work/$1"-crash-* "$work/$1"-leak-* "$work/$1"-timeout-* "$work/$1"-oom-* 2>/dev/null | tr '\n' ' ')" >&2
	echo "fuzz-check: replay one with $work/fuzz_$1 FILE" >&2
	exit 1
}

# fuzz NAME MAX_LEN [-dict=...] CORPUS... : replay every committed file of
# the CORPUS folders, then fuzz from them with the seed; new inputs go to
# $work/NAME, the committed folders are only read.
fuzz() {
	name=$1
	max_len=$2
	shift 2
	mkdir -p "$work/$name"
	opts="-max_len=$max_len -timeout=10 -rss_limit_mb=2048 -artifact_prefix=$work/$name-"
	set +e
	# Files given by name are each run once, in order, and nothing is
	# generated.  The folders' files, sorted, as arguments:
	files=$(for arg in "$@"; do
		case $arg in -*) ;; *) find "$arg" -type f | LC_ALL=C sort ;; esac
	done)
	n=$(printf '%s\n' "$files" | grep -c .)
	echo "fuzz-check: replaying $n committed inputs of $name"
	# shellcheck disable=SC2086 # $opts and $files are split on purpose
	(cd "$work" && "./fuzz_$name" $opts $files >"$work/$name.log" 2>&1) ||
		fail "$name" "replaying the committed corpus"
	echo "fuzz-check: fuzzing $name for ${secs}s (seed $seed)"
	# shellcheck disable=SC2086
	(cd "$work" && "./fuzz_$name" $opts -seed="$seed" \
		-max_total_time="$secs" -print_final_stats=1 "$work/$name" \
		"$@" >"$work/$name.log" 2>&1) || fail "$name" "fuzzing"
	set -e
	tail -n 12 "$work/$name.log"
}

# run_target NAME: build and fuzz one target (exits non-zero on a finding)
run_target() {
	t=$1
	case $t in
	config)
		build config "$h/engine/config.c" "$h/base/value.c" "$h/base/util.c" \
			"$h/base/fileio.c" -linih
		# Inputs above 64 KiB are cut: the reader refuses files above
		# 1 MiB anyway, and the giant files are covered by
		# tests/integration/test_bad_input.py.
		fuzz config 65536 -dict="$here/tests/fuzz/ini.dict" \
			"$here/tests/fuzz/corpus" \
			"$here/tests/fixtures/bad-input"
		;;
	results)
		build results "$h/base/csv.c" "$h/base/csvscan.c" "$h/plot/plot.c" \
			"$h/plot/plot_data.c" "$h/plot/plot_series.c" "$h/plot/plot_load.c" \
			"$h/base/xmltext.c" "$h/base/svgnum.c" "$h/base/fileio.c" "$h/base/util.c" -lm
		fuzz results 65536 -dict="$here/tests/fuzz/results.dict" \
			"$here/tests/fuzz/corpus-results"
		;;
	query)
		build query "$h/testserver/testserver_query.c" "$h/base/util.c"
		fuzz query 4096 -dict="$here/tests/fuzz/query.dict" \
			"$here/tests/fuzz/corpus-query"
		;;
	compare_merge)
		# results.c's writer calls into the runner and the matrix are
		# stubbed in the target (never reached from compare or merge)
		build compare_merge "$h/compare/compare.c" "$h/compare/compare_table.c" \
			"$h/cluster/merge.c" "$h/results/results.c" "$h/base/csv.c" "$h/base/csvscan.c" \
			"$h/base/fileio.c" "$h/base/util.c" "$h/compare/ranktest.c" "$h/base/stats.c" \
			"$h/engine/shard.c" "$h/plot/plot.c" "$h/plot/plot_data.c" \
			"$h/plot/plot_series.c" "$h/plot/plot_load.c" "$h/base/xmltext.c" \
			"$h/base/svgnum.c" "$h/xlsx/xlsx.c" "$h/xlsx/xlsx_book.c" \
			"$h/xlsx/xlsx_chart.c" "$h/xlsx/xlsx_errbars.c" "$h/base/latency.c" \
			"$h/engine/repeat.c" "$h/base/version.c" "$h/base/diag.c" "$h/results/reslock.c" \
			"$h/xlsx/xlsx_index.c" "$h/xlsx/xlsx_field.c" "$h/xlsx/xlsx_text.c" \
			"$h/xlsx/xlsx_sheet.c" "$h/xlsx/xlsx_package.c" "$h/results/schema.c" \
			"$h/export/export.c" "$h/export/export_json.c" \
			"$h/export/export_markdown.c" "$h/base/jsontext.c" "$h/base/mdtext.c" \
			-I"$work" \
			-DCONCUR_VERSION='"fuzz"' -DCONCUR_BUILD_TYPE='"fuzz"' \
			-lm -lcrypto -lxlsxwriter -lminizip
		all_secs=$secs
		secs=$((all_secs * 3 / 8 > 0 ? all_secs * 3 / 8 : 1))
		fuzz compare_merge 65536 -close_fd_mask=3 \
			-dict="$here/tests/fuzz/compare_merge.dict" \
			"$here/tests/fuzz/corpus-compare-merge"
		secs=$all_secs
		;;
	slurm)
		build slurm "$h/cluster/slurm.c" "$h/base/util.c"
		all_secs=$secs
		secs=$((all_secs * 3 / 8 > 0 ? all_secs * 3 / 8 : 1))
		fuzz slurm 4096 -close_fd_mask=3 \
			"$here/tests/fuzz/corpus-slurm"
		secs=$all_secs
		;;
	esac
}

for t in $targets; do
	case $t in
	config | results | query | compare_merge | slurm) ;;
	*)
		echo "fuzz-check: unknown target '$t' (config, results, query, compare_merge, slurm)" >&2
		exit 2
		;;
	esac
done

# The targets run in FUZZ_JOBS lanes at once (default: one per CPU), dealt
# round-robin in the order given, each lane one after another; a lane's
# output is printed when it ends.  Each target is single-threaded, so on N
# CPUs N lanes finish in about 1/N of the time with the same budget each.
lanes=${FUZZ_JOBS:-$(nproc)}
case $lanes in '' | *[!0-9]* | 0) lanes=1 ;; esac
lane=0 pids=
while [ "$lane" -lt "$lanes" ]; do
	mine= k=0
	for t in $targets; do
		[ $((k % lanes)) -eq "$lane" ] && mine="$mine $t"
		k=$((k + 1))
	done
	if [ -n "$mine" ]; then
		(for t in $mine; do run_target "$t" || exit 1; done) \
			>"$work/lane-$lane.out" 2>&1 &
		pids="$pids $!:$lane"
	fi
	lane=$((lane + 1))
done
failed=0
for p in $pids; do
	wait "${p%%:*}" || failed=1
	cat "$work/lane-${p#*:}.out"
done
[ "$failed" -eq 0 ] || { echo "fuzz-check: FAILED (see above)" >&2; exit 1; }
echo "fuzz-check: ok ($targets; seed $seed; no crash)"
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
