#!/usr/bin/env python3
"""An Xsolla webhook handler that shares no code with xsolla-hooks: it verifies signatures the way
Xsolla's PHP SDK does (sha1(raw body . secret), header regex ^Signature ([0-9a-f]{40})$) and answers
204, or 400 INVALID_SIGNATURE / INVALID_PARAMETER / INVALID_USER (users it does not know). Prints its port on the first line of stdout."""
import hashlib, hmac, json, re, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = sys.argv[1].encode("utf-8")
PATTERN = re.compile(r"^Signature ([0-9a-f]{40})$")
# A user store, as a game has: user_validation for anyone else is INVALID_USER, whatever the id looks like.
KNOWN_USERS = {"sample_user_1"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, code=None):
        body = b"" if code is None else json.dumps({"error": {"code": code, "message": code}}).encode()
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        sys.stderr.write(f"{status} {code or 'OK'}\n")
        sys.stderr.flush()

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        match = PATTERN.match(self.headers.get("Authorization", ""))
        expected = hashlib.sha1(raw + SECRET).hexdigest()
        if not match or not hmac.compare_digest(match.group(1), expected):
            return self.answer(400, "INVALID_SIGNATURE")
        try:
            body = json.loads(raw)
        except ValueError:
            return self.answer(400, "INVALID_PARAMETER")
        if body.get("notification_type") == "user_validation" and str(body.get("user", {}).get("id", "")) not in KNOWN_USERS:
            return self.answer(400, "INVALID_USER")
        self.answer(204)


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
