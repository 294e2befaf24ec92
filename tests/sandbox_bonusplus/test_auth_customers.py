"""Authentication, finding customers, registration with an SMS code, profile edit."""

import base64

import pytest

from sandbox.bonusplus import DEFAULT_API_KEY

from .conftest import CARD, PHONE, business_error


@pytest.mark.parametrize("header", [
    None,
    "ApiKey " + base64.b64encode(b"another-key").decode(),
    "ApiKey " + DEFAULT_API_KEY,  # the raw key, not Base64
    "Bearer " + base64.b64encode(DEFAULT_API_KEY.encode()).decode(),
])
def test_a_wrong_or_missing_key_is_401_and_changes_nothing(bp, api, header):
    headers = {"Authorization": header} if header else {"X-Nothing": "1"}
    answer = api.post("customer", json={"phone": "79990000009"}, headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"Message": "Authorization has been denied for this request."}
    assert bp.snapshot()["counts"]["customers"] == 1


def test_the_right_key_reads_the_account(api):
    answer = api.get("account")
    assert answer.status_code == 200 and {"balance", "tariff", "username", "smsPrice"} <= set(answer.json())


def test_a_customer_is_found_by_phone_card_and_id(api):
    by_phone = api.get("customer", params={"phone": PHONE}).json()
    assert (by_phone["discountCardNumber"], by_phone["availableBonuses"], by_phone["person"]["fn"]) == \
        (CARD, 500, "Мария")
    assert api.get("customer", params={"ean": CARD}).json()["phone"] == PHONE
    assert api.get("customer", params={"id": by_phone["id"]}).json()["phone"] == PHONE
    assert api.post("customer/list", json={"cardNumber": [CARD], "rowCount": 1, "startRow": 1}).json()[0]["phone"] \
        == PHONE


def test_an_unknown_phone_or_card_is_customer_not_found(api):
    business_error(api.get("customer", params={"phone": "79990000009"}), "CUSTOMER_NOT_FOUND")
    business_error(api.get("customer", params={"ean": "999"}), "CUSTOMER_NOT_FOUND")


def test_a_phone_with_plus_or_spaces_is_refused(api):
    business_error(api.get("customer", params={"phone": "+7 999 000-00-01"}), "INVALID_PHONE")


def test_registration_with_an_sms_code(bp, api):
    phone = "79161234567"
    sent = api.put(f"customer/{phone}/sendCode", headers=dict(bp.headers, **{"Content-Length": "0"}))
    assert (sent.status_code, sent.content) == (204, b"")
    code = bp.last_code(phone)
    business_error(api.put(f"customer/{phone}/checkCode/{'0' if code != '0000' else '1'}000"), "INVALID_CODE")
    assert api.put(f"customer/{phone}/checkCode/{code}").status_code == 204
    business_error(api.put(f"customer/{phone}/checkCode/{code}"), "CODE_NOT_SENT")  # a code is used once
    created = api.post("customer", json={"phone": phone, "fn": "Анна", "card": "555000"})
    assert created.status_code == 200 and created.json()["id"] and created.json()["discountCardNumber"] == "555000"
    assert bp.customer(phone)["phoneConfirmed"] is True
    business_error(api.post("customer", json={"phone": phone}), "CUSTOMER_ALREADY_EXISTS")


def test_an_expired_code_is_its_own_error(bp, api):
    bp.set_program(codeTtlSeconds=60)
    phone = "79161234567"
    api.put(f"customer/{phone}/sendCode")
    code = bp.last_code(phone)
    bp.advance_clock(61)
    body = business_error(api.put(f"customer/{phone}/checkCode/{code}"), "CODE_EXPIRED")
    assert body["msg"] == "Срок действия кода истек"
    api.put(f"customer/{phone}/sendCode")  # a new code works
    assert api.put(f"customer/{phone}/checkCode/{bp.last_code(phone)}").status_code == 204


def test_a_customer_registered_without_a_code_stays_unconfirmed(bp, api):
    assert api.post("customer", json={"phone": "79161234568"}).status_code == 200
    assert bp.customer("79161234568")["phoneConfirmed"] is False


def test_a_card_of_another_customer_cannot_be_bound(api):
    business_error(api.post("customer", json={"phone": "79161234569", "card": CARD}), "CARD_ALREADY_BOUND")
    api.post("customer", json={"phone": "79161234569"})
    business_error(api.patch("customer/79161234569", json={"card": CARD}), "CARD_ALREADY_BOUND")


def test_profile_edit_and_card_binding(bp, api):
    edited = api.patch(f"customer/{PHONE}", json={"ln": "Иванова", "email": "m@example.com", "sex": 2,
                                                   "birthDate": "1990-05-01", "card": "777"})
    assert edited.status_code == 200
    assert edited.json()["person"]["ln"] == "Иванова" and edited.json()["discountCardNumber"] == "777"
    stored = bp.customer(PHONE)
    assert (stored["email"], stored["sex"], stored["birthDate"], stored["person"]["fn"]) == \
        ("m@example.com", 2, "1990-05-01", "Мария")
    assert api.get("customer", params={"ean": "777"}).json()["phone"] == PHONE
