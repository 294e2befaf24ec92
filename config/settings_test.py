"""Settings for the test suite: the real settings plus fast hashing and plain static files."""

import atexit
import os
import shutil
import tempfile

if "VAR_DIR" not in os.environ:
    # A private var/ per test run: its own embedded Redis, so concurrent runs never flush each other.
    _var = tempfile.mkdtemp(prefix="backoffice-test-")
    os.environ["VAR_DIR"] = _var
    atexit.register(shutil.rmtree, _var, ignore_errors=True)
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
