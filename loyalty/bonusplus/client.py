"""The BonusPlus REST client: one method per call the back office makes (reference §4)."""

from __future__ import annotations

from loyalty.bonusplus import assumptions, errors
from loyalty.bonusplus.transport import Transport, path


class BonusPlusClient:
    def __init__(self, transport: Transport):
        self.transport = transport

    def close(self):
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def requests_sent(self) -> int:
        return self.transport.requests_sent

    # -- account and customers ---------------------------------------------------------------

    def account(self) -> dict:
        return self.transport.call("GET", "account", safe=True) or {}

    def customer_by_phone(self, phone: str) -> dict | None:
        try:
            return self.transport.call("GET", "customer", params={"phone": phone}, safe=True)
        except errors.CustomerNotFound:
            return None

    def customer_by_card(self, card: str) -> dict | None:
        if assumptions.CARD_LOOKUP == "customer/list":
            found = self.transport.call("POST", "customer/list", body={"cardNumber": [card], "rowCount": 1, "startRow": 1},
                                        safe=True)
            rows = found if isinstance(found, list) else (found or {}).get("customers") or []
            return rows[0] if rows else None
        try:
            return self.transport.call("GET", "customer", params={"ean": card}, safe=True)
        except errors.CustomerNotFound:
            return None

    def send_code(self, phone: str) -> None:
        self.transport.call("PUT", path("customer", phone, "sendCode"))  # an SMS costs money: never twice

    def check_code(self, phone: str, code: str) -> None:
        try:
            self.transport.call("PUT", path("customer", phone, "checkCode", code), safe=True)
        except errors.BusinessError as exc:
            raise errors.WrongSmsCode(code=exc.code, msg=exc.msg, dev_msg=exc.dev_msg, status=exc.status) from None

    def register(self, phone: str, *, card: str = "", profile: dict | None = None) -> dict:
        body = {"phone": phone, **(profile or {})}
        if card:
            body[assumptions.BIND_CARD_FIELD] = card
        return self.transport.call("POST", "customer", body=body) or {}

    def update_profile(self, phone: str, profile: dict) -> dict:
        return self.transport.call("PATCH", path("customer", phone), body=profile, safe=True) or {}

    # -- check, reserve, purchase -----------------------------------------------------------

    def calc(self, body: dict) -> dict:
        """PUT retail/calc: a calculation changes nothing, so it may be repeated."""
        return self.transport.call("PUT", "retail/calc", body=body, safe=True) or {}

    def reserve(self, phone: str, reserve_id: str, amount) -> None:
        """Positive ``amount`` reserves, negative releases (§4.6). Never repeated blindly."""
        self.transport.call("PATCH", path("customer", phone, "balance", "reserve"),
                            body={"id": reserve_id, "amount": amount})

    def retail(self, body: dict) -> dict:
        return self.transport.call("POST", "retail", body=body) or {}

    def import_products(self, store: str, products: list[dict]) -> None:
        """POST product/import: the same nodes sent again only overwrite themselves."""
        self.transport.call("POST", "product/import", body={"store": store, "products": products}, safe=True)
