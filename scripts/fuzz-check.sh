#!/bin/sh
# fuzz-check.sh - build the libFuzzer targets with clang, ASan and UBSan and
# run each for a bounded time over its committed corpus:
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
# Exit status non-zero when a fuzzer finds a crash, a leak, undefined
# behaviour or a broken invariant (the reproducer is left in the work folder
# and its path printed).
#
#   scripts/fuzz-check.sh [SECONDS]     per target, default 40; env CC
#                                       (default clang), FUZZ_WORK (default
#                                       a temp folder), FUZZ_TARGETS (default
#                                       "config results query compare_merge
#                                       slurm")
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-40}
cc=${CC:-clang}
work=${FUZZ_WORK:-$(mktemp -d /tmp/concur-fuzz.XXXXXX)}
targets=${FUZZ_TARGETS:-config results query compare_merge slurm}
h=$here/harness
mkdir -p "$work"

command -v "$cc" >/dev/null || { echo "fuzz-check: $cc not found (apt-get install clang)" >&2; exit 2; }

# build NAME SOURCES... : tests/fuzz/fuzz_NAME.c and the harness sources
build() {
	name=$1
	shift
	echo "fuzz-check: building $work/fuzz_$name with $cc"
	"$cc" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -I"$h" -I"$here/include" \
		"$here/tests/fuzz/fuzz_$name.c" "$@" -o "$work/fuzz_$name"
}

# fuzz NAME MAX_LEN [-dict=...] CORPUS... : new inputs go to $work/NAME;
# the committed seeds are read only.
fuzz() {
	name=$1
	max_len=$2
	shift 2
	mkdir -p "$work/$name"
	echo "fuzz-check: fuzzing $name for ${secs}s"
	set +e
	(cd "$work" && "./fuzz_$name" -max_total_time="$secs" \
		-max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/$name-" \
		"$@" >"$work/$name.log" 2>&1)
	rc=$?
	set -e
	tail -n 12 "$work/$name.log"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-check: $name FAILED (exit $rc); reproducers: $(ls "$work/$name"-crash-* "$work/$name"-leak-* "$work/$name"-timeout-* 2>/dev/null | tr '\n' ' ')" >&2
		echo "fuzz-check: replay with $work/fuzz_$name FILE" >&2
		exit 1
	fi
}

for t in $targets; do
	case $t in
	config)
		build config "$h/config.c" "$h/value.c" "$h/util.c" \
			"$h/fileio.c" -linih
		# Inputs above 64 KiB are cut: the reader refuses files above
		# 1 MiB anyway, and the big hostile files are covered by
		# tests/integration/test_hostile.py.
		fuzz config 65536 -dict="$here/tests/fuzz/ini.dict" \
			"$work/config" "$here/tests/fuzz/corpus" \
			"$here/tests/fixtures/hostile"
		;;
	results)
		build results "$h/csv.c" "$h/csvscan.c" "$h/plot.c" \
			"$h/plot_data.c" "$h/plot_series.c" "$h/plot_load.c" \
			"$h/xmltext.c" "$h/svgnum.c" "$h/fileio.c" "$h/util.c" -lm
		fuzz results 65536 -dict="$here/tests/fuzz/results.dict" \
			"$work/results" "$here/tests/fuzz/corpus-results"
		;;
	query)
		build query "$h/testserver_query.c" "$h/util.c"
		fuzz query 4096 -dict="$here/tests/fuzz/query.dict" \
			"$work/query" "$here/tests/fuzz/corpus-query"
		;;
	compare_merge)
		# results.c's writer calls into the runner and the matrix are
		# stubbed in the target (never reached from compare or merge)
		build compare_merge "$h/compare.c" "$h/compare_table.c" \
			"$h/merge.c" "$h/results.c" "$h/csv.c" "$h/csvscan.c" \
			"$h/fileio.c" "$h/util.c" "$h/ranktest.c" "$h/stats.c" \
			"$h/shard.c" "$h/plot.c" "$h/plot_data.c" \
			"$h/plot_series.c" "$h/plot_load.c" "$h/xmltext.c" \
			"$h/svgnum.c" "$h/xlsx.c" "$h/xlsx_book.c" \
			"$h/xlsx_chart.c" "$h/xlsx_errbars.c" "$h/latency.c" \
			"$h/repeat.c" -DCONCUR_VERSION='"fuzz"' \
			-DCONCUR_GIT_REVISION='"fuzz"' -DCONCUR_BUILD_TYPE='"fuzz"' \
			-lm -lcrypto -lxlsxwriter -lminizip
		all_secs=$secs
		secs=$((all_secs * 3 / 8))
		fuzz compare_merge 65536 -close_fd_mask=3 \
			-dict="$here/tests/fuzz/compare_merge.dict" \
			"$work/compare_merge" "$here/tests/fuzz/corpus-compare-merge"
		secs=$all_secs
		;;
	slurm)
		build slurm "$h/slurm.c" "$h/util.c"
		all_secs=$secs
		secs=$((all_secs * 3 / 8))
		fuzz slurm 4096 -close_fd_mask=3 "$work/slurm" \
			"$here/tests/fuzz/corpus-slurm"
		secs=$all_secs
		;;
	*)
		echo "fuzz-check: unknown target '$t' (config, results, query, compare_merge, slurm)" >&2
		exit 2
		;;
	esac
done
echo "fuzz-check: ok ($targets: ${secs}s each, no crash)"
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
