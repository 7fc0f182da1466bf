#!/bin/sh
# curl-parallel.sh — the reference point for configs/bench/io-throughput.ini:
# the curl tool itself fetching the same 20,000 URLs (1 KiB, no latency) from
# `concur serve`, 100 transfers at a time on kept-alive connections.
#
# usage: configs/bench/curl-parallel.sh [CONCUR_BINARY] [COUNT] [RUNS]
#   CONCUR_BINARY  default: build/harness/concur
#   COUNT          URLs per run, default 20000
#   RUNS           timed runs, default 3
set -eu

concur=${1:-build/harness/concur}
count=${2:-20000}
runs=${3:-3}
tmp=$(mktemp -d)
server=

cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$concur" serve --port 0 >"$tmp/serve.out" &
server=$!
# Wait (up to 5 s) for the line with the URL.
i=0
while ! grep -q 'http://' "$tmp/serve.out" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -gt 50 ] && { echo "concur serve did not start" >&2; exit 1; }
	sleep 0.1
done
base=$(grep -o 'http://[^ ]*' "$tmp/serve.out")

# One url/output pair per transfer, for curl -K.
awk -v n="$count" -v u="${base}?delay_us=0&size=1024" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "url = \"%s\"\noutput = \"/dev/null\"\n", u
}' >"$tmp/urls.cfg"

echo "curl $(curl --version | head -n1 | cut -d' ' -f2): $count x 1 KiB from $base, --parallel-max 100"
r=1
while [ "$r" -le "$runs" ]; do
	t0=$(date +%s.%N)
	curl --silent --no-progress-meter --show-error --noproxy '*' --parallel --parallel-max 100 \
		--parallel-immediate -K "$tmp/urls.cfg"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v n="$count" -v r="$r" 'BEGIN {
		printf "run %d: %.3f s, %.0f requests/s\n", r, b - a, n / (b - a)
	}'
	r=$((r + 1))
done
