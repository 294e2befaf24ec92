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
from integration.models import CrmSettings, JobRun

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
            ], "sandbox"))
            if not _wait_for_port(host, sandbox_port):
                raise SystemExit(f"The RetailCRM sandbox did not start on {host}:{sandbox_port}.")
            self._point_settings_at_sandbox(f"http://{host}:{sandbox_port}")
            processes.append(self._spawn([python, manage, "runserver", f"{host}:{port}", "--noreload"], "web"))
            if not _wait_for_port(host, port):
                raise SystemExit(f"The web server did not start on {host}:{port}.")
            self.stdout.write("First exchange with the RetailCRM sandbox:")
            self._first_exchange(f"http://{host}:{port}", f"http://{host}:{sandbox_port}")
            # Worker and scheduler after the first exchange, so a scheduled run does not race it.
            processes.append(self._spawn([python, manage, "rqworker", *settings.RQ_QUEUE_NAMES, "--with-scheduler"], "worker"))
            processes.append(self._spawn([python, manage, "run_scheduler"], "scheduler"))
            admin = f"http://{host}:{port}/admin/"
            self.stdout.write(self.style.SUCCESS(f"\nThe back office is running: {admin}  (log in as {DEMO_USER} / {DEMO_PASSWORD})"))
            self.stdout.write(
                f"Demo catalog: {seeded['products']} products. RetailCRM sandbox: http://{host}:{sandbox_port}/\n"
                "Look at:\n"
                f"  {admin}integration/jobrun/dashboard/  the exchange dashboard: last and next runs, what needs attention\n"
                f"  {admin}integration/order/  orders imported from the CRM (new ones arrive every minute)\n"
                f"  {admin}integration/crmsettings/  connection, buttons, the catalog feed address, trigger set-up\n"
                f"  {admin}integration/statusimportmapping/  the mapping tables (B1–B8)\n"
                f"  {admin}loyalty/registrationcandidate/  customers to register in the loyalty program\n"
                + self._suggested_change(host, port, sandbox_port) +
                f"Logs of the web server, worker, scheduler and sandbox: {Path(settings.VAR_DIR) / 'log'}/\n"
                "Press Ctrl-C to stop everything.\n"
            )
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

    def _spawn(self, command: list[str], name: str) -> subprocess.Popen:
        """A child writing to var/log/NAME.log; its own process group, so Ctrl-C reaches this command,
        which stops the children in order."""
        log_dir = Path(settings.VAR_DIR) / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        with open(log_dir / f"{name}.log", "ab") as log:
            return subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy(), start_new_session=True,
                                    stdout=log, stderr=subprocess.STDOUT)

    def _suggested_change(self, host: str, port: int, sandbox_port: int) -> str:
        """A manager's edit in the CRM that visibly arrives: an order still open here (closed ones never change)."""
        from integration.models import Order

        order = Order.objects.filter(closed=False, crm_id__isnull=False).exclude(crm_status="assembling") \
            .order_by("crm_id").first()
        if order is None:
            return ""
        return (f"Try a manager's change: curl -X POST http://{host}:{sandbox_port}/sandbox/orders/{order.crm_id}/edit "
                f"-d '{{\"status\": \"assembling\"}}'\n  then watch http://{host}:{port}/admin/integration/order/{order.pk}/change/"
                " (status “assembling” within a minute)\n")

    def _ensure_admin(self):
        User = get_user_model()
        if not User.objects.filter(username=DEMO_USER).exists():
            User.objects.create_superuser(DEMO_USER, "admin@example.com", DEMO_PASSWORD)

    def _point_settings_at_sandbox(self, url: str):
        row = CrmSettings.get_solo()
        if not row.crm_url:
            row.crm_url, row.api_key, row.site_code = url, SANDBOX_KEY, "main-shop"
            row.save()

    def _first_exchange(self, public_url: str, sandbox_url: str) -> bool:
        """References, the operator's usual choices, loyalty, catalog (loaded by the CRM), stock, prices, orders."""
        from integration.retailcrm.demo_setup import configure_demo_exchange

        for job in ("check-connection", "sync-references"):
            if not self._run(job):
                return False  # the demo must come up even when the CRM part is not ready
        configure_demo_exchange()
        self._choose_first_loyalty_program()
        if self._run("generate-catalog"):
            self._crm_loads_the_catalog(public_url, sandbox_url)
        for job in ("export-stock", "export-prices", "import-orders"):
            self._run(job)
        return True

    def _crm_loads_the_catalog(self, public_url: str, sandbox_url: str) -> None:
        """What RetailCRM does with the feed address pasted into the shop: fetch and load the ICML."""
        import requests

        from integration.retailcrm.feed.views import feed_rows
        from integration.exchange.secrets import redact

        for row in feed_rows(public_url):
            answer = requests.post(f"{sandbox_url}/sandbox/icml", json={"url": row["url"], "site": row["shop"]}, timeout=60)
            self.stdout.write(f"  the sandbox CRM loads {redact(row['url'])}: HTTP {answer.status_code}")
        # Our copy of each shop's ymlUrl dates from the reference load before: read it again, or the
        # settings page would say the CRM loads another address (the seed's) right after it loaded ours.
        self._run("sync-references")

    def _run(self, job: str) -> bool:
        """Run ``job`` here and print one line for it when it ends (the run's own log lines come first)."""
        from integration.exchange.jobs import JobRefused, run_inline
        from integration.exchange.messages import render

        try:
            run = run_inline(job)
        except JobRefused as exc:
            self.stdout.write(f"  {job}… " + self.style.ERROR(str(exc)))
            return False
        counts = ", ".join(f"{name} {value}" for name, value in sorted(run.counts.items()))
        ok = run.status in (JobRun.Status.SUCCEEDED, JobRun.Status.WARNINGS)
        style = self.style.SUCCESS if ok else self.style.ERROR
        self.stdout.write(f"  {job}… " + style(f"{run.get_status_display()}") + (f" ({counts})" if counts else "")
                          + (f": {render(run.error)}" if run.error else ""))
        return ok

    def _choose_first_loyalty_program(self):
        """Refresh the programs; if none is chosen yet, take the first and refresh again for its accounts."""
        from loyalty.models import LoyaltyProgram, LoyaltySettings

        self._run("refresh-loyalty")
        row = LoyaltySettings.get_solo()
        if row.program is None and (program := LoyaltyProgram.objects.filter(in_crm=True).first()):
            row.program = program
            row.save()
            self._run("refresh-loyalty")
