#!/usr/bin/env bash
# Latency Tollgate adds to each message it relays, at a given call rate: sipp calls (../shared/bench
# uac.xml → Tollgate → uas.xml) while dumpcap records Tollgate's port on loopback; every relayed
# message (INVITE, 200, ACK, BYE, 200) is matched with its copy on the other side by Call-ID, CSeq
# and method or status, and the time between them is Tollgate's. Prints p50/p90/p99/p99.9/max in µs.
#   scripts/load/latency.sh [RATE] [SECONDS]     (defaults: 2250 calls/s for 10 s)
# Needs: apt-get install -y sip-tester tshark
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bench=${TOLLGATE_BENCH:-$here/../shared/bench}
rate=${1:-2250}; secs=${2:-10}; calls=$((rate * secs))
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

(cd "$here" && swift build -c release --product tollgate >/dev/null)
(cd "$work" && exec "$here/.build/release/tollgate" serve --pbx udp:127.0.0.20:5080 --listen udp:127.0.0.1:5070 \
    --trunk udp:127.0.0.10:5090 --log-level error) &
(cd "$work" && exec sipp -sf "$bench/uas.xml" -i 127.0.0.20 -p 5080 -nostdin >/dev/null 2>&1) &
sleep 2
dumpcap -q -i lo -f "udp port 5070" -B 256 -w "$work/capture.pcapng" 2>/dev/null &
capture=$!
sleep 1
(cd "$work" && timeout $((secs * 4 + 30)) sipp -sf "$bench/uac.xml" 127.0.0.1:5070 -i 127.0.0.10 -p 5090 -r "$rate" -m "$calls" \
    -d 0 -nostdin -timeout $((secs * 3 + 20)) >"$work/uac.out" 2>&1) || true
sleep 1
kill -INT "$capture"; wait "$capture" 2>/dev/null || true
grep -E "Successful call|Failed call" "$work/uac.out" | tail -2 | awk '{print $1, $2, $NF}'

tshark -r "$work/capture.pcapng" -T fields -E separator=';' -e frame.time_epoch -e udp.srcport -e udp.dstport \
    -e sip.Call-ID -e sip.CSeq -e sip.Status-Code 2>/dev/null | python3 -c '
import sys
inbound, outbound = {}, {}
for line in sys.stdin:
    parts = line.rstrip("\n").split(";")
    if len(parts) < 6 or not parts[3]: continue
    time, src, dst, callid, cseq, status = float(parts[0]), parts[1], parts[2], parts[3], parts[4], parts[5]
    key = (callid, cseq, status)
    if dst == "5070": inbound.setdefault(key, time)
    elif src == "5070" and status != "100": outbound.setdefault(key, time)
deltas = sorted((outbound[k] - inbound[k]) * 1e6 for k in inbound if k in outbound and outbound[k] >= inbound[k])
def pct(p): return deltas[min(len(deltas) - 1, int(len(deltas) * p / 100))]
print(f"rate '"$rate"' calls/s: {len(deltas)} relayed messages; added latency in microseconds")
print(f"p50={pct(50):.0f} p90={pct(90):.0f} p99={pct(99):.0f} p99.9={pct(99.9):.0f} max={deltas[-1]:.0f}")
'
