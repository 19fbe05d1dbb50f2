"""The web half of Berth's app + database example (examples/app-db).

A visit counter and a list of notes kept in PostgreSQL, reached by its compose service name
(`db`, resolved by berth-dns). Only the standard library and psycopg2 (python3-psycopg2).

  GET  /          counts the visit and shows the count and the notes (HTML)
  POST /notes     adds a note (form field `note`), then redirects to /
  GET  /api/stats the count and the notes as JSON, without counting a visit
  GET  /healthz   200 "ok" when the database answers, 503 otherwise

Configuration: DATABASE_URL (postgres://user:password@host:port/db), else libpq's PG* variables;
PORT (default 8080); DB_WAIT_SECONDS (default 60): how long start-up waits for the database.
"""

import html
import json
import os
import signal
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

DSN = os.environ.get("DATABASE_URL", "")
PORT = int(os.environ.get("PORT", "8080"))
DB_WAIT_SECONDS = float(os.environ.get("DB_WAIT_SECONDS", "60"))

SCHEMA = """
CREATE TABLE IF NOT EXISTS visits (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS notes (id bigserial PRIMARY KEY, body text NOT NULL,
                                  at timestamptz NOT NULL DEFAULT now());
"""


def log(message):
    print(f"app: {message}", file=sys.stderr, flush=True)


def connect():
    return psycopg2.connect(DSN, connect_timeout=3)


def query(sql, args=(), fetch=True):
    """Runs one statement in its own connection and transaction (a connection per request keeps
    the threads independent; this app serves a handful of requests, not thousands)."""
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if fetch else None
    finally:
        conn.close()


def wait_for_database():
    """Creates the tables, retrying while the database is still starting (bounded)."""
    deadline = time.monotonic() + DB_WAIT_SECONDS
    while True:
        try:
            query(SCHEMA, fetch=False)
            log("database ready, tables in place")
            return
        except psycopg2.OperationalError as e:
            if time.monotonic() >= deadline:
                raise SystemExit(f"app: database not reachable after {DB_WAIT_SECONDS:g}s: {e}".strip())
            log(f"waiting for the database: {str(e).strip()}")
            time.sleep(1)


def stats():
    count = query("SELECT count(*) FROM visits")[0][0]
    notes = [{"id": i, "body": b, "at": a.isoformat()}
             for i, b, a in query("SELECT id, body, at FROM notes ORDER BY id")]
    return count, notes


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Berth app + db example</title></head>
<body>
<h1>Berth app + db example</h1>
<p>Visits: <span id="visits">{visits}</span></p>
<form method="post" action="/notes"><input name="note" placeholder="a note"> <button>Add</button></form>
<ul id="notes">{notes}</ul>
</body></html>
"""


class Handler(BaseHTTPRequestHandler):
    server_version = "berth-example/1"

    def send(self, status, body, content_type="text/plain; charset=utf-8", headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        try:
            if path == "/healthz":
                query("SELECT 1")
                self.send(200, "ok\n")
            elif path == "/api/stats":
                count, notes = stats()
                self.send(200, json.dumps({"visits": count, "notes": notes}) + "\n", "application/json")
            elif path == "/":
                query("INSERT INTO visits DEFAULT VALUES", fetch=False)
                count, notes = stats()
                items = "".join(f"<li>{html.escape(n['body'])}</li>" for n in notes)
                self.send(200, PAGE.format(visits=count, notes=items), "text/html; charset=utf-8")
            else:
                self.send(404, "not found\n")
        except psycopg2.Error as e:
            self.send(503, f"database error: {str(e).strip()}\n")

    def do_POST(self):
        if urllib.parse.urlsplit(self.path).path != "/notes":
            self.send(404, "not found\n")
            return
        length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        note = (form.get("note") or [""])[0].strip()
        if not note:
            self.send(400, "empty note\n")
            return
        try:
            query("INSERT INTO notes (body) VALUES (%s)", (note[:1000],), fetch=False)
        except psycopg2.Error as e:
            self.send(503, f"database error: {str(e).strip()}\n")
            return
        self.send(303, "added\n", headers=[("Location", "/")])

    def log_message(self, fmt, *args):
        log(f"{self.address_string()} {fmt % args}")


def main():
    # As PID 1 of its container the process gets no default signal actions: without handlers
    # SIGTERM would be ignored and every `down` would wait for the SIGKILL after the grace period.
    def stop(signum, _frame):
        log(f"signal {signum}: exiting")
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    wait_for_database()
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    server.daemon_threads = True
    log(f"listening on 0.0.0.0:{PORT}")
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
