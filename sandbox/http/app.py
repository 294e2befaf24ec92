"""The WSGI base of every emulator: operator endpoints, rate limit, injected faults, encoding.

A subclass supplies the remote system's own parts: how a request is parsed and authenticated
(:meth:`prepare`), how it is answered (:meth:`handle`) and the bodies of the failures it injects.
"""

import json
import sys
import time
import traceback
from abc import ABC, abstractmethod

from .faults import Faults
from .rate import RateLimiter
from .web import HttpError, Params, compile_routes, dumps, match_route, raw_path, read_body, request_headers, \
    status_line

JSON = "application/json; charset=utf-8"


class Dropped(ConnectionAbortedError):
    """wsgiref treats this as a client disconnect: nothing is written and the socket is closed."""


class BaseApp(ABC):
    operator_prefix = "/sandbox/"
    api_prefix = "/api/"

    def __init__(self, state, rps=10, operator_routes=(), rate_window=1.0):
        self.state = state
        self.rate = RateLimiter(rps, window=rate_window)
        self.faults = Faults(seed=0)  # reproducible fault sequences in tests
        self.on_write = None  # called after each successful write (the CLI persists the state there)
        self.operator_routes = compile_routes(operator_routes)

    # ----- what a subclass provides ---------------------------------------------------------

    @abstractmethod
    def prepare(self, method, path, query, body, headers):
        """(request object, API key or None): the key is what the rate limit counts."""

    @abstractmethod
    def handle(self, req):
        """(status, payload, extra headers); payload None = no body (204)."""

    def reset_state(self):
        self.state.reset()

    def rate_limited(self):
        return 503, {"success": False, "errorMsg": "Rate limit exceeded"}

    def fault_body(self):
        return {"success": False, "errorMsg": "Sandbox injected fault"}

    def internal_error(self, exc):
        return {"success": False, "errorMsg": f"Internal sandbox error: {exc!r}"}

    def unknown_path(self, path):
        return 404, {"success": False, "errorMsg": "API method not found"}

    # ----- WSGI entry ------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"].upper()
        path = raw_path(environ)
        query = Params.from_string(environ.get("QUERY_STRING", ""))
        body = read_body(environ)
        if path.startswith(self.operator_prefix):
            status, payload = self._operator(method, path, query, body)
            return self.respond(start_response, status, payload)
        if path.startswith(self.api_prefix):
            return self._api(start_response, method, path, query, body, request_headers(environ))
        status, payload = self.unknown_path(path)
        return self.respond(start_response, status, payload)

    @staticmethod
    def respond(start_response, status, payload, content_type=JSON, extra=()):
        if payload is None:
            start_response(status_line(status), [("Content-Length", "0")] + list(extra))
            return [b""]
        data = payload if isinstance(payload, bytes) else dumps(payload)
        start_response(status_line(status), [("Content-Type", content_type), ("Content-Length", str(len(data)))]
                       + list(extra))
        return [data]

    # ----- API -------------------------------------------------------------------------------

    def _api(self, start_response, method, path, query, body, headers):
        req, key = self.prepare(method, path, query, body, headers)
        if key and not self.rate.hit(key):
            status, payload = self.rate_limited()
            return self.respond(start_response, status, payload)
        latency, fate, config = self.faults.decide(method, path)
        if latency:
            time.sleep(latency)
        if fate == "timeout":
            time.sleep(config["timeout_ms"] / 1000.0)
        if fate in ("drop", "timeout"):
            raise Dropped("sandbox fault: dropped connection")
        if fate == "error":
            return self._fault(start_response, config)
        try:
            status, payload, extra = self.handle(req)
        except HttpError as error:
            status, payload, extra = error.status, error.body(), []
        except Exception as exc:  # a sandbox bug must still look like a (broken) JSON API, and be visible
            traceback.print_exc(file=sys.stderr)
            status, payload, extra = 500, self.internal_error(exc), []
        if fate == "timeout_after":
            time.sleep(config["timeout_ms"] / 1000.0)
        if fate in ("drop_after", "timeout_after"):
            raise Dropped("sandbox fault: answer dropped after the request was applied")
        if fate == "error_after":
            return self._fault(start_response, config)
        if fate == "malformed":
            # The request was processed; only the answer is garbled (a proxy cutting the body).
            data = dumps(payload) if payload is not None else b"{}"
            payload = data[: max(len(data) // 2, 1)] + b"\n<html>502 Bad Gateway"
            status = 200
        return self.respond(start_response, status, payload, extra=extra)

    def _fault(self, start_response, config):
        retry_after = config["retry_after"]
        return self.respond(start_response, config["status"], self.fault_body(),
                            extra=[("Retry-After", str(retry_after))] if retry_after else [])

    # ----- operator endpoints ----------------------------------------------------------------

    def _operator(self, method, path, query, body):
        route, params = match_route(self.operator_routes, path[len(self.operator_prefix):].rstrip("/"))
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
        except HttpError as error:
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
