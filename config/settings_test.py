"""Settings for the test suite: the real settings plus fast hashing and plain static files."""

import atexit
import os
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

if "VAR_DIR" not in os.environ:
    # A private var/ per test run: its own embedded Redis, so concurrent runs never flush each other.
    _var = tempfile.mkdtemp(prefix="backoffice-test-")
    os.environ["VAR_DIR"] = _var
    atexit.register(shutil.rmtree, _var, ignore_errors=True)

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… when pytest -n runs tests in parallel
if _worker and os.environ.get("BACKOFFICE_TEST_WORKER") != _worker:
    # Each parallel worker gets its own var/ (SQLite file, ICML folder) and its own Redis database, because
    # every test flushes Redis; processes a test starts inherit both through the environment.
    os.environ["BACKOFFICE_TEST_WORKER"] = _worker
    os.environ["VAR_DIR"] = os.path.join(os.environ["VAR_DIR"], _worker)
    os.makedirs(os.environ["VAR_DIR"], exist_ok=True)
    _index = int(_worker.removeprefix("gw") or 0)
    _url = os.environ.get("REDIS_URL", "")
    if _url.startswith(("redis://", "rediss://")):
        _parts = urlsplit(_url)
        _db = int(_parts.path.strip("/") or 0)
        _db = _db - _index if _db - _index >= 0 else _db + _index
        os.environ["REDIS_URL"] = urlunsplit(_parts._replace(path=f"/{_db}"))
    elif _url:  # the controller's embedded server (unix socket): let this worker start its own
        del os.environ["REDIS_URL"]
os.environ.setdefault("ALLOW_INSECURE_SECRET_KEY", "true")
os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: crash and race tests run real worker processes against the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
    # Throwaway data: no fsync per commit.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"  # noqa: F405
