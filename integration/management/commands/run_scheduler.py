"""Start rq-scheduler after loading the schedules kept in the database."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from integration.jobs.schedule import sync_schedules


class Command(BaseCommand):
    help = "Register the JobSchedule rows with rq-scheduler, then run the scheduler loop."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=5, help="Seconds between scheduler polls.")

    def handle(self, *args, interval, **options):
        for kind, every in sorted(sync_schedules().items()):
            self.stdout.write(f"{kind}: " + (f"every {every} s" if every else "off"))
        call_command("rqscheduler", queue="default", interval=interval)
