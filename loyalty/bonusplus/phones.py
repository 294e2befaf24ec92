"""The phone BonusPlus wants: 7XXXXXXXXXX, 11 digits with the country code, no '+' (the manual:
«79xxxxxxx»; its own example card has 70001110000).

The comparison rule is the shop's one (integration/documents/phones.py); here only what BonusPlus
cannot take is refused before anything is sent: letters, a foreign number, a digit too few.
"""

import re

from integration.documents.phones import normalize

_TYPED = re.compile(r"^[\d\s()+\-.]+$")


def normalise(raw: str) -> str | None:
    """``8 (999) 123-45-67``, ``+7 999 123 45 67`` and ``9991234567`` → ``79991234567``; None if not a phone."""
    raw = (raw or "").strip()
    if not raw or not _TYPED.match(raw):
        return None
    key = normalize(raw)
    if raw.startswith("+") and len(re.sub(r"\D", "", raw)) != 11:
        return None  # "+7 999 123 45 6" lost a digit; it is not a national number
    return key if len(key) == 11 and key[0] == "7" else None
