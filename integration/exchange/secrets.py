"""Keeping API keys (and other secrets) out of logs, the exchange log, messages and HTML.

The one module for secrets: masking (``mask``), redaction of text (``redact``, ``loggable``), the
logging filter and record factory, and where the secrets come from. The exchange knows no
settings model: an adapter names the fields that hold its secrets with
``register_model_secrets(Model, "api_key", …)`` in its AppConfig.ready, and every value those
fields take (loaded or saved) is masked from then on.

A remote client also ``protect``\\ s the key it is given, on its own logger: text the server echoes
back (error pages, malformed answers) and records written on that logger never show it.
"""

from __future__ import annotations

import logging
import threading

__all__ = [
    "LOGGER_NAME", "MIN_SECRET_LENGTH", "SecretMaskingFilter", "install_log_record_factory",
    "loggable", "mask", "mask_secret", "protect", "redact", "register_model_secrets", "register_secret",
]

LOGGER_NAME = "integration.retailcrm.client"
MIN_SECRET_LENGTH = 6  # shorter strings would mask ordinary words

_lock = threading.Lock()
_known: set[str] = set()


def mask(value: str | None) -> str:
    """``abcdefgh12345678`` → ``••••••••5678``: enough to tell two keys apart, never enough to use one.

    Short keys show no characters at all, since four of eight would be half the key.
    """
    if not value:
        return ""
    tail = value[-4:] if len(value) >= 12 else ""
    return "•" * 8 + tail


mask_secret = mask  # the client's name for it


def register_secret(value: str | None) -> None:
    """Mask ``value`` wherever text is redacted without a list of its own (logs, the exchange log, pages)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _known.add(value)


def redact(text: str, secrets=None) -> str:
    """Replace every secret in ``text`` by its masked form (longest first, so overlaps stay masked).

    ``secrets``: the ones to mask; by default every registered one."""
    if not text:
        return text
    if secrets is None:
        if not _known:
            return text
        secrets = tuple(_known)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text


def loggable(text) -> str:
    """``text`` as the exchange log may store it: secrets masked, NUL shown as ``\\x00``
    (remote data may carry NUL; PostgreSQL refuses it in text and JSON columns)."""
    return redact(str(text)).replace("\x00", "\\x00")


class SecretMaskingFilter(logging.Filter):
    """A logging filter that rewrites records so no secret reaches a handler: messages, arguments
    and tracebacks. ``secrets`` given: those (and any ``add``-ed); none: every registered secret.

    Attach it to a logger (affects records created on that logger) or to a handler (affects
    everything the handler writes; settings.LOGGING does so for the console).
    """

    def __init__(self, secrets=None):
        super().__init__()
        self._lock = threading.Lock()
        self._own: set[str] | None = None if secrets is None else set()
        for secret in secrets or ():
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            with self._lock:
                if self._own is None:
                    self._own = set()
                self._own.add(secret)

    def _secrets(self) -> tuple[str, ...]:
        return tuple(_known if self._own is None else self._own)

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets()
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; logging reports it
            return True
        masked = redact(message, secrets)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
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


def register_model_secrets(model, *fields: str) -> None:
    """Register the values of ``model``'s ``fields`` at start-up (every loaded row) and whenever they change."""
    from django.db.models.signals import post_init, post_save

    def remember(sender, instance, **kwargs):
        for name in fields:
            register_secret(getattr(instance, name))

    post_init.connect(remember, sender=model, weak=False, dispatch_uid=f"secrets:{model._meta.label}")
    post_save.connect(remember, sender=model, weak=False, dispatch_uid=f"secrets:{model._meta.label}")


_client_filter = SecretMaskingFilter(())
_installed = False
_install_lock = threading.Lock()


def protect(secret: str) -> SecretMaskingFilter:
    """Add ``secret`` to the filter on the client logger (``LOGGER_NAME``, installed once)."""
    global _installed
    _client_filter.add(secret)
    with _install_lock:
        if not _installed:
            logging.getLogger(LOGGER_NAME).addFilter(_client_filter)
            _installed = True
    return _client_filter
