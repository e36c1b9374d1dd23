#!/usr/bin/env python3
"""Sends SIP traffic as fast as one core allows for a few seconds, from one or many loopback
source addresses, and prints how many datagrams it sent.

    flood.py --target 127.0.0.1:5070 --seconds 3 --kind malformed|options [--sources 127.0.1.0/24]
"""
import argparse
import ipaddress
import random
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("--target", required=True)
parser.add_argument("--seconds", type=float, default=3)
parser.add_argument("--kind", choices=["malformed", "options"], default="malformed")
parser.add_argument("--source", default="127.0.0.68", help="one source address")
parser.add_argument("--sources", help="a loopback network to rotate source addresses through")
args = parser.parse_args()

host, port = args.target.rsplit(":", 1)
target = (host, int(port))
if args.sources:
    addresses = [str(a) for a in ipaddress.ip_network(args.sources).hosts()]
else:
    addresses = [args.source]
sockets = []
for address in addresses:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, 0))
    s.setblocking(False)
    sockets.append(s)


def options(n, address):
    return (
        f"OPTIONS sip:100@{host} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {address}:5060;branch=z9hG4bKfl{n}\r\n"
        f"Max-Forwards: 70\r\nFrom: <sip:flood@{address}>;tag={n}\r\nTo: <sip:100@{host}>\r\n"
        f"Call-ID: flood{n}@{address}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    ).encode()


malformed = [b"INVITE sip:x SIP/2.0\r\nVia: broken\r\n\r\n", b"\x00\x01garbage", b"SIP/2.0 200\r\n\r\n",
             b"REGISTER sip:a SIP/2.0\r\nContent-Length: 99999\r\n\r\n"]
sent = 0
deadline = time.monotonic() + args.seconds
n = 0
while time.monotonic() < deadline:
    for _ in range(256):
        s = sockets[n % len(sockets)]
        payload = options(n, addresses[n % len(addresses)]) if args.kind == "options" else malformed[n % len(malformed)]
        try:
            s.sendto(payload, target)
            sent += 1
        except (BlockingIOError, OSError):
            pass
        n += 1
print(f"sent {sent} datagrams in {args.seconds:.1f} s ({sent / args.seconds:.0f}/s) from {len(addresses)} source(s)")
