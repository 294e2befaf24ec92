"""Run rq-scheduler with the schedules kept in the database, re-read before every poll."""

from django.core.management.base import BaseCommand
from rq_scheduler.utils import setup_loghandlers

from integration.exchange.jobs.schedule import database_scheduler, sync_schedules


class Command(BaseCommand):
    help = "Register the JobSchedule rows with rq-scheduler and run the scheduler loop; edits in the admin apply at the next poll."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=5, help="Seconds between scheduler polls.")

    def handle(self, *args, interval, verbosity, **options):
        scheduler = database_scheduler(interval)
        for kind, every in sorted(sync_schedules(scheduler).items()):
            self.stdout.write(f"{kind}: " + (f"every {every} s" if every else "off"))
        self.stdout.flush()
        setup_loghandlers("DEBUG" if verbosity >= 2 else "WARNING" if verbosity == 0 else "INFO")
        scheduler.run()
