"""Issue 16: django-rq's queue overview is shown in the operator's language, without "NOHOST"."""

import re
from datetime import timedelta

import django_rq
import pytest
from django.urls import reverse
from django_rq.settings import get_queues_map
from rq import SimpleWorker

from integration.exchange.permissions import MANAGE_QUEUES

pytestmark = pytest.mark.django_db


def test_the_queue_overview_speaks_russian(admin_client, settings):
    page = admin_client.get(reverse("admin:django_rq_home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Очереди заданий" in page and "Обработчики" in page and "В очереди" in page
    for english in ("Queued Jobs", "Active Jobs", "Cron Schedulers", "View as JSON", "NOHOST"):
        assert english not in page
    for queue in settings.RQ_QUEUE_NAMES:
        assert f"<code>{queue}</code>" in page


def test_the_queue_overview_speaks_english_to_an_english_reader(admin_client):
    page = admin_client.get(reverse("admin:django_rq_home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Job queues" in page and "Queued jobs" in page


# --- the pages behind the overview: job lists, registries, a job, the workers ---------------------------

QUEUE_PAGES_ENGLISH = (  # source strings of django-rq's own templates that must not reach a Russian reader
    "Django RQ", ">Home<", "jobs in", "Jobs in", "Actions:", "Requeue All", "Delete All", "Empty Queue",
    "Execute selected action", "Callable", "Enqueued<", "Ended<", "Created<", "Status<", ">Go<", " jobs\n",
    "Configuration", "Timestamps", "Payload", "Last started", "Last ended", "Exception", "Result TTL",
    "Workers in", "Birth", ">State<", ">Name<", "Execution ID", "Last Heartbeat", "Toggle sorting",
    ">failed<", ">queued<", ">scheduled<", ">finished<",
)


@pytest.fixture
def filled_queue():
    """A queue with a job waiting, one failed, one finished, one scheduled and a registered worker."""
    queue = django_rq.get_queue("default")
    worker = SimpleWorker([queue], connection=queue.connection, name="shop-worker")
    queue.enqueue("builtins.int", "not a number", job_id="broken-job")
    queue.enqueue("builtins.len", "abc", job_id="done-job")
    worker.work(burst=True)  # runs both in this process: one fails, one finishes
    queue.enqueue("builtins.print", "x", job_id="waiting-job")
    queue.enqueue_in(timedelta(hours=1), "builtins.print", "later", job_id="later-job")
    worker.register_birth()
    yield queue
    worker.register_death()


@pytest.fixture
def queue_manager(make_staff):
    return make_staff("queues", MANAGE_QUEUES)


def default_index() -> int:
    return get_queues_map()["default"]


def russian_page(client, name, **kwargs) -> str:
    response = client.get(reverse(f"admin:django_rq_{name}", kwargs=kwargs), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200, name
    return response.content.decode()


def assert_no_english(page: str, name: str):
    for english in QUEUE_PAGES_ENGLISH:
        assert english not in page, (name, english)


@pytest.mark.parametrize(("name", "heading", "job_id"), [
    ("jobs", "Задания в очереди", "waiting-job"),
    ("failed_jobs", "Задания с ошибкой", "broken-job"),
    ("finished_jobs", "Выполненные задания", "done-job"),
    ("scheduled_jobs", "Запланированные задания", "later-job"),
    ("deferred_jobs", "Отложенные задания", None),
    ("started_jobs", "Выполняемые задания", None),
])
def test_the_job_lists_speak_russian_and_keep_their_actions(queue_manager, filled_queue, name, heading, job_id):
    page = russian_page(queue_manager, name, queue_index=default_index())
    assert re.search(rf"<h1>{heading}: <code>default</code></h1>", page), name
    assert 'name="csrfmiddlewaretoken"' in page and "Удалить" in page and "Выполнить" in page
    if job_id:
        assert f'value="{job_id}"' in page  # the row can be selected for an action
        assert "1 задание" in page  # the paginator's count, in Russian plural
    assert_no_english(page, name)


def test_the_failed_list_offers_requeue_and_the_queue_offers_emptying(queue_manager, filled_queue):
    failed = russian_page(queue_manager, "failed_jobs", queue_index=default_index())
    assert "Поставить все заново" in failed and '<option value="requeue">Поставить заново</option>' in failed
    assert "ошибка" in failed  # the job's status, translated
    assert "Очистить очередь" in russian_page(queue_manager, "jobs", queue_index=default_index())


def test_an_action_from_the_russian_list_still_works(queue_manager, filled_queue):
    response = queue_manager.post(reverse("admin:django_rq_actions", kwargs={"queue_index": default_index()}),
                                  {"action": "delete", "job_ids": ["waiting-job"]}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 302
    assert "waiting-job" not in filled_queue.job_ids


def test_the_job_page_speaks_russian(queue_manager, filled_queue):
    page = russian_page(queue_manager, "job_detail", queue_index=default_index(), job_id="broken-job")
    assert "Задание broken-job" in page and "Параметры" in page and "Время" in page and "Вызов" in page
    assert "builtins.int" in page and "not a number" in page  # the call itself, as django-rq shows it
    assert ">ошибка</span>" in page  # the job's status and its run's outcome, translated
    assert "Поставить заново" in page and 'name="csrfmiddlewaretoken"' in page
    assert_no_english(page, "job_detail")


def test_the_workers_page_speaks_russian(queue_manager, filled_queue):
    page = russian_page(queue_manager, "workers", queue_index=default_index())
    assert "Обработчики очереди default" in page and "shop-worker" in page and "Состояние" in page
    assert_no_english(page, "workers")


def test_the_job_lists_speak_english_to_an_english_reader(queue_manager, filled_queue):
    page = queue_manager.get(reverse("admin:django_rq_failed_jobs", kwargs={"queue_index": default_index()}),
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Failed jobs: <code>default</code>" in page and "Requeue all" in page


CONFIRMATION_ENGLISH = ("Are you sure", "Yes, I'm sure", "can not be undone", "Requeue All", "Delete All", ">Empty<",
                        "no longer available", "Django RQ", "Callable")


def test_the_queue_page_speaks_russian(queue_manager, filled_queue):
    page = russian_page(queue_manager, "queue_details", queue_index=default_index())
    assert "<h1>Очередь default</h1>" in page and "Подключение" in page and "Задания с ошибкой" not in page
    assert "Обработчики" in page and "Самое старое ожидающее" in page
    for english in ("Connection<", "Oldest queued", "Default timeout", "Scheduler PID", "Inactive", ">Jobs<", "Queue default"):
        assert english not in page, english


@pytest.mark.parametrize(("name", "kwargs", "question"), [
    ("clear", {}, "Очистить очередь"),
    ("requeue_all", {}, "Вернуть 1 задание с ошибкой в очередь"),
    ("delete_failed_jobs", {}, "Удалить 1 задание с ошибкой из очереди"),
    ("delete_job", {"job_id": "waiting-job"}, "Удалить задание"),
    ("requeue_job", {"job_id": "broken-job"}, "Вернуть задание"),
    ("enqueue_job", {"job_id": "done-job"}, "Поставить задание"),
])
def test_the_confirmations_speak_russian(queue_manager, filled_queue, name, kwargs, question):
    page = russian_page(queue_manager, name, queue_index=default_index(), **kwargs)
    assert "<h1>Вы уверены?</h1>" in page and question in page and 'value="Да, я уверен"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    for english in CONFIRMATION_ENGLISH:
        assert english not in page, (name, english)


def test_confirming_the_russian_delete_still_deletes(queue_manager, filled_queue):
    url = reverse("admin:django_rq_delete_job", kwargs={"queue_index": default_index(), "job_id": "waiting-job"})
    assert queue_manager.post(url, {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="ru").status_code == 302
    assert "waiting-job" not in filled_queue.job_ids


def test_the_action_confirmation_speaks_russian(queue_manager, filled_queue):
    response = queue_manager.post(reverse("admin:django_rq_confirm_action", kwargs={"queue_index": default_index()}),
                                  {"action": "delete", "_selected_action": ["waiting-job"]}, HTTP_ACCEPT_LANGUAGE="ru")
    page = response.content.decode()
    assert response.status_code == 200 and "<b>Удалить</b>: задания очереди" in page
    assert 'value="Удалить: 1 задание"' in page and 'value="waiting-job"' in page and "в очереди" in page
    for english in CONFIRMATION_ENGLISH:
        assert english not in page, english


def test_a_worker_page_speaks_russian(queue_manager, filled_queue):
    worker = SimpleWorker.find_by_key("rq:worker:shop-worker", connection=filled_queue.connection)
    page = russian_page(queue_manager, "worker_details", queue_index=default_index(), key=worker.key)
    assert "<h1>Обработчик shop-worker</h1>" in page and "Номер процесса" in page and "Выполнено заданий" in page
    for english in ("Worker Info", "Birth:", "Queues:", "Successful job count", "Total working time", "Django RQ"):
        assert english not in page, english


@pytest.fixture
def periodic_import(db):
    from integration.exchange.jobs.schedule import sync_schedules
    from integration.models import JobSchedule

    JobSchedule.objects.update_or_create(kind="import-orders", defaults={"enabled": True, "interval_seconds": 60})
    sync_schedules()


def test_the_periodic_jobs_page_is_read_only_and_leads_to_the_schedules(queue_manager, periodic_import):
    page = russian_page(queue_manager, "scheduler_jobs", scheduler_index=default_index())
    assert re.search(r"<h1[^>]*>Периодические задания</h1>", page) and "каждые 60 с" in page
    assert "schedule-import-orders" in page
    assert reverse("admin:integration_jobschedule_changelist") in page
    assert "<form" not in page.split('id="content-main"')[1]  # no delete/requeue of an entry run_scheduler rewrites
    for english in ("Scheduler Managed Jobs", "Next Run", "Last Ended", "Callable", "interval:", "Django RQ"):
        assert english not in page, english
    overview = russian_page(queue_manager, "home")
    assert "задаются на странице" in overview and reverse("admin:integration_jobschedule_changelist") in overview


def test_a_result_page_speaks_russian(queue_manager, filled_queue):
    from rq.job import Job

    result = Job.fetch("broken-job", connection=filled_queue.connection).latest_result()
    page = russian_page(queue_manager, "result_detail", queue_index=default_index(), job_id="broken-job",
                        result_id=result.id)
    assert f"Результат {result.id}" in page and "Номер задания" in page and "ошибка" in page
    assert "ValueError" in page  # the exception itself, as RQ stored it
    for english in ("Job ID:", "Result ID:", "Type:", "Return Value", "Exception:", "Django RQ", ">FAILED<"):
        assert english not in page, english
