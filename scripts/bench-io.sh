#!/bin/sh
# bench-io.sh — the I/O table of README "Benchmarks": http_download on the
# epoll strategy beside the most libcurl itself does on this machine
# (configs/bench/curl-ceiling.c, built here), beside the kernel's floor (a
# raw-socket client with no libcurl, configs/bench/tcp-floor.c, built here:
# what part of a new connection's cost no client avoids) and beside wrk,
# all in one run so that their ratios hold even on a busy machine.
#
#   1. 160 downloads of 10 KiB, 20 ms delay, all in flight: limit 20 ms
#   2. the same with no delay: the client's cost of 160 new connections
#   3. keep-alive throughput, 100 in flight, 40-byte body, against nginx on
#      loopback; wrk -t1 / -t2 -c100 measure the same nginx
#   4. 10,000 downloads of 1 KiB, 1 s delay, all in flight: limit 1 s
#
# Rows 1, 2 and 4 use concur's builtin server and its delay (the ceiling
# program asks `concur serve` for the same URLs); row 3 uses nginx's
# `return 200` route, served from memory.  CPU is user + system time of the
# client process per download, counted over the timed region only; it is
# the figure to trust on a loaded machine, wall times and rates are not.
#
# Needs nginx and wrk (Debian packages nginx and wrk), a C compiler and
# libcurl's headers (libcurl4-openssl-dev or -gnutls-dev).
#
# usage: scripts/bench-io.sh [BUILD_DIR] [SECONDS_PER_WRK_RUN]
set -eu

build=${1:-build}
secs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
concur="$build/harness/concur"
bench="$root/configs/bench"
tmp=$(mktemp -d)
nginx_pid=
serve_pid=

cleanup() {
	status=$?
	# set -e stops at a client that saw a failed transfer (it exits 1 and
	# says so on its own output, kept in $tmp): show those lines.
	if [ "$status" -ne 0 ] && ls "$tmp"/*.txt >/dev/null 2>&1; then
		echo "bench-io.sh: a step failed (exit $status); the clients' last lines:" >&2
		tail -n 2 "$tmp"/*.txt >&2 2>/dev/null || true
	fi
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

for tool in nginx wrk cc python3; do
	command -v "$tool" >/dev/null || {
		echo "bench-io.sh: $tool not found (apt-get install nginx wrk)" >&2
		exit 2
	}
done
[ -x "$concur" ] || { echo "bench-io.sh: no $concur (build first)" >&2; exit 2; }
# 10,000 sockets in flight, and as many on the server's side.
ulimit -n "$(ulimit -Hn)"

cc -O2 -o "$tmp/curl-ceiling" "$bench/curl-ceiling.c" -lcurl
cc -O2 -o "$tmp/tcp-floor" "$bench/tcp-floor.c"

# A free loopback port for nginx.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 100000000;
	client_body_temp_path $tmp/nginx;
	proxy_temp_path $tmp/nginx;
	fastcgi_temp_path $tmp/nginx;
	uwsgi_temp_path $tmp/nginx;
	scgi_temp_path $tmp/nginx;
	server {
		listen 127.0.0.1:$port;
		location = /40 {
			default_type text/plain;
			return 200 "0123456789012345678901234567890123456789";
		}
	}
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx/stderr" &
nginx_pid=$!
"$concur" serve --port 0 --per-ip 0 >"$tmp/serve.out" &
serve_pid=$!
i=0
until grep -q 'http://' "$tmp/serve.out" 2>/dev/null &&
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -gt 50 ] && { echo "bench-io.sh: nginx or concur serve did not start" >&2; exit 1; }
	sleep 0.1
done
builtin=$(grep -o 'http://[^ ]*' "$tmp/serve.out")
ngx="http://127.0.0.1:$port/40"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(curl-config --version 2>/dev/null || echo libcurl), $(nginx -v 2>&1 | cut -d' ' -f3), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)"

# Row 3 first, while the machine is freshest: wrk, the ceiling, concur.
wrk -t1 -c100 -d"${secs}s" "$ngx" >"$tmp/wrk1.txt"
wrk -t2 -c100 -d"${secs}s" "$ngx" >"$tmp/wrk2.txt"
"$tmp/curl-ceiling" "$ngx" 100000 100 keepalive 40 >"$tmp/ceil-ka.txt"
# The two-loop ceiling: two processes of 50 in flight each, at once.
"$tmp/curl-ceiling" "$ngx" 50000 50 keepalive 40 >"$tmp/ceil-ka2a.txt" &
c2=$!
"$tmp/curl-ceiling" "$ngx" 50000 50 keepalive 40 >"$tmp/ceil-ka2b.txt"
wait "$c2"
"$concur" run "$bench/io-keepalive.ini" --set "download.url=$ngx" \
	-o "$tmp/ka.csv" --quiet >/dev/null

# Rows 1 and 2: five floor and ceiling runs each, in turn, then concur's ten.
for delay in 20000 0; do
	for r in 1 2 3 4 5; do
		"$tmp/tcp-floor" "${builtin}?delay_us=$delay&size=10240" 160 160 \
			10240 >>"$tmp/floor-connect-$delay.txt"
		"$tmp/curl-ceiling" "${builtin}?delay_us=$delay&size=10240" 160 160 \
			fresh 10240 >>"$tmp/ceil-connect-$delay.txt"
	done
done
"$concur" run "$bench/io-connect.ini" -o "$tmp/connect.csv" --quiet >/dev/null

# Row 4.
"$tmp/tcp-floor" "${builtin}?delay_us=1000000&size=1024" 10000 10000 \
	1024 >"$tmp/floor-10k.txt"
"$tmp/curl-ceiling" "${builtin}?delay_us=1000000&size=1024" 10000 10000 \
	keepalive 1024 >"$tmp/ceil-10k.txt"
"$concur" run "$bench/io-10k.ini" -o "$tmp/10k.csv" --quiet >/dev/null

python3 - "$tmp" <<'PY'
import csv, re, statistics as st, sys

tmp = sys.argv[1]


def ceiling(name):
    """(wall s, transfers/s, CPU us per transfer, RSS KiB) medians."""
    rows = [re.search(r": ([\d.]+) s, (\d+) transfers/s, ([\d.]+) us CPU.*"
                      r"max RSS (\d+) KiB, (\d+) failed", l)
            for l in open(f"{tmp}/{name}.txt")]
    assert all(m and m.group(5) == "0" for m in rows), f"{name}: failures"
    return tuple(st.median(float(m.group(i)) for m in rows)
                 for i in range(1, 5))


def concur(name):
    """{cell: (wall s, downloads/s, CPU us per download, RSS KiB)}."""
    cells = {}
    for r in csv.DictReader(open(f"{tmp}/{name}-runs.csv")):
        assert r["status"] == "ok" and r["tasks_failed"] == "0", r
        n = int(r["tasks"])
        cpu = (float(r["cpu_user_s"]) + float(r["cpu_sys_s"])) / n * 1e6
        cells.setdefault(r["cell"], []).append(
            (float(r["wall_s"]), n / float(r["wall_s"]), cpu,
             int(r["max_rss_kib"])))
    return {c: tuple(st.median(x[i] for x in v) for i in range(4))
            for c, v in cells.items()}


def wrk(name):
    return float(re.search(r"Requests/sec:\s+([\d.]+)",
                           open(f"{tmp}/{name}.txt").read()).group(1))


ka, con, big = concur("ka"), concur("connect"), concur("10k")
w1, w2 = wrk("wrk1"), wrk("wrk2")
c1 = ceiling("ceil-ka")
c2 = ceiling("ceil-ka2a")[1] + ceiling("ceil-ka2b")[1]
print()
print("| scenario | limit | kernel floor | libcurl ceiling | concur, 1 loop | concur, 2 loops |")
print("|---|---|---|---|---|---|")
for delay, label, cell in ((20000, "160 × 10 KiB, 20 ms delay, all in flight", "latency=20ms"),
                           (0, "same, no delay (160 new connections)", "latency=0")):
    f = ceiling(f"floor-connect-{delay}")
    c = ceiling(f"ceil-connect-{delay}")
    e1 = con[f"epoll/download[{cell}]"]
    e2 = con[f"epoll2/download[{cell}]"]
    print(f"| {label} | {'20 ms' if delay else '–'} | {f[0]*1e3:.1f} ms, {f[2]:.0f} µs CPU/connection "
          f"| {c[0]*1e3:.1f} ms, {c[2]:.0f} µs CPU/download "
          f"| {e1[0]*1e3:.1f} ms, {e1[2]:.0f} µs | {e2[0]*1e3:.1f} ms, {e2[2]:.0f} µs |")
e1, e2 = ka["epoll/download"], ka["epoll2/download"]
print(f"| keep-alive, 100 in flight, 40 B (nginx) | wrk -t1 {w1/1e3:.1f}k/s, -t2 {w2/1e3:.1f}k/s | – "
      f"| 1 process {c1[1]/1e3:.1f}k/s ({c1[1]/w1:.2f}× wrk -t1), {c1[2]:.1f} µs; 2 processes {c2/1e3:.1f}k/s ({c2/w2:.2f}× wrk -t2) "
      f"| {e1[1]/1e3:.1f}k/s ({e1[1]/w1:.2f}× wrk, {e1[1]/c1[1]:.2f}× ceiling), {e1[2]:.1f} µs "
      f"| {e2[1]/1e3:.1f}k/s ({e2[1]/w2:.2f}× wrk, {e2[1]/c2:.2f}× ceiling), {e2[2]:.1f} µs |")
f = ceiling("floor-10k")
c = ceiling("ceil-10k")
e1 = big["epoll/download"]
print(f"| 10,000 × 1 KiB, 1 s delay, all in flight | 1.0 s | {f[0]:.2f} s, {f[2]:.0f} µs, "
      f"{f[3]/1024:.0f} MiB ({f[3]/10000:.1f} KiB/connection) | {c[0]:.2f} s, {c[2]:.0f} µs, "
      f"{c[3]/1024:.0f} MiB ({c[3]/10000:.1f} KiB/transfer) | {e1[0]:.2f} s, {e1[2]:.0f} µs, "
      f"{e1[3]/1024:.0f} MiB ({e1[3]/10000:.1f} KiB/download) | – |")
PY
echo
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
