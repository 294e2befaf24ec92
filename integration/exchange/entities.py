"""Labels of the entity codes an exchange event is written for ("order", "offer", …).

The stored code stays the machine key (filters, links and jobs match on it); pages show its label in
the reader's language. The exchange knows the entities every adapter shares; an adapter registers the
labels of its own codes (``register``) when it is wired up, so the exchange imports no adapter.
An unknown code is shown as it is stored.
"""

from django.utils.translation import gettext_lazy as _

_LABELS = {
    "order": _("order"),
    "customer": _("customer"),
    "offer": _("offer"),
    "product": _("product"),
    "payment": _("payment"),
    "sale": _("sale"),
    "return": _("return"),
}


def register(code: str, label) -> None:
    """Give an adapter's entity code its label (a gettext_lazy string)."""
    _LABELS[code] = label


def entity_label(code: str):
    return _LABELS.get(code, code)


def entity_choices(codes) -> list[tuple[str, object]]:
    """(code, label) pairs for the codes present, ordered by label in the reader's language."""
    return sorted(((code, entity_label(code)) for code in codes), key=lambda pair: str(pair[1]).lower())
