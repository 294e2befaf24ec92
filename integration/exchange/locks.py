"""Per-entity locks: an import and an export of the same order never run at once.

A job kind's own lock (``jobs/runner.py``) keeps two runs of one kind apart; these keep two
*kinds* apart where they touch the same entity. Keys are ``exchange:entity:<entity>:<id>``;
several are taken in sorted order so two holders of overlapping sets cannot deadlock. The TTL
frees the keys of a worker killed while holding them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import django_rq
from django.conf import settings

# Take KEYS in order until one is held by someone else; return how many were taken. One round trip
# for a page of a hundred orders instead of a hundred, with the same order (and so no deadlock).
ACQUIRE = """
for i, key in ipairs(KEYS) do
  if not redis.call('set', key, ARGV[1], 'NX', 'PX', ARGV[2]) then return i - 1 end
end
return #KEYS
"""
RELEASE = """
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('get', key) == ARGV[1] then released = released + redis.call('del', key) end
end
return released
"""


class EntityBusy(Exception):
    """Another run held one of the entities for longer than the caller would wait."""

    def __init__(self, entity: str, key: str):
        super().__init__(f"{entity} {key} is being exchanged by another run")
        self.entity, self.key = entity, key


def entity_key(entity: str, key) -> str:
    return f"exchange:entity:{entity}:{key}"


def entity_ttl() -> int:
    return settings.EXCHANGE_LOCK_TTL_SECONDS


@contextmanager
def entity_locks(entity: str, keys: Iterable, *, wait: float = 60.0, connection=None) -> Iterator[None]:
    """Hold the locks of every ``entity`` in ``keys`` while the body runs (waiting up to ``wait`` s)."""
    connection = connection or django_rq.get_connection("default")
    token = uuid.uuid4().hex
    names = [entity_key(entity, key) for key in sorted({str(k) for k in keys})]
    acquire, release = connection.register_script(ACQUIRE), connection.register_script(RELEASE)
    taken = 0
    deadline = time.monotonic() + wait
    try:
        while taken < len(names):
            taken += int(acquire(keys=names[taken:], args=[token, entity_ttl() * 1000]))
            if taken < len(names):
                if time.monotonic() >= deadline:
                    raise EntityBusy(entity, names[taken].rsplit(":", 1)[-1])
                time.sleep(0.05)
        yield
    finally:
        if taken:
            release(keys=names[:taken], args=[token])


def entity_lock(entity: str, key, *, wait: float = 60.0, connection=None):
    """``entity_locks`` for one entity: ``with entity_lock("order", crm_id): ...``."""
    return entity_locks(entity, [key], wait=wait, connection=connection)
