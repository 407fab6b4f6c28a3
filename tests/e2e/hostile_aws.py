#!/usr/bin/env python3
"""A hostile AWS endpoint for tests/e2e/test_hostile_replies.sh.

It stands in front of the emulator: requests are passed through to it
(--upstream), except those the --mode breaks: the read modes answer every
VPC Lattice request the way a broken or compromised endpoint might, the sts-*
modes break STS, and the create-* modes break VPC Lattice writes only (an
honest read, then garbage for the create). A second listener, the "witness",
stands for another host: a redirect points there, and any request it
receives is logged to --witness-log (the test asserts it stays empty).

Usage: hostile_aws.py --mode MODE --upstream URL --ready FILE --witness-log FILE
Writes "PORT WITNESS_PORT" to FILE once both listen. Standard library only.
"""
import argparse
import http.client
import re
import urllib.parse
import http.server
import json
import socketserver
import sys
import threading

# What STS says in the sts-* modes (the rest of the modes hit VPC Lattice).
STS_MODES = {
    "sts-invalid-xml": (200, "text/xml", "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>x"),
    "sts-missing-account": (200, "text/xml",
                            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>"
                            "arn:aws:iam::123456789012:user/x</Arn></GetCallerIdentityResult>"
                            "</GetCallerIdentityResponse>"),
    "sts-json": (200, "application/json", '{"Account": "123456789012"}'),
    "sts-entity-bomb": (200, "text/xml",
                        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
                        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
                        '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
                        '<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
                        '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">'
                        ']><GetCallerIdentityResponse><GetCallerIdentityResult>'
                        '<Account>&g;</Account></GetCallerIdentityResult></GetCallerIdentityResponse>'),
    "sts-external-entity": (200, "text/xml",
                            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                            '<GetCallerIdentityResponse><GetCallerIdentityResult>'
                            '<Arn>arn:aws:iam::123456789012:user/&e;</Arn><Account>123456789012</Account>'
                            '</GetCallerIdentityResult></GetCallerIdentityResponse>'),
    "sts-deep-xml": (200, "text/xml", "<a>" * 5000 + "</a>" * 5000),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile"

    def log_message(self, fmt, *args):  # quiet: the test reads trellis's output
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, ctype, text, extra=()):
        data = text.encode() if isinstance(text, str) else text
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "hostile-1")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def service(self):
        m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", self.headers.get("Authorization", ""))
        return m.group(1) if m else ""

    def proxy(self, body):
        up = urllib.parse.urlsplit(self.server.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        # The signed headers (Host included) go through unchanged, so the
        # emulator checks the signature trellis made.
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        r = conn.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    def handle_any(self):
        req = self.body()
        mode = self.server.mode
        svc = self.service()
        lattice_write = svc == "vpc-lattice" and self.command in ("POST", "PUT") \
            and not self.path.endswith("/listtargets")
        if mode in STS_MODES:
            hostile = svc == "sts"
        elif mode.startswith("create-"):
            hostile = lattice_write
        else:
            hostile = svc == "vpc-lattice"
        if not hostile:
            self.proxy(req)
            return
        self.server.count += 1
        if mode in STS_MODES:
            self.send(*STS_MODES[mode])
            return
        getattr(self, "mode_" + mode.replace("-", "_"))()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    # --- VPC Lattice replies -------------------------------------------
    # The create-* modes see only VPC Lattice writes.
    def mode_create_html(self):
        self.send(200, "text/html", "<html>ok</html>")

    def mode_create_missing_id(self):
        self.send(201, "application/json", '{"name": "x", "status": "ACTIVE"}')

    def mode_create_conflict_forever(self):
        self.send(409, "application/json", '{"message": "busy"}',
                  extra=[("x-amzn-ErrorType", "ConflictException")])

    def mode_truncated(self):
        # Promises 4000 bytes, sends 20, closes.
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "4000")
        self.end_headers()
        self.wfile.write(b'{"items": [{"id": "s')
        self.wfile.flush()
        self.close_connection = True

    def mode_html(self):
        self.send(200, "text/html", "<html><body><h1>Welcome to nginx!</h1></body></html>")

    def mode_empty_200(self):
        self.send(200, "application/json", "")

    def mode_invalid_json(self):
        self.send(200, "application/json", '{"items": [{"id": "sn-1", "name": ')

    def mode_wrong_types(self):
        self.send(200, "application/json", '{"items": "everything", "nextToken": 42}')

    def mode_missing_fields(self):
        self.send(200, "application/json", json.dumps({"items": [{}, {"name": None, "id": 7}]}))

    def mode_json_bomb(self):
        # 100,000 nested arrays: a recursive reader would blow its stack.
        self.send(200, "application/json", "[" * 100000 + "]" * 100000)

    def mode_huge(self):
        # 40 MiB, more than any AWS reply trellis accepts; streamed in chunks.
        chunk = b" " * 65536
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(40 * 1024 * 1024 + 2))
        self.end_headers()
        try:
            self.wfile.write(b"{")
            for _ in range(640):
                self.wfile.write(chunk)
            self.wfile.write(b"}")
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def mode_huge_header(self):
        self.send(200, "application/json", "{}", extra=[("X-Padding", "a" * 200000)])

    def mode_retry_after_absurd(self):
        self.send(429, "application/json",
                  '{"message": "slow down"}',
                  extra=[("x-amzn-ErrorType", "ThrottlingException"),
                         ("Retry-After", "99999999999999999999")])

    def mode_retry_after_day(self):
        # A valid but absurd wait: trellis caps it (20 s), never sleeps a day.
        self.send(503, "application/json", '{"message": "come back tomorrow"}',
                  extra=[("x-amzn-ErrorType", "ServiceUnavailableException"),
                         ("Retry-After", "86400")])

    def mode_redirect(self):
        self.send(307, "text/plain", "moved",
                  extra=[("Location", "http://127.0.0.1:%d/steal" % self.server.witness_port)])

    def mode_redirect_301(self):
        self.send(301, "text/plain", "moved",
                  extra=[("Location", "http://127.0.0.1:%d/steal" % self.server.witness_port)])

    def mode_same_page(self):
        self.send(200, "application/json", '{"items": [], "nextToken": "again"}')

    def mode_endless_pages(self):
        self.send(200, "application/json",
                  '{"items": [], "nextToken": "page-%d"}' % self.server.count)

    def mode_drop(self):
        self.close_connection = True
        self.wfile.flush()
        self.connection.shutdown(2)

    def mode_error_html_500(self):
        self.send(500, "text/html", "<html><body>Internal Server Error</body></html>")

    def mode_error_garbage_400(self):
        self.send(400, "application/json", '\x00\xff{"message": ')

    def mode_status_999(self):
        self.send_response_only(999, "What")
        self.send_header("Content-Length", "0")
        self.end_headers()


class Witness(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def handle_any(self):
        with open(self.server.log, "a") as f:
            f.write("%s %s authorization=%s\n" % (
                self.command, self.path, "yes" if self.headers.get("Authorization") else "no"))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--witness-log", required=True)
    a = ap.parse_args()
    if a.mode not in STS_MODES and not hasattr(Handler, "mode_" + a.mode.replace("-", "_")):
        sys.exit("unknown mode " + a.mode)
    witness = Server(("127.0.0.1", 0), Witness)
    witness.log = a.witness_log
    hostile = Server(("127.0.0.1", 0), Handler)
    hostile.mode = a.mode
    hostile.upstream = a.upstream
    hostile.count = 0
    hostile.witness_port = witness.server_address[1]
    threading.Thread(target=witness.serve_forever, daemon=True).start()
    with open(a.ready + ".tmp", "w") as f:
        f.write("%d %d\n" % (hostile.server_address[1], witness.server_address[1]))
    import os
    os.rename(a.ready + ".tmp", a.ready)
    hostile.serve_forever()


if __name__ == "__main__":
    main()
