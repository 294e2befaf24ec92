"""Loading an ICML catalog into a shop, as RetailCRM does when it downloads the shop's feed.

Streaming parse (``iterparse``, each offer cleared once read), so a large feed needs little
memory. Offers are matched by ``offer@id`` (the CRM's offer externalId) within the shop:
known ones are updated, new ones created, and the shop's offers missing from the feed are
deactivated. ``offer@quantity`` becomes the offer's stock until stock is uploaded per store.
"""

import xml.etree.ElementTree as ET

from . import catalog

TEXT_FIELDS = ("name", "productName", "xmlId", "vendor", "vatRate", "barcode", "url", "picture", "dimensions")


def parse(stream):
    """Yields ("category", dict) and ("offer", dict) from an ICML byte stream; ValueError when not well-formed."""
    try:
        for _, element in ET.iterparse(stream, events=("end",)):
            if element.tag == "category":
                name = element.findtext("name") or (element.text or "").strip()
                yield "category", {"id": element.get("id"), "parentId": element.get("parentId"), "name": name}
            elif element.tag == "offer":
                yield "offer", _offer(element)
                element.clear()
    except ET.ParseError as exc:
        raise ValueError(f"the ICML is not well-formed XML: {exc}") from None


def _offer(element):
    data = {"externalId": element.get("id"), "productExternalId": element.get("productId"),
            "type": element.get("type") or "product", "quantity": element.get("quantity")}
    for name in TEXT_FIELDS:
        value = element.findtext(name)
        if value is not None:
            data[name] = value.strip()
    for name in ("price", "purchasePrice", "weight"):
        value = element.findtext(name)
        if value not in (None, ""):
            data[name] = float(value)
    data["categories"] = [c.text.strip() for c in element.findall("categoryId") if c.text]
    data["params"] = {p.get("code") or p.get("name"): (p.text or "").strip() for p in element.findall("param")}
    unit = element.find("unit")
    if unit is not None:
        data["unit"] = {"code": unit.get("code"), "name": unit.get("name"), "sym": unit.get("sym")}
    data["active"] = (element.findtext("productActivity") or "Y").strip().upper() != "N"
    return data


def load(state, stream, site):
    """Apply the feed to ``site``'s catalog; returns counts and per-offer errors (bad offers are skipped)."""
    counts = {"categories": 0, "offers": 0, "created": 0, "updated": 0, "deactivated": 0}
    errors, seen = [], set()
    for kind, data in parse(stream):
        if kind == "category":
            counts["categories"] += 1
            continue
        position = counts["offers"] + len(errors) + 1
        if not data["externalId"] or not data["productExternalId"]:
            errors.append(f"offer #{position}: id and productId are required")
            continue
        if not data.get("name") and not data.get("productName"):
            errors.append(f"offer {data['externalId']}: name is required")
            continue
        counts["offers"] += 1
        seen.add(data["externalId"])
        existing = state.offer_keys.get((site, "externalId", data["externalId"]))
        if existing is None:
            _create(state, data, site)
            counts["created"] += 1
        else:
            _update(state, state.offers[existing], data)
            counts["updated"] += 1
    for offer in state.offers.values():
        if offer["site"] == site and offer["externalId"] not in seen and offer["active"]:
            offer["active"] = False
            counts["deactivated"] += 1
    return counts, errors


def _create(state, data, site):
    offer = catalog.add_offer(state, {
        "site": site, "externalId": data["externalId"], "productExternalId": data["productExternalId"],
        "name": data.get("name") or data.get("productName"), "productName": data.get("productName") or data.get("name"),
        "xmlId": data.get("xmlId"), "article": data["params"].get("article"), "manufacturer": data.get("vendor"),
        "url": data.get("url"), "active": data["active"],
        "groups": [{"externalId": c} for c in data["categories"]],
        **({"price": data["price"]} if "price" in data else {}),
        **{k: data[k] for k in ("purchasePrice", "vatRate", "unit", "barcode", "weight") if k in data},
    })
    _apply_stock_and_type(state, offer, data)


def _update(state, offer, data):
    old_xml_id = offer.get("xmlId")
    offer.update({
        "name": data.get("name") or data.get("productName") or offer["name"], "xmlId": data.get("xmlId"),
        "article": data["params"].get("article"), "active": data["active"],
        **{k: data[k] for k in ("purchasePrice", "vatRate", "unit", "barcode", "weight") if k in data},
    })
    if "price" in data:
        offer["prices"][catalog.default_price_type(state)] = data["price"]
    if old_xml_id != offer.get("xmlId"):
        state.offer_keys.pop((offer["site"], "xmlId", old_xml_id), None)
        state.index_offer(offer)
    product = state.products[offer["productId"]]
    product.update({"name": data.get("productName") or product["name"], "manufacturer": data.get("vendor"),
                    "active": data["active"], "groups": [{"externalId": c} for c in data["categories"]]})
    _apply_stock_and_type(state, offer, data)


def _apply_stock_and_type(state, offer, data):
    if data.get("quantity") not in (None, ""):
        offer["stores"] = {}
        offer["quantity"] = float(data["quantity"])
    product = state.products[offer["productId"]]
    product["type"] = "service" if data["type"] == "service" else "product"
