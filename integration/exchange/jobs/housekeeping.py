"""I5: the scheduled clean-up of the exchange's logs."""

from django.utils.translation import gettext_lazy as _, gettext_noop

from integration.exchange.jobs.registry import job_kind
from integration.exchange.messages import stored
from integration.exchange.permissions import CHANGE_SETTINGS


# Who may change the retention days may also start the clean-up by hand.
@job_kind("housekeeping", label=_("Clean up old logs"), permission=CHANGE_SETTINGS, precondition=None,
          timeout=1800)
def housekeeping_job(ctx):
    from integration.exchange.housekeeping import cleanups, clean_up

    cleaned = clean_up()
    ctx.set_count("job_runs_deleted", cleaned.job_runs)
    ctx.set_count("events_deleted", cleaned.events)
    ctx.message(stored(gettext_noop("Deleted: %(runs)s job runs, %(events)s exchange events.")) % {
        "runs": cleaned.job_runs, "events": cleaned.events})
    for cleanup in cleanups():
        count = cleaned.others.get(cleanup.name, 0)
        ctx.set_count(f"{cleanup.name}_deleted", count)
        ctx.message(cleanup.message % {"count": count})
