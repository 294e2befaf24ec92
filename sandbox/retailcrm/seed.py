"""Deterministic account contents: reference books, managers, catalog, customers, orders, history.

``demo`` replays two months of shop life through the same functions the API uses, so the
history feed is exactly what those changes would have produced. ``empty`` keeps only the
account settings (reference books, managers, loyalty program, custom fields).
"""

import datetime
import random

from .domain import catalog, customers, orders
from .state import Actor

SHOP_MODULE_KEY = "demo-shop-module-key"  # the web shop's own key: its writes are never "current" for others
DEMO_START = datetime.datetime(2025, 3, 3, 9, 0, 0)


def _book(entries, **common):
    return {e["code"]: dict(common, **e) for e in entries}


def seed_references(state):
    refs = state.refs
    refs["sites"] = {
        "main-shop": {
            "id": 1, "code": "main-shop", "name": "Основной интернет-магазин", "url": "https://main-shop.example",
            "ymlUrl": "https://main-shop.example/icml/main-shop.xml", "loadFromYml": True, "catalogId": "1",
            "isCatalogMainSite": True, "defaultForCrm": True, "countryIso": "RU", "currency": "RUB",
            "ordering": 10, "contragent": {"contragentType": "legal-entity", "legalName": "ООО «Демо Трейд»",
                                           "INN": "7701234567", "code": "demo-trade", "countryIso": "RU"},
            "description": "", "isDemo": False, "catalogUpdatedAt": "2025-03-01 06:00:00",
            "catalogLoadingAt": "2025-03-01 06:00:00",
        },
        "second-shop": {
            "id": 2, "code": "second-shop", "name": "Второй магазин", "url": "https://second-shop.example",
            "ymlUrl": "https://second-shop.example/icml/second-shop.xml", "loadFromYml": True, "catalogId": "1",
            "isCatalogMainSite": False, "defaultForCrm": False, "countryIso": "RU", "currency": "RUB",
            "ordering": 20, "contragent": {"contragentType": "legal-entity", "legalName": "ООО «Демо Трейд»",
                                           "INN": "7701234567", "code": "demo-trade", "countryIso": "RU"},
            "description": "", "isDemo": False, "catalogUpdatedAt": "2025-03-01 06:00:00",
            "catalogLoadingAt": "2025-03-01 06:00:00",
        },
    }
    groups = [
        ("new", "Новый", 10, True), ("approval", "Согласование", 20, True), ("assembling", "Комплектация", 30, True),
        ("delivery", "Доставка", 40, True), ("complete", "Выполнен", 50, False), ("cancel", "Отменен", 60, False),
    ]
    refs["status-groups"] = {
        code: {"code": code, "name": name, "ordering": ordering, "active": True, "process": process, "statuses": []}
        for code, name, ordering, process in groups
    }
    statuses = [
        ("new", "Новый", "new"),
        ("availability-confirmed", "Наличие подтверждено", "approval"),
        ("offer-analog", "Предложить замену", "approval"),
        ("ready-to-wait", "Готов ждать", "approval"),
        ("waiting-for-arrival", "Ожидается поступление", "approval"),
        ("client-confirmed", "Согласовано с клиентом", "approval"),
        ("prepayed", "Предоплата поступила", "approval"),
        ("send-to-assembling", "Передано в комплектацию", "assembling"),
        ("assembling", "Комплектуется", "assembling"),
        ("assembling-complete", "Укомплектован", "assembling"),
        ("for-shipment", "К отгрузке", "assembling"),
        ("send-to-delivery", "Передан в доставку", "delivery"),
        ("delivering", "Доставляется", "delivery"),
        ("otgruzhen", "Отгружен", "delivery"),
        ("complete", "Выполнен", "complete"),
        ("partially-returned", "Частичный возврат", "complete"),
        ("cancel", "Отменен", "cancel"),
        ("cancel-other", "Отменен по другой причине", "cancel"),
        ("return", "Возврат", "cancel"),
    ]
    refs["statuses"] = {
        code: {"code": code, "name": name, "active": True, "ordering": 10 * (i + 1), "group": group}
        for i, (code, name, group) in enumerate(statuses)
    }
    refs["order-types"] = _book([
        {"code": "eshop-individual", "name": "Физическое лицо", "defaultForCrm": True, "defaultForApi": True,
         "ordering": 10},
        {"code": "eshop-legal", "name": "Юридическое лицо", "defaultForCrm": False, "defaultForApi": False,
         "ordering": 20},
    ], active=True)
    refs["order-methods"] = _book([
        {"code": "shopping-cart", "name": "Оформлен через корзину", "defaultForCrm": False, "defaultForApi": True},
        {"code": "phone", "name": "По телефону", "defaultForCrm": True, "defaultForApi": False},
        {"code": "one-click", "name": "В один клик", "defaultForCrm": False, "defaultForApi": False},
        {"code": "messenger", "name": "Мессенджер", "defaultForCrm": False, "defaultForApi": False},
    ], active=True, isFromPos=False)
    payment_types = ["cash", "bank-card", "e-money"]
    refs["payment-types"] = _book([
        {"code": "cash", "name": "Наличные", "defaultForCrm": True, "defaultForApi": False},
        {"code": "bank-card", "name": "Банковская карта", "defaultForCrm": False, "defaultForApi": True},
        {"code": "e-money", "name": "Электронные деньги", "defaultForCrm": False, "defaultForApi": False},
    ], active=True, description="", deliveryTypes=["courier", "self-delivery", "russian-post"],
        paymentStatuses=["not-paid", "payment-start", "paid", "fiskalizirovan"], sites=["main-shop", "second-shop"])
    refs["payment-statuses"] = _book([
        {"code": "not-paid", "name": "Не оплачен", "defaultForCrm": True, "defaultForApi": True,
         "paymentComplete": False, "ordering": 10},
        {"code": "payment-start", "name": "Платеж проведен", "defaultForCrm": False, "defaultForApi": False,
         "paymentComplete": False, "ordering": 15},
        {"code": "paid", "name": "Оплачен", "defaultForCrm": False, "defaultForApi": False,
         "paymentComplete": True, "ordering": 20},
        # Real accounts have several complete statuses (ReferencesTest.testPaymentStatuses: paid, fiskalizirovan).
        {"code": "fiskalizirovan", "name": "Фискализирован", "defaultForCrm": False, "defaultForApi": False,
         "paymentComplete": True, "ordering": 25},
    ], active=True, paymentTypes=payment_types)  # no "description": real payment statuses have none
    refs["delivery-types"] = _book([
        {"id": 1, "code": "courier", "name": "Доставка курьером", "defaultCost": 300.0, "defaultNetCost": 250.0,
         "defaultForCrm": True},
        {"id": 2, "code": "self-delivery", "name": "Самовывоз", "defaultCost": 0.0, "defaultNetCost": 0.0,
         "defaultForCrm": False},
        {"id": 3, "code": "russian-post", "name": "Почта России", "defaultCost": 350.0, "defaultNetCost": 300.0,
         "defaultForCrm": False},
    ], active=True, description="", currency="RUB", vatRate="none", paymentTypes=payment_types,
        deliveryPaymentTypes=[{"code": c, "cod": c == "cash"} for c in payment_types], deliveryServices=[],
        isDynamicCostCalculation=False, isAutoCostCalculation=False, isAutoNetCostCalculation=False,
        isCostDependsOnRegionAndWeightAndSum=False, isCostDependsOnDateTime=False,
        sites=["main-shop", "second-shop"])
    refs["delivery-services"] = {}
    refs["stores"] = _book([
        {"code": "main", "name": "Основной склад", "externalId": "wh-main", "type": "store-type-warehouse",
         "address": {"countryIso": "RU", "city": "Москва", "text": "Москва, Складская ул., 1"}},
        {"code": "north", "name": "Северный склад", "externalId": "wh-north", "type": "store-type-warehouse",
         "address": {"countryIso": "RU", "city": "Санкт-Петербург", "text": "Санкт-Петербург, Северная ул., 5"}},
        {"code": "shop-floor", "name": "Торговый зал", "externalId": "wh-shop", "type": "store-type-retail",
         "address": {"countryIso": "RU", "city": "Москва", "text": "Москва, ул. Ленина, 10"}},
    ], active=True, inventoryType="integer", description="",
        workTime={day: [] for day in ("mo", "tu", "we", "th", "fr", "sa", "su")})
    refs["price-types"] = _book([
        {"id": 1, "code": "base", "name": "Базовый", "default": True, "ordering": 10},
        {"id": 2, "code": "wholesale", "name": "Оптовый", "default": False, "ordering": 20},
        {"id": 3, "code": "promo", "name": "Акционный", "default": False, "ordering": 30},
    ], active=True, currency="RUB", description="", geo=[], groups=[], filterExpression="")
    refs["product-statuses"] = _book([
        {"code": "new", "name": "Новый", "ordering": 10, "cancelStatus": False},
        {"code": "in-reserve", "name": "В резерве", "ordering": 20, "cancelStatus": False},
        {"code": "shipped", "name": "Отгружен", "ordering": 30, "cancelStatus": False},
        # Every line returned: the order is a return (the CRM's item-status rule).
        {"code": "returned", "name": "Возврат", "ordering": 40, "cancelStatus": True,
         "orderStatusByProductStatus": "return", "orderStatusForProductStatus": "return"},
        {"code": "chastichnyi-vozvrat", "name": "Частичный возврат", "ordering": 50, "cancelStatus": False},
        {"code": "canceled", "name": "Отменен", "ordering": 60, "cancelStatus": True},
    ], active=True, createdAt="2024-01-15 10:00:00")
    refs["units"] = _book([
        {"code": "pc", "name": "Штука", "sym": "шт.", "default": True},
        {"code": "kg", "name": "Килограмм", "sym": "кг", "default": False},
        {"code": "l", "name": "Литр", "sym": "л", "default": False},
        {"code": "pack", "name": "Упаковка", "sym": "уп.", "default": False},
    ], active=True)


MANAGERS = [
    (11, "Анна", "Смирнова", "anna.smirnova@example.com"),
    (12, "Борис", "Иванов", "boris.ivanov@example.com"),
    (13, "Вера", "Кузнецова", "vera.kuznetsova@example.com"),
    (14, "Глеб", "Соколов", "gleb.sokolov@example.com"),
]


def seed_users(state):
    for user_id, first, last, email in MANAGERS:
        state.users[user_id] = {
            "id": user_id, "createdAt": "2024-01-15 10:00:00", "active": True, "email": email,
            "firstName": first, "lastName": last, "status": "free", "online": False, "isAdmin": user_id == 11,
            "isManager": True, "position": "Менеджер", "mgUserId": 300 + user_id,
            "senderEmail": email, "senderName": f"{first} {last}",
            "groups": [{"id": 1, "name": "Менеджеры", "code": "manager", "isManager": True,
                        "isPosManager": False, "isDeliveryMen": False}],
        }


def seed_settings(state):
    state.loyalties[1] = {
        "id": 1, "name": "Бонусный клуб", "active": True, "blocked": False, "currency": "RUB",
        "confirmSmsCharge": False, "confirmSmsRegistration": False, "sites": ["main-shop"],
        "createdAt": "2024-02-01 12:00:00", "activatedAt": "2024-02-01 12:00:00",
        "levels": [
            {"id": level, "name": name, "type": "bonus_percent", "sum": total, "privilegeSize": percent,
             "privilegeSizePromo": percent}
            for level, name, total, percent in (
                (1, "Базовый", 0.0, 3.0), (2, "Серебряный", 10000.0, 5.0), (3, "Золотой", 50000.0, 7.0),
            )
        ],
    }
    for entity, code, name, kind in (
        ("order", "gift_wrap", "Подарочная упаковка", "boolean"),
        ("order", "courier_note", "Комментарий для курьера", "string"),
        ("customer", "preferred_contact", "Предпочтительный способ связи", "string"),
    ):
        state.custom_fields[(entity, code)] = {
            "entity": entity, "code": code, "name": name, "type": kind, "required": False, "inFilter": True,
            "inList": True, "inGroupActions": False, "ordering": 50, "viewMode": "editable",
            "displayArea": "customer" if entity == "customer" else "main_data",
        }


# ----- demo data ---------------------------------------------------------------------------

FOOD = ["Dairy", "Bakery", "Sweets"]
CLOTHES = ["T-shirts", "Shoes"]
SIZES = ["S", "M", "L"]
FIRST_NAMES = ["Иван", "Мария", "Алексей", "Ольга", "Дмитрий", "Елена", "Сергей", "Наталья", "Павел", "Татьяна"]
LAST_NAMES = [
    "Петров", "Сидорова", "Орлов", "Волкова", "Морозов", "Лебедева", "Новиков", "Козлова", "Фёдоров", "Егорова",
]
STREETS = ["Тверская", "Арбат", "Лесная", "Садовая", "Мира", "Гагарина"]

# Final status -> the managers' path to it from "new".
PATHS = {
    "new": [],
    "availability-confirmed": ["availability-confirmed"],
    "client-confirmed": ["availability-confirmed", "client-confirmed"],
    "assembling": ["client-confirmed", "send-to-assembling", "assembling"],
    "for-shipment": ["client-confirmed", "assembling", "assembling-complete", "for-shipment"],
    "delivering": ["client-confirmed", "assembling", "for-shipment", "send-to-delivery", "delivering"],
    "complete": ["client-confirmed", "assembling", "for-shipment", "send-to-delivery", "complete"],
    "cancel-other": ["cancel-other"],
    "return": ["client-confirmed", "assembling", "for-shipment", "complete", "return"],
    "partially-returned": ["client-confirmed", "assembling", "for-shipment", "complete", "partially-returned"],
}
FINAL_WEIGHTS = {
    "new": 14, "availability-confirmed": 6, "client-confirmed": 8, "assembling": 8, "for-shipment": 8,
    "delivering": 8, "complete": 32, "cancel-other": 8, "return": 4, "partially-returned": 4,
}


def _demo_offers(state, rng):
    """60 offers shaped like the product's demo catalog: DEMO-0001.. (clothes sizes as DEMO-00NN#S)."""
    number = 0
    for group in FOOD:
        for _ in range(8):
            number += 1
            _offer(state, rng, number, group, None)
    for group in CLOTHES:
        for _ in range(6):
            number += 1
            for size in SIZES:
                _offer(state, rng, number, group, size)


def _offer(state, rng, number, group, size):
    code = f"DEMO-{number:04d}"
    external_id = f"{code}#{size}" if size else code
    base = float(rng.randint(50, 5000))
    page = f"https://main-shop.example/catalog/{code.lower()}/"
    offer = catalog.add_offer(state, {
        "externalId": external_id, "xmlId": external_id, "productExternalId": code,
        "name": f"{group} item {number}" + (f" ({size})" if size else ""), "productName": f"{group} item {number}",
        "article": f"ART-{number:04d}", "site": "main-shop", "vatRate": "20",
        "prices": {"base": base, "wholesale": round(base * 0.85, 2), "promo": round(base * 0.9, 2)},
        "purchasePrice": round(base * 0.6, 2), "barcode": f"46{number:011d}",
        "stores": {code_: {"quantity": rng.randint(0, 40), "purchasePrice": round(base * 0.6, 2)}
                   for code_ in ("main", "north", "shop-floor")},
        "manufacturer": "Демо", "url": page, "weight": 250.0,
    })
    offer["images"] = [f"{page}photo.jpg"]
    state.products[offer["productId"]].update(imageUrl=f"{page}photo.jpg", description=f"{group}: демо-товар")


class _Clock:
    """Synthetic time for the replayed history."""

    def __init__(self):
        self.now = DEMO_START

    def __call__(self):
        return self.now.strftime("%Y-%m-%d %H:%M:%S")


def _demo_customers(state, rng, clock):
    shop = Actor("api", SHOP_MODULE_KEY, None)
    for index in range(50):
        clock.now = DEMO_START - datetime.timedelta(days=30) + datetime.timedelta(hours=13 * index)
        site = "second-shop" if index % 5 == 4 else "main-shop"
        first, last = FIRST_NAMES[index % 10], LAST_NAMES[(index * 3 + index // 10) % 10]
        data = {
            "firstName": first, "lastName": last,
            "email": f"customer{index + 1:03d}@example.net",
            "phones": [{"number": "+7 9{} {}-{}-{}".format(
                rng.randint(10, 99), rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99))}],
            "address": {"countryIso": "RU", "city": "Москва", "street": rng.choice(STREETS),
                        "building": str(rng.randint(1, 80)), "flat": str(rng.randint(1, 200))},
        }
        if index % 5 != 3:
            data["externalId"] = f"C-{index + 1:04d}"
        actor = shop if index % 3 else Actor("user", None, MANAGERS[index % 4][0])
        customers.create(state, data, site, actor)


def _delivery_address(customer, number):
    """By parts, like real accounts; only some orders also carry the text (no rng: the demo data stays put)."""
    address = {k: v for k, v in (customer.get("address") or {}).items()}
    address.setdefault("index", f"1{number % 100000:05d}")
    address.setdefault("region", "г. Москва")
    if number % 3 == 0:
        address["text"] = ", ".join(str(address[k]) for k in ("index", "city", "street", "building", "flat")
                                    if address.get(k))
    return address


def _order_input(state, rng, customer, offers, from_shop, number):
    delivery_code = rng.choice(["courier", "courier", "self-delivery", "russian-post"])
    delivery = {"code": delivery_code, "cost": state.refs["delivery-types"][delivery_code]["defaultCost"]}
    if delivery_code != "self-delivery":
        delivery["address"] = _delivery_address(customer, number)
    lines = rng.sample(offers, rng.randint(1, 4))
    data = {
        "orderMethod": "shopping-cart" if from_shop else "phone",
        "customer": {"id": customer["id"]},
        "firstName": customer.get("firstName"), "lastName": customer.get("lastName"),
        "email": customer.get("email"), "phone": customer["phones"][0]["number"] if customer.get("phones") else None,
        "delivery": delivery,
        "shipmentStore": "main" if rng.random() < 0.8 else "north",
        "items": [
            {"offer": {"externalId": o["externalId"]}, "quantity": rng.randint(1, 3),
             "discountManualPercent": rng.choice([0, 0, 0, 5, 10])}
            for o in lines
        ],
        "customFields": {"gift_wrap": True} if rng.random() < 0.1 else {},
    }
    if from_shop:
        prefix = "MS" if customer["site"] == "main-shop" else "SS"
        data["externalId"] = f"{prefix}-{10000 + number}"
    if rng.random() < 0.4:
        data["payments"] = [{"type": rng.choice(["bank-card", "e-money", "cash"]), "status": "not-paid"}]
    return {k: v for k, v in data.items() if v is not None}


def _demo_orders(state, rng, clock):
    offers = [o for o in state.offers.values() if o["site"] == "main-shop"]
    people = list(state.customers.values())
    shop = Actor("api", SHOP_MODULE_KEY, None)
    finals = list(FINAL_WEIGHTS)
    weights = [FINAL_WEIGHTS[f] for f in finals]
    events = []  # (time, sequence, order number, step) replayed in time order
    plans = {}
    for number in range(1, 201):
        created = DEMO_START + datetime.timedelta(hours=6 * number, minutes=rng.randint(0, 300))
        from_shop = rng.random() < 0.7
        customer = rng.choice(people)
        manager = rng.choice(MANAGERS)[0]
        final = rng.choices(finals, weights)[0]
        plans[number] = {
            "input": _order_input(state, rng, customer, offers, from_shop, number), "site": customer["site"],
            "actor": shop if from_shop else Actor("user", None, manager), "manager": manager,
        }
        events.append((created, len(events), number, ("create", None)))
        at = created
        for status in PATHS[final]:
            at += datetime.timedelta(hours=rng.randint(2, 30), minutes=rng.randint(0, 59))
            events.append((at, len(events), number, ("status", status)))
    ids = {}
    for at, _, number, (kind, status) in sorted(events):
        clock.now = at
        plan = plans[number]
        if kind == "create":
            data = dict(plan["input"])
            if plan["actor"].source == "user":
                data["managerId"] = plan["manager"]
            ids[number] = orders.create(state, data, plan["site"], plan["actor"])["id"]
            continue
        order = state.orders[ids[number]]
        _status_change(state, order, status, Actor("user", None, plan["manager"]))


def _status_change(state, order, status, actor):
    patch = {"status": status}
    if not order.get("managerId"):
        patch["managerId"] = actor.user_id
    if status == "complete":
        # The shop is paid on completion: mark the payment paid or add one.
        paid_at = state.clock()
        if order["payments"]:
            patch["payments"] = [{"id": p["id"], "status": "paid", "paidAt": paid_at} for p in order["payments"]]
        else:
            patch["payments"] = [{"type": "cash", "status": "paid", "paidAt": paid_at}]
        patch["items"] = [{"id": it["id"], "status": "shipped"} for it in order["items"]]
        patch["shipped"] = True
    elif status == "return":
        patch["items"] = [{"id": it["id"], "status": "returned"} for it in order["items"]]
    elif status == "partially-returned":
        items = order["items"]
        patch["items"] = [{"id": it["id"], "status": "chastichnyi-vozvrat" if i == 0 else "shipped"}
                          for i, it in enumerate(items)]
    elif status == "cancel-other":
        patch["items"] = [{"id": it["id"], "status": "canceled"} for it in order["items"]]
    orders.edit(state, order, patch, actor)


def _demo_loyalty(state, rng):
    members = [c for c in state.customers.values() if c["site"] == "main-shop"][:10]
    for index, customer in enumerate(members):
        account_id = state.next_id("loyalty_account")
        spent = float(rng.randint(0, 60000))
        level = 3 if spent >= 50000 else 2 if spent >= 10000 else 1
        state.loyalty_accounts[account_id] = {
            "id": account_id, "loyaltyId": 1, "customerId": customer["id"],
            "phoneNumber": customer["phones"][0]["number"], "cardNumber": f"BC{100000 + index}",
            "status": "activated", "amount": float(rng.randint(0, 1500)), "ordersSum": spent, "levelId": level,
            "createdAt": "2025-02-01 12:00:00", "activatedAt": "2025-02-01 12:05:00", "customFields": {},
        }


def apply_seed(state, seed):
    if seed not in ("demo", "empty"):
        raise ValueError(f"unknown seed {seed!r} (use demo or empty)")
    seed_references(state)
    seed_users(state)
    seed_settings(state)
    if seed == "empty":
        return
    rng = random.Random(42)
    clock = _Clock()
    state.clock = clock
    try:
        _demo_offers(state, rng)
        _demo_customers(state, rng, clock)
        _demo_orders(state, rng, clock)
        _demo_loyalty(state, rng)
    finally:
        del state.clock  # back to the class-level wall clock
