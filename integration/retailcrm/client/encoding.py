"""How RetailCRM wants parameters on the wire (reference §1.3).

GET: everything in the query string with PHP brackets (``filter[ids][]=1``), booleans as 1/0.
POST: form-urlencoded; scalars are plain fields, every nested structure is ONE field whose value
is a JSON document (``order={"externalId": ...}``) — the server does not parse bracketed forms.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "form_fields", "query_params", "scalar"]

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # account-local, no time zone (reference §1.1)
DATE_FORMAT = "%Y-%m-%d"


def scalar(value: Any) -> str:
    """One parameter value as RetailCRM spells it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def query_params(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Flatten nested dicts/lists to PHP-bracket pairs; None values are left out.

    ``{"filter": {"ids": [1, 2], "customFields": {"nps": {"min": 5}}}}`` →
    ``filter[ids][]=1, filter[ids][]=2, filter[customFields][nps][min]=5``.
    Lists of scalars use ``[]``; lists of objects need explicit indexes to keep each
    object's fields together.
    """
    pairs: list[tuple[str, str]] = []

    def walk(name: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{name}[{key}]", item)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for index, item in enumerate(value):
                if isinstance(item, (Mapping, list, tuple)):
                    walk(f"{name}[{index}]", item)
                else:
                    walk(f"{name}[]", item)
        else:
            pairs.append((name, scalar(value)))

    for key, value in (params or {}).items():
        walk(key, value)
    return pairs


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # RetailCRM wants JSON numbers for money and quantities (reference §1.9)
        return float(value)
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot be sent to RetailCRM as JSON")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def form_fields(fields: Mapping[str, Any] | None) -> dict[str, str]:
    """POST body fields: dicts and lists become JSON strings, scalars stay plain, None is dropped."""
    body: dict[str, str] = {}
    for name, value in (fields or {}).items():
        if value is None:
            continue
        if isinstance(value, (Mapping, list, tuple)):
            body[name] = dumps(value)
        else:
            body[name] = scalar(value)
    return body
