"""The delivery address as RetailCRM sends it: a text, its parts, or both (real accounts often send parts only)."""

from django.utils.translation import gettext_lazy as _

# The parts of ``delivery.address`` (API v5 order.delivery.address), in the order a postal address reads.
PART_LABELS = {
    "index": _("Postcode"),
    "countryIso": _("Country"),
    "region": _("Region"),
    "cityType": _("Settlement type"),
    "city": _("City"),
    "streetType": _("Street type"),
    "street": _("Street"),
    "building": _("Building"),
    "house": _("House"),
    "housing": _("Housing"),
    "block": _("Entrance"),
    "floor": _("Floor"),
    "flat": _("Flat/office"),
    "intercomCode": _("Intercom code"),
    "metro": _("Metro"),
    "notes": _("Notes"),
    "text": _("Address as text"),
}
# Parts that make up a readable address when the CRM sent no text (ids and codes add nothing for a reader).
TEXT_PARTS = ("index", "region", "city", "street", "building", "house", "housing", "block", "flat", "floor", "metro",
              "notes")


def address_parts(address) -> dict:
    """Every value the CRM sent (ids such as ``regionId`` included: nothing is dropped); only nulls go."""
    if not isinstance(address, dict):
        return {}
    return {key: value for key, value in address.items() if value is not None}


def address_text(address) -> str:
    """The CRM's text, or the parts joined when it sent none."""
    parts = address_parts(address)
    text = parts.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    return ", ".join(str(parts[key]).strip() for key in TEXT_PARTS if key in parts and str(parts[key]).strip())


def labelled_parts(parts: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for display: known parts in postal order, then any others by their CRM name."""
    parts = parts or {}
    known = [(str(label), str(parts[key])) for key, label in PART_LABELS.items() if parts.get(key) not in (None, "")]
    others = [(key, str(value)) for key, value in parts.items() if key not in PART_LABELS and value not in (None, "")]
    return known + others
