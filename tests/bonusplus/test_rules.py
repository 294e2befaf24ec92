"""Pure rules: the kopeck split of 004 §8, the phone format, the ApiKey header."""

import base64
from decimal import Decimal as D

import pytest

from loyalty.bonusplus.phones import normalise
from loyalty.bonusplus.split import spread
from loyalty.bonusplus.transport import auth_header


def test_the_manuals_example_to_the_kopeck():
    shares = spread(D("100"), [D("3000.00"), D("3120.00"), D("2040.00")])
    assert shares == [D("36.76"), D("38.24"), D("25.00")]
    assert sum(shares) == D("100.00")
    assert sum(D(x) for x in ("3000", "3120", "2040")) - sum(shares) == D("8060.00")


@pytest.mark.parametrize("total,weights", [
    (D("0.05"), [D("1"), D("1"), D("1")]),
    (D("99.99"), [D("0.01"), D("5000"), D("33.33"), D("1234.56")]),
    (D("10"), [D("3.33"), D("3.33"), D("3.34")]),
])
def test_shares_always_add_up_and_never_exceed_a_line(total, weights):
    shares = spread(total, weights)
    assert sum(shares) == total
    assert all(share <= weight for share, weight in zip(shares, weights))
    assert all(share == share.quantize(D("0.01")) for share in shares)


def test_nothing_to_spread():
    assert spread(D("0"), [D("10"), D("20")]) == [D("0.00"), D("0.00")]
    assert spread(D("5"), []) == []


@pytest.mark.parametrize("raw", ["79991234567", "89991234567", "+7 999 123-45-67", "9991234567", "8 (999) 123 45 67"])
def test_phone_forms_normalise_to_79(raw):
    assert normalise(raw) == "79991234567"


@pytest.mark.parametrize("raw", ["", "12345", "799912345678", "+1 999 123 4567", "7999abc4567",
                                 "+7 999 123 45 6", "phone", "+44 7911 123456"])
def test_wrong_phone_formats_are_refused(raw):
    assert normalise(raw) is None


def test_api_key_goes_base64_encoded():
    key = "0f8fad5b-d9cb-469f-a165-70867728950e"
    encoded = base64.b64encode(key.encode()).decode()
    assert auth_header(key) == f"ApiKey {encoded}"
    assert auth_header(encoded) == f"ApiKey {encoded}"  # pasted already encoded: not encoded twice
