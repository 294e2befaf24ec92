"""Loyalty program and participant accounts."""

import json

import requests


def create_account(api, customer, phone="+79990000001", site="main-shop"):
    return api.post("loyalty/account/create", data={"site": site, "loyaltyAccount": json.dumps(
        {"customer": customer, "phoneNumber": phone})})


def new_customer(api, external_id):
    answer = api.post("customers/create", data={"site": "main-shop", "customer": json.dumps(
        {"externalId": external_id, "firstName": "Loyal"})})
    return answer.json()["id"]


def test_program_list_and_detail(api):
    programs = api.get("loyalty/loyalties").json()
    assert programs["pagination"]["totalCount"] == 1
    program = programs["loyalties"][0]
    assert (program["id"], program["active"], program["blocked"]) == (1, True, False)
    assert program["confirmSmsRegistration"] is False and [lv["id"] for lv in program["levels"]] == [1, 2, 3]
    detail = api.get("loyalty/loyalties/1").json()
    assert detail["loyalty"]["id"] == 1 and detail["requiredFields"] == []
    assert api.get("loyalty/loyalties/9").status_code == 404


def test_create_activate_and_refuse_duplicates(api):
    customer_id = new_customer(api, "LOYAL-1")
    created = create_account(api, {"externalId": "LOYAL-1"})
    assert created.status_code == 201
    account = created.json()["loyaltyAccount"]
    assert created.json()["site"] == "main-shop" and created.json()["warnings"] == []
    assert (account["status"], account["active"], account["customer"]["id"]) == ("not_confirmed", False, customer_id)
    assert account["loyalty"] == {"id": 1, "currency": "RUB"} and account["level"]["id"] == 1

    duplicate = create_account(api, {"id": customer_id}, phone="+79990000002")
    assert duplicate.status_code == 400 and "customer" in duplicate.json()["errors"]

    activated = api.post(f"loyalty/account/{account['id']}/activate")
    assert activated.status_code == 200
    assert activated.json()["loyaltyAccount"]["status"] == "activated" and "verification" not in activated.json()
    again = api.post(f"loyalty/account/{account['id']}/activate")
    assert again.status_code == 400 and again.json()["success"] is False
    assert api.get(f"loyalty/account/{account['id']}").json()["loyaltyAccount"]["active"] is True


def test_account_validation(api):
    missing = api.post("loyalty/account/create", data={"site": "main-shop", "loyaltyAccount": json.dumps({})})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"customer", "phoneNumber"}
    unknown = create_account(api, {"externalId": "NOBODY"})
    assert unknown.json()["errors"] == {"customer": "Customer not found."}
    no_program = api.post("loyalty/account/create", data={"site": "second-shop", "loyaltyAccount": json.dumps(
        {"customer": {"id": 101}, "phoneNumber": "1"})})
    assert no_program.status_code == 400


def test_sms_confirmation_toggle(sandbox, api):
    toggled = requests.post(f"{sandbox.url}/sandbox/loyalty", json={"confirmSmsRegistration": True}, timeout=5)
    assert toggled.json()["loyalty"]["confirmSmsRegistration"] is True
    customer_id = new_customer(api, "LOYAL-SMS")
    account = create_account(api, {"id": customer_id}).json()["loyaltyAccount"]
    answer = api.post(f"loyalty/account/{account['id']}/activate").json()
    assert answer["verification"]["actionType"] == "verify_phone" and answer["verification"]["checkId"]
    assert answer["loyaltyAccount"]["status"] == "not_confirmed"


def test_accounts_filters_and_edit(api):
    seeded = api.get("loyalty/accounts", params={"limit": 20}).json()
    assert seeded["pagination"]["totalCount"] == 10
    first = seeded["loyaltyAccounts"][0]
    by_customer = api.get("loyalty/accounts", params={"filter[customerId]": first["customer"]["id"]}).json()
    assert [a["id"] for a in by_customer["loyaltyAccounts"]] == [first["id"]]
    by_phone = api.get("loyalty/accounts", params={"filter[phoneNumber]": first["phoneNumber"]}).json()
    assert [a["id"] for a in by_phone["loyaltyAccounts"]] == [first["id"]]
    assert api.get("loyalty/accounts", params={"filter[loyalties][]": 2}).json()["loyaltyAccounts"] == []
    edited = api.post(f"loyalty/account/{first['id']}/edit", data={"loyaltyAccount": json.dumps(
        {"cardNumber": "CARD-9", "loyaltyLevelId": 3})}).json()["loyaltyAccount"]
    assert edited["cardNumber"] == "CARD-9" and edited["level"]["id"] == 3
