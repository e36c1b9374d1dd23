#!/usr/bin/env bash
# Cluster figures on this machine, in one run, against a throwaway PostgreSQL (scripts/test-postgres)
# and the release build:
#   1. Ban propagation: three nodes on one database (127.0.0.51-53); SOURCES scanners (127.0.0.66…)
#      are each banned by node 0 for its User-Agent while probing nodes 1 and 2 with an OPTIONS every
#      PROBE_MS ms (Tests/TollgateIntegrationTests/Scripts/ban_probe.py). Prints p50/p99/max.
#   2. Outbound calls/s through one node, PBX → trunk (fraud control and, with PostgreSQL, one shared
#      admission and one release per call), with the SQLite store and with the PostgreSQL store: the
#      highest of RATES sustained for SECS s with no failed call.
#   3. Admissions per second: pgbench calling what PostgresStore.admitCall and releaseCall call
#      (tollgate_admit: hold the call, count it in its account's row and in the all-accounts row, each
#      a conditional upsert; tollgate_release), CLIENTS clients over 100 accounts for 10 s.
#   scripts/load/cluster.sh
# Needs: apt-get install -y postgresql sip-tester bc
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
RATES=${RATES:-"250 500 750 1000 1250 1500 1750 2000 2500"}; SECS=${SECS:-5}; SOURCES=${SOURCES:-30}; PROBE_MS=${PROBE_MS:-2}; CLIENTS=${CLIENTS:-8}
work=$(mktemp -d); pg=$(mktemp -d /tmp/tollgate-load-postgres.XXXXXX)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  "$here/scripts/test-postgres" stop "$pg" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
(cd "$here" && swift build -c release --product tollgate >/dev/null)
bin="$here/.build/release/tollgate"
url=$("$here/scripts/test-postgres" start "$pg")
admin() { psql "$url" -qAtc "$1"; }
newdb() { admin "CREATE DATABASE $1" >/dev/null; echo "${url%/postgres}/$1"; }

echo "== PostgreSQL $(admin 'SHOW server_version'), Tollgate $("$bin" --version)"

echo "== 1. ban propagation: 3 nodes, $SOURCES scanners banned by node 0, probes every $PROBE_MS ms"
db=$(newdb bans)
python3 "$here/Tests/TollgateIntegrationTests/Scripts/test_pbx.py" --listen 127.0.0.20:5182 >"$work/pbx.log" 2>&1 &
for n in 0 1 2; do
  mkdir -p "$work/node$n"
  cat >"$work/node$n/tollgate.yaml" <<EOF
listeners:
  - { zone: external, listen: "udp:127.0.0.5$((n + 1)):5060" }
pbx: { endpoint: "udp:127.0.0.20:5182" }
remote_phones: true
media: { anchor: false }
store: { url: "$db", path: "$work/node$n/tollgate.db" }
node: { name: "node-$n" }
shield:
  profiles:
    untrusted: { requests_per_second: 5000, burst: 5000, options_per_minute: 1000000, other_per_minute: 1000000, ban_after_drops: 1000000 }
  detection:
    options_sweep: { count: 100000, window: 60 }
EOF
  (cd "$work/node$n" && exec "$bin" serve --config tollgate.yaml --log-level error) &
done
sleep 3
sources=$(seq 66 $((65 + SOURCES)) | sed 's/^/127.0.0./' | paste -sd,)
python3 "$here/Tests/TollgateIntegrationTests/Scripts/ban_probe.py" --scan 127.0.0.51:5060 --nodes 127.0.0.52:5060,127.0.0.53:5060 \
    --sources "$sources" --interval-ms "$PROBE_MS" --after 1.2 >"$work/probe.json"
python3 - "$work/probe.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
times = sorted(v for t in data["trials"] for v in t["nodes"].values() if v is not None)
missing = sum(1 for t in data["trials"] for v in t["nodes"].values() if v is None)
if not times:
    sys.exit("no ban arrived")
pick = lambda q: times[min(len(times) - 1, int(len(times) * q))]
print(f"ban propagation over {len(times)} node-bans: p50 {pick(0.5)} ms, p99 {pick(0.99)} ms, max {times[-1]} ms"
      f" (upper bounds, probe every {data['interval_ms']} ms); never arrived: {missing}")
EOF
kill $(jobs -p) 2>/dev/null || true
wait 2>/dev/null || true

echo "== 2. outbound calls/s through one node: SQLite store vs PostgreSQL store (shared limits)"
cps() {  # $1: label, $2: store line
  mkdir -p "$work/$1"
  cat >"$work/$1/tollgate.yaml" <<EOF
listeners:
  - { zone: external, listen: "udp:127.0.0.1:5070" }
pbx: { endpoint: "udp:127.0.0.20:5090" }
trunks:
  - { name: carrier, endpoint: "udp:127.0.0.10:5080", probe: { enabled: false } }
routes:
  - { prefix: "", trunks: [carrier] }
media: { anchor: false }
$2
fraud:
  default_class_of_service: unrestricted
  thresholds:
    calls_per_minute: off
    calls_per_day: off
    concurrent_calls: { critical: 1000000 }
    international_per_hour: off
    short_calls: off
    minutes_per_day: off
  global: { calls_per_minute: off, concurrent_calls: off, calls_per_day: off, international_per_hour: off, minutes_per_day: off }
EOF
  (cd "$work/$1" && exec "$bin" serve --config tollgate.yaml --log-level error) &
  local gateway=$!
  sipp -sn uas -i 127.0.0.10 -p 5080 -bg >"$work/$1/uas.out" 2>&1 || true  # -bg exits 99 once the UAS runs
  local uas; uas=$(grep -o "PID=\[[0-9]*\]" "$work/$1/uas.out" | tr -dc 0-9)
  sleep 2
  local best=0
  for r in $RATES; do
    local n=$((r * SECS)) start end el ok bad rc
    start=$(date +%s.%N)
    timeout $((SECS * 4 + 20)) sipp -sn uac -s 01632960123 127.0.0.1:5070 -i 127.0.0.20 -p 5090 -r "$r" -m "$n" -d 0 \
        -timeout $((SECS * 3 + 10)) -timeout_error -recv_timeout 5000 >"$work/$1/uac.out" 2>&1 && rc=0 || rc=$?
    end=$(date +%s.%N); el=$(echo "$end - $start" | bc)
    ok=$(grep -E "Successful call" "$work/$1/uac.out" | tail -1 | awk '{print $(NF)}')
    bad=$(grep -E "Failed call" "$work/$1/uac.out" | tail -1 | awk '{print $(NF)}')
    echo "  $1 rate $r: rc=$rc ok=${ok:-?} failed=${bad:-?} achieved=$(echo "scale=0; ${ok:-0} / $el" | bc)/s"
    if [ "$rc" = 0 ] && [ "${bad:-1}" = 0 ]; then best=$r; else break; fi
  done
  [ -n "$uas" ] && kill "$uas" 2>/dev/null || true
  kill -TERM $gateway; wait $gateway 2>/dev/null || true
  echo "$1 max_cps $best"
}
cps sqlite "store: { path: \"$work/sqlite/tollgate.db\" }"
calls=$(newdb calls)
cps postgres "store: { url: \"$calls\", path: \"$work/postgres/tollgate.db\" }
cluster: { shared_limits: true }"
echo "  admitted and released in PostgreSQL: $(psql "$calls" -qAtc "SELECT day_count FROM shared_counters WHERE scope = 'global'") calls, $(psql "$calls" -qAtc 'SELECT count(*) FROM cluster_calls') still held"

echo "== 3. admissions/s (each an admission and a release): pgbench, $CLIENTS clients, 100 accounts, 10 s"
# What PostgresStore.admitCall and releaseCall run (limits far above the load).
cat >"$work/admit.sql" <<'EOF'
\set account random(1, 100)
\set call random(1, 1000000000)
SELECT tollgate_admit(:call || '-' || :client_id, :account::text, 'bench', extract(epoch from now()), 0, 1000000, 1000000, 1000000, 1000000, 1000000, 1000000);
SELECT tollgate_release(:call || '-' || :client_id);
EOF
bench=$(newdb admissions)
# The schema comes from Tollgate itself: any command opening the store migrates it.
"$bin" node list --store "$bench" >/dev/null
PGPASSWORD=$(cat "$pg/password") "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pgbench" -n -c "$CLIENTS" -j 2 -T 10 \
    -f "$work/admit.sql" -h 127.0.0.1 -p "$(cat "$pg/port")" -U tollgate admissions 2>&1 | grep -E "tps|latency average|failed"
