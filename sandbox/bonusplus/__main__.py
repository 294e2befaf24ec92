"""python -m sandbox.bonusplus --port 8400 --seed demo [--api-key KEY] [--rps 10] [--window 1] [--state FILE]"""

import argparse
import base64
import os
import sys

from ..http.cli import serve
from ..http.server import LOOPBACK
from . import DEFAULT_API_KEY
from .app import BonusPlusApp
from .state import State


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox.bonusplus", description="Local BonusPlus API emulator")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8400, help="port (0 = any free port; default 8400)")
    parser.add_argument("--seed", choices=("demo", "empty"), default="demo")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the raw key (clients send it Base64-encoded)")
    parser.add_argument("--rps", type=int, default=10, help="requests allowed per key per window")
    parser.add_argument("--window", type=float, default=1.0, help="rate window in seconds (3600: an hourly quota)")
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
    app = BonusPlusApp(state=state, api_key=args.api_key, rps=args.rps, rate_window=args.window)
    header = "ApiKey " + base64.b64encode(args.api_key.encode()).decode()
    return serve(app, args.host, args.port, "BonusPlus", verbose=args.verbose, state_path=args.state,
                 ready_text=lambda host, port: f"BonusPlus sandbox ready at http://{host}:{port} "
                                               f"(API http://{host}:{port}/api/, Authorization: {header})")


if __name__ == "__main__":
    sys.exit(main())
