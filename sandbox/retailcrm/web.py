"""Request parsing, error type, pagination and JSON helpers shared by all handlers."""

import json
import math
import re
from urllib.parse import parse_qsl

# PHP clients send `filter[ids][0]=1`, Python/Go clients send `filter[ids][]=1`; both mean the same list.
_NUMERIC_INDEX = re.compile(r"\[\d+\]")

PAGE_LIMITS = (20, 50, 100)


class ApiError(Exception):
    """Raised by handlers; turned into the CRM's error envelope by the app."""

    def __init__(self, status, message, errors=None, extra=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.extra = extra or {}

    def body(self):
        body = {"success": False, "errorMsg": self.message}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def not_found(message="Not found"):
    return ApiError(404, message)


def entity_error(errors):
    return ApiError(400, "Errors in the entity format", errors)


def input_error(errors):
    return ApiError(400, "Errors in the input parameters", errors)


def missing(name):
    return ApiError(400, f"Parameter '{name}' is missing")


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


class Request:
    def __init__(self, method, path, query, form, headers):
        self.method = method
        self.path = path
        self.query = query
        self.form = form
        self.headers = headers
        self.api_key = None
        self.key_info = None

    def param(self, name, default=None):
        """A scalar parameter: POST form first, then the query string."""
        value = self.form.get(name)
        if value is None:
            value = self.query.get(name)
        return default if value in (None, "") else value

    def filter(self, name, default=None):
        value = self.query.get(f"filter[{name}]")
        return default if value in (None, "") else value

    def filter_list(self, name):
        return [v for v in self.query.getlist(f"filter[{name}]") if v != ""]

    def json_field(self, name, kind=dict, required=True):
        """Decode one form field that carries a JSON document, as every POST method does."""
        raw = self.form.get(name)
        if raw is None or raw == "":
            if required:
                raise missing(name)
            return None
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise ApiError(400, f"Parameter '{name}' is not a valid JSON string", {name: str(exc)}) from None
        if kind is not None and not isinstance(value, kind):
            expected = "an object" if kind is dict else "a list"
            raise ApiError(400, f"Parameter '{name}' must be {expected}", {name: f"Expected {expected}."})
        return value

    @property
    def sites(self):
        """Shop codes this request's key may see (None = all)."""
        return self.key_info.get("sites") if self.key_info else None


def page_args(req, limits=PAGE_LIMITS):
    errors = {}
    limit = req.query.get("limit", "20")
    page = req.query.get("page", "1")
    if not limit.isdigit() or int(limit) not in limits:
        errors["limit"] = "The value you selected is not a valid choice."
    if not page.isdigit() or int(page) < 1:
        errors["page"] = "This value should be greater than or equal to 1."
    if errors:
        raise input_error(errors)
    return int(page), int(limit)


def paginate(items, page, limit):
    total = len(items)
    pagination = {
        "limit": limit,
        "totalCount": total,
        "currentPage": page,
        "totalPageCount": math.ceil(total / limit),
    }
    start = (page - 1) * limit
    return items[start:start + limit], pagination


def known(entries, code):
    """Is ``code`` a key of ``entries``? Client JSON may put a list or an object where a code belongs."""
    return isinstance(code, str) and code in entries


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
    """Drop null members recursively: the CRM omits unset fields instead of sending null."""
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
