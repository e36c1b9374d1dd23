#!/usr/bin/env python3
"""Added latency of a SIP proxy, from a pcapng capture of its port on loopback.

Every message that reaches the proxy's port is matched with the message the proxy sent on from that
port with the same Call-ID, CSeq and method or status (the proxy's own 100 Trying is left out); the
time between the two is the proxy's. Prints p50/p90/p99/p99.9/max in microseconds, overall and per
kind of message.

    sip_latency.py CAPTURE.pcapng PORT RATE [KINDS]

KINDS (comma-separated, e.g. "INVITE,INVITE 200,BYE,BYE 200") adds a line over those kinds only: the
same set for two proxies where one of them does not relay some kind (the Kamailio configuration of the
bench drops the ACK to a 200: its BYE route sends the ACK back to Kamailio itself, which then finds no
transaction for it).

Reads the pcapng blocks itself (Ethernet or Linux "cooked" link types, IPv4 and IPv6, UDP), which
takes seconds where a dissector takes minutes for a run of 100,000 calls.
"""
import collections
import struct
import sys


def packets(path):
    """(timestamp in seconds, link type, frame bytes) for each packet of a pcapng file."""
    with open(path, "rb") as handle:
        data = handle.read()
    offset, order = 0, "<"
    interfaces = []  # (link type, seconds per timestamp unit)
    while offset + 12 <= len(data):
        kind, length = struct.unpack_from(order + "II", data, offset)
        if kind == 0x0A0D0D0A:  # section header: its byte-order magic decides the order
            magic = data[offset + 8:offset + 12]
            order = "<" if magic == b"\x4d\x3c\x2b\x1a" else ">"
            length = struct.unpack_from(order + "I", data, offset + 4)[0]
            interfaces = []
        if length < 12 or offset + length > len(data):
            break
        body = data[offset + 8:offset + length - 4]
        if kind == 1:  # interface description
            link = struct.unpack_from(order + "H", body, 0)[0]
            resolution = 1e-6
            position = 8
            while position + 4 <= len(body):
                code, size = struct.unpack_from(order + "HH", body, position)
                if code == 0:
                    break
                if code == 9 and size >= 1:
                    value = body[position + 4]
                    resolution = 2.0 ** -(value & 0x7F) if value & 0x80 else 10.0 ** -value
                position += 4 + (size + 3) // 4 * 4
            interfaces.append((link, resolution))
        elif kind == 6 and interfaces:  # enhanced packet
            interface, high, low, captured = struct.unpack_from(order + "IIII", body, 0)
            link, resolution = interfaces[interface] if interface < len(interfaces) else interfaces[0]
            yield ((high << 32) | low) * resolution, link, body[20:20 + captured]
        offset += length


def udp(link, frame):
    """(source port, destination port, payload) of a UDP frame, or None."""
    if link == 1:  # Ethernet
        ethertype, start = struct.unpack_from("!H", frame, 12)[0], 14
    elif link == 113:  # Linux cooked capture
        ethertype, start = struct.unpack_from("!H", frame, 14)[0], 16
    else:
        return None
    if ethertype == 0x0800:
        if frame[start + 9] != 17:
            return None
        start += (frame[start] & 0x0F) * 4
    elif ethertype == 0x86DD:
        if frame[start + 6] != 17:
            return None
        start += 40
    else:
        return None
    source, destination = struct.unpack_from("!HH", frame, start)
    return source, destination, frame[start + 8:]


def key(payload):
    """(Call-ID, CSeq, status) of a SIP message, status empty for a request; None if unreadable."""
    head = payload.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    if not head:
        return None
    status = ""
    if head[0].startswith(b"SIP/2.0 "):
        status = head[0][8:11].decode("ascii", "replace")
    call_id = cseq = None
    for line in head[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name in (b"call-id", b"i"):
            call_id = value.strip()
        elif name == b"cseq":
            cseq = b" ".join(value.split())
    if call_id is None or cseq is None:
        return None
    return call_id, cseq.decode("ascii", "replace"), status


def summary(deltas):
    deltas.sort()

    def pct(p):
        return deltas[min(len(deltas) - 1, int(len(deltas) * p / 100))]

    return f"p50={pct(50):.0f} p90={pct(90):.0f} p99={pct(99):.0f} p99.9={pct(99.9):.0f} max={deltas[-1]:.0f}"


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: sip_latency.py CAPTURE.pcapng PORT RATE [KINDS]")
    path, port, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    chosen = [kind.strip() for kind in sys.argv[4].split(",")] if len(sys.argv) == 5 else []
    inbound, outbound = {}, {}
    for time, link, frame in packets(path):
        parsed = udp(link, frame)
        if parsed is None:
            continue
        source, destination, payload = parsed
        message = key(payload)
        if message is None:
            continue
        if destination == port:
            inbound.setdefault(message, time)
        elif source == port and message[2] != "100":
            outbound.setdefault(message, time)
    kinds = collections.defaultdict(list)
    for message, arrived in inbound.items():
        left = outbound.get(message)
        if left is not None and left >= arrived:
            kinds[(message[1].split()[-1], message[2])].append((left - arrived) * 1e6)
    every = [delta for deltas in kinds.values() for delta in deltas]
    if not every:
        sys.exit("no relayed message found in the capture")
    print(f"rate {rate} calls/s: {len(every)} relayed messages; added latency in microseconds")
    print(summary(every))
    if chosen:
        subset = [delta for (method, status), deltas in kinds.items() if (method + (" " + status if status else "")) in chosen
                  for delta in deltas]
        if subset:
            print(f"{', '.join(chosen)} only ({len(subset)} messages): {summary(subset)}")
    for (method, status), deltas in sorted(kinds.items()):
        label = method + (" " + status if status else "")
        print(f"  {label:<12} {len(deltas):>7}  {summary(deltas)}")


if __name__ == "__main__":
    main()
