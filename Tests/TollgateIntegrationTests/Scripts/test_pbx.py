#!/usr/bin/env python3
"""A small Asterisk-like SIP PBX over UDP for Tollgate's integration tests.

usage: test_pbx.py --listen 127.0.0.20:5182 [--users 200:secret200,201:secret201]
                   [--users-range 200-249 [--password-prefix pw]] [--realm asterisk]
                   [--log FILE] [--answer-delay MS]

Registrar and call answerer, stateless apart from Digest nonces, To tags and the INVITE
transactions it still retransmits:
  REGISTER  unknown To-user: 404. Known without credentials: 401 Digest challenge
            (MD5, qop="auth"). Unknown nonce: 401 with stale=true. Right credentials: 200
            echoing the Contact with ;expires=. Wrong credentials: 403.
  INVITE    from a known user (the From-user): challenged like REGISTER, then 100, 180, 200
            with SDP. From anybody else (a trunk): 100, 180, 200 without auth.
            --answer-delay MS waits between 180 and 200, so that a CANCEL can arrive.
  ACK       absorbed (stops the retransmission of the final response).
  BYE       200.   OPTIONS 200.   CANCEL 200, and 487 to the INVITE if it is still ringing.
Responses go to the source address and port of the datagram (like rport), and copy Via, From,
To (with a tag, the same for the same Call-ID), Call-ID and CSeq.

Prints READY on stdout once bound; runs until SIGTERM or SIGINT, then exits 0.

Log (--log, appended, one flushed line each):
  RECV <METHOD> user=<To-user or R-URI user> origin=<received= or host of the bottom Via>
  RETRANS <METHOD> user=<user> origin=<origin>     a retransmitted request (answered again)
  SEND <status> <METHOD> user=<user>               a response sent (METHOD from its CSeq)
  RESEND <status> <METHOD> user=<user>             a response sent again
  BAD <reason>: <first line>                       a malformed datagram, ignored
  IGNORE <what>                                    a response or other unusable datagram
"""
import argparse
import hashlib
import heapq
import itertools
import os
import random
import re
import secrets
import selectors
import signal
import socket
import sys
import time

SERVER = "Asterisk PBX 20.5.0"
ALLOW = "INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, MESSAGE"
COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "k": "supported", "s": "subject", "e": "content-encoding"}
REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 481: "Call/Transaction Does Not Exist", 487: "Request Terminated",
           501: "Not Implemented"}
T1, T2 = 0.5, 4.0
TRANSACTION_LIFETIME = 64 * T1
NONCE_LIFETIME = 3600.0


class Malformed(Exception):
    pass


def split_commas(value):
    """Splits a header value on commas outside quotes and angle brackets."""
    parts, current, quoted, angle = [], [], False, False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif char == "<" and not quoted:
            angle = True
        elif char == ">" and not quoted:
            angle = False
        if char == "," and not quoted and not angle:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


class Request:
    def __init__(self, data):
        if b"\r\n\r\n" in data:
            head, body = data.split(b"\r\n\r\n", 1)
        elif b"\n\n" in data:
            head, body = data.split(b"\n\n", 1)
        else:
            head, body = data, b""
        try:
            head = head.decode("utf-8")
        except UnicodeDecodeError:
            head = head.decode("latin-1")
        lines = head.replace("\r\n", "\n").split("\n")
        self.first_line = lines[0].strip()
        self.is_response = self.first_line.startswith("SIP/")
        if self.is_response:
            self.method = self.uri = ""
        else:
            parts = self.first_line.split(" ")
            if len(parts) != 3 or parts[2].upper() != "SIP/2.0" or not re.fullmatch(r"[A-Za-z]+", parts[0]):
                raise Malformed("bad request line")
            self.method, self.uri = parts[0].upper(), parts[1]
        self.headers = []  # (lower-case name, value), in order; folded lines joined
        for line in lines[1:]:
            if not line.strip():
                continue
            if line[0] in " \t":
                if not self.headers:
                    raise Malformed("continuation before any header")
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + " " + line.strip())
                continue
            name, colon, value = line.partition(":")
            if not colon or not name.strip():
                raise Malformed("header without a colon")
            name = name.strip().lower()
            self.headers.append((COMPACT.get(name, name), value.strip()))
        self.vias = [via for name, value in self.headers if name == "via" for via in split_commas(value)]
        length = self.header("content-length")
        if length is not None:
            if not length.isdigit():
                raise Malformed("bad Content-Length")
            if int(length) > len(body):
                raise Malformed("body shorter than Content-Length")
            body = body[:int(length)]
        self.body = body.decode("utf-8", "replace")
        if self.is_response:
            return
        for required in ("via", "from", "to", "call-id", "cseq"):
            if self.header(required) is None:
                raise Malformed(f"no {required} header")
        cseq = self.header("cseq").split()
        if len(cseq) != 2 or not cseq[0].isdigit():
            raise Malformed("bad CSeq")
        self.cseq_number, self.cseq_method = int(cseq[0]), cseq[1].upper()
        self.call_id = self.header("call-id")

    def header(self, name):
        for header_name, value in self.headers:
            if header_name == name:
                return value
        return None

    def all(self, name):
        return [value for header_name, value in self.headers if header_name == name]

    @property
    def branch(self):
        return via_param(self.vias[0], "branch") or ""

    @property
    def to_tag(self):
        return tag_of(self.header("to"))


def user_of(value):
    """The user part of the first sip:/sips:/tel: URI in a header value or URI."""
    if value is None:
        return ""
    match = re.search(r"(?:sips?|tel):([^@;>?\s]*)(@)?", value, re.IGNORECASE)
    if not match:
        return ""
    if match.group(2) or value[match.start():match.start() + 4].lower() == "tel:":
        return match.group(1).split(":")[0]
    return ""


def tag_of(value):
    if value is None:
        return ""
    rest = value.rsplit(">", 1)[-1] if "<" in value else value
    match = re.search(r";\s*tag=([^;\s]+)", rest, re.IGNORECASE)
    return match.group(1) if match else ""


def via_param(via, name):
    match = re.search(r";\s*" + re.escape(name) + r"(?:=([^;\s,]*))?", via, re.IGNORECASE)
    if not match:
        return None
    return match.group(1) if match.group(1) is not None else ""


def via_host(via):
    """The host of a Via's sent-by, without port or IPv6 brackets."""
    sent_by = via.split(";", 1)[0].split(None, 1)
    if len(sent_by) != 2:
        return ""
    host = sent_by[1].strip()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    return host.split(":", 1)[0]


def parse_digest(value):
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    params = {}
    for match in re.finditer(r'([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)', rest):
        raw = match.group(2)
        params[match.group(1).lower()] = raw[1:-1] if raw.startswith('"') else raw
    return params


def md5(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class PBX:
    def __init__(self, args):
        self.host, port = args.listen.rsplit(":", 1)
        self.host = self.host.strip("[]")
        self.port = int(port)
        self.realm = args.realm
        self.users = {}
        if args.users_range:
            first, _, last = args.users_range.partition("-")
            for number in range(int(first), int(last or first) + 1):
                self.users[str(number)] = f"{args.password_prefix}{number}"
        for entry in filter(None, (args.users or "").split(",")):  # --users wins over --users-range
            user, colon, password = entry.strip().partition(":")
            if not colon:
                raise SystemExit(f"bad --users entry {entry!r} (want user:password)")
            self.users[user] = password
        self.answer_delay = args.answer_delay / 1000.0
        self.log_file = open(args.log, "a", buffering=1) if args.log else None
        self.nonces = {}          # nonce -> time issued
        self.to_tags = {}         # Call-ID -> (tag, last used)
        self.transactions = {}    # request key -> [time, last response bytes, status, method, user]
        self.invites = {}         # (Call-ID, CSeq number) -> invite state dict
        self.timers = []          # heap of (when, sequence, callable)
        self.sequence = itertools.count()
        self.stopping = False
        self.socket = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((self.host, self.port))
        self.socket.setblocking(False)

    # Logging and sending

    def log(self, line):
        if self.log_file:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    def schedule(self, delay, action):
        heapq.heappush(self.timers, (time.monotonic() + delay, next(self.sequence), action))

    def transmit(self, data, address):
        try:
            self.socket.sendto(data, address)
        except OSError as error:
            self.log(f"BAD send to {address[0]}:{address[1]} failed: {error}")

    def respond(self, request, address, status, extra=(), body="", content_type=None, remember=True):
        lines = [f"SIP/2.0 {status} {REASONS.get(status, 'Unknown')}"]
        for index, via in enumerate(request.vias):
            if index == 0:
                via = self.stamp_via(via, address)
            lines.append(f"Via: {via}")
        lines.append(f"From: {request.header('from')}")
        to = request.header("to")
        if status != 100 and not request.to_tag:
            to = f"{to};tag={self.tag_for(request.call_id)}"
        lines.append(f"To: {to}")
        lines.append(f"Call-ID: {request.call_id}")
        lines.append(f"CSeq: {request.header('cseq')}")
        lines.append(f"Server: {SERVER}")
        lines.append(f"Allow: {ALLOW}")
        lines.extend(extra)
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        encoded_body = body.encode()
        lines.append(f"Content-Length: {len(encoded_body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + encoded_body
        self.transmit(data, address)
        user = self.user(request)
        self.log(f"SEND {status} {request.cseq_method} user={user}")
        if remember:
            self.transactions[self.key(request)] = [time.monotonic(), data, status, request.cseq_method, user]
        return data

    @staticmethod
    def stamp_via(via, address):
        """RFC 3261 18.2.1 and RFC 3581: records where the request really came from."""
        parts = via.split(";")
        has_received = any(part.strip().lower().startswith("received") for part in parts[1:])
        stamped = []
        for part in parts:
            if part.strip().lower() == "rport":
                part = f"rport={address[1]}"
                if not has_received:
                    part += f";received={address[0]}"
                    has_received = True
            stamped.append(part)
        via = ";".join(stamped)
        if not has_received and via_host(via) != address[0]:
            via += f";received={address[0]}"
        return via

    def tag_for(self, call_id):
        tag = self.to_tags.get(call_id, (secrets.token_hex(5),))[0]
        self.to_tags[call_id] = (tag, time.monotonic())
        return tag

    @staticmethod
    def user(request):
        return user_of(request.header("to")) or user_of(request.uri)

    @staticmethod
    def key(request):
        branch = request.branch if request.branch.lower().startswith("z9hg4bk") else \
            f"{tag_of(request.header('from'))}/{request.vias[0]}"
        return (request.call_id, request.cseq_number, request.cseq_method, branch)

    # Digest

    def challenge(self, request, address, stale=False):
        nonce = f"{int(time.time())}/{secrets.token_hex(16)}"
        self.nonces[nonce] = time.monotonic()
        value = f'Digest realm="{self.realm}", nonce="{nonce}", algorithm=MD5, qop="auth"'
        if stale:
            value += ", stale=true"
        return self.respond(request, address, 401, extra=[f"WWW-Authenticate: {value}"])

    def check_credentials(self, request, identity):
        """'missing', 'stale', 'valid' or 'invalid' for the request's Digest credentials."""
        header = request.header("authorization") or request.header("proxy-authorization")
        if header is None:
            return "missing"
        params = parse_digest(header)
        if params is None:
            return "invalid"
        if params.get("nonce") not in self.nonces:
            return "stale"
        username = params.get("username", "")
        if username != identity or username not in self.users:
            return "invalid"
        algorithm = params.get("algorithm", "MD5").upper()
        ha1 = md5(f"{username}:{self.realm}:{self.users[username]}")
        if algorithm == "MD5-SESS":
            ha1 = md5(f"{ha1}:{params['nonce']}:{params.get('cnonce', '')}")
        elif algorithm != "MD5":
            return "invalid"
        ha2 = md5(f"{request.method}:{params.get('uri', '')}")
        qop = params.get("qop", "")
        if qop.lower() == "auth":
            expected = md5(f"{ha1}:{params['nonce']}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}")
        elif qop:
            return "invalid"
        else:
            expected = md5(f"{ha1}:{params['nonce']}:{ha2}")
        return "valid" if secrets.compare_digest(expected, params.get("response", "").lower()) else "invalid"

    def authenticate(self, request, address, identity):
        """Answers the request with 401/403 and returns False unless its credentials are right."""
        verdict = self.check_credentials(request, identity)
        if verdict == "valid":
            return True
        if verdict == "invalid":
            self.respond(request, address, 403)
        else:
            self.challenge(request, address, stale=verdict == "stale")
        return False

    # Requests

    def handle(self, data, address):
        if not data.strip():
            return  # CRLF keep-alive
        first_line = data.split(b"\n", 1)[0].strip()[:120].decode("latin-1")
        try:
            request = Request(data)
        except (Malformed, ValueError, IndexError) as error:
            self.log(f"BAD {error}: {first_line}")
            return
        if request.is_response:
            self.log(f"IGNORE response {first_line}")
            return
        origin = via_param(request.vias[-1], "received") or via_host(request.vias[-1])
        user = self.user(request)
        previous = self.transactions.get(self.key(request))
        if previous is not None:
            self.log(f"RETRANS {request.method} user={user} origin={origin}")
            if previous[1] is not None:
                self.transmit(previous[1], address)
                self.log(f"RESEND {previous[2]} {previous[3]} user={previous[4]}")
            return
        self.log(f"RECV {request.method} user={user} origin={origin}")
        handler = getattr(self, "on_" + request.method.lower(), None)
        if request.method != request.cseq_method:
            if request.method != "ACK":
                self.log(f"BAD CSeq method {request.cseq_method} in a {request.method}: {first_line}")
            return
        if handler is None:
            self.respond(request, address, 501)
            return
        handler(request, address)

    def on_register(self, request, address):
        user = user_of(request.header("to"))
        if user not in self.users:
            self.respond(request, address, 404)
            return
        if not self.authenticate(request, address, user):
            return
        expires_header = request.header("expires")
        default = int(expires_header) if expires_header and expires_header.isdigit() else 3600
        contacts = []
        for value in request.all("contact"):
            for contact in split_commas(value):
                if contact == "*":
                    continue
                match = re.search(r";\s*expires=(\d+)", contact.rsplit(">", 1)[-1], re.IGNORECASE)
                expires = int(match.group(1)) if match else default
                contact = re.sub(r";\s*expires=\d+", "", contact, flags=re.IGNORECASE) if match else contact
                if expires > 0:
                    contacts.append(f"Contact: {contact};expires={expires}")
        extra = contacts + [f"Expires: {default}",
                            "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())]
        self.respond(request, address, 200, extra=extra)

    def on_options(self, request, address):
        self.respond(request, address, 200, extra=["Accept: application/sdp", "Supported: replaces, timer"])

    def on_invite(self, request, address):
        caller = user_of(request.header("from"))
        if request.to_tag:  # a re-INVITE in a dialog
            self.answer(request, address)
            return
        if caller in self.users and not self.authenticate(request, address, caller):
            self.await_ack(request, address)
            return
        self.respond(request, address, 100)
        self.respond(request, address, 180, extra=self.dialog_headers(request))
        if self.answer_delay > 0:
            state = self.invites[(request.call_id, request.cseq_number)] = {
                "request": request, "address": address, "final": None, "acked": False, "time": time.monotonic()}

            def answer_later():
                if state["final"] is None:
                    self.answer(request, address)
            self.schedule(self.answer_delay, answer_later)
        else:
            self.answer(request, address)

    def dialog_headers(self, request):
        return [f"Record-Route: {value}" for value in request.all("record-route")] + \
            [f"Contact: <sip:pbx@{self.host if ':' not in self.host else '[' + self.host + ']'}:{self.port}>"]

    def answer(self, request, address):
        session = random.randint(10**8, 10**9)
        media_port = random.randrange(10000, 20000, 2)
        sdp = "\r\n".join([
            "v=0", f"o=- {session} {session} IN IP4 {self.host}", "s=Asterisk", f"c=IN IP4 {self.host}",
            "t=0 0", f"m=audio {media_port} RTP/AVP 0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20", "a=maxptime:150",
            "a=sendrecv", ""])
        self.respond(request, address, 200, extra=self.dialog_headers(request), body=sdp,
                     content_type="application/sdp")
        self.await_ack(request, address)

    def await_ack(self, request, address):
        """Retransmits the INVITE's final response until its ACK arrives (RFC 3261 13.3.1.4, 17.2.1)."""
        key = (request.call_id, request.cseq_number)
        state = self.invites.setdefault(key, {"request": request, "address": address, "acked": False})
        state.update(final=self.transactions[self.key(request)], acked=False, time=time.monotonic())
        final = state["final"]
        deadline = time.monotonic() + TRANSACTION_LIFETIME

        def retransmit(interval):
            if state["acked"] or state["final"] is not final or time.monotonic() > deadline:
                return
            self.transmit(final[1], address)
            self.log(f"RESEND {final[2]} {final[3]} user={final[4]}")
            self.schedule(min(interval * 2, T2), lambda: retransmit(min(interval * 2, T2)))
        self.schedule(T1, lambda: retransmit(T1))

    def on_ack(self, request, address):
        state = self.invites.get((request.call_id, request.cseq_number))
        if state is not None:
            state["acked"] = True
        self.transactions[self.key(request)] = [time.monotonic(), None, None, None, None]

    def on_bye(self, request, address):
        self.respond(request, address, 200)

    def on_cancel(self, request, address):
        state = self.invites.get((request.call_id, request.cseq_number))
        self.respond(request, address, 200)
        if state is not None and state.get("final") is None:
            self.respond(state["request"], state["address"], 487)
            self.await_ack(state["request"], state["address"])

    def on_info(self, request, address):
        self.respond(request, address, 200)

    on_message = on_notify = on_update = on_info

    # Main loop

    def prune(self):
        now = time.monotonic()
        for table, lifetime, stamp in ((self.transactions, TRANSACTION_LIFETIME * 2, lambda v: v[0]),
                                       (self.invites, TRANSACTION_LIFETIME * 2, lambda v: v["time"]),
                                       (self.to_tags, 600.0, lambda v: v[1]),
                                       (self.nonces, NONCE_LIFETIME, lambda v: v)):
            for key in [key for key, value in table.items() if now - stamp(value) > lifetime]:
                del table[key]

    def run(self):
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)
        print("READY", flush=True)
        last_prune = time.monotonic()
        while not self.stopping:
            timeout = 0.2
            if self.timers:
                timeout = max(0.0, min(timeout, self.timers[0][0] - time.monotonic()))
            if selector.select(timeout):
                while True:
                    try:
                        data, address = self.socket.recvfrom(65535)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError as error:  # e.g. ICMP port unreachable surfaced on Linux
                        self.log(f"IGNORE socket error {error}")
                        continue
                    try:
                        self.handle(data, address[:2])
                    except Exception as error:  # never let one datagram stop the PBX
                        self.log(f"BAD {type(error).__name__} {error}: {data[:120]!r}")
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, action = heapq.heappop(self.timers)
                try:
                    action()
                except Exception as error:
                    self.log(f"BAD timer {type(error).__name__} {error}")
            if now - last_prune > 10:
                self.prune()
                last_prune = now
        selector.close()
        self.socket.close()
        if self.log_file:
            self.log_file.close()


def main():
    parser = argparse.ArgumentParser(description="A small Asterisk-like SIP PBX over UDP for tests.")
    parser.add_argument("--listen", required=True, help="HOST:PORT to bind, e.g. 127.0.0.20:5182")
    parser.add_argument("--users", default="", help="user:password,user:password,...")
    parser.add_argument("--users-range", help="FIRST-LAST: users FIRST..LAST with password PREFIX+number")
    parser.add_argument("--password-prefix", default="", help="prefix of the --users-range passwords")
    parser.add_argument("--realm", default="asterisk")
    parser.add_argument("--log", help="file to append one line per request and response to")
    parser.add_argument("--answer-delay", type=int, default=0, metavar="MS",
                        help="milliseconds between 180 Ringing and 200 OK (0: answer at once)")
    args = parser.parse_args()
    try:
        pbx = PBX(args)
    except OSError as error:
        print(f"cannot listen on {args.listen}: {error}", file=sys.stderr, flush=True)
        return 2

    def stop(signum, frame):
        pbx.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pbx.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
