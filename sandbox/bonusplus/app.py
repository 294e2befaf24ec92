"""The WSGI application: ``Authorization: ApiKey <Base64(key)>``, JSON bodies, BonusPlus's answers.

Serving, operator endpoints, rate limit and injected faults come from sandbox.http.app.
"""

import base64
import binascii
import json

from ..http.app import BaseApp
from ..http.web import compile_routes, match_route
from . import DEFAULT_API_KEY
from .errors import FrameworkError, bad_request, unauthorized
from .state import State, jsonable


class Request:
    def __init__(self, method, path, query, body, headers):
        self.method, self.path, self.query, self.body, self.headers = method, path, query, body, headers

    def json_object(self):
        """The body as a JSON object (an empty body is an empty object, as for the PUTs with Content-Length 0)."""
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body)
        except ValueError:
            raise bad_request() from None
        if not isinstance(data, dict):
            raise bad_request()
        return data


def presented_key(headers):
    """The raw key from ``Authorization: ApiKey <Base64>``, or None when the header is absent or wrong."""
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    if scheme != "ApiKey" or not value.strip():
        return None
    try:
        return base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


class BonusPlusApp(BaseApp):
    """One emulated BonusPlus account with one API key. ``rate_window`` 3600 emulates an hourly quota."""

    def __init__(self, state=None, api_key=DEFAULT_API_KEY, rps=10, seed="demo", rate_window=1.0):
        from .handlers import API_ROUTES, OPERATOR_ROUTES

        super().__init__(state if state is not None else State(seed), rps=rps, operator_routes=OPERATOR_ROUTES,
                         rate_window=rate_window)
        self.api_key = api_key
        self.api_routes = compile_routes(API_ROUTES)

    def prepare(self, method, path, query, body, headers):
        req = Request(method, path, query, body, headers)
        return req, presented_key(headers)

    def handle(self, req):
        if presented_key(req.headers) != self.api_key:
            raise unauthorized()
        subpath = req.path[len(self.api_prefix):].rstrip("/")
        route, params = match_route(self.api_routes, subpath)
        if route is None:
            raise FrameworkError(404, f"No HTTP resource was found that matches the request URI '{req.path}'.")
        if req.method not in route.methods:
            raise FrameworkError(405, f"The requested resource does not support http method '{req.method}'.")
        with self.state.lock:
            result = route.methods[req.method](self, req, **params)
        status, payload = result if isinstance(result, tuple) else (200, result)
        if req.method != "GET" and self.on_write:
            self.on_write()
        return status, jsonable(payload), []

    def rate_limited(self):
        return 429, {"Message": "API calls quota exceeded."}

    def fault_body(self):
        return {"Message": "An error has occurred."}

    def internal_error(self, exc):
        return {"Message": "An error has occurred.", "ExceptionMessage": f"Internal sandbox error: {exc!r}"}

    def unknown_path(self, path):
        return 404, {"Message": f"No HTTP resource was found that matches the request URI '{path}'."}
