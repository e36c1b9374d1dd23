#!/usr/bin/env python3
"""A carrier's TLS endpoint that requires a client certificate: answers INVITE with 100/200 and
BYE with 200 over TLS, and prints the subject of the client certificate each connection showed.

    tls_trunk.py --listen 127.0.0.13:5250 --cert cert.pem --key key.pem --client-ca ca.pem
"""
import argparse
import re
import socket
import ssl
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument("--listen", required=True)
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--client-ca", required=True)
args = parser.parse_args()
host, port = args.listen.rsplit(":", 1)

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_2
context.load_cert_chain(args.cert, args.key)
context.load_verify_locations(args.client_ca)
context.verify_mode = ssl.CERT_REQUIRED


def respond(request, status, reason, body=b"", extra=""):
    head, _, _ = request.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")[1:]
    copied = [l for l in lines if re.match(r"(?i)^(via|from|to|call-id|cseq|record-route)\s*:", l)]
    out = []
    for line in copied:
        if line.lower().startswith("to:") and "tag=" not in line.lower():
            line += ";tag=carrier1"
        out.append(line)
    text = f"SIP/2.0 {status} {reason}\r\n" + "\r\n".join(out) + "\r\n" + extra
    text += f"Content-Length: {len(body)}\r\n\r\n"
    return text.encode() + body


def serve(connection):
    try:
        subject = dict(x[0] for x in connection.getpeercert().get("subject", ()))
        print(f"CLIENT CERT CN={subject.get('commonName', '?')}", flush=True)
        buffer = b""
        while True:
            data = connection.recv(65536)
            if not data:
                return
            buffer += data
            while b"\r\n\r\n" in buffer:
                head, _, rest = buffer.partition(b"\r\n\r\n")
                match = re.search(rb"(?im)^(content-length|l)\s*:\s*(\d+)", head)
                length = int(match.group(2)) if match else 0
                if len(rest) < length:
                    break
                message, buffer = head + b"\r\n\r\n" + rest[:length], rest[length:]
                method = message.split(b" ", 1)[0].decode(errors="replace")
                print(f"RECV {method}", flush=True)
                if method == "INVITE":
                    connection.sendall(respond(message, 100, "Trying"))
                    sdp = b"v=0\r\no=carrier 1 1 IN IP4 127.0.0.13\r\ns=-\r\nc=IN IP4 127.0.0.13\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"
                    contact = f"Contact: <sip:carrier@{host}:{port};transport=tls>\r\nContent-Type: application/sdp\r\n"
                    connection.sendall(respond(message, 200, "OK", sdp, contact))
                elif method in ("BYE", "OPTIONS", "CANCEL"):
                    connection.sendall(respond(message, 200, "OK"))
    except (OSError, ssl.SSLError) as error:
        print(f"ERROR {error}", flush=True)
    finally:
        connection.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((host, int(port)))
server.listen(8)
print("READY", flush=True)
while True:
    raw, _ = server.accept()
    try:
        connection = context.wrap_socket(raw, server_side=True)
    except (OSError, ssl.SSLError) as error:
        print(f"HANDSHAKE REFUSED {error}", flush=True)
        raw.close()
        continue
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
