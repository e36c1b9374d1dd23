#!/usr/bin/env python3
"""A phone for Tollgate's media tests: calls through the gateway over UDP and sends audio.

usage: media_phone.py GATEWAY_HOST GATEWAY_PORT LOCAL_IP SIP_PORT RTP_PORT [--srtp] [--packets N]
Sends an INVITE whose SDP offers RTP/AVP, or with --srtp RTP/SAVP with one AES_CM_128_HMAC_SHA1_80
key; ACKs the 200; sends N RTP packets (protected with its own key when --srtp) to the address and
port of the answer and reads what comes back (a PBX that echoes returns them); sends BYE. Prints
one JSON object: the answer's SDP, how many packets were sent and came back, whether each came
back with the payload sent, how many came back in clear when SRTP was agreed, and SRTP errors.
Exit 0 when the call completed, 1 otherwise.
"""
import base64
import json
import os
import re
import socket
import struct
import sys
import time
import uuid


def sip_request(method, uri, local, sip_port, call_id, cseq, from_tag, to_tag=None, body="", branch=None):
    branch = branch or "z9hG4bK" + uuid.uuid4().hex[:16]
    to = f"<{uri}>" + (f";tag={to_tag}" if to_tag else "")
    lines = [
        f"{method} {uri} SIP/2.0",
        f"Via: SIP/2.0/UDP {local}:{sip_port};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:phone@{local}>;tag={from_tag}",
        f"To: {to}",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
        f"Contact: <sip:phone@{local}:{sip_port}>",
    ]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def read_response(sock, deadline):
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            break
        text = data.decode(errors="replace")
        head, _, body = text.partition("\r\n\r\n")
        status = int(head.split(" ", 2)[1]) if head.startswith("SIP/2.0") else 0
        return status, head, body
    return None, "", ""


def header(head, name):
    for line in head.split("\r\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def rtp(sequence, ssrc, payload):
    return struct.pack("!BBHII", 0x80, 0, sequence, sequence * 160, ssrc) + payload


def main():
    host, port, local, sip_port, rtp_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    use_srtp = "--srtp" in sys.argv
    packets = int(sys.argv[sys.argv.index("--packets") + 1]) if "--packets" in sys.argv else 50
    result = {"completed": False, "sent": 0, "echoed": 0, "matched": 0, "clear_on_srtp": 0, "srtp_errors": 0, "answer": ""}

    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind((local, sip_port))
    media = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    media.bind((local, rtp_port))
    gateway = (host, port)
    uri = f"sip:200@{host}:{port}"
    call_id, tag = uuid.uuid4().hex + "@" + local, uuid.uuid4().hex[:8]

    key = os.urandom(30)
    sdp = f"v=0\r\no=- 1 1 IN IP4 {local}\r\ns=-\r\nc=IN IP4 {local}\r\nt=0 0\r\n"
    if use_srtp:
        sdp += f"m=audio {rtp_port} RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{base64.b64encode(key).decode()}\r\n"
    else:
        sdp += f"m=audio {rtp_port} RTP/AVP 0\r\n"
    sdp += "a=sendrecv\r\n"
    sip.sendto(sip_request("INVITE", uri, local, sip_port, call_id, 1, tag, body=sdp), gateway)
    deadline = time.time() + 10
    status, head, body = None, "", ""
    while time.time() < deadline:
        status, head, body = read_response(sip, deadline)
        if status is None or status >= 200:
            break
    if status != 200:
        result["error"] = f"INVITE answered {status}"
        print(json.dumps(result))
        return 1
    result["answer"] = body
    to_tag = re.search(r";tag=([^;>\s]+)", header(head, "To") or "").group(1)
    sip.sendto(sip_request("ACK", uri, local, sip_port, call_id, 1, tag, to_tag), gateway)

    address = re.search(r"c=IN IP4 (\S+)", body).group(1)
    media_port = int(re.search(r"m=audio (\d+)", body).group(1))
    session_in = session_out = None
    if use_srtp:
        import pylibsrtp
        match = re.search(r"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)", body)
        if not match:
            result["error"] = "no crypto line in the answer"
            print(json.dumps(result))
            return 1
        answer_key = base64.b64decode(match.group(1) + "=" * (-len(match.group(1)) % 4))
        session_out = pylibsrtp.Session(pylibsrtp.Policy(key=key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND))
        session_in = pylibsrtp.Session(pylibsrtp.Policy(key=answer_key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND))

    media.settimeout(0.002)
    sent = {}
    for sequence in range(1, packets + 1):
        payload = bytes((sequence + i) % 256 for i in range(160))
        packet = rtp(sequence, 0x5EED, payload)
        sent[sequence] = packet
        media.sendto(session_out.protect(packet) if session_out else packet, (address, media_port))
        result["sent"] += 1
        end = time.time() + 0.005
        while time.time() < end:
            try:
                data, _ = media.recvfrom(2048)
            except socket.timeout:
                continue
            handle(data, sent, session_in, result)
    media.settimeout(0.2)
    while True:
        try:
            data, _ = media.recvfrom(2048)
        except socket.timeout:
            break
        handle(data, sent, session_in, result)

    sip.sendto(sip_request("BYE", uri, local, sip_port, call_id, 2, tag, to_tag), gateway)
    deadline = time.time() + 5
    while True:
        status, head, _ = read_response(sip, deadline)
        # A retransmitted answer to the INVITE may still be on its way; the BYE's answer is the one that counts.
        if status is None or (header(head, "CSeq") or "").endswith("BYE"):
            break
    result["completed"] = status == 200
    result["bye"] = status
    print(json.dumps(result))
    return 0 if result["completed"] else 1


def handle(data, sent, session_in, result):
    result["echoed"] += 1
    if session_in:
        sequence = struct.unpack("!H", data[2:4])[0]
        if sequence in sent and data[: len(sent[sequence])] == sent[sequence]:
            result["clear_on_srtp"] += 1
        try:
            data = session_in.unprotect(data)
        except Exception:
            result["srtp_errors"] += 1
            return
    sequence = struct.unpack("!H", data[2:4])[0]
    if sent.get(sequence, b"")[12:] == data[12:]:
        result["matched"] += 1


if __name__ == "__main__":
    sys.exit(main())
