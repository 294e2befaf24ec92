"""Whether BonusPlus can be used at all: the precondition of every BonusPlus job kind.

Checked where a run is queued (and when a button is drawn), so a run-now press before BonusPlus is
set up is refused with what to fill in, instead of a queued run that fails ("not set up", a 401…).
The settings row keeps no result of "Check connection" (the button only reports it), so the
settings themselves are what can be required.
"""

from django.utils.translation import gettext_noop

from integration.exchange.messages import joined, stored
from loyalty.bonusplus.models import BonusPlusSettings

# The settings a request needs, each named the way the settings page labels it.
_REQUIRED = (
    ("base_url", gettext_noop("BonusPlus API address")),
    ("api_key", gettext_noop("BonusPlus API key")),
    ("store", gettext_noop("store")),
)


def missing_settings(row: BonusPlusSettings | None = None) -> list:
    row = row or BonusPlusSettings.get_solo()
    return [stored(label) for name, label in _REQUIRED if not (getattr(row, name) or "").strip()]


def require_settings(kind):
    """A job kind's precondition (``job_kind(precondition=require_settings)``): None, or the refusal naming
    every setting still empty."""
    missing = missing_settings()
    if not missing:
        return None
    return stored(
        gettext_noop("“%(job)s” is not available until BonusPlus is set up; not filled in: %(missing)s. "
                     "Open BonusPlus settings and fill them in."),
        job=kind.label, missing=joined(missing, ", "),
    )
