"""``manage.py exchange JOB [options]``: run any job inline, for scripts and operators."""

from django.core.management.base import BaseCommand, CommandError

from integration.exchange.jobs import JobRefused, all_kinds, run_inline
from integration.exchange.messages import render
from integration.models import JobRun


class Command(BaseCommand):
    help = "Run an exchange job now, in this process, and print its result."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="job", metavar="JOB", required=True)
        for kind in all_kinds():
            sub = subparsers.add_parser(kind.name, help=str(kind.label))
            sub.add_argument("--shop", default="", help="Shop code for per-shop jobs.")
            for argument in kind.arguments:
                option = "--" + argument.name.replace("_", "-")
                if argument.flag:
                    sub.add_argument(option, dest=argument.name, action="store_true", help=argument.help)
                else:
                    sub.add_argument(option, dest=argument.name, type=argument.type, help=argument.help)

    def handle(self, *args, job, shop="", **options):
        kind = next(kind for kind in all_kinds() if kind.name == job)
        job_options = {
            argument.name: options[argument.name]
            for argument in kind.arguments
            if options.get(argument.name) not in (None, False)
        }
        try:
            run = run_inline(job, trigger=JobRun.Trigger.COMMAND, scope=shop, options=_jsonable(job_options))
        except JobRefused as exc:
            raise CommandError(str(exc)) from None
        for message in run.messages:
            self.stdout.write(render(message))
        counts = ", ".join(f"{key}={value}" for key, value in sorted(run.counts.items()))
        summary = f"{job}: {run.get_status_display()} (run {run.pk})" + (f" — {counts}" if counts else "")
        if run.status == JobRun.Status.FAILED:
            raise CommandError(f"{summary}: {render(run.error)}")
        self.stdout.write(self.style.SUCCESS(summary))


def _jsonable(options: dict) -> dict:
    """Job options are stored on the JobRun as JSON; dates and the like travel as ISO strings."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in options.items()}
