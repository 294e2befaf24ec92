"""Request parsing, routing and JSON helpers shared by the emulators."""

import http
import json
import re
from urllib.parse import parse_qsl, quote, unquote

# PHP clients send `filter[ids][0]=1`, Python/Go clients send `filter[ids][]=1`; both mean the same list.
_NUMERIC_INDEX = re.compile(r"\[\d+\]")


class HttpError(Exception):
    """Raised by handlers; each emulator's subclass renders its remote system's error body."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self):
        return {"success": False, "errorMsg": self.message}


class Params:
    """Multi-valued parameters keyed by their bracketed names (``filter[ids][]``)."""

    def __init__(self, pairs=()):
        self._values = {}
        for key, value in pairs:
            self._values.setdefault(_NUMERIC_INDEX.sub("[]", key), []).append(value)

    @classmethod
    def from_string(cls, text):
        return cls(parse_qsl(text, keep_blank_values=True))

    def get(self, name, default=None):
        values = self._values.get(name)
        return values[-1] if values else default

    def getlist(self, name):
        """`name[]` values, also accepting a single plain `name` value."""
        return self._values.get(name + "[]", []) + self._values.get(name, [])

    def __contains__(self, name):
        return name in self._values

    def keys(self):
        return self._values.keys()


class Route:
    def __init__(self, pattern, methods):
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self.regex = re.compile(f"^{regex}$")
        self.methods = methods  # method -> (scope or None, handler)


def compile_routes(table):
    return [Route(pattern, methods) for pattern, methods in table]


def match_route(routes, subpath):
    for route in routes:
        match = route.regex.match(subpath)
        if match:
            return route, {name: unquote(value) for name, value in match.groupdict().items()}
    return None, {}


EXTRA_PHRASES = {460: "Partially Processed"}


def status_line(status):
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = EXTRA_PHRASES.get(status, "Unknown")
    return f"{status} {phrase}"


def raw_path(environ):
    """The still-encoded path, so an identifier may contain "/" (sent as %2F) or any UTF-8 text."""
    raw = environ.get("sandbox.raw_path")
    if raw is None:  # another WSGI server: PATH_INFO is decoded and carried as latin-1 (PEP 3333)
        decoded = (environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8", "replace")
        raw = quote(decoded, safe="/")
    return raw or "/"


def read_body(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length).decode("utf-8", "replace") if length > 0 else ""


def request_headers(environ):
    """Lower-case header names, as in ``{"x-api-key": ...}``."""
    return {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}


def as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_bool_flag(value):
    """Filter booleans arrive as 1/0 (or true/false from hand-written URLs)."""
    if value is None:
        return None
    return str(value).lower() in ("1", "true", "yes")


def prune(value):
    """Drop null members recursively: the remote systems omit unset fields instead of sending null."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def dumps(body):
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def clone(value):
    """Deep copy of JSON-like data (dicts, lists, scalars); much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value
