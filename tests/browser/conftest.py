"""Browser tests: Debian's chromium driven by Playwright against the live server, a real worker and the sandbox.

No browser is downloaded: Playwright launches the system's chromium (``CHROMIUM_PATH``, default
``/usr/bin/chromium``; ``make test`` installs it). Without it they fail saying how to install it.
Each step leaves a full-page screenshot in ``$TEST_ARTIFACTS_DIR/browser`` (default
``var/test-artifacts/browser`` in the repository), written as the steps go, so a failure
still leaves every screenshot up to and including the failing step.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.workers import ROOT, Worker

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
RATE_LIMIT_RPS = 100  # the sandbox has no limit here; the worker's calls should not queue behind 10/s
WAIT_MS = 30_000


def artifacts_dir() -> Path:
    configured = os.environ.get("TEST_ARTIFACTS_DIR")
    return (Path(configured) if configured else ROOT / "var" / "test-artifacts") / "browser"


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(f"no chromium at {CHROMIUM}: apt-get install chromium (make test does), or set CHROMIUM_PATH")
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, so Django takes the test's
    # plain ORM calls for calls from async code; allowed while the browser is up, restored after.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=WAIT_MS)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    yield page
    context.close()


class Screenshots:
    """``with shots.step("login"):`` — a numbered full-page screenshot when the step ends, failed or not.

    Files are ``{prefix}NN-step.png``; a test's earlier screenshots (same prefix) are removed first.
    """

    def __init__(self, page, directory: Path, prefix: str = ""):
        self.page, self.directory, self.prefix, self.number, self.saved = page, directory, prefix, 0, []
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob(f"{prefix}[0-9][0-9]-*.png"):
            old.unlink()

    @contextmanager
    def step(self, name: str):
        self.number += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        failed = True
        try:
            yield
            failed = False
        finally:
            path = self.directory / f"{self.prefix}{self.number:02d}-{slug}{'-FAILED' if failed else ''}.png"
            try:
                self.page.screenshot(path=str(path), full_page=True)
                self.saved.append(path)
            except Exception:  # the page may be gone; the step's own error is the one to report
                if not failed:
                    raise


@pytest.fixture
def screenshots(page):
    return lambda prefix="": Screenshots(page, artifacts_dir(), prefix)


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    """``manage.py rqworker`` on every queue, against the test database; stopped before the database is flushed."""
    settings.RETAILCRM_RATE_LIMIT_RPS = RATE_LIMIT_RPS
    log = tmp_path / "worker.log"
    process = Worker(*settings.RQ_QUEUE_NAMES, log_path=log, RETAILCRM_RATE_LIMIT_RPS=RATE_LIMIT_RPS)
    yield process
    process.stop()
