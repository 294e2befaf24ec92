"""Reference sync: mirror every CRM dictionary locally without losing the operator's mappings.

A sync upserts by CRM code, updates names, flags entries that vanished from the CRM (it never
deletes them: a mapping pointing at a vanished store must stay visible until the operator acts),
and matches managers to local users by e-mail.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from integration import models as im


@dataclass
class BookSpec:
    model: type
    method: str  # client method returning a list of dicts
    extra: callable = None  # entry → extra model fields


def _site_list(entry):
    return {"sites": list(entry.get("sites") or [])}


BOOKS = {
    "sites": BookSpec(im.CrmSite, "sites", lambda e: {"yml_url": e.get("ymlUrl") or "", "currency": e.get("currency") or ""}),
    "status_groups": BookSpec(im.CrmStatusGroup, "status_groups", lambda e: {"ordering": e.get("ordering") or 0}),
    "statuses": BookSpec(im.CrmStatus, "statuses", lambda e: {"ordering": e.get("ordering") or 0}),
    "stores": BookSpec(im.CrmStore, "stores"),
    "price_types": BookSpec(im.CrmPriceType, "price_types", lambda e: {"is_default": bool(e.get("default"))}),
    "payment_types": BookSpec(im.CrmPaymentType, "payment_types", _site_list),
    "payment_statuses": BookSpec(im.CrmPaymentStatus, "payment_statuses",
                                 lambda e: {"payment_complete": e.get("paymentComplete") is True}),
    "delivery_types": BookSpec(im.CrmDeliveryType, "delivery_types", _site_list),
    "order_types": BookSpec(im.CrmOrderType, "order_types"),
    "order_methods": BookSpec(im.CrmOrderMethod, "order_methods"),
}


@dataclass
class SyncReport:
    counts: dict = field(default_factory=dict)
    removed: dict = field(default_factory=dict)  # book → codes that vanished from the CRM
    unmapped: dict = field(default_factory=dict)  # book → codes with no mapping row


def _sync_book(spec: BookSpec, entries: list[dict], now) -> tuple[int, int, list[str]]:
    model = spec.model
    existing = {obj.code: obj for obj in model.objects.all()}
    seen, created = set(), 0
    for entry in entries:
        code = entry.get("code")
        if not code:
            continue
        seen.add(code)
        values = {
            "name": (entry.get("name") or code)[:255], "active": entry.get("active", True) is not False,
            "removed_in_crm": False, "raw": entry, "synced_at": now,
        }
        if spec.extra:
            values.update(spec.extra(entry))
        obj = existing.get(code)
        if obj is None:
            model.objects.create(code=code, **values)
            created += 1
        else:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
    vanished = sorted(set(existing) - seen)
    model.objects.filter(code__in=vanished, removed_in_crm=False).update(removed_in_crm=True, synced_at=now)
    return len(seen), created, vanished


def _link_status_groups():
    groups = {group.code: group for group in im.CrmStatusGroup.objects.all()}
    for status in im.CrmStatus.objects.all():
        group = groups.get(status.raw.get("group"))
        if status.group_id != (group.pk if group else None):
            status.group = group
            status.save(update_fields=["group"])


def _sync_users(users: list[dict], now) -> tuple[int, list[int]]:
    existing = {user.crm_id: user for user in im.CrmUser.objects.all()}
    seen = set()
    for entry in users:
        crm_id = entry.get("id")
        if crm_id is None:
            continue
        seen.add(crm_id)
        values = {
            "email": entry.get("email") or "", "first_name": entry.get("firstName") or "",
            "last_name": entry.get("lastName") or "", "active": entry.get("active", True) is not False,
            "is_manager": bool(entry.get("isManager", True)), "removed_in_crm": False, "raw": entry, "synced_at": now,
        }
        im.CrmUser.objects.update_or_create(crm_id=crm_id, defaults=values)
    vanished = sorted(set(existing) - seen)
    im.CrmUser.objects.filter(crm_id__in=vanished).update(removed_in_crm=True, synced_at=now)
    return len(seen), vanished


# Seed 001 §7: the example table of local state → CRM status for exporting order changes, and its
# two rows that are not states: "closed with all lines cancelled" and "unposting" (F5), both cancel.
DEFAULT_EXPORT_STATUSES = {
    "pending-approval": "new",
    "to-fulfil": "assembling",
    "for-shipment": "for-shipment",
    "closed": "complete",
}
DEFAULT_EXPORT_RULES = {
    im.StatusExportMapping.Rule.ALL_CANCELLED: "cancel",
    im.StatusExportMapping.Rule.UNPOSTING: "cancel",
}


def preload_export_statuses() -> int:
    """B2: fill the export table with the manual's defaults once, for the codes this CRM has.

    The state rows and the two rule rows are each filled only while none of their kind exists:
    the operator's table, even a partial one, is never touched."""
    rows = im.StatusExportMapping.objects
    codes = {*DEFAULT_EXPORT_STATUSES.values(), *DEFAULT_EXPORT_RULES.values()}
    statuses = {status.code: status for status in im.CrmStatus.objects.filter(code__in=codes)}
    created = 0
    if not rows.filter(rule=im.StatusExportMapping.Rule.STATE).exists():
        for state in im.OrderState.objects.filter(code__in=DEFAULT_EXPORT_STATUSES):
            status = statuses.get(DEFAULT_EXPORT_STATUSES[state.code])
            if status is not None:
                rows.create(local_state=state, crm_status=status)
                created += 1
    if not rows.exclude(rule=im.StatusExportMapping.Rule.STATE).exists():
        for rule, code in DEFAULT_EXPORT_RULES.items():
            if code in statuses:
                rows.create(rule=rule, crm_status=statuses[code])
                created += 1
    return created


def match_managers() -> int:
    """B3: link CRM users to local users with the same e-mail (any case); manual choices win."""
    users_by_email = {}
    for user in get_user_model().objects.exclude(email=""):
        users_by_email.setdefault(user.email.strip().lower(), user)
    matched = 0
    for crm_user in im.CrmUser.objects.filter(removed_in_crm=False).select_related("mapping"):
        mapping = getattr(crm_user, "mapping", None) or im.ManagerMapping(crm_user=crm_user)
        if mapping.manual_id or (mapping.local_user_id and not mapping.matched_automatically):
            continue  # the operator decided; never overwrite
        local = users_by_email.get(crm_user.email.strip().lower()) if crm_user.email else None
        if local is None:
            if mapping.pk is None:
                mapping.save()  # listed as unmapped, ready for a manual choice
            continue
        if mapping.local_user_id != local.pk:
            mapping.local_user, mapping.matched_automatically = local, True
            mapping.save()
            matched += 1
    return matched


UNMAPPED = {
    "statuses": (im.CrmStatus, "import_mapping"),
    "stores": (im.CrmStore, "mapping"),
    "price_types": (im.CrmPriceType, "mapping"),
    "payment_types": (im.CrmPaymentType, "mapping"),
    "delivery_types": (im.CrmDeliveryType, "mapping"),
}


def shops_in_use() -> set[str]:
    crm_settings = im.CrmSettings.get_solo()
    shops = {crm_settings.site_code} if crm_settings.site_code else set()
    if crm_settings.multiple_organizations:
        shops |= set(im.ShopOrganization.objects.values_list("crm_site__code", flat=True))
    return shops


def available_to_shops(entries, shops: set[str]):
    """B6/B7: only types the shops in use can see (an empty site list means every shop)."""
    return [entry for entry in entries if not shops or not entry.sites or shops & set(entry.sites)]


def unmapped_codes(book: str) -> list[str]:
    model, relation = UNMAPPED[book]
    entries = model.objects.filter(removed_in_crm=False, **{f"{relation}__isnull": True}).order_by("code")
    if book in ("payment_types", "delivery_types"):
        entries = available_to_shops(entries, shops_in_use())
    return [entry.code for entry in entries]


# Books whose empty row means what no row means today, so rows can be made for the operator to fill:
# a B6 row without a document kind records payments without one (as an unmapped type does) and is
# not used for export until the operator picks the kind; a B7 row starts as pickup, the unmapped default.
# (B1 is not here: a B1 row is the operator's choice to import that status. B4/B5 need a local entry.)
EMPTY_ROWS = {
    "payment_types": (im.PaymentTypeMapping, "crm_payment_type", {"document_kind": "", "use_for_export": False}),
    "delivery_types": (im.DeliveryTypeMapping, "crm_delivery_type", {}),
}


def create_unmapped_rows(book: str) -> int:
    """B6/B7: an empty mapping row for every active CRM entry without one; returns how many were made."""
    model, crm_field, defaults = EMPTY_ROWS[book]
    entry_model = UNMAPPED[book][0]
    created = 0
    with transaction.atomic():
        for entry in entry_model.objects.filter(code__in=unmapped_codes(book), active=True):
            _row, made = model.objects.get_or_create(**{crm_field: entry}, defaults=defaults)
            created += made
    return created


def sync_references(client) -> SyncReport:
    """Fetch every dictionary first, then write them in one transaction (a failed fetch changes nothing)."""
    fetched = {name: list(getattr(client, spec.method)()) for name, spec in BOOKS.items()}
    users = list(client.users())
    report = SyncReport()
    now = timezone.now()
    with transaction.atomic():
        for name, spec in BOOKS.items():
            total, created, vanished = _sync_book(spec, fetched[name], now)
            report.counts[name] = total
            if vanished:
                report.removed[name] = vanished
        _link_status_groups()
        report.counts["users"], vanished_users = _sync_users(users, now)
        if vanished_users:
            report.removed["users"] = [str(crm_id) for crm_id in vanished_users]
        report.counts["managers_matched"] = match_managers()
        report.counts["export_statuses_preloaded"] = preload_export_statuses()
    for book in UNMAPPED:
        codes = unmapped_codes(book)
        if codes:
            report.unmapped[book] = codes
    return report
