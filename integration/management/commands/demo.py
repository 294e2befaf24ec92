"""``manage.py demo``: everything on embedded defaults — web, worker, scheduler and the CRM sandbox."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from catalog.demo import seed_demo_catalog
from integration.models import CrmSettings

DEMO_USER, DEMO_PASSWORD = "admin", "admin"
SANDBOX_KEY = "sandbox-key"


def _wait_for_port(host: str, port: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.2)
    return False


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # same clean shutdown as Ctrl-C


class Command(BaseCommand):
    help = "Start the demo: migrate, seed, then run web, worker, scheduler and the RetailCRM sandbox until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", 8000)))
        parser.add_argument("--sandbox-port", type=int, default=int(os.environ.get("DEMO_SANDBOX_PORT", 8001)))
        parser.add_argument("--exit-after-start", action="store_true", help="Start everything, print the summary, stop (for CI).")

    def handle(self, *args, port, sandbox_port, exit_after_start, **options):
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        call_command("migrate", interactive=False, verbosity=0)
        self._ensure_admin()
        seeded = seed_demo_catalog()
        host = "127.0.0.1"
        processes: list[subprocess.Popen] = []  # stopped in reverse order on exit
        python, manage = sys.executable, str(Path(settings.BASE_DIR) / "manage.py")
        try:
            sandbox_state = Path(settings.VAR_DIR) / "sandbox-state.json"  # the CRM keeps its data across restarts
            processes.append(self._spawn([
                python, "-m", "sandbox.retailcrm", "--host", host, "--port", str(sandbox_port), "--seed", "demo",
                "--api-key", SANDBOX_KEY, "--state", str(sandbox_state),
            ]))
            if not _wait_for_port(host, sandbox_port):
                raise SystemExit(f"The RetailCRM sandbox did not start on {host}:{sandbox_port}.")
            self._point_settings_at_sandbox(f"http://{host}:{sandbox_port}")
            processes.append(self._spawn([python, manage, "runserver", f"{host}:{port}", "--noreload"]))
            processes.append(self._spawn([python, manage, "rqworker", *settings.RQ_QUEUE_NAMES, "--with-scheduler"]))
            processes.append(self._spawn([python, manage, "run_scheduler"]))
            if not _wait_for_port(host, port):
                raise SystemExit(f"The web server did not start on {host}:{port}.")
            self._first_exchange()
            self.stdout.write(self.style.SUCCESS(
                f"\nThe back office is running: http://{host}:{port}/admin/\n"
                f"Log in as {DEMO_USER} / {DEMO_PASSWORD}.\n"
                f"Demo catalog: {seeded['products']} products. RetailCRM sandbox: http://{host}:{sandbox_port}/\n"
                "Look at: RetailCRM settings (connection), Job runs (buttons), the catalog, the mapping tables.\n"
                "Press Ctrl-C to stop everything.\n"
            ))
            if exit_after_start:
                return
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
            self.stderr.write("A demo process exited; stopping the others.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for process in reversed(processes):  # web, worker and scheduler before the CRM they talk to
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        # Own process group: Ctrl-C reaches this command, which stops the children in order.
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy(), start_new_session=True)

    def _ensure_admin(self):
        User = get_user_model()
        if not User.objects.filter(username=DEMO_USER).exists():
            User.objects.create_superuser(DEMO_USER, "admin@example.com", DEMO_PASSWORD)

    def _point_settings_at_sandbox(self, url: str):
        row = CrmSettings.get_solo()
        if not row.crm_url:
            row.crm_url, row.api_key, row.site_code = url, SANDBOX_KEY, "main-shop"
            row.save()

    def _first_exchange(self):
        for job in ("check-connection", "sync-references"):
            try:
                call_command("exchange", job, stdout=self.stdout)
            except Exception as exc:  # the demo must come up even when the CRM part is not ready
                self.stderr.write(f"{job}: {exc}")
                return
