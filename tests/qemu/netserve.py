#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""netserve.py DIR PORTFILE - the network tests' HTTP server, on 127.0.0.1
(QEMU's user network reaches it as 10.0.2.2).

A plain static server of DIR (Python's http.server, HTTP/1.0, one thread a
request), with the misbehaviours the bad-input tests need:
  /short/NAME   announces NAME's size + 4096 bytes, sends NAME, closes
  /huge         announces 2^40 bytes, sends 4 KiB, closes
  /flaky/NAME   503 on the first request for NAME, then NAME
  /twofaced/N/NAME  NAME, but the Nth request for it gets NAME with its
                middle byte changed (a server that answers a GET with
                other bytes than the next: a pin must cover every byte used)
  /r/C1-C2-.../NAME  redirects: status C1 with the relative Location
                ../C2-.../NAME, and so on; the last code's Location is
                /NAME (from the server's root)
  /gone         closes the connection without an answer
  /tohttp/NAME  (for the TLS server) a 302 to http://10.0.2.2:9/NAME
The port it bound (0: any free one) is written to PORTFILE; each request
is logged to stderr as "netserve: METHOD PATH STATUS".

NETSERVE_TLS=CERT:KEY makes it an HTTPS server as EDK II's TLS client
needs one (../shared/facts/https-uboot.md): TLS 1.2 at most, RSA key
exchange ciphers (the client has no ECDHE), HTTP/1.1.
"""
import http.server
import os
import socketserver
import ssl
import sys

ROOT, PORTFILE = sys.argv[1], sys.argv[2]
flaky_seen = set()
twofaced_count = {}


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=ROOT, **kw)

    def log_message(self, fmt, *args):
        sys.stderr.write("netserve: " + (fmt % args) + "\n")
        sys.stderr.flush()

    def send_bytes(self, status, body, length=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def file(self, name):
        path = os.path.join(ROOT, os.path.basename(name))
        with open(path, "rb") as f:
            return f.read()

    def do_GET(self):
        p = self.path
        try:
            if p.startswith("/short/"):
                body = self.file(p[len("/short/"):])
                return self.send_bytes(200, body, len(body) + 4096)
            if p == "/huge":
                return self.send_bytes(200, b"\0" * 4096, 1 << 40)
            if p.startswith("/flaky/"):
                name = p[len("/flaky/"):]
                if name not in flaky_seen:
                    flaky_seen.add(name)
                    return self.send_bytes(503, b"busy\n")
                return self.send_bytes(200, self.file(name))
            if p.startswith("/twofaced/"):
                nth, name = p[len("/twofaced/"):].split("/", 1)
                body = self.file(name)
                twofaced_count[name] = twofaced_count.get(name, 0) + 1
                if twofaced_count[name] == int(nth) and body:
                    mid = len(body) // 2
                    body = body[:mid] + bytes([body[mid] ^ 0xFF]) + body[mid + 1:]
                return self.send_bytes(200, body)
            if p.startswith("/r/"):
                codes, name = p[len("/r/"):].split("/", 1)
                first, _, rest = codes.partition("-")
                self.send_response(int(first))
                self.send_header("Location", "../%s/%s" % (rest, name) if rest else "/" + name)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.close_connection = True
                return
            if p.startswith("/tohttp/"):
                self.send_response(302)
                self.send_header("Location", "http://10.0.2.2:9/" + p[len("/tohttp/"):])
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.close_connection = True
                return
            if p == "/gone":
                self.close_connection = True
                return
        except FileNotFoundError:
            return self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            return
        return super().do_GET()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    tls = os.environ.get("NETSERVE_TLS")
    if tls:
        Handler.protocol_version = "HTTP/1.1"
    srv = Server(("127.0.0.1", int(os.environ.get("NETSERVE_PORT", "0"))), Handler)
    if tls:
        cert, key = tls.split(":", 1)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256")
        ctx.load_cert_chain(cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(PORTFILE + ".tmp", PORTFILE)
    srv.serve_forever()


if __name__ == "__main__":
    main()
