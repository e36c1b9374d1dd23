#!/usr/bin/env bash
# Latency of the console's events and calls pages and their API endpoints over a store holding
# 1,000,000 security events and 1,000,000 CDRs, with a release build.
#   scripts/load/console-pages.sh [ROWS] [REQUESTS]   (defaults 1000000 and 500; the store is kept in .build/console-bench/)
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
requests=${2:-500}
dir=.build/console-bench
mkdir -p "$dir"
swift build -c release --product tollgate >/dev/null
bin=$(swift build -c release --show-bin-path)/tollgate
exec python3 scripts/load/console_pages.py --tollgate "$bin" --dir "$dir" --rows "$rows" --requests "$requests"
