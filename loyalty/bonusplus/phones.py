"""The one phone rule BonusPlus needs: 7XXXXXXXXXX, 11 digits with the country code, no '+' (the manual:
«79xxxxxxx»; its own example card has 70001110000)."""

import re

_NOT_DIGITS = re.compile(r"\D")


def normalise(raw: str) -> str | None:
    """``8 (999) 123-45-67``, ``+7 999 123 45 67`` and ``9991234567`` → ``79991234567``; None if not a phone.

    Written once here until integration/documents/phones.py (being added) can be used instead."""
    raw = (raw or "").strip()
    if not raw or re.search(r"[^\d\s()+\-.]", raw):
        return None
    digits = _NOT_DIGITS.sub("", raw)
    if len(digits) == 10 and not raw.startswith("+"):  # "+7 999 123 45 6" lost a digit; it is not a local number
        digits = "7" + digits
    elif len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    if len(digits) != 11 or digits[0] != "7":
        return None
    return digits
