"""A threaded loopback HTTP server for the WSGI app (standard library only)."""

import socketserver
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

LOOPBACK = ("127.0.0.1", "localhost")


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a hung client must never keep the process (or a test run) alive
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    verbose = False

    def get_environ(self):
        env = super().get_environ()
        # wsgiref only offers the decoded PATH_INFO, where "%2F" inside an identifier already became "/".
        env["sandbox.raw_path"] = self.path.split("?", 1)[0]
        return env

    def log_message(self, format, *args):
        if self.verbose:
            super().log_message(format, *args)


def make_server(app, host="127.0.0.1", port=0, verbose=False):
    """Bind (port 0 = any free port) and attach ``app``; call serve_forever() to run."""
    if host not in LOOPBACK:
        raise ValueError("the sandbox only listens on the loopback interface")
    handler = type("Handler", (QuietHandler,), {"verbose": verbose})
    server = ThreadingWSGIServer((host, port), handler)
    server.set_app(app)
    return server
