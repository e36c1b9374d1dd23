#!/usr/bin/env bash
# Latency a proxy adds to each message it relays, at a given call rate: sipp calls (../shared/bench
# uac.xml → proxy on 127.0.0.1:5070 → uas.xml) while dumpcap records the proxy's port on loopback;
# every relayed message (INVITE, 200, ACK, BYE, 200) is matched with its copy on the other side by
# Call-ID, CSeq and method or status, and the time between them is the proxy's. Prints
# p50/p90/p99/p99.9/max in µs, overall and per kind of message, and the proxy's CPU per call (all
# its processes and threads, over the measured run). Two seconds of calls at the same rate warm the
# proxy up before the measured run.
#   scripts/load/latency.sh [RATE] [SECONDS]                (Tollgate, release build; defaults 2250 calls/s, 10 s)
#   PROXY=kamailio scripts/load/latency.sh [RATE] [SECONDS] (Kamailio with ../shared/bench/kamailio-gateway.cfg)
#   BUSY_POLL_US=0 scripts/load/latency.sh ...              (Tollgate with performance.busy_poll_us set, here off)
#   TOLLGATE_BIN=/tmp/tollgate-a scripts/load/latency.sh ...  (another Tollgate binary, for comparing two builds in
#                                                            alternating runs; nothing is built then)
#   ANCHOR=1 scripts/load/latency.sh ...                    (Tollgate anchoring the calls' media, its default; without
#                                                            it, signalling only, like the Kamailio configuration)
# Needs: apt-get install -y sip-tester wireshark-common (dumpcap) python3 (and kamailio for PROXY=kamailio)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bench=${TOLLGATE_BENCH:-$here/../shared/bench}
rate=${1:-2250}; secs=${2:-10}; calls=$((rate * secs))
proxy=${PROXY:-tollgate}
work=$(mktemp -d)
# The proxy is let finish its shutdown (its journals live in $work) before $work goes.
# The proxy and the PBX's sipp are killed by their own pids too: started from a shell without job
# control, `jobs -p` can miss them, and a proxy left behind would share the next run's port.
proxy_pids=""; uas=""
trap 'kill $proxy_pids $uas $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -f "$work/kam.pid" ] && kill "$(cat "$work/kam.pid")" 2>/dev/null; rm -rf "$work"' EXIT

case "$proxy" in
  tollgate)
    binary=${TOLLGATE_BIN:-$here/.build/release/tollgate}
    [ -n "${TOLLGATE_BIN:-}" ] || (cd "$here" && swift build -c release --product tollgate >/dev/null)
    # Signalling only, as the Kamailio configuration it is compared with (no media relay there);
    # ANCHOR=1 anchors the calls' media as Tollgate does by default.
    if [ "${ANCHOR:-0}" = 1 ]; then printf '# media anchored, the default\n' >"$work/tollgate.yaml"; else printf 'media:\n  anchor: false\n' >"$work/tollgate.yaml"; fi
    if [ -n "${BUSY_POLL_US:-}" ]; then printf 'performance:\n  busy_poll_us: %s\n' "$BUSY_POLL_US" >>"$work/tollgate.yaml"; fi
    (cd "$work" && exec "$binary" serve --pbx udp:127.0.0.20:5080 --listen udp:127.0.0.1:5070 \
        --trunk udp:127.0.0.10:5090 --log-level error) &
    proxy_pids=$!
    ;;
  kamailio)
    kamailio -f "$bench/kamailio-gateway.cfg" -P "$work/kam.pid" -w "$work" -m 2048 -M 32 2>"$work/kam.log"
    sleep 1
    proxy_pids=$(pgrep -x kamailio | tr '\n' ' ')
    ;;
  *) echo "PROXY must be tollgate or kamailio" >&2; exit 2 ;;
esac
(cd "$work" && exec sipp -sf "$bench/uas.xml" -i 127.0.0.20 -p 5080 -nostdin >/dev/null 2>&1) &
uas=$!
sleep 2
# Warm-up: two seconds of calls at the same rate before the measured run (first use of each code
# path, the process's heap and tables growing to their working size).
(cd "$work" && timeout 60 sipp -sf "$bench/uac.xml" 127.0.0.1:5070 -i 127.0.0.10 -p 5090 -r "$rate" -m $((rate * 2)) \
    -d 0 -nostdin -timeout 40 >/dev/null 2>&1) || true
sleep 1
dumpcap -q -i lo -f "udp port 5070" -B 256 -w "$work/capture.pcapng" 2>/dev/null &
capture=$!
sleep 1
# The proxy's CPU (user + system, every process and thread) over the measured run.
cpu_ticks() { for pid in $proxy_pids; do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null; done | awk '{s += $1} END {print s + 0}'; }
ticks_before=$(cpu_ticks)
(cd "$work" && timeout $((secs * 4 + 30)) sipp -sf "$bench/uac.xml" 127.0.0.1:5070 -i 127.0.0.10 -p 5090 -r "$rate" -m "$calls" \
    -d 0 -nostdin -timeout $((secs * 3 + 20)) >"$work/uac.out" 2>&1) || true
ticks_after=$(cpu_ticks)
sleep 1
kill -INT "$capture"; wait "$capture" 2>/dev/null || true
echo "$proxy:"
grep -E "Successful call|Failed call" "$work/uac.out" | tail -2 | awk '{print $1, $2, $NF}'
ticks=$((ticks_after - ticks_before)); hz=$(getconf CLK_TCK)
echo "CPU during the measured run: $((ticks * 1000 / hz)) ms, $((ticks * 1000000 / hz / calls)) µs per call"

# The second summary line is over the kinds both proxies relay (Kamailio's bench configuration drops the ACK to a 200).
python3 "$here/scripts/load/sip_latency.py" "$work/capture.pcapng" 5070 "$rate" "INVITE,INVITE 200,BYE,BYE 200"
