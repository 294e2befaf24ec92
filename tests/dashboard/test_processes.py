"""When nothing ticks, the dashboard names the process that is missing: the scheduler or a worker.

The processes announce themselves the way the real ones do (rq-scheduler's and rq's own
``register_birth``/``register_death`` on the test Redis); the end-to-end test in
tests/foundation/test_schedule_processes.py checks the same page against real processes.
"""

import re

import django_rq
import pytest
from django.utils import translation
from rq import Worker

from integration.exchange.jobs.schedule import database_scheduler, sync_schedules
from integration.models import JobSchedule
from integration.exchange.dashboard import job_rows

URL = "/admin/integration/jobrun/dashboard/"
NO_SCHEDULER = "the scheduler is not running"
pytestmark = pytest.mark.django_db


def no_worker(queue: str) -> str:
    return f"no worker listens on the “{queue}” queue"


@pytest.fixture
def orders_every_minute():
    JobSchedule.objects.all().delete()
    JobSchedule.objects.create(kind="import-orders", enabled=True, interval_seconds=60)
    JobSchedule.objects.create(kind="sync-references", enabled=False, interval_seconds=600)
    sync_schedules()


def scheduler_started():
    scheduler = database_scheduler(interval=5)
    scheduler.register_birth()
    return scheduler


def worker_started(*queues: str) -> Worker:
    worker = Worker([django_rq.get_queue(name) for name in queues], connection=django_rq.get_connection("default"))
    worker.register_birth()
    return worker


def missing(kind: str) -> list[str]:
    with translation.override("en"):
        return {row.kind.name: row for row in job_rows()}[kind].next_run.missing


def banner(html: str) -> list[str]:
    match = re.search(r'<div class="errornote" id="dashboard-processes-warning">.*?</div>', html, re.S)
    return re.findall(r'<li class="missing-process">(.*?)</li>', match.group(0)) if match else []


def test_with_no_process_at_all_it_names_the_scheduler_and_both_queues(admin_client, orders_every_minute):
    # The order import ticks on the default queue and runs on the orders queue: both need a worker.
    problems = missing("import-orders")
    assert len(problems) == 3
    assert NO_SCHEDULER in problems[0] and "run_scheduler" in problems[0]
    assert no_worker("default") in problems[1] and no_worker("orders") in problems[2]
    html = admin_client.get(URL).content.decode()
    assert [NO_SCHEDULER in line for line in banner(html)] == [True, False, False]
    row = re.search(r'<tr class="job-row" data-kind="import-orders".*?</tr>', html, re.S).group(0)
    assert row.count('class="errornote-inline schedule-problem"') == 3
    unscheduled = re.search(r'<tr class="job-row" data-kind="sync-references".*?</tr>', html, re.S).group(0)
    assert "schedule-problem" not in unscheduled


def test_it_names_only_what_is_missing(orders_every_minute):
    scheduler_started()
    worker_started("default")
    [problem] = missing("import-orders")
    assert no_worker("orders") in problem

    worker_started("orders")
    assert missing("import-orders") == []


def test_a_scheduler_that_stopped_is_not_running_any_more(admin_client, orders_every_minute):
    worker_started("default", "orders")
    scheduler = scheduler_started()
    assert missing("import-orders") == []
    assert banner(admin_client.get(URL).content.decode()) == []

    scheduler.register_death()  # what rq-scheduler does on SIGTERM/SIGINT
    [problem] = missing("import-orders")
    assert NO_SCHEDULER in problem


def test_a_worker_that_stopped_is_not_listening_any_more(orders_every_minute):
    scheduler_started()
    worker_started("default")
    orders = worker_started("orders")
    assert missing("import-orders") == []
    orders.register_death()
    [problem] = missing("import-orders")
    assert no_worker("orders") in problem


def test_the_missing_processes_are_named_in_russian(admin_client, orders_every_minute):
    html = admin_client.get(URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    lines = banner(html)
    assert len(lines) == 3 and NO_SCHEDULER not in html
    assert "планировщик" in lines[0].lower() and "run_scheduler" in lines[0]
    assert "«default»" in lines[1] and "«orders»" in lines[2] and "rqworker orders" in lines[2]


def test_nothing_is_said_when_nothing_is_scheduled(admin_client):
    JobSchedule.objects.update(enabled=False)
    assert banner(admin_client.get(URL).content.decode()) == []


def test_a_killed_scheduler_is_seen_gone_once_its_heartbeat_expires(orders_every_minute, clean_redis):
    scheduler_started()  # polls every 5 s; a SIGKILL leaves no death mark, only the key's expiry
    from integration.exchange.jobs.schedule import ALIVE_KEY

    assert 0 < clean_redis.ttl(ALIVE_KEY) <= 5 + 10
    clean_redis.delete(ALIVE_KEY)  # what the expiry does 15 s after the last poll
    [problem] = [p for p in missing("import-orders") if NO_SCHEDULER in p]
