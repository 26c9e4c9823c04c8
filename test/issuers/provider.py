"""A stand-in identity provider over HTTPS for test/issuers: serves what a
routes file says (read again on every request, so that the test changes the
provider's answers between fetches) and logs every request, one JSON line
each, so that the test counts fetches.

    provider.py CERT KEY ROUTES LOG PORT

PORT 0 picks a free port; the port is printed as the first line of output.
A route (ROUTES is a JSON object keyed by path) may give: status (200),
body (text), content_type ("application/json"), headers (an object),
delay (seconds before answering), size (a body of that many bytes instead),
no_length (no Content-Length: the body ends when the connection closes),
etag (sent as ETag; a request whose If-None-Match equals it gets 304).
An unknown path gets 404.
"""

import http.server
import json
import ssl
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "provider"
    sys_version = ""

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        with open(server.log_path, "a") as log:
            log.write(json.dumps({"t": time.time(), "path": self.path,
                                  "if_none_match": self.headers.get("If-None-Match"),
                                  "user_agent": self.headers.get("User-Agent"),
                                  "accept_encoding": self.headers.get("Accept-Encoding")}) + "\n")
        with open(server.routes_path) as f:
            routes = json.load(f)
        route = routes.get(self.path)
        if route is None:
            route = {"status": 404, "body": "{}"}
        if route.get("delay"):
            time.sleep(route["delay"])
        etag = route.get("etag")
        if etag is not None and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            for name, value in route.get("headers", {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if "size" in route:
            body = b'{"keys":[' + b" " * max(0, route["size"] - 11) + b"]}"
        else:
            body = route.get("body", "").encode()
        self.send_response(route.get("status", 200))
        self.send_header("Content-Type", route.get("content_type", "application/json"))
        if etag is not None:
            self.send_header("ETag", etag)
        for name, value in route.get("headers", {}).items():
            self.send_header(name, value)
        if route.get("no_length"):
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(0, len(body), 65536):
                self.wfile.write(body[i:i + 65536])
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up (a cap reached, a timeout) is expected


def main():
    cert, key, routes, log, port = sys.argv[1:6]
    server = Server(("127.0.0.1", int(port)), Handler)
    server.routes_path = routes
    server.log_path = log
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
