"""The django-rq dashboard, for superusers and holders of "manage queues" only (issue 13, finding 4).

django-rq registers its dashboard as an admin page that any staff user may open: job pages,
"empty queue", delete, requeue, stop — deleting a scheduler entry silently stops periodic
imports. Its registration is replaced here by one whose every URL checks the permission first.
The JSON/metrics URLs keep django-rq's bearer-token access (``RQ_API_TOKEN``) for monitoring.
"""

from functools import wraps
from secrets import compare_digest

import django_rq.admin  # noqa: F401  registers the dashboard first, so it can be replaced
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import URLPattern
from django_rq import models as rq_models
from django_rq import settings as rq_settings

from integration.exchange.jobs.runner import REDIS_DOWN, QueueUnavailable
from integration.exchange.permissions import MANAGE_QUEUES, user_may

API_URL_NAMES = {"django_rq_home_json", "django_rq_metrics"}


def may_manage_queues(user) -> bool:
    return user_may(user, MANAGE_QUEUES)


def _has_api_token(request) -> bool:
    token = rq_settings.get_api_token()
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    return bool(token and given and compare_digest(token, given))


def _guarded(view, *, api: bool):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if api and _has_api_token(request):
            return view(request, *args, **kwargs)
        if not may_manage_queues(request.user):
            raise PermissionDenied
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # a lazy template reads the queues only now
            return response
        except REDIS_DOWN:
            return TemplateResponse(request, "admin/integration/queue_unavailable.html", {
                **admin.site.each_context(request), "title": "Django-RQ", "message": str(QueueUnavailable())},
                status=503)

    return guarded


class QueueDashboardAdmin(django_rq.admin.QueueAdmin):
    def has_module_permission(self, request):
        return may_manage_queues(request.user)

    def has_view_permission(self, request, obj=None):
        return may_manage_queues(request.user)

    def has_change_permission(self, request, obj=None):
        return may_manage_queues(request.user)

    def get_urls(self):
        return [
            URLPattern(url.pattern, _guarded(url.callback, api=url.name in API_URL_NAMES), url.default_args, url.name)
            for url in super().get_urls()
        ]


if admin.site.is_registered(rq_models.Dashboard):
    admin.site.unregister(rq_models.Dashboard)
    admin.site.register(rq_models.Dashboard, QueueDashboardAdmin)
