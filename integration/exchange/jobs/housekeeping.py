"""I5: the scheduled clean-up of the exchange's logs."""

from django.utils.translation import gettext_lazy as _, gettext_noop

from integration.exchange.jobs.registry import job_kind
from integration.exchange.messages import stored
from integration.exchange.permissions import CHANGE_SETTINGS


# Who may change the retention days may also start the clean-up by hand.
@job_kind("housekeeping", label=_("Clean up old logs"), permission=CHANGE_SETTINGS, requires_connection=False,
          timeout=1800)
def housekeeping_job(ctx):
    from integration.exchange.housekeeping import clean_up

    cleaned = clean_up()
    ctx.set_count("job_runs_deleted", cleaned.job_runs)
    ctx.set_count("events_deleted", cleaned.events)
    ctx.set_count("webhook_requests_deleted", cleaned.webhook_requests)
    ctx.message(stored(gettext_noop(
        "Deleted: %(runs)s job runs, %(events)s exchange events, %(requests)s webhook requests.")) % {
        "runs": cleaned.job_runs, "events": cleaned.events, "requests": cleaned.webhook_requests})
