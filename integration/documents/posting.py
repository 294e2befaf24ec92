"""Posting (проведение): the one place a document's posted state changes.

``post`` and ``unpost`` change the row inside one transaction and call the subscribers'
callbacks only after that transaction commits, so an adapter (the RetailCRM export, a BonusPlus
reserve) never acts on a posting that rolled back, and documents never import an adapter:
adapters subscribe here from their ``AppConfig.ready``.

A callback receives ``(document, event)`` where ``event`` is a :class:`Posting`; it should enqueue
work (``integration.exchange.jobs.enqueue``), not call a remote system inline.

What posting does to local data belongs to the same transaction: a document with
``apply_posting()`` / ``revert_posting()`` methods (a sale moving stock out, a return bringing it
back) has them called inside it, so stock and the posted mark never disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

POSTED = "posted"
UNPOSTED = "unposted"


@dataclass(frozen=True)
class Posting:
    kind: str  # POSTED or UNPOSTED
    user_id: int | None  # who pressed the button; None for imports, schedules and the system
    source: str  # "operator", "import", …: lets a subscriber skip postings it caused itself


Subscriber = Callable[[models.Model, Posting], None]
_subscribers: dict[tuple[type[models.Model], str], list[Subscriber]] = {}
_in_transaction: dict[tuple[type[models.Model], str], list[Subscriber]] = {}


def subscribe(model: type[models.Model], kind: str, callback: Subscriber, *, in_transaction: bool = False) -> None:
    """Call ``callback(document, posting)`` after every committed ``kind`` posting of ``model``.

    With ``in_transaction`` it is called inside the posting's transaction instead, right after the
    document is saved: for bookkeeping that must commit or roll back with the posting (an export
    marked as due), never for remote calls or enqueueing."""
    if kind not in (POSTED, UNPOSTED):
        raise ValueError(f"unknown posting event {kind!r}")
    callbacks = (_in_transaction if in_transaction else _subscribers).setdefault((model, kind), [])
    if callback not in callbacks:  # ready() may run twice in tests
        callbacks.append(callback)


def subscribers(model: type[models.Model], kind: str) -> list[Subscriber]:
    return list(_subscribers.get((model, kind), ()))


def _within(document, posting: "Posting") -> None:
    for callback in _in_transaction.get((type(document), posting.kind), ()):
        callback(document, posting)


def check_postable(document: models.Model) -> None:
    """Raise ``ValidationError`` when the document may not be posted as it stands."""
    check = getattr(document, "check_postable", None)
    if check is not None:
        check()


@transaction.atomic
def post(document: models.Model, *, user=None, source: str = "operator") -> bool:
    """Post ``document`` (again: a re-post after a change is a posting too). Returns True."""
    check_postable(document)
    document.posted = True
    document.save()
    posting = Posting(POSTED, getattr(user, "pk", None), source)
    _document_hook(document, "apply_posting")
    _within(document, posting)
    _after_commit(document, posting)
    return True


@transaction.atomic
def unpost(document: models.Model, *, user=None, source: str = "operator") -> bool:
    """Clear the posted mark; returns False when the document was not posted (nothing happens)."""
    locked = type(document)._default_manager.select_for_update().get(pk=document.pk)
    if not locked.posted:
        return False
    document.posted = False
    document.save(update_fields=["posted"])
    posting = Posting(UNPOSTED, getattr(user, "pk", None), source)
    _document_hook(document, "revert_posting")
    _within(document, posting)
    _after_commit(document, posting)
    return True


def _document_hook(document, hook: str) -> None:
    method = getattr(document, hook, None)
    if method is not None:
        method()


def _after_commit(document, posting: Posting) -> None:
    for callback in subscribers(type(document), posting.kind):
        transaction.on_commit(lambda callback=callback: _call(callback, document, posting), robust=True)


def _call(callback, document, posting):
    try:
        callback(document, posting)
    except Exception:  # one adapter's failure must not stop another's
        log.exception("posting subscriber %s failed for %s %s", callback, type(document).__name__, document.pk)
        raise


def require_state(order) -> None:
    """An order with an empty state cannot be posted (seed 000 §6)."""
    if order.state_id is None:
        raise ValidationError({"state": _("Set the order's state before posting it.")})
