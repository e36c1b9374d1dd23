#!/usr/bin/env python3
"""Measures how long a ban made by one gateway takes to be enforced by the others.

usage: ban_probe.py --scan HOST:PORT --nodes HOST:PORT[,HOST:PORT…] --sources ADDR[,ADDR…]
                    [--interval-ms 20] [--settle 0.6] [--after 2.5]
       ban_probe.py --answer --nodes HOST:PORT[,…] --sources ADDR[,…] [--interval-ms 20] [--after 1]

For each source address in turn (each becomes one banned scanner): from that address, an OPTIONS
goes to every node every --interval-ms; once each node has answered for --settle seconds, one
OPTIONS with a scanner's User-Agent (friendly-scanner) goes to the --scan gateway, which bans the
source at once, and the time T0 is noted. Probing goes on until --after seconds past T0.

A node enforces the ban from the first probe after which it answered none: the propagation time is
that probe's send time minus T0 (an upper bound, within one interval). Prints one JSON object:
  {"trials": [{"source": S, "nodes": {"HOST:PORT": ms or null}}…], "interval_ms": I}
null: the node went on answering to the end (the ban never arrived), or never answered at all.
With --answer nothing is banned: each source probes for --after seconds and each node's value is
the milliseconds to its first answer (null: it never answered).
Only loopback addresses are accepted.
"""
import argparse
import json
import select
import socket
import sys
import time
import uuid


def loopback(host):
    return host.startswith("127.")


def options(node, source, port, call_id, user_agent):
    host, node_port = node
    branch = "z9hG4bK" + uuid.uuid4().hex[:16]
    return (
        f"OPTIONS sip:probe@{host}:{node_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {source}:{port};branch={branch};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:probe@{source}>;tag={uuid.uuid4().hex[:8]}\r\n"
        f"To: <sip:probe@{host}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: 1 OPTIONS\r\n"
        f"User-Agent: {user_agent}\r\n"
        f"Content-Length: 0\r\n\r\n"
    ).encode()


def trial(scan, nodes, source, interval, settle, after):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 0))
    port = sock.getsockname()[1]
    sent = {}  # call-id -> (node, time)
    answered = set()
    start = time.monotonic()
    t0 = None
    next_send = start
    while True:
        now = time.monotonic()
        if t0 is None and now - start >= settle:
            sock.sendto(options(scan, source, port, "scan-" + uuid.uuid4().hex, "friendly-scanner"), scan)
            t0 = time.monotonic()
        if t0 is not None and now - t0 >= after:
            break
        if now >= next_send:
            for node in nodes:
                call_id = uuid.uuid4().hex
                sent[call_id] = (node, time.monotonic())
                sock.sendto(options(node, source, port, call_id, "probe"), node)
            next_send += interval
        wait = max(0.0, next_send - time.monotonic())
        readable, _, _ = select.select([sock], [], [], wait)
        if readable:
            data, _ = sock.recvfrom(65535)
            text = data.decode(errors="replace")
            for line in text.split("\r\n"):
                if line.lower().startswith("call-id:"):
                    answered.add(line.split(":", 1)[1].strip())
    sock.close()
    result = {}
    for node in nodes:
        probes = sorted((when, call_id in answered) for call_id, (target, when) in sent.items() if target == node)
        last_answered = max((when for when, ok in probes if ok), default=None)
        if last_answered is None:
            result[f"{node[0]}:{node[1]}"] = None
            continue
        later = [when for when, ok in probes if when > last_answered]
        # Answered to the very end, or (probes are sent before a reply could come) the last
        # interval before the end: the ban did not arrive.
        if not later or later[0] > t0 + after - 2 * interval:
            result[f"{node[0]}:{node[1]}"] = None
            continue
        result[f"{node[0]}:{node[1]}"] = round(max(0.0, later[0] - t0) * 1000, 1)
    return result


def answers(nodes, source, interval, after):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 0))
    port = sock.getsockname()[1]
    sent = {}
    first = {}
    start = time.monotonic()
    next_send = start
    while time.monotonic() - start < after:
        if time.monotonic() >= next_send:
            for node in nodes:
                call_id = uuid.uuid4().hex
                sent[call_id] = node
                sock.sendto(options(node, source, port, call_id, "probe"), node)
            next_send += interval
        readable, _, _ = select.select([sock], [], [], max(0.0, next_send - time.monotonic()))
        if readable:
            data, _ = sock.recvfrom(65535)
            for line in data.decode(errors="replace").split("\r\n"):
                if line.lower().startswith("call-id:"):
                    node = sent.get(line.split(":", 1)[1].strip())
                    if node and node not in first:
                        first[node] = round((time.monotonic() - start) * 1000, 1)
    sock.close()
    return {f"{n[0]}:{n[1]}": first.get(n) for n in nodes}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scan")
    parser.add_argument("--answer", action="store_true")
    parser.add_argument("--nodes", required=True)
    parser.add_argument("--sources", required=True)
    parser.add_argument("--interval-ms", type=float, default=20)
    parser.add_argument("--settle", type=float, default=0.6)
    parser.add_argument("--after", type=float, default=2.5)
    args = parser.parse_args()

    def hostport(text):
        host, port = text.rsplit(":", 1)
        if not loopback(host):
            sys.exit(f"refusing non-loopback address {host}")
        return (host, int(port))

    if not args.answer and not args.scan:
        sys.exit("--scan HOST:PORT is needed (or --answer)")
    scan = hostport(args.scan) if args.scan else None
    nodes = [hostport(n) for n in args.nodes.split(",")]
    sources = args.sources.split(",")
    for source in sources:
        if not loopback(source):
            sys.exit(f"refusing non-loopback source {source}")
    trials = []
    for source in sources:
        if args.answer:
            result = answers(nodes, source, args.interval_ms / 1000, args.after)
        else:
            result = trial(scan, nodes, source, args.interval_ms / 1000, args.settle, args.after)
        trials.append({"source": source, "nodes": result})
    print(json.dumps({"trials": trials, "interval_ms": args.interval_ms}))


if __name__ == "__main__":
    main()
