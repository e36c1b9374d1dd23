#!/usr/bin/env python3
"""Drives headless Chromium through the Tollgate console as a person would: signs in (password,
then the TOTP code), opens each page, saves a screenshot and the DOM, and reports what the pages
show. Chromium is driven over --remote-debugging-pipe (DevTools protocol on fds 3 and 4), so
nothing beyond the standard library and the chromium package is needed.

    console_browser.py --url http://127.0.0.1:8089 --user ada --password PW --totp SECRET \
        --out DIR / /events /bans ...

Prints one JSON object: {"pages": {path: {"status", "title", "text", "scripts", "xss"}}, "signedIn": bool}.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time


def totp(secret, at=None):
    # The console's secrets are base32 text whose UTF-8 bytes are the key (HummingbirdOTP's convention).
    counter = int((at or time.time()) // 30)
    digest = hmac.new(secret.encode(), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


class Browser:
    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="tollgate-chromium-")
        to_child_read, self.to_child = os.pipe()
        self.from_child, from_child_write = os.pipe()

        def wire():
            os.dup2(to_child_read, 3)
            os.dup2(from_child_write, 4)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--window-size=1280,900",
             "--ignore-certificate-errors", "--no-first-run", "--user-data-dir=" + self.profile, "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_read)
        os.close(from_child_write)
        self.next_id = 0
        self.buffer = b""
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Network.enable", session=True)

    def read_message(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, name, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for index, event in enumerate(self.events):
                if event.get("method") == name:
                    return self.events.pop(index)
            self.events.append(self.read_message())
        raise RuntimeError(f"no {name} within {timeout} s")

    def navigate(self, url):
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_event("Page.loadEventFired")
        return self.last_status(url)

    def last_status(self, url):
        status = None
        for event in self.events:
            if event.get("method") == "Network.responseReceived" and event["params"]["type"] == "Document":
                status = event["params"]["response"]["status"]
        return status

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=True)
        return result.get("result", {}).get("value")

    def submit(self, fields, selector="form.card"):
        self.events.clear()
        assignments = "".join(f"document.querySelector('{selector} [name={name}]').value = {json.dumps(value)};" for name, value in fields.items())
        self.evaluate(assignments + f"document.querySelector('{selector}').submit(); true")
        self.wait_event("Page.loadEventFired")
        return self.evaluate("location.pathname")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True)["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--totp")
    parser.add_argument("--enrol", help="An enrolment link to complete first (sets --password and enrols TOTP).")
    parser.add_argument("--out", required=True)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("pages", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    browser = Browser(args.chromium)
    report = {"pages": {}, "signedIn": False}
    try:
        if args.enrol:
            report["enrolStatus"] = browser.navigate(args.enrol)
            browser.screenshot(os.path.join(args.out, "enrol.png"))
            args.totp = browser.evaluate("(document.querySelector('[name=secret]') || {}).value") or args.totp
            fields = {"password": args.password, "again": args.password}
            if args.totp:
                fields["code"] = totp(args.totp)
            browser.submit(fields)
            report["enrolled"] = "Enrolment complete" in (browser.evaluate("document.body.innerText") or "")
            # The enrolment used this time step's code: sign in with the next one (the window allows it).
            code_time = time.time() + 30
        else:
            code_time = None
        browser.navigate(args.url + "/login")
        browser.screenshot(os.path.join(args.out, "login.png"))
        where = browser.submit({"user": args.user, "password": args.password})
        if where == "/login/code" and args.totp:
            browser.screenshot(os.path.join(args.out, "login-code.png"))
            where = browser.submit({"code": totp(args.totp, code_time)})
        report["signedIn"] = where == "/"
        for page in args.pages:
            status = browser.navigate(args.url + page)
            name = page.strip("/").replace("/", "-") or "status"
            browser.screenshot(os.path.join(args.out, name + ".png"))
            dom = browser.evaluate("document.documentElement.outerHTML")
            with open(os.path.join(args.out, name + ".html"), "w") as handle:
                handle.write(dom or "")
            report["pages"][page] = {
                "status": status,
                "title": browser.evaluate("document.title"),
                "text": browser.evaluate("document.body.innerText"),
                "scripts": browser.evaluate("document.scripts.length"),
                "xss": browser.evaluate("window.__xss === 1"),
            }
    finally:
        browser.close()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
