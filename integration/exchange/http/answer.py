"""What one HTTP call answered, and the connection pool it travelled on (urllib3, no session layer).

Why urllib3 and not a ``requests.Session``: the exchange sends thousands of small calls to one
host, and a session's per-call work (merging settings, cookies, hooks, re-reading the
environment, a prepared-request copy) cost more of our own CPU than the rest of an export
together. urllib3 is the layer ``requests`` itself stands on (pooled keep-alive connections, TLS
verification, proxies), so nothing is lost but that overhead.
"""

from __future__ import annotations

import json
import os
import urllib.request
from email.message import Message
from urllib.parse import urlsplit

import certifi
import urllib3

from catalog.fields import is_loopback_host

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class Answer:
    """The parts of an HTTP answer the clients read (named as ``requests`` names them)."""

    __slots__ = ("status_code", "headers", "content", "url")

    def __init__(self, status_code: int, headers, content: bytes, url: str):
        self.status_code, self.headers, self.content, self.url = status_code, headers, content, url

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers.get("Content-Type")), errors="replace")

    def json(self):
        """The decoded JSON body; ``ValueError`` when it is not JSON."""
        if not self.content:
            raise ValueError("empty body")
        return json.loads(self.content)

    @property
    def is_redirect(self) -> bool:
        return self.status_code in REDIRECT_STATUSES and "Location" in self.headers

    def __repr__(self) -> str:
        return f"<Answer [{self.status_code}]>"


def _charset(content_type: str | None) -> str:
    if not content_type:
        return "utf-8"
    message = Message()
    message["Content-Type"] = content_type
    charset = message.get_content_charset() or "utf-8"
    try:
        "".encode(charset)
    except LookupError:
        return "utf-8"
    return charset


def connection_pool(base_url: str, timeout: tuple[float, float], maxsize: int = 4):
    """Keep-alive connections to ``base_url``'s host, through the environment's proxy when one applies.

    The environment (``HTTPS_PROXY``/``NO_PROXY``, ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE``) is read
    once here: every call of a client goes to this one host, so the answer cannot change between calls.
    """
    parts = urlsplit(base_url)
    options = {"timeout": urllib3.Timeout(connect=timeout[0], read=timeout[1]), "retries": False,
               "maxsize": maxsize, "block": False}
    if parts.scheme == "https":
        options.update(cert_reqs="CERT_REQUIRED",
                       ca_certs=os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or certifi.where())
    proxy = _proxy_for(parts)
    manager = urllib3.ProxyManager(proxy, num_pools=1, **options) if proxy else urllib3.PoolManager(num_pools=1, **options)
    return manager.connection_from_url(base_url)


def _proxy_for(parts) -> str | None:
    if is_loopback_host(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"
