"""The CRM's error type, request and pagination; the generic helpers come from sandbox.http.web."""

import json
import math

from ..http.web import Params, as_bool_flag, as_int, clone, dumps, prune  # noqa: F401 (the handlers' import point)
from ..http.web import HttpError

PAGE_LIMITS = (20, 50, 100)


class ApiError(HttpError):
    """Raised by handlers; turned into the CRM's error envelope by the app."""

    def __init__(self, status, message, errors=None, extra=None):
        super().__init__(status, message)
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
