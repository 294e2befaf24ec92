"""python -m sandbox.retailcrm --port 8300 --seed demo [--api-key KEY] [--rps 10] [--state FILE]"""

import argparse
import os
import signal
import sys
import threading

from . import DEFAULT_API_KEY
from .app import SandboxApp
from .server import LOOPBACK, make_server
from .state import State

SAVE_INTERVAL = 1.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox.retailcrm", description="Local RetailCRM API v5 emulator")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8300, help="port (0 = any free port; default 8300)")
    parser.add_argument("--seed", choices=("demo", "empty"), default="demo")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--rps", type=int, default=10, help="requests per second allowed per API key")
    parser.add_argument("--state", help="JSON file: loaded at start if present, saved after writes and on exit")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if args.host not in LOOPBACK:
        parser.error("--host must be a loopback address (127.0.0.1 or localhost)")
    return args


class Saver:
    """Saves the state at most once per interval after writes, so big catalogs don't slow every request."""

    def __init__(self, state, path):
        self.state, self.path = state, path
        self.dirty = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def mark(self):
        self.dirty.set()

    def _run(self):
        while not self.stopped.wait(SAVE_INTERVAL):
            self.flush()

    def flush(self):
        if self.dirty.is_set():
            self.dirty.clear()
            self.state.save(self.path)


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(argv)
    state = State(args.seed)
    if args.state and os.path.exists(args.state):
        state.load(args.state)
    app = SandboxApp(state=state, api_key=args.api_key, rps=args.rps)
    saver = None
    if args.state:
        saver = Saver(state, args.state)
        app.on_write = saver.mark
        saver.mark()
        saver.thread.start()
    server = make_server(app, args.host, args.port, verbose=args.verbose)
    host, port = server.server_address[:2]
    signal.signal(signal.SIGTERM, _stop)
    print(f"RetailCRM sandbox ready at http://{host}:{port} (API http://{host}:{port}/api/v5, key {args.api_key})",
          flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if saver is not None:
            saver.stopped.set()
            saver.flush()
    print("RetailCRM sandbox stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
