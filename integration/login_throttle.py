"""Admin login throttling (django-axes): repeated wrong passwords lock a username from an address.

Axes counts failures per username and client address and refuses further logins for a while
after ``AXES_FAILURE_LIMIT`` of them. Here: the backend that lets authentication without a
request (management commands, the test client's ``login()``) pass unthrottled — only HTTP
logins can be brute-forced; the client address behind our proxies; and the lockout page.
"""

import math

from axes.backends import AxesStandaloneBackend
from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext as _


class RequestThrottledBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None  # not an HTTP login: the next backend decides, nothing to throttle
        return super().authenticate(request, username, password, **kwargs)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with ``TRUSTED_PROXY_COUNT`` proxies in front the address the outermost one saw.

    Each proxy appends the address it was called from to X-Forwarded-For, so the entry
    ``TRUSTED_PROXY_COUNT`` from the right is the client; entries further left are the client's own claim."""
    from django.conf import settings

    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count > 0 and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    from django.conf import settings

    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = _("Too many failed logins for this user from your address. Try again in %(minutes)d minutes.") % {
        "minutes": minutes}
    context = {**admin.site.each_context(request), "title": _("Login locked"), "message": message}
    return render(request, "admin/login_locked.html", context, status=429)
