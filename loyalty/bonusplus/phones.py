"""The one phone rule BonusPlus needs: 79XXXXXXXXX (digits, country code, no '+')."""

import re

_NOT_DIGITS = re.compile(r"\D")


def normalise(raw: str) -> str | None:
    """``8 (999) 123-45-67``, ``+7 999 123 45 67`` and ``9991234567`` → ``79991234567``; None if not a phone."""
    raw = (raw or "").strip()
    if not raw or re.search(r"[^\d\s()+\-.]", raw):
        return None
    digits = _NOT_DIGITS.sub("", raw)
    if len(digits) == 10:
        digits = "7" + digits
    elif len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) != 11 or digits[0] != "7" or digits[1] != "9":
        return None
    return digits
