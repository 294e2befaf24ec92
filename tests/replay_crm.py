"""A replaying RetailCRM: answers recorded from real accounts, served over real HTTP on loopback.

Test helper only (not the product, not the sandbox): our client and importer talk to it exactly as
to RetailCRM. It serves the recorded reference books, users, the recorded history page
(``OrdersTest.testHistory.json``) and the recorded orders — those of ``testGet``/``testList``/
``testCreate`` and the full orders that the history page's ``created`` entries carry — unchanged.
Every request is kept in ``requests`` so a test can show what was asked.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "api-client-php"
if not REALWORLD.is_dir():  # worktrees live in /work/wt/<name>; the shared folder is /work/shared
    REALWORLD = Path("/work/shared/realworld/api-client-php")

API_KEY = "replay-key"

REFERENCE_FILES = {
    "sites": "Sites", "statuses": "Statuses", "status-groups": "StatusGroups", "order-types": "OrderTypes",
    "order-methods": "OrderMethods", "payment-types": "PaymentTypes", "payment-statuses": "PaymentStatuses",
    "delivery-types": "DeliveryTypes", "delivery-services": "DeliveryServices", "stores": "Stores",
    "price-types": "PriceTypes", "product-statuses": "ProductStatuses", "units": "Units",
}


def recorded(name: str) -> dict:
    return json.loads((REALWORLD / f"{name}.json").read_text(encoding="utf-8"))


def recorded_orders() -> dict[int, dict]:
    """Every full order in the recordings by id: the history page's ``created`` snapshots, then the
    answers of orders/get, orders (list) and orders/create."""
    orders = {}
    for entry in recorded("OrdersTest.testHistory")["history"]:
        if entry.get("created") and isinstance(entry.get("order"), dict):
            orders[entry["order"]["id"]] = entry["order"]
    for order in [recorded("OrdersTest.testGet")["order"], *recorded("OrdersTest.testList")["orders"],
                  recorded("OrdersTest.testCreate")["order"]]:
        orders[order["id"]] = order
    return orders


class ReplayCrm:
    """``with ReplayCrm() as crm: crm.url`` — a recorded RetailCRM account on 127.0.0.1 (ephemeral port)."""

    def __init__(self):
        self.history = recorded("OrdersTest.testHistory")
        self.orders = recorded_orders()
        self.requests: list[tuple[str, str, dict]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # ----- answers --------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict) -> tuple[int, dict]:
        if method != "GET":
            return 405, {"success": False, "errorMsg": "The replay is read-only"}
        if path == "/api/api-versions":
            return 200, recorded("ApiTest.testApiVersions")
        if path == "/api/credentials":
            return 200, recorded("ApiTest.testCredentials")
        prefix = "/api/v5/"
        if not path.startswith(prefix):
            return 404, {"success": False, "errorMsg": "API method not found"}
        sub = path[len(prefix):].rstrip("/")
        if sub.startswith("reference/") and sub[len("reference/"):] in REFERENCE_FILES:
            return 200, recorded(f"ReferencesTest.test{REFERENCE_FILES[sub[len('reference/'):]]}")
        if sub == "users":
            return 200, recorded("UsersTest.testList")
        if sub == "orders/history":
            return 200, self._history(query)
        if sub == "orders":
            return 200, self._orders(query)
        if sub.startswith("orders/") and sub[len("orders/"):].isdigit():
            order = self.orders.get(int(sub[len("orders/"):]))
            if order is None:
                return 404, {"success": False, "errorMsg": "Not found"}
            return 200, {"success": True, "order": order}
        return 404, {"success": False, "errorMsg": "API method not found"}

    def _history(self, query: dict) -> dict:
        since = query.get("filter[sinceId]", [None])[0]
        last = max(entry["id"] for entry in self.history["history"])
        if since is not None and int(since) >= last:
            # The recording is one page of a longer feed; past it, the replay's feed ends.
            return {"success": True, "generatedAt": self.history["generatedAt"], "history": [],
                    "pagination": {"limit": 100, "totalCount": 0, "currentPage": 1, "totalPageCount": 0}}
        return self.history

    def _orders(self, query: dict) -> dict:
        ids = [int(value) for value in query.get("filter[ids][]", []) if value.isdigit()]
        found = [self.orders[crm_id] for crm_id in ids if crm_id in self.orders]
        return {"success": True, "orders": found,
                "pagination": {"limit": 100, "totalCount": len(found), "currentPage": 1, "totalPageCount": 1}}

    def _handler(self):
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                replay.requests.append((self.command, parts.path, query))
                if self.headers.get("X-API-KEY") != API_KEY and query.get("apiKey", [None])[0] != API_KEY:
                    status, payload = 403, {"success": False, "errorMsg": 'Wrong "apiKey" value.'}
                else:
                    status, payload = replay.answer(self.command, parts.path, query)
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

            def log_message(self, *args):  # quiet test output
                pass

        return Handler
