"""The dashboard costs a fixed number of queries, however long the exchange log grows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integration.exchange.jobs import all_kinds
from integration.models import CrmStatus, ExchangeEvent, JobRun, JobSchedule
from tests.dashboard.conftest import events

URL = "/admin/integration/jobrun/dashboard/"
Result = ExchangeEvent.Result


def fill_log(n_events: int, n_runs: int) -> None:
    """Runs of every kind (some failed, some scheduled) and events of every result spread over a day."""
    now = timezone.now()
    kinds = [kind.name for kind in all_kinds()]
    JobRun.objects.bulk_create([
        JobRun(kind=kinds[i % len(kinds)], trigger=JobRun.Trigger.SCHEDULE if i % 2 else JobRun.Trigger.BUTTON,
               status=JobRun.Status.FAILED if i % 3 == 0 else JobRun.Status.SUCCEEDED, error="boom" if i % 3 == 0 else "",
               created_at=now - timedelta(minutes=i), started_at=now - timedelta(minutes=i),
               finished_at=now - timedelta(minutes=i) + timedelta(seconds=5), counts={"orders_created": i})
        for i in range(n_runs)
    ])
    results = [Result.CREATED, Result.UPDATED, Result.PARKED, Result.FAILED, Result.UNCHANGED]
    per_result = n_events // (2 * len(results))
    for index, result in enumerate(results):
        events(per_result, result=result, at=now - timedelta(minutes=17 * index))
        events(per_result, entity="offer", result=result, at=now - timedelta(hours=index + 1))
    CrmStatus.objects.bulk_create([CrmStatus(code=f"s{i}-{n_events}", name=f"S{i}") for i in range(3)])


def queries(client) -> int:
    client.get(URL)  # warm per-process caches (content types, the session) so only the page itself counts
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_dashboard_query_count_does_not_grow_with_the_log(admin_client, django_assert_max_num_queries):
    JobSchedule.objects.update_or_create(kind="import-orders", defaults={"enabled": True, "interval_seconds": 60})
    fill_log(n_events=10, n_runs=10)
    few = queries(admin_client)

    fill_log(n_events=1000, n_runs=300)
    assert ExchangeEvent.objects.count() > 1000
    with django_assert_max_num_queries(few):
        assert admin_client.get(URL).status_code == 200
    assert queries(admin_client) == few
