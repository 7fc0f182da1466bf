#!/usr/bin/env bash
# format-check.sh — every C source and header follows .clang-format.
# Prints the files that would change (and how) and exits 1 if any would.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format-check: clang-format not installed" >&2; exit 1; }
bad=0
while IFS= read -r f; do
    if ! clang-format "$f" | diff -u "$f" - >/tmp/concur-format.diff; then
        echo "format-check: $f is not formatted (run: clang-format -i $f)"
        head -20 /tmp/concur-format.diff
        bad=1
    fi
done < <(git ls-files '*.c' '*.h')
[[ $bad == 0 ]] && echo "format-check: ok"
exit $bad
