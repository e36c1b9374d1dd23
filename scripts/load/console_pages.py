#!/usr/bin/env python3
"""Fills a Tollgate store with ROWS security events and ROWS CDRs (once; kept in DIR), starts
`tollgate serve --console`, enrols a viewer, signs in, and times the events and calls pages and
their API endpoints: the first page, a filtered page, and a page further back by cursor.
Prints p50, p99 and max per endpoint."""
import argparse
import http.cookiejar
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

PASSWORD = "benchmark password 2026"


def fill(path, tollgate, rows):
    if os.path.exists(path):
        count = sqlite3.connect(path).execute("SELECT COUNT(*) FROM cdrs").fetchone()[0]
        if count >= rows:
            return
        os.remove(path)
    # The schema comes from Tollgate itself (opening the store migrates it).
    subprocess.run([tollgate, "events", "--store", path, "--limit", "1"], check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(path)
    now = time.time()
    start = time.time()
    db.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
        INSERT INTO events (time, kind, source, rule, detail, severity)
        SELECT {now} - i * 2.5,
               CASE i % 5 WHEN 0 THEN 'scanner' WHEN 1 THEN 'auth-failure' WHEN 2 THEN 'rate-limit' WHEN 3 THEN 'ban' ELSE 'malformed' END,
               '198.51.' || (i % 250) || '.' || (i / 250 % 250),
               'rule-' || (i % 7),
               'User-Agent friendly-scanner probe ' || i,
               CASE i % 3 WHEN 0 THEN 'warning' WHEN 1 THEN 'notice' ELSE 'critical' END
        FROM n""")
    db.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
        INSERT INTO cdrs (call_id, direction, from_user, to_number, class, account, source, trunk, start, answer, "end", duration,
                          billsec, cause, disposition, hangup, rule)
        SELECT 'call-' || i || '@bench', CASE i % 4 WHEN 0 THEN 'inbound' ELSE 'outbound' END,
               '2' || (100 + i % 300), '4420' || (7946 + i % 5000) || (1000 + i % 9000), CASE i % 9 WHEN 0 THEN 'international' ELSE 'national' END,
               '2' || (100 + i % 300), '10.0.0.' || (i % 250), 'carrier', {now} - i * 2.5, {now} - i * 2.5 + 4, {now} - i * 2.5 + 64, 64, 60,
               200, 'answered', 'caller', NULL
        FROM n""")
    db.commit()
    db.close()
    print(f"filled {path}: {rows:,} events and {rows:,} CDRs in {time.time() - start:.1f} s", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tollgate", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    store = os.path.abspath(os.path.join(args.dir, "console-bench.db"))
    fill(store, args.tollgate, args.rows)
    base = f"http://127.0.0.1:{args.port}"
    for table in ("users", "sessions", "api_tokens"):
        sqlite3.connect(store).execute(f"DELETE FROM {table}").connection.commit()
    config = os.path.join(args.dir, "tollgate.yaml")
    with open(config, "w") as handle:
        handle.write(f"""listeners:\n  - listen: udp:127.0.0.1:5790\npbx: udp:127.0.0.20:5800\nstore: {{ path: "{store}" }}\nconsole: 127.0.0.1:{args.port}\nlogging: {{ level: warning }}\n""")
    gateway = subprocess.Popen([args.tollgate, "serve", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/login", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        added = subprocess.run([args.tollgate, "user", "add", "bench", "--role", "viewer", "--config", config], check=True,
                               capture_output=True, text=True).stdout
        link = re.search(r"(http\S+/enrol/\S+)", added).group(1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = urllib.parse.urlencode({"password": PASSWORD, "again": PASSWORD}).encode()
        opener.open(urllib.request.Request(link, data=form, headers={"Origin": base}))
        form = urllib.parse.urlencode({"user": "bench", "password": PASSWORD}).encode()
        opener.open(urllib.request.Request(base + "/login", data=form, headers={"Origin": base}))
        token = subprocess.run([args.tollgate, "token", "create", "bench", "--config", config], check=True, capture_output=True,
                               text=True).stdout.strip().splitlines()[-1].strip()
        # A cursor a hundred pages back, from the API.
        def api(path):
            request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
            return json.load(urllib.request.urlopen(request))
        cursor = api("/api/v1/events?limit=500")["next"]
        for _ in range(9):
            cursor = api("/api/v1/events?limit=500&cursor=" + urllib.parse.quote(cursor))["next"]
        call_cursor = api("/api/v1/calls?limit=500")["next"]
        for _ in range(9):
            call_cursor = api("/api/v1/calls?limit=500&cursor=" + urllib.parse.quote(call_cursor))["next"]
        targets = [
            ("page", "/events"), ("page", "/events?kind=ban"), ("page", "/events?source=198.51.7.9"),
            ("page", "/events?cursor=" + urllib.parse.quote(cursor)),
            ("page", "/calls"), ("page", "/calls?number=2150"), ("page", "/calls?account=2150"),
            ("page", "/calls?cursor=" + urllib.parse.quote(call_cursor)),
            ("api", "/api/v1/events"), ("api", "/api/v1/events?kind=ban&limit=50"), ("api", "/api/v1/calls"),
            ("api", "/api/v1/calls?number=2150"),
        ]
        print(f"{'endpoint':58} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for kind, path in targets:
            timings = []
            for index in range(args.requests):
                started = time.perf_counter()
                if kind == "page":
                    body = opener.open(base + path).read()
                else:
                    body = urllib.request.urlopen(urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})).read()
                timings.append((time.perf_counter() - started) * 1000)
                if index == 0 and len(body) < 200:
                    sys.exit(f"{path}: unexpected answer {body[:200]!r}")
            timings.sort()
            p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
            label = path if len(path) <= 58 else path[:55] + "..."
            print(f"{label:58} {statistics.median(timings):8.2f} {p99:8.2f} {timings[-1]:8.2f}")
    finally:
        gateway.terminate()
        gateway.wait(timeout=20)


if __name__ == "__main__":
    main()
