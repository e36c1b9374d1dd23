#!/usr/bin/env bash
# Side-by-side comparison on this machine: Tollgate's media relay and rtpengine (userspace, one
# worker thread, no kernel forwarding) doing the same SRTP → RTP job, driven by the same load
# generator (Benchmarks/Load/MediaLoad), one after the other, for each number of calls in CALLS.
# rtpengine's calls are set up over its ng control protocol; the whole rtpengine process's CPU is
# counted, and Tollgate's media loop's thread's.
#   scripts/load/media-vs-rtpengine.sh         (CALLS="100 400 1000", SECS=8, PLAIN=1 for RTP → RTP)
# Needs: apt-get install -y rtpengine-daemon
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
calls=${CALLS:-"100 400 1000"}
secs=${SECS:-8}
plain=${PLAIN:+--plain}
work=$(mktemp -d)

(cd "$here/Benchmarks" && swift build -c release --product MediaLoad >/dev/null)
load="$here/Benchmarks/.build/release/MediaLoad"

rtpengine --interface=127.0.0.1 --listen-ng=127.0.0.1:2223 --foreground --log-stderr --table=-1 \
    --num-threads=1 --port-min=40000 --port-max=49999 --log-level=4 2>"$work/rtpengine.log" &
engine=$!
trap 'kill $engine 2>/dev/null || true' EXIT
sleep 2
echo "== rtpengine $(rtpengine --version 2>&1 | awk '{print $2}') (userspace, --num-threads=1) and Tollgate (one media loop)"
for n in $calls; do
    "$load" "$n" "$secs" $plain
    "$load" "$n" "$secs" $plain --rtpengine 127.0.0.1:2223
done
