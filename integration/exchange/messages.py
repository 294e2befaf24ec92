"""Messages that workers store and operators read later, in the reader's language.

A worker runs in whatever language its process has; the page that shows its words is read by
an English or a Russian operator. So a stored message keeps its English source string (the
msgid, marked with ``gettext_noop`` so ``makemessages`` extracts it) and its parameters, and is
translated when shown::

    ctx.message(stored(gettext_noop("Orders read: %(count)s."), count=12))
    render(run.messages[0])          # "Прочитано заказов: 12." for a Russian reader

In a text column the message is kept as a small JSON object (``{"msgid": …, "params": …}``); in
a JSON column (``JobRun.messages``) as the object itself. Rows written before this module are
plain strings and are shown as they are. A parameter may itself be a stored message (an error
inside a summary); it is translated too.
"""

import json
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from integration.exchange.secrets import loggable

_PREFIX = '{"msgid": '


class StoredMessage:
    """A message id and its parameters; ``str()`` gives the text in the active language."""

    __slots__ = ("msgid", "plural", "params")

    def __init__(self, msgid: str, params: dict[str, Any], plural: str | None = None):
        self.msgid, self.params, self.plural = msgid, params, plural

    def as_data(self) -> dict:
        """The JSON form, parameters masked the way the exchange log stores text."""
        data: dict[str, Any] = {"msgid": self.msgid, "params": {key: _storable(value) for key, value in self.params.items()}}
        if self.plural is not None:
            data["plural"] = self.plural
        return data

    def __str__(self) -> str:
        return render(self.as_data())

    def __repr__(self) -> str:
        return f"stored({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, StoredMessage) and self.as_data() == other.as_data()

    __hash__ = None

    def __mod__(self, params: dict) -> "StoredMessage":
        """``stored(gettext_noop("… %(x)s …")) % {"x": 1}`` reads like the ``_("…") % {…}`` it replaces."""
        return StoredMessage(self.msgid, {**self.params, **params}, plural=self.plural)


def stored(msgid: str, **params) -> StoredMessage:
    """A message to store: ``msgid`` is the English source wrapped in ``gettext_noop``."""
    return StoredMessage(msgid, params)


def stored_plural(singular: str, plural: str, count: int, **params) -> StoredMessage:
    """A message with a number: ``count`` picks the plural form when shown (``%(count)s`` in both)."""
    return StoredMessage(singular, {"count": count, **params}, plural=plural)


def for_text(value) -> str:
    """What a text column stores for ``value`` (a stored message or any text)."""
    if isinstance(value, StoredMessage):
        return json.dumps(value.as_data(), ensure_ascii=False)
    return loggable(value if value is not None else "")


def for_json(value):
    """What a JSON column (a list of messages) stores for ``value``."""
    if isinstance(value, StoredMessage):
        return value.as_data()
    return loggable(value)


def of_exception(exc: BaseException):
    """The message an exception carries: the stored one when it was raised with one, else its text."""
    if len(exc.args) == 1 and isinstance(exc.args[0], StoredMessage):
        return exc.args[0]
    if isinstance(getattr(exc, "msgid", None), str) and isinstance(getattr(exc, "params", None), dict):
        return StoredMessage(exc.msgid, exc.params)  # a lower layer's error (catalog) that cannot import this module
    return str(exc)


def render(value) -> str:
    """``value`` as the reader should see it: stored messages translated, old plain text unchanged."""
    data = _as_data(value)
    if data is None:
        return "" if value is None else str(value)
    params = {key: render(param) if _as_data(param) is not None else param
              for key, param in (data.get("params") or {}).items()}
    msgid = data["msgid"]
    if data.get("plural") is not None:
        template = ngettext(msgid, data["plural"], _number(params.get("count")))
    else:
        template = gettext(msgid)
    if not params:
        return template
    try:
        return template % params
    except (KeyError, ValueError, TypeError):
        # A translation that lost a placeholder must not hide the message: show the source instead.
        try:
            return msgid % params
        except (KeyError, ValueError, TypeError):
            return msgid


def _as_data(value) -> dict | None:
    if isinstance(value, StoredMessage):
        return value.as_data()
    if isinstance(value, dict):
        return value if isinstance(value.get("msgid"), str) else None
    if isinstance(value, str) and value.startswith(_PREFIX):
        try:
            data = json.loads(value)
        except ValueError:
            return None
        return data if isinstance(data, dict) and isinstance(data.get("msgid"), str) else None
    return None


def _storable(value):
    if isinstance(value, StoredMessage):
        return value.as_data()
    if isinstance(value, Promise):  # a lazily translated label (a job kind, a switch): its msgid, translated when shown
        args = getattr(value, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):
            return {"msgid": args[0], "params": {}}
        return loggable(value)
    if isinstance(value, bool) or isinstance(value, int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return loggable(", ".join(str(item) for item in value))
    return loggable(value)


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def render_short(value, limit: int = 120) -> str:
    """:func:`render`, cut to ``limit`` characters for a list column."""
    text = render(value)
    return (text[:limit] + "…") if len(text) > limit else text


def joined(parts, separator: str = " ") -> StoredMessage | str:
    """Several messages shown as one (each translated), e.g. the reasons an order waits."""
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    if not any(isinstance(part, StoredMessage) for part in parts):
        return separator.join(str(part) for part in parts)
    names = [f"part{index}" for index in range(len(parts))]
    # The "msgid" is only placeholders: gettext leaves it as it is, and render() fills in each part.
    return StoredMessage(separator.join(f"%({name})s" for name in names), dict(zip(names, parts)))
