#!/usr/bin/env bash
# Quick start, command 1: set up, build, and run the article's experiment
# (configs/seeds.ini) on the embedded test server.  Results: results/seeds*.csv, results/seeds.xlsx
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/harness/concur run configs/seeds.ini --force "$@"
