#!/usr/bin/env bash
# Install the Debian packages concur needs (as root; otherwise print the
# apt-get line), then configure and build it in build/ (Release).
# Usage: scripts/setup.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake pkg-config libinih-dev libcurl4-openssl-dev
          libmicrohttpd-dev libnghttp2-dev libcmocka-dev libssl-dev python3 locales curl
          libxlsxwriter-dev libminizip-dev  # N.xlsx
          liburing-dev  # the io_uring strategy
          time)  # time: GNU time, peak memory in the plot test and benchmarks
# The test suite's extra checks (fuzzing, valgrind) add theirs here.
read -r -a extra <<< "${CONCUR_EXTRA_PACKAGES:-}"
PACKAGES+=("${extra[@]}")

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        echo "concur setup: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "concur setup: missing Debian packages; run as root:" >&2
        echo "  apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

build=${1:-build}
shift || true
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
