#!/usr/bin/env python3
"""A SIP-over-TLS caller for Tollgate's integration tests (a trunk sending a call over TLS).

usage: tls_call.py CAFILE GATEWAY_HOST GATEWAY_PORT LOCAL_IP [--max-tls 1.1] [--client-cert CERT KEY]
Places one call (INVITE, ACK, BYE) over one TLS connection, verifying the gateway's certificate
against CAFILE. Exit 0 when the call completes, 2 when the TLS handshake fails, 1 otherwise.
"""
import socket
import ssl
import sys
import uuid


def read_message(stream, buffer):
    """Reads one SIP message framed by Content-Length from the TLS stream."""
    while b"\r\n\r\n" not in buffer:
        chunk = stream.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed")
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() in (b"content-length", b"l"):
            length = int(value.strip())
    while len(rest) < length:
        rest += stream.recv(4096)
    return head.decode(), rest[length:]


def main():
    cafile, host, port, local_ip = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    context = ssl.create_default_context(cafile=cafile)
    if "--max-tls" in sys.argv:
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("ALL:@SECLEVEL=0")
    if "--client-cert" in sys.argv:
        index = sys.argv.index("--client-cert")
        context.load_cert_chain(sys.argv[index + 1], sys.argv[index + 2])
    raw = socket.create_connection((host, port), timeout=10, source_address=(local_ip, 0))
    try:
        stream = context.wrap_socket(raw, server_hostname=host)
    except (ssl.SSLError, OSError) as error:
        print(f"handshake failed: {error}")
        return 2
    print(f"TLS {stream.version()} {stream.cipher()[0]}")
    local_port = stream.getsockname()[1]
    call_id = f"{uuid.uuid4()}@{local_ip}"
    sdp = f"v=0\r\no=tls 1 1 IN IP4 {local_ip}\r\ns=-\r\nc=IN IP4 {local_ip}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"

    def request(method, cseq, to_tag="", body="", content_type=""):
        branch = "z9hG4bK" + uuid.uuid4().hex[:16]
        lines = [
            f"{method} sip:201@{host}:{port};transport=tls SIP/2.0",
            f"Via: SIP/2.0/TLS {local_ip}:{local_port};branch={branch}",
            "Max-Forwards: 70",
            f"From: <sip:+441632960001@{local_ip}>;tag=tlscaller",
            f"To: <sip:201@{host}>{to_tag}",
            f"Call-ID: {call_id}",
            f"CSeq: {cseq} {method}",
            f"Contact: <sip:+441632960001@{local_ip}:{local_port};transport=tls>",
        ]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body.encode())}")
        stream.sendall(("\r\n".join(lines) + "\r\n\r\n" + body).encode())

    buffer = b""
    request("INVITE", 1, body=sdp, content_type="application/sdp")
    to_tag = ""
    while True:
        head, buffer = read_message(stream, buffer)
        status = int(head.split(" ", 2)[1])
        print(f"INVITE <- {status}")
        if status >= 200:
            break
    if status != 200:
        return 1
    for line in head.split("\r\n"):
        if line.lower().startswith("to:") and ";tag=" in line:
            to_tag = ";tag=" + line.split(";tag=", 1)[1].split(";")[0]
    request("ACK", 1, to_tag)
    request("BYE", 2, to_tag)
    head, buffer = read_message(stream, buffer)
    status = int(head.split(" ", 2)[1])
    print(f"BYE <- {status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
