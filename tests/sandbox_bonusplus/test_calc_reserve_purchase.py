"""Programme rules in retail/calc, reserves by order id, purchases once per externalId."""

from .conftest import PHONE, business_error

# The manual's order: 3,000 / 3,120 / 2,040.
LINES = [{"sum": 3000, "qnt": 1, "price": 3000, "product": "FAN-1", "ext": "1"},
         {"sum": 3120, "qnt": 1, "price": 3120, "product": "FAN-2", "ext": "2"},
         {"sum": 2040, "qnt": 1, "price": 2040, "product": "FAN-3", "ext": "3"}]


def calc(api, debit, items=LINES, phone=PHONE):
    answer = api.put("retail/calc", json={"phone": phone, "items": items, "bonusDebit": debit, "store": "Main"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_manuals_100_bonuses_split_to_the_kopeck(api):
    result = calc(api, 100)
    assert [line["db"] for line in result["discount"]] == [36.76, 38.24, 25]
    assert [line["ext"] for line in result["discount"]] == ["1", "2", "3"]


def test_discount_and_accrual_follow_the_programme(bp, api):
    bp.set_program(discountPercent=10, accrualPercent=5)
    line = calc(api, 0, items=[LINES[0]])["discount"][0]
    assert (line["ids"], line["idp"], line["ds"], line["db"], line["cb"], line["cbp"]) == (300, 10, 300, 0, 135, 5)
    # spending bonuses lowers the accrual: 5 % of (2,700 - 100)
    assert calc(api, 100, items=[LINES[0]])["discount"][0]["cb"] == 130


def test_max_debit_is_a_share_of_the_check_and_no_more_than_the_balance(bp, api):
    bp.set_program(maxDebitPercent=10)
    assert calc(api, 0, items=[LINES[0]])["maxDebitBonuses"] == 300
    assert calc(api, 0)["maxDebitBonuses"] == 500  # 10 % of 8,160 is 816, but the customer has 500
    clamped = calc(api, 400, items=[LINES[0]])
    assert sum(line["db"] for line in clamped["discount"]) == 300


def test_debit_multiplicity_rounds_the_maximum_and_the_debit_down(bp, api):
    bp.set_program(maxDebitPercent=10, multiplicity=50)
    result = calc(api, 0, items=[{"sum": 2990, "qnt": 1, "product": "X", "ext": "1"}])  # 10 % = 299
    assert (result["maxDebitBonuses"], result["multiplicityDebitBonus"]) == (250, 50)
    assert calc(api, 120, items=[LINES[0]])["discount"][0]["db"] == 100


def test_product_rules_apply_through_the_imported_group(bp, api):
    assert api.post("product/import", json={"store": "Main", "products": [
        {"id": "G1", "n": "Вентиляторы", "g": True},
        {"id": "FAN-1", "pid": "G1", "n": "Вентилятор настольный", "g": False}]}).status_code == 204
    bp.set_program(accrualPercent=5, products={"G1": {"accrualPercent": 20}})
    lines = calc(api, 0, items=LINES[:2])["discount"]
    assert [line["cbp"] for line in lines] == [20, 5]


def test_a_reserve_under_the_same_id_is_not_doubled_and_release_frees_it(bp, api):
    for _ in range(2):
        answer = api.patch(f"customer/{PHONE}/balance/reserve", json={"id": "ORDER-1", "amount": 150})
        assert (answer.status_code, answer.content) == (204, b"")
    assert bp.snapshot()["reserves"] == [{"phone": PHONE, "id": "ORDER-1", "amount": 150}]
    assert api.get("customer", params={"phone": PHONE}).json()["availableBonuses"] == 350
    # a changed order reserves a new amount under the same id
    api.patch(f"customer/{PHONE}/balance/reserve", json={"id": "ORDER-1", "amount": 120})
    assert bp.customer(PHONE)["reserved"] == 120
    for _ in range(2):  # releasing twice is harmless
        assert api.patch(f"customer/{PHONE}/balance/reserve", json={"id": "ORDER-1", "amount": -120}).status_code \
            == 204
    assert bp.snapshot()["reserves"] == [] and bp.customer(PHONE)["availableBonuses"] == 500


def test_a_reserve_above_the_free_balance_is_refused(api):
    api.patch(f"customer/{PHONE}/balance/reserve", json={"id": "A", "amount": 400})
    business_error(api.patch(f"customer/{PHONE}/balance/reserve", json={"id": "B", "amount": 101}),
                   "NOT_ENOUGH_BONUSES")


def purchase(api, external_id="SALE-1", debit=100, **extra):
    return api.post("retail", json={"phone": PHONE, "items": LINES, "bonusDebit": debit, "externalId": external_id,
                                    "store": "Main", "cashier": 7, **extra})


def test_a_purchase_with_the_same_external_id_counts_once(bp, api):
    first = purchase(api)
    assert first.status_code == 200 and first.json()["id"]
    after = bp.customer(PHONE)
    assert after["bonuses"] == 500 - 100 + 403  # 5 % of 8,060
    business_error(purchase(api), "EXTERNAL_ID_ALREADY_EXISTS")
    assert bp.customer(PHONE)["bonuses"] == after["bonuses"] and len(bp.snapshot()["purchases"]) == 1


def test_in_return_mode_a_repeated_external_id_answers_the_first_purchase(bp, api):
    bp.set_program(duplicateExternalId="return")
    first = purchase(api).json()
    again = purchase(api, debit=200)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert len(bp.snapshot()["purchases"]) == 1 and bp.customer(PHONE)["bonuses"] == 803


def test_a_purchase_consumes_the_reserve_it_names(bp, api):
    api.patch(f"customer/{PHONE}/balance/reserve", json={"id": "ORDER-1", "amount": 500})
    business_error(purchase(api, "SALE-0"), "NOT_ENOUGH_BONUSES")  # everything is reserved for the order
    assert purchase(api, reserveId="ORDER-1").status_code == 200
    assert bp.snapshot()["reserves"] == []


def test_a_purchase_refuses_a_debit_the_rules_do_not_allow(bp, api):
    bp.set_program(maxDebitPercent=1, multiplicity=10)  # at most 81.60 -> 80
    business_error(purchase(api, debit=90), "BONUS_DEBIT_LIMIT_EXCEEDED")
    business_error(purchase(api, debit=75), "BONUS_DEBIT_MULTIPLICITY")
    business_error(purchase(api, debit=600), "NOT_ENOUGH_BONUSES")
    assert bp.snapshot()["purchases"] == [] and bp.customer(PHONE)["bonuses"] == 500


def test_bonus_activities_list_the_movements_newest_first(api):
    purchase(api)
    rows = api.post("retail/bonusActivities", json={"phone": PHONE, "rowCount": 10, "startRow": 1, "sort": -1}) \
        .json()["bonusActivities"]
    assert [(r["transactionName"], r["bonusDebit"], r["bonusCredit"], r["remainAmount"]) for r in rows] == [
        ("Начисление", 0, 403, 803), ("Списание", 100, 0, 400)]


def test_product_import_upserts_and_refuses_an_unknown_group(bp, api):
    nodes = [{"id": "G1", "n": "Группа", "g": True}, {"id": "P1", "pid": "G1", "n": "Товар", "g": False, "a": "A1"}]
    assert api.post("product/import", json={"store": "Main", "products": nodes}).status_code == 204
    assert api.post("product/import", json={"products": [{"id": "P1", "pid": "G1", "n": "Товар 2"}]}).status_code \
        == 204
    business_error(api.post("product/import", json={"products": [{"id": "P2", "pid": "NOPE", "n": "x"}]}),
                   "INVALID_PARAMETERS")
    state = bp.snapshot()
    assert {p["id"]: p["n"] for p in state["products"]} == {"G1": "Группа", "P1": "Товар 2"}
    assert [i["count"] for i in state["imports"]] == [2, 1]
