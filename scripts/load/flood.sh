#!/usr/bin/env bash
# Shield under a flood: what one core of Tollgate spends per dropped packet, and whether calls still
# complete. Runs a release gateway with the test PBX behind it, places trunk calls with sipp, and
# floods from Python (one core): first malformed packets from one source (banned after 10, then
# refused before parsing), then OPTIONS from 254 rotating sources (parsed, rate-limited, dropped).
# Tollgate's CPU time comes from /proc/PID/stat; its memory from VmRSS.
#   scripts/load/flood.sh [SECONDS]          (default 5)
# Needs: apt-get install -y sip-tester python3
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-5}
scripts="$here/Tests/TollgateIntegrationTests/Scripts"
scenarios="$here/Tests/TollgateIntegrationTests/Scenarios"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

(cd "$here" && swift build -c release --product tollgate >/dev/null)
cat >"$work/tollgate.yaml" <<YAML
listeners: [{ zone: external, listen: "udp:127.0.0.1:5270" }]
pbx: { endpoint: "udp:127.0.0.20:5271" }
trunks: [{ name: carrier, endpoint: "udp:127.0.0.10:5281", probe: { enabled: false } }]
routes: [{ prefix: "", trunks: [carrier] }]
remote_phones: true
store: { path: "$work/tollgate.db" }
logging: { level: error }
YAML
python3 "$scripts/test_pbx.py" --listen 127.0.0.20:5271 --users-range 200-249 --password-prefix pw --log "$work/pbx.log" >/dev/null &
(cd "$work" && exec "$here/.build/release/tollgate" serve --config "$work/tollgate.yaml") &
gateway=$!
sleep 2

cpu() { awk '{print $14 + $15}' "/proc/$gateway/stat"; }     # user + system, in clock ticks
# Datagrams the kernel dropped because a socket's receive buffer was full (all sockets).
rcvbuf_errors() { awk '/^Udp: [0-9]/ {print $6}' /proc/net/snmp; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$gateway/status"; }
hz=$(getconf CLK_TCK)

run() { # name, flood arguments
    local name=$1; shift
    local before; before=$(cpu)
    local dropped_before; dropped_before=$(rcvbuf_errors)
    (sipp -sf "$scenarios/uac-call.xml" 127.0.0.1:5270 -i 127.0.0.10 -p 5281 -s 201 -r 20 -m $((secs * 20)) -nostdin \
        -timeout $((secs * 4 + 20)) >"$work/$name-calls.out" 2>&1 || true) &
    local calls=$!
    local sent; sent=$(python3 "$scripts/flood.py" --target 127.0.0.1:5270 --seconds "$secs" "$@")
    wait "$calls"
    local after; after=$(cpu)
    local dropped=$(( $(rcvbuf_errors) - dropped_before ))
    local packets=$(( $(echo "$sent" | awk '{print $2}') - dropped ))
    local seconds; seconds=$(echo "scale=3; ($after - $before) / $hz" | bc)
    local ok; ok=$(grep -E "Successful call" "$work/$name-calls.out" | tail -1 | awk '{print $NF}')
    local failed; failed=$(grep -E "Failed call" "$work/$name-calls.out" | tail -1 | awk '{print $NF}')
    echo "$name: $sent; the kernel dropped $dropped (receive buffer full), Tollgate read $packets"
    echo "  Tollgate CPU ${seconds} s for $packets packets (plus $((secs * 20)) calls): $(echo "scale=2; $seconds * 1000000 / $packets" | bc) µs per packet," \
         "about $(echo "$packets / $seconds" | bc) packets/s per core; calls ok $ok, failed $failed; RSS $(rss) kB"
}

echo "RSS at start: $(rss) kB"
run "malformed, one source (banned, then refused before parsing)" --kind malformed --source 127.0.0.68
run "OPTIONS from 254 sources (parsed, limited, dropped)" --kind options --sources 127.1.0.0/24
