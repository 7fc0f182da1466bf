#!/bin/sh
# files-fio.sh — the file_read workload beside fio (Debian package `fio`,
# needed only here) with the same block size, depth and pattern: one file
# of SIZE read in BS blocks, every block once, warm (in the page cache) and
# cold (its pages dropped before the run), in order and at random.
#
# concur makes each block a task (ranges = SIZE / BS), so its per-task
# latencies are per-read latencies like fio's; MiB/s and IOPS come from the
# median wall time of its runs.  The pairs:
#   concur sync                      fio psync, 1 job
#   concur pthreads, DEPTH workers   fio psync, DEPTH jobs, each 1/DEPTH of the file
#   concur epoll / io_uring,         fio io_uring, iodepth DEPTH
#     DEPTH tasks in flight
# fio: cold = invalidate=1 (its default: posix_fadvise DONTNEED, as concur),
# warm = pre_read=1; latencies are fio's lat_ns (submission to completion).
#
# usage: [BS=4k] [DEPTH=8] [SIZE=64M] [DIR=/var/tmp] [REPS=3] \
#        configs/bench/files-fio.sh [CONCUR_BINARY]
set -eu

concur=${1:-build/harness/concur}
bs=${BS:-4k}
depth=${DEPTH:-8}
size=${SIZE:-64M}
dir=${DIR:-/var/tmp}
reps=${REPS:-3}
tmp=$(mktemp -d)
fiofile=$dir/concur-files-fio.$$
trap 'rm -rf "$tmp" "$fiofile"' EXIT INT TERM

bytes() { # 4k -> 4096, 64M -> 67108864
	echo "$1" | awk '{ n = $0 + 0; u = toupper(substr($0, length($0)))
		if (u == "K") n *= 1024; else if (u == "M") n *= 1048576;
		else if (u == "G") n *= 1073741824; printf "%d\n", n }'
}
blocks=$(($(bytes "$size") / $(bytes "$bs")))

echo "nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), $(fio --version)"
echo "one file of $size in $bs blocks ($blocks reads), depth $depth, in $dir"

cat >"$tmp/files.ini" <<EOF
[experiment]
name        = files-fio
repetitions = $reps
warmup      = 1
timeout     = 600s
baseline    = sync

[strategy sync]
[strategy pthreads]
workers = $depth
[strategy epoll]
max_inflight = $depth
[strategy io_uring]
max_inflight = $depth

[workload files]
plugin     = file_read
files      = 1
file_size  = $size
block_size = $bs
ranges     = $blocks
pattern    = sequential, random
cache      = warm, cold
dir        = $dir
EOF
"$concur" run "$tmp/files.ini" -o "$tmp/concur.csv" -q >"$tmp/concur.txt" ||
	echo "concur: some cell failed (see $tmp/concur.csv)"

# fio NAME RW CACHE ENGINE JOBS IODEPTH
fio_run() {
	case $3 in
	warm) fio_cache="--invalidate=0 --pre_read=1" ;;
	*) fio_cache="--invalidate=1" ;;
	esac
	part=$(($(bytes "$size") / $5))
	# shellcheck disable=SC2086 # $fio_cache is two words on purpose
	fio --name="$1" --filename="$fiofile" --filesize="$size" --bs="$bs" \
		--rw="$2" --ioengine="$4" --iodepth="$6" --numjobs="$5" \
		--size="$part" --offset_increment="$part" --group_reporting \
		--lat_percentiles=1 --thread $fio_cache --output-format=json \
		>"$tmp/fio-$1-$2-$3.json"
}
for rw in read randread; do
	for cache in warm cold; do
		fio_run psync1 "$rw" "$cache" psync 1 1
		fio_run "psync$depth" "$rw" "$cache" psync "$depth" 1
		fio_run io_uring "$rw" "$cache" io_uring 1 "$depth"
	done
done

python3 - "$tmp" "$(bytes "$size")" "$blocks" "$depth" <<'PY'
import csv, json, sys
tmp, size, blocks, depth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
table = {}
for r in csv.DictReader(open(tmp + "/concur.csv")):
    key = (r["workload.pattern"], r["workload.cache"])
    fig = None
    if r["status"] == "ok":
        wall = float(r["wall_median_s"])
        fig = (size / wall / 2**20, blocks / wall, float(r["task_p50_ms"]),
               float(r["task_p99_ms"]))
    table.setdefault(key, []).append(("concur " + r["strategy"], fig))
rw = {"sequential": "read", "random": "randread"}
for (pattern, cache), got in table.items():
    for name, label in (("psync1", "fio psync x1"),
                        ("psync" + depth, "fio psync x" + depth),
                        ("io_uring", "fio io_uring qd" + depth)):
        path = "%s/fio-%s-%s-%s.json" % (tmp, name, rw[pattern], cache)
        read = json.load(open(path))["jobs"][0]["read"]
        pct = read["lat_ns"]["percentile"]
        got.append((label, (read["bw_bytes"] / 2**20, read["iops"],
                            pct["50.000000"] / 1e6, pct["99.000000"] / 1e6)))
print("%-10s %-5s %-18s %9s %9s %9s %9s" % ("pattern", "cache", "", "MiB/s",
                                            "IOPS", "p50 ms", "p99 ms"))
for (pattern, cache), got in table.items():
    for label, fig in got:
        if fig is None:
            print("%-10s %-5s %-18s   (failed: see the results)" % (pattern, cache, label))
            continue
        print("%-10s %-5s %-18s %9.1f %9.0f %9.3f %9.3f" % ((pattern, cache, label) + fig))
PY
