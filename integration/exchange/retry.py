"""The retry queue: entities a run parked, taken again at the start of the next run.

Producers call ``park`` when they cannot take an entity yet and ``settle`` once they have;
``waiting`` tells a run what to retry. Stored messages (``messages.py``) say why.
"""

from django.db.models import F
from django.utils import timezone

from integration.exchange.messages import for_text
from integration.exchange.models import RetryEntry


def park(system: str, entity: str, remote_id, *, message, run=None, local_ref: str = "") -> bool:
    """File (or count another attempt of) ``entity remote_id``; True when it was not waiting before."""
    now, text = timezone.now(), for_text(message) if message else ""
    updated = RetryEntry.objects.filter(system=system, entity=entity, remote_id=str(remote_id)).update(
        attempts=F("attempts") + 1, last_failed_at=now, message=text, run=run, **({"local_ref": local_ref} if local_ref else {}))
    if updated:
        return False
    _entry, created = RetryEntry.objects.get_or_create(
        system=system, entity=entity, remote_id=str(remote_id),
        defaults={"message": text, "run": run, "local_ref": local_ref, "first_failed_at": now, "last_failed_at": now})
    return created


def settle(system: str, entity: str, remote_ids) -> int:
    """The entities were handled: they wait no more. Returns how many were waiting."""
    ids = [str(remote_id) for remote_id in remote_ids]
    if not ids:
        return 0
    deleted, _ = RetryEntry.objects.filter(system=system, entity=entity, remote_id__in=ids).delete()
    return deleted


def waiting(system: str, entity: str) -> list[str]:
    return list(RetryEntry.objects.filter(system=system, entity=entity).order_by("remote_id").values_list("remote_id", flat=True))


def waiting_count(system: str, entity: str | None = None) -> int:
    rows = RetryEntry.objects.filter(system=system)
    return (rows.filter(entity=entity) if entity else rows).count()
