"""What the RetailCRM adapter lends the exchange machinery, connected once in IntegrationConfig.ready:
its exchange modes (the runner's switch source), its secrets, how long the logs are kept and the
clean-up of its webhook log, and its lines on the exchange dashboard."""

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy, gettext_noop


def _retention():
    from integration.exchange.housekeeping import Retention
    from integration.retailcrm.models import CrmSettings

    config = CrmSettings.get_solo()
    return Retention(job_runs_days=config.keep_job_runs_days, events_days=config.keep_events_days)


def _clean_webhook_requests(now: datetime) -> int:
    from integration.exchange.housekeeping import delete_in_batches
    from integration.retailcrm.models import CrmSettings, WebhookRequest

    days = CrmSettings.get_solo().keep_webhook_requests_days
    return delete_in_batches(WebhookRequest.objects.filter(received_at__lt=now - timedelta(days=days)))


def connect() -> None:
    from integration.exchange import entities, housekeeping, secrets
    from integration.exchange.jobs.registry import register_switch_source
    from integration.exchange.messages import stored
    from integration.retailcrm import dashboard
    from integration.retailcrm.connection import switch_source
    from integration.retailcrm.models import CrmSettings

    register_switch_source(switch_source)
    entities.register("offer-batch", gettext_lazy("batch of offers"))  # a failed store upload (store/pipeline.py)
    secrets.register_model_secrets(CrmSettings, "api_key", "webhook_token", "webhook_basic_password", "feed_token")
    housekeeping.register_retention(_retention)
    housekeeping.register(housekeeping.Cleanup(
        name="webhook_requests", run=_clean_webhook_requests,
        message=stored(gettext_noop("Deleted: %(count)s webhook requests.")),
    ))
    dashboard.connect()
