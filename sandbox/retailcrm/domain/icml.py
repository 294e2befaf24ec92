"""Loading an ICML catalog into a shop, as RetailCRM does when it downloads the shop's feed.

Streaming parse (``iterparse``, each offer cleared once read), so a large feed needs little
memory. Offers are matched by ``offer@id`` (the CRM's offer externalId) within the shop:
known ones are updated, new ones created, and the shop's offers missing from the feed are
deactivated. ``offer@quantity`` becomes the offer's stock until stock is uploaded per store.
"""

import re
import xml.etree.ElementTree as ET

from . import catalog

_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")

TEXT_FIELDS = ("name", "productName", "xmlId", "vendor", "vatRate", "url", "dimensions", "description")


def document_bytes(text):
    """An ICML document that arrived as text (the operator's {"xml": ...}) as bytes the parser reads right.

    The text is already decoded, so a declared legacy encoding (windows-1251 feeds are common) no longer
    describes it: the declaration is rewritten to UTF-8 and the text encoded as such."""
    return _DECLARED_ENCODING.sub(lambda m: f"{m.group(1)}{m.group(2)}UTF-8{m.group(2)}", text, count=1).encode("utf-8")


def parse(stream):
    """Yields ("category", dict) and ("offer", dict) from an ICML byte stream; ValueError when not well-formed."""
    try:
        for _, element in ET.iterparse(stream, events=("end",)):
            if element.tag == "category":
                name = element.findtext("name") or (element.text or "").strip()
                yield "category", {"id": element.get("id"), "parentId": element.get("parentId"), "name": name.strip(),
                                   "picture": (element.findtext("picture") or "").strip() or None}
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
    data["params"] = [{"code": p.get("code") or p.get("name"), "name": p.get("name") or p.get("code"),
                       "value": (p.text or "").strip()} for p in element.findall("param")]
    data["pictures"] = [p.text.strip() for p in element.findall("picture") if p.text and p.text.strip()]
    data["barcodes"] = [b.text.strip() for b in element.findall("barcode") if b.text and b.text.strip()]
    data["markable"] = (element.findtext("markable") or "N").strip().upper() == "Y"
    unit = element.find("unit")
    if unit is not None:
        data["unit"] = {"code": unit.get("code"), "name": unit.get("name"), "sym": unit.get("sym")}
    # productActivity switches the whole product off; activity (Bitrix) only this offer.
    data["productActive"] = (element.findtext("productActivity") or "Y").strip().upper() != "N"
    data["active"] = data["productActive"] and (element.findtext("activity") or "Y").strip().upper() != "N"
    return data


def _article(data):
    return next((p["value"] for p in data["params"] if p["code"] == "article"), None)


def _offer_extras(data):
    """What the CRM keeps of an offer beyond the basics: every param, picture and barcode, the dimensions."""
    return {
        "params": data["params"], "images": data["pictures"], "barcodes": data["barcodes"],
        "barcode": data["barcodes"][0] if data["barcodes"] else None, "dimensions": data.get("dimensions"),
        # Offers of one product may name different vendors and pages; the product keeps the last one given.
        "vendor": data.get("vendor"), "url": data.get("url"),
    }


def _product_extras(data):
    return {"markable": data["markable"], "imageUrl": data["pictures"][0] if data["pictures"] else None,
            "description": data.get("description"), "active": data["productActive"]}


def load(state, stream, site):
    """Apply the feed to ``site``'s catalog; returns counts and per-offer errors (bad offers are skipped)."""
    counts = {"categories": 0, "offers": 0, "created": 0, "updated": 0, "deactivated": 0}
    errors, seen = [], set()
    groups = {}  # product id -> its offers' categoryIds, in feed order: a product is in every group of its offers
    for kind, data in parse(stream):
        if kind == "category":
            counts["categories"] += 1
            state.icml_categories.setdefault(site, {})[data["id"]] = data
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
            offer = _create(state, data, site)
            counts["created"] += 1
        else:
            offer = state.offers[existing]
            _update(state, offer, data)
            counts["updated"] += 1
        offer["categories"] = data["categories"]
        wanted = groups.setdefault(offer["productId"], [])
        wanted += [c for c in data["categories"] if c not in wanted]
    for product_id, codes in groups.items():
        state.products[product_id]["groups"] = [{"externalId": c} for c in codes]
    for offer in state.offers.values():
        if offer["site"] == site and offer["externalId"] not in seen and offer["active"]:
            offer["active"] = False
            counts["deactivated"] += 1
    return counts, errors


def _create(state, data, site):
    offer = catalog.add_offer(state, {
        "site": site, "externalId": data["externalId"], "productExternalId": data["productExternalId"],
        "name": data.get("name") or data.get("productName"), "productName": data.get("productName") or data.get("name"),
        "xmlId": data.get("xmlId"), "article": _article(data), "manufacturer": data.get("vendor"),
        "url": data.get("url"), "active": data["active"],
        "groups": [{"externalId": c} for c in data["categories"]],
        **({"price": data["price"]} if "price" in data else {}),
        **{k: data[k] for k in ("purchasePrice", "vatRate", "unit", "weight") if k in data},
    })
    offer.update(_offer_extras(data))
    product = state.products[offer["productId"]]
    product.update(_product_extras(data))
    for key, tag in (("manufacturer", "vendor"), ("url", "url")):
        product[key] = data.get(tag) or product.get(key)
    _apply_stock_and_type(state, offer, data)
    return offer


def _update(state, offer, data):
    old_xml_id = offer.get("xmlId")
    offer.update({
        "name": data.get("name") or data.get("productName") or offer["name"], "xmlId": data.get("xmlId"),
        "article": _article(data), "active": data["active"],
        **{k: data[k] for k in ("purchasePrice", "vatRate", "unit", "weight") if k in data},
        **_offer_extras(data),
    })
    if "price" in data:
        offer["prices"][catalog.default_price_type(state)] = data["price"]
    if old_xml_id != offer.get("xmlId"):
        state.offer_keys.pop((offer["site"], "xmlId", old_xml_id), None)
        state.index_offer(offer)
    product = state.products[offer["productId"]]
    product.update({"name": data.get("productName") or product["name"],
                    "manufacturer": data.get("vendor") or product.get("manufacturer"),
                    "url": data.get("url") or product.get("url"),
                    "groups": [{"externalId": c} for c in data["categories"]], **_product_extras(data)})
    _apply_stock_and_type(state, offer, data)


def _apply_stock_and_type(state, offer, data):
    if data.get("quantity") not in (None, ""):
        offer["stores"] = {}
        offer["quantity"] = float(data["quantity"])
    product = state.products[offer["productId"]]
    product["type"] = "service" if data["type"] == "service" else "product"
