"""Running an emulator from the command line: periodic state saving and the serve loop."""

import signal
import sys
import threading

from .server import make_server

SAVE_INTERVAL = 1.0


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


def serve(app, host, port, name, ready_text, verbose=False, state_path=None):
    """Serve until SIGTERM or Ctrl-C. ``ready_text(host, port)`` is printed first: callers wait for "ready"."""
    saver = None
    if state_path:
        saver = Saver(app.state, state_path)
        app.on_write = saver.mark
        saver.mark()
        saver.thread.start()
    server = make_server(app, host, port, verbose=verbose)
    host, port = server.server_address[:2]
    signal.signal(signal.SIGTERM, _stop)
    print(ready_text(host, port), flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if saver is not None:
            saver.stopped.set()
            saver.flush()
    print(f"{name} sandbox stopped", file=sys.stderr, flush=True)
    return 0
