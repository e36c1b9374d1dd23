#!/usr/bin/env bash
# Side-by-side comparison on this machine: Kamailio (the reference configuration in ../shared/bench)
# and Tollgate (release build) doing the same job, one after the other, through the same sipp
# harness. Prints each step and both max_cps figures, then the added latency of both at half
# Kamailio's rate (scripts/load/latency.sh, LATENCY_SECS seconds each; LATENCY_SECS=0 skips it).
#   scripts/load/compare-kamailio.sh            (RATES and SECS are passed to the harness)
#   TOLLGATE_BIN=/tmp/tollgate-a scripts/load/compare-kamailio.sh   (another Tollgate binary, beside its
#                                                                    resources; nothing is built then)
# Needs: apt-get install -y kamailio sip-tester bc
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bench=${TOLLGATE_BENCH:-$here/../shared/bench}
export RATES=${RATES:-"1000 2000 3000 3500 4000 4500 5000 6000 7000 8000"} SECS=${SECS:-5}
work=$(mktemp -d)

echo "== Kamailio $(kamailio -v 2>/dev/null | head -1 | awk '{print $3}') (2 workers, $bench/kamailio-gateway.cfg)"
kamailio -f "$bench/kamailio-gateway.cfg" -P "$work/kam.pid" -w "$work" -m 2048 -M 32 2>"$work/kam.log"
sleep 2
"$bench/proxy-cps.sh" 5070 | tee "$work/kamailio.out"
kill "$(cat "$work/kam.pid")"; sleep 2

echo "== Tollgate (release; the SIP loop and, on more than one core, a reader thread)"
binary=${TOLLGATE_BIN:-$here/.build/release/tollgate}
[ -n "${TOLLGATE_BIN:-}" ] || (cd "$here" && swift build -c release --product tollgate >/dev/null)
# Signalling only, like the Kamailio configuration (which relays no media): media anchoring off.
printf 'media:\n  anchor: false\n' >"$work/tollgate.yaml"
(cd "$work" && exec "$binary" serve --pbx udp:127.0.0.20:5080 --listen udp:127.0.0.1:5070 \
    --trunk udp:127.0.0.10:5090 --log-level error) &
tg=$!
sleep 2
"$bench/proxy-cps.sh" 5070 | tee "$work/tollgate.out"
kill -TERM $tg; wait $tg || true

echo "== result: kamailio $(tail -1 "$work/kamailio.out") / tollgate $(tail -1 "$work/tollgate.out")"

half=$(( $(tail -1 "$work/kamailio.out" | awk '{print $2}') / 2 ))
if [ "${LATENCY_SECS:-8}" -gt 0 ] && [ "$half" -gt 0 ]; then
  echo "== added latency at half Kamailio's rate ($half calls/s, ${LATENCY_SECS:-8} s each)"
  sleep 2
  PROXY=kamailio "$here/scripts/load/latency.sh" "$half" "${LATENCY_SECS:-8}"
  sleep 2
  PROXY=tollgate "$here/scripts/load/latency.sh" "$half" "${LATENCY_SECS:-8}"
fi
rm -rf "$work"
