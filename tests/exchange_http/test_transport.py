"""The shared HTTP base over real HTTP: the retry rule, failure classes, redaction, no redirects."""

from __future__ import annotations

import logging

import pytest

from integration.exchange.http import errors
from integration.exchange.http.transport import ErrorTypes, HttpTransport
from tests.exchange_http.conftest import Step

TOKEN = "bp-token-Secret-0123456789abcdef"


class Demo(HttpTransport):
    """A second system as an adapter author writes one: address, auth header, system name."""

    system_name = "Demo"


def demo(url, fast, **options):
    return Demo(url, headers={"Authorization": f"ApiKey {TOKEN}"}, secrets=(TOKEN,), **{**fast, **options})


def test_a_successful_call_returns_the_decoded_answer_and_sends_the_auth_header(server, fast):
    server.on("GET", "/balance", Step(200, {"balance": 15}))
    assert demo(server.url, fast).request_json("GET", "/balance", params={"phone": "79001234567"}) == {"balance": 15}
    hit = server.hits["GET /balance"][0]
    assert hit["headers"]["Authorization"] == f"ApiKey {TOKEN}" and "phone=79001234567" in hit["path"]


def test_a_lost_answer_to_a_post_is_not_repeated(server, fast):
    server.on("POST", "/reserve", Step(delay=5))
    with pytest.raises(errors.NetworkError) as caught:
        demo(server.url, fast).request_json("POST", "/reserve", json={"sum": 100})
    assert server.count("POST", "/reserve") == 1
    assert caught.value.timed_out and caught.value.reason == "read_timeout"
    assert "may or may not have been applied, so it was not repeated" in str(caught.value)


def test_a_lost_answer_to_a_get_is_repeated(server, fast):
    server.on("GET", "/balance", Step(delay=5), Step(200, {"balance": 1}))
    transport = demo(server.url, fast)
    assert transport.request_json("GET", "/balance") == {"balance": 1}
    assert server.count("GET", "/balance") == 2 and transport.stats.retries == 1


def test_a_post_the_caller_marks_idempotent_is_repeated_after_a_lost_answer(server, fast):
    server.on("POST", "/balance/set", Step(delay=5), Step(200, {"ok": True}))
    assert demo(server.url, fast).request_json("POST", "/balance/set", json={"value": 7}, idempotent=True) == {"ok": True}
    assert server.count("POST", "/balance/set") == 2


def test_a_dropped_connection_is_repeated_for_reads_only(server, fast):
    server.on("POST", "/reserve", Step(drop=True))
    server.on("GET", "/balance", Step(drop=True), Step(200, {"balance": 2}))
    transport = demo(server.url, fast)
    with pytest.raises(errors.NetworkError) as caught:
        transport.request_json("POST", "/reserve", json={})
    assert caught.value.reason == "dropped" and server.count("POST", "/reserve") == 1
    assert transport.request_json("GET", "/balance") == {"balance": 2} and server.count("GET", "/balance") == 2


def test_a_post_that_never_reached_the_server_is_repeated(closed_port, fast):
    transport = demo(f"http://127.0.0.1:{closed_port}", fast)
    with pytest.raises(errors.NetworkError) as caught:
        transport.request_json("POST", "/reserve", json={})
    assert caught.value.reason == "refused" and not caught.value.timed_out
    assert transport.stats.requests == 3 and "tried 3 times" in str(caught.value)
    assert errors.is_transient(caught.value)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_server_error_on_a_post_is_not_repeated_and_is_typed(server, fast, status):
    server.on("POST", "/reserve", Step(status, {"message": "boom"}))
    with pytest.raises(errors.ServerError) as caught:
        demo(server.url, fast).request_json("POST", "/reserve", json={})
    assert server.count("POST", "/reserve") == 1 and caught.value.status == status
    assert errors.is_transient(caught.value)


def test_a_server_error_on_a_get_is_repeated_until_the_retries_run_out(server, fast):
    server.on("GET", "/balance", Step(502, "<html>bad gateway</html>"))
    with pytest.raises(errors.ServerError) as caught:
        demo(server.url, fast).request_json("GET", "/balance")
    assert server.count("GET", "/balance") == 3 and "after 3 attempts" in str(caught.value)


def test_a_refusal_up_front_is_repeated_for_any_call_and_retry_after_goes_to_the_limiter(server, fast):
    server.on("POST", "/reserve", Step(429, {"message": "slow down"}, headers={"Retry-After": "0"}),
              Step(200, {"reserved": True}))
    transport = demo(server.url, fast)
    assert transport.request_json("POST", "/reserve", json={}) == {"reserved": True}
    assert server.count("POST", "/reserve") == 2 and transport.stats.by_status == {429: 1, 200: 1}


def test_a_refusal_that_lasts_is_rate_limited(server, fast):
    server.on("POST", "/reserve", Step(429, {"message": "slow down"}))
    with pytest.raises(errors.RateLimited):
        demo(server.url, fast).request_json("POST", "/reserve", json={})
    assert server.count("POST", "/reserve") == 3


@pytest.mark.parametrize(("status", "cls"), [
    (401, errors.AuthError), (403, errors.AccessDenied), (404, errors.NotFound), (400, errors.Rejected),
    (422, errors.Rejected), (418, errors.RemoteError),
])
def test_client_errors_get_their_class_and_are_not_transient(server, fast, status, cls):
    server.on("GET", "/thing", Step(status, {"message": "no"}))
    with pytest.raises(cls) as caught:
        demo(server.url, fast).request_json("GET", "/thing")
    assert type(caught.value) is cls and not errors.is_transient(caught.value)
    assert server.count("GET", "/thing") == 1


def test_a_success_without_json_is_malformed(server, fast):
    server.on("GET", "/balance", Step(200, "<html>login page</html>"))
    with pytest.raises(errors.MalformedResponse, match="login page"):
        demo(server.url, fast).request_json("GET", "/balance")


def test_a_redirect_is_not_followed_so_the_auth_header_stays_home(server, fast):
    server.on("GET", "/balance", Step(302, "", headers={"Location": "http://elsewhere.example/steal"}))
    with pytest.raises(errors.RemoteError, match="elsewhere.example") as caught:
        demo(server.url, fast).request_json("GET", "/balance")
    assert caught.value.status == 302 and server.count("GET", "/balance") == 1


def test_a_secret_the_server_echoes_never_reaches_the_message_nor_the_log(server, fast, caplog):
    server.on("POST", "/reserve", Step(500, echo_header="Authorization"))
    caplog.set_level(logging.DEBUG)
    transport = demo(server.url, fast)
    with pytest.raises(errors.ServerError) as caught:
        transport.request_json("POST", "/reserve", json={})
    assert TOKEN not in str(caught.value) and "••••••••cdef" in str(caught.value)
    logging.getLogger("integration.exchange.http").error("echoed: %s", caught.value.payload)
    assert TOKEN in str(caught.value.payload)  # the raw answer is kept for code, never for people
    assert caplog.records and TOKEN not in caplog.text


def test_a_secret_cut_by_the_snippet_limit_is_masked_too(server, fast):
    body = "x" * (200 - 10) + TOKEN
    server.on("GET", "/page", Step(200, body))
    with pytest.raises(errors.MalformedResponse) as caught:
        demo(server.url, fast).request_json("GET", "/page")
    assert TOKEN[:10] not in str(caught.value) and "•" * 8 + "…" in str(caught.value)


class ShopError(errors.RemoteError):
    pass


class ShopRejected(ShopError, errors.Rejected):
    pass


def test_error_types_under_a_root_make_every_class_both_the_systems_and_the_generic_one():
    types = ErrorTypes.under(ShopError, rejected=ShopRejected)
    assert types.rejected is ShopRejected and types.base is ShopError
    for name in ("not_configured", "network", "auth", "access_denied", "not_found", "rate_limited", "server",
                 "malformed"):
        made = getattr(types, name)
        assert issubclass(made, ShopError) and issubclass(made, getattr(ErrorTypes(), name)), name
    assert types.not_found.__name__ == "ShopErrorNotFound"


class Shop(HttpTransport):
    """An adapter with its own classes and its own error body ({"code": ..., "text": ...})."""

    system_name = "Shop"
    error_types = ErrorTypes.under(ShopError, rejected=ShopRejected)

    def parse_error(self, response, payload, method, path, attempts):
        if isinstance(payload, dict) and payload.get("code") == "validation":
            return ShopRejected(self.redact(f"Shop refused {method} {path}: {payload['text']}"),
                                status=response.status_code, method=method, path=path, payload=payload)
        return super().parse_error(response, payload, method, path, attempts)


def test_an_adapter_reads_its_error_body_into_its_own_subclass_of_the_generic_one(server, fast):
    server.on("POST", "/orders", Step(409, {"code": "validation", "text": "phone is required"}))
    server.on("GET", "/teapot", Step(418, {"code": "other"}))
    server.on("GET", "/missing", Step(404, "<html>nothing here</html>"))
    shop = Shop(server.url, headers={"X-Key": TOKEN}, secrets=(TOKEN,), **fast)
    with pytest.raises(errors.Rejected, match="phone is required") as caught:
        shop.request_json("POST", "/orders", json={})
    assert isinstance(caught.value, ShopError)
    with pytest.raises(ShopError):  # the generic mapping uses the adapter's classes
        shop.request_json("GET", "/teapot")
    with pytest.raises(errors.NotFound) as caught:
        shop.request_json("GET", "/missing")
    assert isinstance(caught.value, ShopError) and "nothing here" in str(caught.value)
