"""The WSGI application: API-key authentication, scopes and the CRM's error envelope.

Serving, operator endpoints, rate limit and injected faults come from sandbox.http.app.
"""

from ..http.app import BaseApp
from ..http.web import compile_routes, match_route
from . import DEFAULT_API_KEY
from .state import State
from .web import ApiError, Params, Request

ALL_SCOPES = [
    "order_read", "order_write", "customer_read", "customer_write", "reference_read", "reference_write",
    "store_read", "store_write", "integration_read", "integration_write", "custom_fields_read",
    "custom_fields_write", "loyalty_read", "loyalty_write", "user_read",
]

API_PREFIX = "/api/v5/"


class SandboxApp(BaseApp):
    """One emulated CRM account. ``keys`` maps API keys to {"scopes": [...], "sites": [...] | None}."""

    def __init__(self, state=None, api_key=DEFAULT_API_KEY, rps=10, extra_keys=None, seed="demo"):
        from .handlers import API_ROUTES, OPERATOR_ROUTES

        super().__init__(state if state is not None else State(seed), rps=rps, operator_routes=OPERATOR_ROUTES)
        self.keys = {api_key: {"scopes": list(ALL_SCOPES), "sites": None}}
        for key, info in (extra_keys or {}).items():
            self.keys[key] = {"scopes": list(info.get("scopes", ALL_SCOPES)), "sites": info.get("sites")}
        self.api_routes = compile_routes(API_ROUTES)

    def prepare(self, method, path, query, body, headers):
        form = Params.from_string(body) if method == "POST" else Params()
        req = Request(method, path, query, form, headers)
        return req, headers.get("x-api-key") or query.get("apiKey") or form.get("apiKey")

    def handle(self, req):
        key = req.headers.get("x-api-key") or req.query.get("apiKey") or req.form.get("apiKey")
        status, payload = self._dispatch_api(req, req.method, req.path, key)
        extra = [("Allow", payload.pop("_allow"))] if "_allow" in payload else []
        return status, payload, extra

    def _dispatch_api(self, req, method, path, key):
        if not key:
            raise ApiError(403, '"apiKey" is missing.')
        if key not in self.keys:
            raise ApiError(403, 'Wrong "apiKey" value.')
        req.api_key, req.key_info = key, self.keys[key]
        if path in ("/api/api-versions", "/api/credentials"):
            subpath = path[len("/api/"):]
        elif path.startswith(API_PREFIX):
            subpath = path[len(API_PREFIX):].rstrip("/")
        else:
            raise ApiError(404, "API method not found")
        route, params = match_route(self.api_routes, subpath)
        if route is None:
            raise ApiError(404, "API method not found")
        if method not in route.methods:
            return 405, {"success": False, "errorMsg": "Method Not Allowed", "_allow": ", ".join(route.methods)}
        scope, handler = route.methods[method]
        if scope is not None and scope not in req.key_info["scopes"]:
            raise ApiError(403, "Access denied.")
        with self.state.lock:
            result = handler(self, req, **params)
        status, payload = result if isinstance(result, tuple) else (200, result)
        if method == "POST" and self.on_write:  # includes 460: part of the batch was stored
            self.on_write()
        return status, payload
