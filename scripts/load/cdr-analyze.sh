#!/usr/bin/env bash
# Times `tollgate cdr analyze` on a generated Asterisk Master.csv with a release build.
#   scripts/load/cdr-analyze.sh [ROWS]    (default 1000000; the file is kept in .build/cdr-bench/)
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
dir=.build/cdr-bench
file=$dir/Master-$rows.csv
mkdir -p "$dir"
if [ ! -f "$file" ]; then
  python3 scripts/fixtures/make-cdr-fixtures.py --bulk "$rows" "$file"
fi
swift build -c release --product tollgate >/dev/null
bin=$(swift build -c release --show-bin-path)/tollgate
size=$(stat -c %s "$file")
echo "file: $file ($rows rows, $((size / 1048576)) MiB)"
start=$(date +%s.%N)
set +e
"$bin" cdr analyze "$file" --format asterisk --no-progress --html "$dir/cdr-report.html" --json "$dir/findings.json" >"$dir/summary.txt"
status=$?
set -e
end=$(date +%s.%N)
head -8 "$dir/summary.txt"
python3 - "$start" "$end" "$rows" "$status" <<'PY'
import sys
start, end, rows, status = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
seconds = end - start
print(f"exit status {status}; {seconds:.2f} s, {rows / seconds:,.0f} rows/s")
PY
