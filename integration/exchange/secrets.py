"""Keeping the CRM API key (and other secrets) out of logs, the exchange log and HTML."""

import logging
import threading

_lock = threading.Lock()
_known: set[str] = set()
MIN_SECRET_LENGTH = 6  # shorter strings would mask ordinary words


def mask(value: str | None) -> str:
    """``abcdefgh12345678`` → ``••••••••5678``: enough to tell two keys apart, never enough to use one."""
    if not value:
        return ""
    tail = value[-4:] if len(value) >= 12 else ""
    return "•" * 8 + tail


def register_secret(value: str | None) -> None:
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """Replace every known secret in ``text`` with its masked form."""
    if not text or not _known:
        return text
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text


def loggable(text) -> str:
    """``text`` as the exchange log may store it: secrets masked, NUL shown as ``\\x00``
    (remote data may carry NUL; PostgreSQL refuses it in text and JSON columns)."""
    return redact(str(text)).replace("\x00", "\\x00")


class MaskSecretsFilter(logging.Filter):
    """Rewrites log records so no registered secret reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _known:
            message = record.getMessage()
            redacted = redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
        return True


def install_log_record_factory() -> None:
    """Redact at record creation, so every handler (RQ's own, pytest's, Sentry's…) sees masked text."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_secrets", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        if _known:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string is the caller's bug; leave it to logging
                return record
            redacted = redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return record

    factory.masks_secrets = True
    logging.setLogRecordFactory(factory)


def connect_signals() -> None:
    """Register the stored key at start-up and whenever it changes."""
    from django.db.models.signals import post_init, post_save

    from integration.models import CrmSettings

    def remember(sender, instance, **kwargs):
        register_secret(instance.api_key)
        register_secret(instance.webhook_token)
        register_secret(instance.webhook_basic_password)
        register_secret(instance.feed_token)

    post_init.connect(remember, sender=CrmSettings, weak=False)
    post_save.connect(remember, sender=CrmSettings, weak=False)
