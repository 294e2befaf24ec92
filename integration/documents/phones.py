"""One rule for phone numbers, for every room that compares or shows them.

People type a Russian number many ways — ``8 (916) 120-45-89``, ``+7 916 1204589``, ``79161204589``,
``9161204589`` — and RetailCRM, BonusPlus and our own customer cards each keep what was typed. Two
numbers are the same phone when their :func:`normalize` forms are equal:

* a Russian number (11 digits starting with 7 or 8, or 10 national digits) → ``7XXXXXXXXXX``;
* anything else → its digits as typed (a foreign number keeps its country code; nothing is guessed);
* no digits → ``""`` (no phone).

:func:`display` is the form people read (``+7 (916) 120-45-89``); :func:`spellings` lists the
ways a number is commonly stored, for finding it among stored texts with one ``IN`` query.
The stored text is never rewritten: a customer card keeps the number as it was entered.
"""

from __future__ import annotations

import re

__all__ = ["display", "normalize", "spellings"]

_NOT_DIGIT = re.compile(r"\D")


def _national(digits: str) -> str | None:
    """The 10 national digits of a Russian number, or None when ``digits`` is not one."""
    if len(digits) == 11 and digits[0] in "78":
        return digits[1:]
    if len(digits) == 10:
        return digits
    return None


def normalize(phone: str | None) -> str:
    """The comparison form: ``7XXXXXXXXXX`` for a Russian number, else its digits, ``""`` for none."""
    digits = _NOT_DIGIT.sub("", phone or "")
    national = _national(digits)
    return "7" + national if national is not None else digits


def display(phone: str | None) -> str:
    """``+7 (916) 120-45-89`` for a Russian number; anything else as typed (trimmed)."""
    national = _national(_NOT_DIGIT.sub("", phone or ""))
    if national is None:
        return (phone or "").strip()
    return f"+7 ({national[:3]}) {national[3:6]}-{national[6:8]}-{national[8:]}"


def spellings(phone: str | None) -> set[str]:
    """The usual stored spellings of ``phone`` (itself included), for a database lookup."""
    text = (phone or "").strip()
    key = normalize(text)
    if not key:
        return set()
    found = {text, key}
    if len(key) == 11 and key[0] == "7":
        national = key[1:]
        found |= {"+" + key, "8" + national, national, display(key),
                  f"+7 {national[:3]} {national[3:6]}-{national[6:8]}-{national[8:]}",
                  f"8 ({national[:3]}) {national[3:6]}-{national[6:8]}-{national[8:]}"}
    else:
        found.add("+" + key)
    return found
