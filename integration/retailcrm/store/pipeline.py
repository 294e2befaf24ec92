"""The engine both exports share: what changed, dense batches, sending beside local work, results.

Why a sender thread: RetailCRM allows 10 requests a second, so a full upload of 100,000
offers (400 requests) is bound by the rate limit, not by us. While the sender sleeps for its
slot and waits for the answer, this thread reads the next chunk of the catalog and records the
answer to the previous batch; only the sender touches the HTTP client, only this thread the
database. Pacing is the client's shared limiter alone (integration/crm/ratelimit.py): it grants
each request at the moment it leaves, so a sender that wakes late delays the next requests
rather than crowding the CRM's window.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from integration.retailcrm.client.client import MAX_UPLOAD_OFFERS
from integration.retailcrm.client.errors import CrmAccessDenied, CrmAuthError, CrmError, CrmNotConfigured
from integration.exchange.messages import for_text, stored
from integration.models import ExchangeEvent, ExportCheckpoint, OfferExportState

# Errors no other batch can escape: stop the run instead of failing 400 batches one by one.
FATAL = (CrmAuthError, CrmAccessDenied, CrmNotConfigured)
QUEUE_AHEAD = 2  # batches built ahead of the sender: enough to never starve it, little memory


@dataclass(frozen=True)
class Entry:
    """One offer element of an upload request, as sent, with the fingerprint of exactly that."""

    site: str
    key: str
    body: dict
    fingerprint: str


def number(value) -> int | float:
    """A JSON number as RetailCRM expects it: whole quantities stay integers."""
    return int(value) if value == int(value) else float(value)


def make_entry(site: str, key: str, body: dict) -> Entry:
    # Bodies are built with a fixed key order from plain str/int/float/bool values, so repr is
    # canonical — and several times cheaper than json.dumps(sort_keys=True) at 100,000 offers.
    return Entry(site, key, body, hashlib.blake2b(repr((site, body)).encode(), digest_size=8).hexdigest())


def _remember(channel: str, entries: list[Entry]) -> None:
    """Upsert what the CRM accepted, in one statement (the ORM's bulk upsert costs 20 ms a batch)."""
    if not entries:
        return
    table = connection.ops.quote_name(OfferExportState._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:  # one commit, not one per row
        cursor.executemany(
            f"INSERT INTO {table} (channel, site, offer, fingerprint, exported_at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (channel, site, offer) DO UPDATE SET fingerprint = excluded.fingerprint, "
            "exported_at = excluded.exported_at",
            [(channel, e.site, e.key, e.fingerprint, now) for e in entries],
        )


def full_run_due(channel: str, requested: bool) -> bool:
    """A full upload when asked for, when none has completed yet, or when the last one is too old."""
    if requested:
        return True
    last = ExportCheckpoint.objects.filter(channel=channel).values_list("last_full_at", flat=True).first()
    hours = float(getattr(django_settings, "RETAILCRM_FULL_EXPORT_HOURS", 24))
    return last is None or (timezone.now() - last).total_seconds() >= hours * 3600


class _Sender(threading.Thread):
    """Sends batches in order; every answer (or error) goes back to the building thread."""

    def __init__(self, send: Callable[[list[Entry]], object]):
        super().__init__(name="crm-export-sender", daemon=True)
        self.send = send
        self.inbox: queue.Queue = queue.Queue(maxsize=QUEUE_AHEAD)
        self.outbox: queue.Queue = queue.Queue()
        self.stopped = threading.Event()

    def run(self):
        while (batch := self.inbox.get()) is not None:
            if self.stopped.is_set():
                continue
            try:
                self.outbox.put((batch, self.send(batch), None))
            except BaseException as exc:  # noqa: BLE001  handed to the building thread, which decides
                self.outbox.put((batch, None, exc))


class ExportRun:
    """Feed entries chunk by chunk; ``finish`` waits for the last answer and updates the checkpoint."""

    def __init__(self, ctx, *, channel: str, id_field: str, send: Callable[[list[Entry]], object], full: bool,
                 one_site_per_request: bool):
        self.ctx, self.channel, self.id_field, self.full = ctx, channel, id_field, full
        self.one_site_per_request = one_site_per_request
        self.started = timezone.now()
        self.failed_batches = 0
        self._batch: list[Entry] = []
        self._stored: dict[str, dict[str, str]] = {}  # site → offer → fingerprint last accepted
        self._sender = _Sender(send)
        self._sender.start()
        ctx.set_count("full", int(full))

    # -- building ---------------------------------------------------------------------------

    def feed(self, entries: list[Entry]) -> None:
        self.ctx.count("offers", len(entries))
        changed = entries if self.full else self._changed(entries)
        if len(changed) < len(entries):
            self.ctx.count("unchanged", len(entries) - len(changed))
        for entry in changed:
            if self._batch and self.one_site_per_request and self._batch[0].site != entry.site:
                self._flush()
            self._batch.append(entry)
            if len(self._batch) == MAX_UPLOAD_OFFERS:
                self._flush()

    def _changed(self, entries: list[Entry]) -> list[Entry]:
        changed = []
        for entry in entries:
            if entry.site not in self._stored:  # one read per shop: cheaper than a lookup per chunk
                rows = OfferExportState.objects.filter(channel=self.channel, site=entry.site)
                self._stored[entry.site] = dict(rows.values_list("offer", "fingerprint"))
            if self._stored[entry.site].get(entry.key) != entry.fingerprint:
                changed.append(entry)
        return changed

    def _flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        self.ctx.count("requests")
        self.ctx.count("sent", len(batch))
        while True:  # record answers while waiting for room, so the sender never waits on us
            try:
                self._sender.inbox.put(batch, timeout=0.05)
                break
            except queue.Full:
                self._record_answers()
        self._record_answers()

    # -- answers ----------------------------------------------------------------------------

    def _record_answers(self) -> None:
        while True:
            try:
                batch, result, error = self._sender.outbox.get_nowait()
            except queue.Empty:
                return
            if error is not None:
                self._batch_failed(batch, error)
            else:
                self._batch_done(batch, result)

    def _batch_failed(self, batch: list[Entry], error: BaseException) -> None:
        if isinstance(error, FATAL) or not isinstance(error, CrmError):
            self._sender.stopped.set()
            raise error
        self.failed_batches += 1
        self.ctx.count("failed_batches")
        self.ctx.count("failed_offers", len(batch))
        self.ctx.event(
            entity="offer-batch", direction=ExchangeEvent.Direction.EXPORT, result=ExchangeEvent.Result.FAILED,
            local_ref=f"{batch[0].key} … {batch[-1].key}",
            message=stored(gettext_noop(
                "%(count)d offers were not sent: %(error)s. They are sent again by the next run."))
            % {"count": len(batch), "error": error},
        )

    def _batch_done(self, batch: list[Entry], result) -> None:
        missing = {str(item.get(self.id_field)) for item in result.not_found_offers if isinstance(item, dict)}
        accepted = [e for e in batch if e.key not in missing]
        self.ctx.count("accepted", len(accepted))
        _remember(self.channel, accepted)
        not_found = [e for e in batch if e.key in missing]
        if not_found:
            self._record_not_found(not_found)

    def _record_not_found(self, entries: list[Entry]) -> None:
        self.ctx.count("not_found", len(entries))
        self.ctx.warnings += len(entries)
        if self.channel == "stock":
            message = stored(gettext_noop(
                "RetailCRM has no offer with %(field)s “%(offer)s”%(shop)s, so its stock was not updated. "
                "Load the catalog (ICML) into RetailCRM first; the offer is sent again by the next run."))
        else:
            message = stored(gettext_noop(
                "RetailCRM has no offer with %(field)s “%(offer)s”%(shop)s, so its prices were not updated. "
                "Load the catalog (ICML) into RetailCRM first; the offer is sent again by the next run."))
        ExchangeEvent.objects.bulk_create([
            ExchangeEvent(
                run=self.ctx.run, entity="offer", direction=ExchangeEvent.Direction.EXPORT,
                result=ExchangeEvent.Result.FAILED, local_ref=e.key[:255],
                message=for_text(message % {"field": self.id_field, "offer": e.key,
                                          "shop": stored(gettext_noop(
                                              " in shop %(site)s")) % {"site": e.site} if e.site else ""}),
            )
            for e in entries
        ])

    # -- end --------------------------------------------------------------------------------

    def finish(self) -> None:
        self._flush()
        self.close()
        checkpoint, _created = ExportCheckpoint.objects.get_or_create(channel=self.channel)
        checkpoint.last_run_at = self.started
        if self.full and not self.failed_batches:
            checkpoint.last_full_at = self.started
            # Offers no longer in scope (or renamed by a changed identifier setting) were not sent.
            OfferExportState.objects.filter(channel=self.channel, exported_at__lt=self.started).delete()
        checkpoint.save()

    def close(self) -> None:
        """Stop the sender after the batches already handed over; record their answers."""
        if self._sender.is_alive():
            self._sender.inbox.put(None)
            self._sender.join()
        self._record_answers()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:  # the run is failing: drop what is still queued, keep the sender short
            self._sender.stopped.set()
            if self._sender.is_alive():
                self._sender.inbox.put(None)
                self._sender.join()
        return False


def summarize(ctx) -> None:
    counts = ctx.run.counts
    ctx.message(stored(gettext_noop(
        "%(sent)d of %(offers)d offers sent in %(requests)d requests; %(accepted)d accepted, "
        "%(not_found)d unknown to RetailCRM, %(failed)d in failed requests.")) % {
        "sent": counts.get("sent", 0), "offers": counts.get("offers", 0), "requests": counts.get("requests", 0),
        "accepted": counts.get("accepted", 0), "not_found": counts.get("not_found", 0),
        "failed": counts.get("failed_offers", 0),
    })


def run_export(client, ctx, *, channel: str, shops, targets_of, entries_of, send,
               one_site_per_request: bool, full: bool, offers_of=None) -> None:
    """The shape every upload run shares: its targets, full or delta, paced sending, the summary.

    ``targets_of(shops, warnings)`` lists what to send where (``shops``: the run's ShopResolver); ``entries_of(target)`` yields
    lists of entries; ``send(batch)`` makes one API call; ``offers_of(target)`` counts the offers
    a target has (the progress total).
    """
    warnings: list[str] = []
    targets = targets_of(shops, warnings)
    for text in warnings:
        ctx.message(text, warning=True)
    full = full_run_due(channel, full)
    ctx.message(stored(gettext_noop(
        "Full upload: every offer is sent.")) if full else stored(gettext_noop("Only offers changed since the last upload are sent.")))
    with ExportRun(ctx, channel=channel, id_field=shops.settings.offer_id_field, send=send, full=full,
                   one_site_per_request=one_site_per_request) as run:
        if offers_of is not None:
            ctx.progress(done=0, total=sum(offers_of(target) for target in targets))
        for target in targets:
            for entries in entries_of(target):
                run.feed(entries)
                # A safe point: a cancelled run stops here; what was sent is remembered, the rest goes next time.
                ctx.progress(add=len(entries))
        run.finish()
    summarize(ctx)
