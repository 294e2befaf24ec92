"""The WSGI application: routing, authentication, scopes, rate limit, injected faults, encoding."""

import http
import json
import re
import sys
import time
import traceback
from urllib.parse import quote, unquote

from . import DEFAULT_API_KEY
from .faults import Faults
from .rate import RateLimiter
from .state import State
from .web import ApiError, Params, Request, dumps

ALL_SCOPES = [
    "order_read", "order_write", "customer_read", "customer_write", "reference_read", "reference_write",
    "store_read", "store_write", "integration_read", "integration_write", "custom_fields_read",
    "custom_fields_write", "loyalty_read", "loyalty_write", "user_read",
]

API_PREFIX = "/api/v5/"


class Route:
    def __init__(self, pattern, methods):
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self.regex = re.compile(f"^{regex}$")
        self.methods = methods  # method -> (scope or None, handler)


def compile_routes(table):
    return [Route(pattern, methods) for pattern, methods in table]


def _status_line(status):
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = {460: "Partially Processed"}.get(status, "Unknown")
    return f"{status} {phrase}"


class SandboxApp:
    """One emulated CRM account. ``keys`` maps API keys to {"scopes": [...], "sites": [...] | None}."""

    def __init__(self, state=None, api_key=DEFAULT_API_KEY, rps=10, extra_keys=None, seed="demo"):
        from .handlers import API_ROUTES, OPERATOR_ROUTES

        self.state = state if state is not None else State(seed)
        self.keys = {api_key: {"scopes": list(ALL_SCOPES), "sites": None}}
        for key, info in (extra_keys or {}).items():
            self.keys[key] = {"scopes": list(info.get("scopes", ALL_SCOPES)), "sites": info.get("sites")}
        self.rate = RateLimiter(rps)
        self.faults = Faults(seed=0)  # reproducible fault sequences in tests
        self.on_write = None  # called after each successful write (the CLI persists the state there)
        self.api_routes = compile_routes(API_ROUTES)
        self.operator_routes = compile_routes(OPERATOR_ROUTES)

    # ----- WSGI entry ------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"].upper()
        path = self._raw_path(environ)
        query = Params.from_string(environ.get("QUERY_STRING", ""))
        body = self._read_body(environ)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if path.startswith("/sandbox/"):
            status, payload = self._operator(method, path, query, body)
            return self._respond(start_response, status, dumps(payload))
        if path.startswith("/api/"):
            return self._api(start_response, method, path, query, body, headers)
        return self._respond(start_response, 404, dumps({"success": False, "errorMsg": "API method not found"}))

    @staticmethod
    def _raw_path(environ):
        """The still-encoded path, so an identifier may contain "/" (sent as %2F) or any UTF-8 text."""
        raw = environ.get("sandbox.raw_path")
        if raw is None:  # another WSGI server: PATH_INFO is decoded and carried as latin-1 (PEP 3333)
            decoded = (environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8", "replace")
            raw = quote(decoded, safe="/")
        return raw or "/"

    @staticmethod
    def _read_body(environ):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        return environ["wsgi.input"].read(length).decode("utf-8", "replace") if length > 0 else ""

    @staticmethod
    def _respond(start_response, status, data, content_type="application/json; charset=utf-8", extra=()):
        start_response(_status_line(status), [("Content-Type", content_type), ("Content-Length", str(len(data)))]
                       + list(extra))
        return [data]

    # ----- API -------------------------------------------------------------------------------

    def _api(self, start_response, method, path, query, body, headers):
        form = Params.from_string(body) if method == "POST" else Params()
        req = Request(method, path, query, form, headers)
        key = headers.get("x-api-key") or query.get("apiKey") or form.get("apiKey")
        if key and not self.rate.hit(key):
            return self._respond(start_response, 503, dumps({"success": False, "errorMsg": "Rate limit exceeded"}))
        latency, fate = self.faults.draw(method, path)
        if latency:
            time.sleep(latency)
        if fate == "drop":
            # wsgiref treats this as a client disconnect: nothing is written and the socket is closed.
            raise ConnectionAbortedError("sandbox fault: dropped connection")
        if fate == "error":
            status = self.faults.config["status"]
            retry_after = self.faults.config["retry_after"]
            return self._respond(start_response, status,
                                 dumps({"success": False, "errorMsg": "Sandbox injected fault"}),
                                 extra=[("Retry-After", str(retry_after))] if retry_after else [])
        try:
            status, payload = self._dispatch_api(req, method, path, key)
        except ApiError as error:
            status, payload = error.status, error.body()
        except Exception as exc:  # a sandbox bug must still look like a (broken) JSON API, and be visible
            traceback.print_exc(file=sys.stderr)
            status, payload = 500, {"success": False, "errorMsg": f"Internal sandbox error: {exc!r}"}
        if fate == "drop_after":
            # The CRM did the work; only its answer never arrives (the case externalIds exist for).
            raise ConnectionAbortedError("sandbox fault: answer dropped after the request was applied")
        extra = [("Allow", payload.pop("_allow"))] if "_allow" in payload else []
        data = dumps(payload)
        if fate == "malformed":
            # The request was processed; only the answer is garbled (a proxy cutting the body).
            data = data[: max(len(data) // 2, 1)] + b"\n<html>502 Bad Gateway"
            status = 200
        return self._respond(start_response, status, data, extra=extra)

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
        route, params = self._match(self.api_routes, subpath)
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

    @staticmethod
    def _match(routes, subpath):
        for route in routes:
            match = route.regex.match(subpath)
            if match:
                return route, {name: unquote(value) for name, value in match.groupdict().items()}
        return None, {}

    # ----- operator endpoints ----------------------------------------------------------------

    def _operator(self, method, path, query, body):
        route, params = self._match(self.operator_routes, path[len("/sandbox/"):].rstrip("/"))
        if route is None:
            return 404, {"success": False, "errorMsg": "Sandbox endpoint not found"}
        if method not in route.methods:
            return 405, {"success": False, "errorMsg": "Method Not Allowed"}
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError as exc:
            return 400, {"success": False, "errorMsg": f"Body is not valid JSON: {exc}"}
        if not isinstance(data, dict):
            return 400, {"success": False, "errorMsg": "Body must be a JSON object"}
        _, handler = route.methods[method]
        try:
            with self.state.lock:
                result = handler(self, data, query, **params)
        except ApiError as error:
            return error.status, error.body()
        except ValueError as exc:
            return 400, {"success": False, "errorMsg": str(exc)}
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            return 500, {"success": False, "errorMsg": f"Internal sandbox error: {exc!r}"}
        status, payload = result if isinstance(result, tuple) else (200, result)
        if method == "POST" and self.on_write:
            self.on_write()
        return status, payload
