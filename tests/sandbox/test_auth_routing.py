"""Authentication, scopes, site access, routing and request encoding."""

import json

import pytest
import requests

from sandbox.retailcrm.testing import SandboxServer


def test_missing_and_wrong_key_are_403_with_the_crm_messages(sandbox):
    missing = requests.get(f"{sandbox.api_url}/orders", timeout=5)
    wrong = requests.get(f"{sandbox.api_url}/orders", headers={"X-API-KEY": "nope"}, timeout=5)
    assert (missing.status_code, missing.json()) == (403, {"success": False, "errorMsg": '"apiKey" is missing.'})
    assert (wrong.status_code, wrong.json()) == (403, {"success": False, "errorMsg": 'Wrong "apiKey" value.'})


def test_key_is_accepted_as_header_query_parameter_or_form_field(sandbox):
    by_header = requests.get(f"{sandbox.api_url}/reference/sites", headers={"X-API-KEY": "sandbox-key"}, timeout=5)
    by_query = requests.get(f"{sandbox.api_url}/reference/sites", params={"apiKey": "sandbox-key"}, timeout=5)
    by_form = requests.post(
        f"{sandbox.api_url}/customers/create",
        data={"apiKey": "sandbox-key", "site": "main-shop", "customer": json.dumps({"firstName": "Form"})},
        timeout=5,
    )
    assert by_header.status_code == by_query.status_code == 200
    assert by_header.json() == by_query.json()
    assert by_form.status_code == 201


def test_scopes_restrict_routes_per_key():
    keys = {"reader": {"scopes": ["order_read", "reference_read"]}}
    with SandboxServer(rps=1000, extra_keys=keys) as server:
        headers = {"X-API-KEY": "reader"}
        assert requests.get(f"{server.api_url}/orders", headers=headers, timeout=5).status_code == 200
        denied = requests.post(f"{server.api_url}/orders/create", headers=headers,
                               data={"site": "main-shop", "order": "{}"}, timeout=5)
        assert (denied.status_code, denied.json()["errorMsg"]) == (403, "Access denied.")
        assert requests.get(f"{server.api_url}/store/inventories", headers=headers, timeout=5).status_code == 403
        credentials = requests.get(f"{server.url}/api/credentials", headers=headers, timeout=5).json()
        assert credentials["scopes"] == ["order_read", "reference_read"]
        assert credentials["siteAccess"] == "access_full"
        assert credentials["sitesAvailable"] == ["main-shop", "second-shop"]


def test_selective_site_access_hides_other_shops_and_defaults_the_site():
    keys = {"second": {"sites": ["second-shop"]}}
    with SandboxServer(rps=1000, extra_keys=keys) as server:
        headers = {"X-API-KEY": "second"}
        credentials = requests.get(f"{server.url}/api/credentials", headers=headers, timeout=5).json()
        assert (credentials["siteAccess"], credentials["sitesAvailable"]) == ("access_selective", ["second-shop"])
        orders = requests.get(f"{server.api_url}/orders", headers=headers, params={"limit": 100}, timeout=5).json()
        assert orders["orders"] and {o["site"] for o in orders["orders"]} == {"second-shop"}
        main_order = next(o for o in server.state.orders.values() if o["site"] == "main-shop")
        hidden = requests.get(f"{server.api_url}/orders/{main_order['id']}", params={"by": "id"},
                              headers=headers, timeout=5)
        assert hidden.status_code == 404
        # one visible shop: `site` may be omitted on create
        created = requests.post(f"{server.api_url}/customers/create", headers=headers,
                                data={"customer": json.dumps({"firstName": "Only"})}, timeout=5)
        assert created.status_code == 201
        assert server.state.customers[created.json()["id"]]["site"] == "second-shop"
        foreign = requests.post(f"{server.api_url}/customers/create", headers=headers,
                                data={"site": "main-shop", "customer": json.dumps({"firstName": "X"})}, timeout=5)
        assert (foreign.status_code, foreign.json()["errorMsg"]) == (403, "Access denied.")


def test_multi_shop_key_must_name_the_site_for_external_ids(api):
    answer = api.get("orders/MS-10001")
    assert (answer.status_code, answer.json()["errorMsg"]) == (400, "Parameter 'site' is missing")
    assert api.get("orders/MS-10001", params={"site": "main-shop"}).status_code == 200


def test_unknown_route_wrong_method_and_versions(sandbox, api):
    unknown = api.get("no/such/method")
    assert (unknown.status_code, unknown.json()) == (404, {"success": False, "errorMsg": "API method not found"})
    wrong_method = api.get("orders/create")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"success": False, "errorMsg": "Method Not Allowed"}
    assert wrong_method.headers["Allow"] == "POST"
    assert api.post("orders").status_code == 405
    versions = requests.get(f"{sandbox.url}/api/api-versions", headers={"X-API-KEY": "sandbox-key"}, timeout=5)
    assert versions.json() == {"success": True, "versions": ["3.0", "4.0", "5.0"]}


def test_post_bodies_are_form_fields_holding_json(api):
    broken = api.post("orders/create", data={"site": "main-shop", "order": "{not json"})
    assert broken.status_code == 400
    assert broken.json()["errorMsg"] == "Parameter 'order' is not a valid JSON string"
    assert "order" in broken.json()["errors"]
    absent = api.post("orders/create", data={"site": "main-shop"})
    assert (absent.status_code, absent.json()["errorMsg"]) == (400, "Parameter 'order' is missing")
    as_json_body = api.post("orders/create", json={"site": "main-shop", "order": {}})
    assert as_json_body.status_code == 400  # the CRM does not read JSON request bodies


@pytest.mark.parametrize("limit", ["10", "25", "250", "abc"])
def test_only_20_50_100_are_valid_limits(api, limit):
    answer = api.get("orders", params={"limit": limit})
    assert answer.status_code == 400
    assert answer.json() == {
        "success": False, "errorMsg": "Errors in the input parameters",
        "errors": {"limit": "The value you selected is not a valid choice."},
    }


def test_server_is_threaded(sandbox, api):
    import concurrent.futures
    import time

    sandbox.set_faults(latency_ms=300)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda _: api.session.get(f"{api.base}/reference/units",
                                                        headers={"X-API-KEY": api.key}, timeout=5).status_code,
                              range(6)))
    assert codes == [200] * 6
    assert time.monotonic() - started < 1.2  # six 300 ms requests ran side by side
