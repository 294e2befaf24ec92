import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class HttpsURLField(models.URLField):
    """A URL field whose form assumes https:// for scheme-less input (Django 6's default, today)."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost: this computer, where plain http cannot be overheard."""
    host = (host or "").strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_https_or_loopback(value: str) -> None:
    """For addresses we send a secret to (the CRM's API key): https, or http to this computer only."""
    parts = urlsplit(value or "")
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.hostname)):
        return
    raise ValidationError(
        _("Use an https:// address; http:// is accepted only for this computer (127.0.0.1, ::1, localhost)."),
        code="https_required",
    )
