"""python -m sandbox.retailcrm --port 8300 --seed demo [--api-key KEY] [--rps 10] [--state FILE]"""

import argparse
import os
import sys

from ..http.cli import serve
from ..http.server import LOOPBACK
from . import DEFAULT_API_KEY
from .app import SandboxApp
from .state import State


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


def main(argv=None):
    args = parse_args(argv)
    state = State(args.seed)
    if args.state and os.path.exists(args.state):
        state.load(args.state)
    app = SandboxApp(state=state, api_key=args.api_key, rps=args.rps)
    return serve(app, args.host, args.port, "RetailCRM", verbose=args.verbose, state_path=args.state,
                 ready_text=lambda host, port: f"RetailCRM sandbox ready at http://{host}:{port} "
                                               f"(API http://{host}:{port}/api/v5, key {args.api_key})")


if __name__ == "__main__":
    sys.exit(main())
