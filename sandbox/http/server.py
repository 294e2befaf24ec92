"""A threaded loopback HTTP/1.1 server for the WSGI apps (standard library only).

It answers the way the real APIs' front servers (nginx) do, because clients' costs depend on it:
connections are kept alive between requests (HTTP/1.1), every answer carries its
``Content-Length`` and goes out in one write (status line, headers and body together, Nagle off).
A request's body is read before the app runs, so an app that never reads it (a refusal) cannot
leave bytes that would be taken for the next request on the connection. An app raising
``ConnectionAbortedError`` (a dropped-connection fault) gets the connection closed without an
answer, as a broken proxy would.
"""

import contextlib
import io
import socket
import socketserver
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import unquote

LOOPBACK = ("127.0.0.1", "localhost")
MAX_BODY = 64 * 1024 * 1024
IDLE_SECONDS = 60  # a kept-alive connection with no request for this long is closed (nginx: 75 s)


class ThreadingHTTPServer(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True  # a hung client must never keep the process (or a test run) alive
    allow_reuse_address = True


class WSGIHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = IDLE_SECONDS
    server_version = "sandbox"
    verbose = False

    def version_string(self):
        return self.server_version

    def handle_one_request(self):
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, ConnectionError):
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        body = self._read_body()
        if body is None:
            return
        self._run_app(body)

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self.send_error(411, "Length Required")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self.send_error(400, "Bad Content-Length")
            return None
        return self.rfile.read(length) if length else b""

    def _environ(self, body: bytes) -> dict:
        raw_path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ = {
            "REQUEST_METHOD": self.command, "SCRIPT_NAME": "", "QUERY_STRING": query,
            # as wsgiref does: the decoded path as latin-1 text ("%2F" inside an identifier already became "/")
            "PATH_INFO": unquote(raw_path, "iso-8859-1"), "sandbox.raw_path": raw_path,
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": self.headers.get("Content-Type") or "",
            "SERVER_NAME": str(host), "SERVER_PORT": str(port), "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def _run_app(self, body: bytes) -> None:
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return lambda data: answer.setdefault("written", []).append(data)

        try:
            chunks = self.server.app(self._environ(body), start_response)
            try:
                content = b"".join([*answer.get("written", []), *chunks])
            finally:
                getattr(chunks, "close", lambda: None)()
        except ConnectionAbortedError:
            self.close_connection = True  # a dropped-connection fault: no answer at all
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        headers = [(name, value) for name, value in answer["headers"] if name.lower() != "content-length"]
        head = [f"HTTP/1.1 {answer['status']}", f"Server: {self.version_string()}",
                f"Date: {self.date_time_string()}", *(f"{name}: {value}" for name, value in headers),
                f"Content-Length: {len(content)}"]
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + content)
        if self.verbose:
            self.log_request(answer["status"].split(" ", 1)[0], len(content))

    def log_message(self, format, *args):
        if self.verbose:
            super().log_message(format, *args)


def make_server(app, host="127.0.0.1", port=0, verbose=False):
    """Bind (port 0 = any free port) and attach ``app``; call serve_forever() to run."""
    if host not in LOOPBACK:
        raise ValueError("the sandbox only listens on the loopback interface")
    handler = type("Handler", (WSGIHandler,), {"verbose": verbose})
    server = ThreadingHTTPServer((host, port), handler)
    server.app = app
    return server
