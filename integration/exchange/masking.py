"""Keeping API keys out of messages and logs.

The key only ever travels in the ``X-API-KEY`` header, so URLs and request logs cannot leak it;
this module covers the rest: text the server echoes back (error pages, malformed answers) and
log records written by anyone on the ``integration.retailcrm.client`` logger.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["LOGGER_NAME", "SecretMaskingFilter", "mask_secret", "protect", "redact"]

LOGGER_NAME = "integration.retailcrm.client"
MIN_SECRET_LENGTH = 6  # shorter strings would mask ordinary words


def mask_secret(secret: str | None) -> str:
    """``abcdefgh12345678`` → ``••••••••5678``: enough to tell two keys apart, never enough to use one.

    Short keys show no characters at all, since four of eight would be half the key.
    """
    if not secret:
        return ""
    tail = secret[-4:] if len(secret) >= 12 else ""
    return "•" * 8 + tail


def redact(text: str, secrets) -> str:
    """Replace every secret in ``text`` by its masked form (longest first, so overlaps stay masked)."""
    if not text:
        return text
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask_secret(secret))
    return text


class SecretMaskingFilter(logging.Filter):
    """A logging filter that rewrites records so none of the registered secrets reaches a handler.

    Attach it to a logger (affects records created on that logger) or to a handler (affects
    everything the handler writes).
    """

    def __init__(self, secrets=()):
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            with self._lock:
                self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = tuple(self._secrets)
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


_filter = SecretMaskingFilter()
_installed = False
_install_lock = threading.Lock()


def protect(secret: str) -> SecretMaskingFilter:
    """Register ``secret`` with the filter on the ``integration.retailcrm.client`` logger (installed once)."""
    global _installed
    _filter.add(secret)
    with _install_lock:
        if not _installed:
            logging.getLogger(LOGGER_NAME).addFilter(_filter)
            _installed = True
    return _filter
