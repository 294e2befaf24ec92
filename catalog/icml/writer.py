"""ICML (RetailCRM's YML) written incrementally with lxml's ``xmlfile``: one offer in memory at a time.

Element names and order follow the documented ICML example (reference §11). Each offer is
built as a small element and serialized at once; the document as a whole never exists in
memory. ``build_offer`` is shared with the in-memory baseline of bench/icml.py, so both
produce the same bytes.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from lxml import etree

from catalog.icml.source import Category, Offer, clean, plain_number

SubElement = etree.SubElement


@dataclass
class WriteCounts:
    offers: int = 0
    products: int = 0
    services: int = 0
    categories: int = 0
    without_price: int = 0
    _last_product: str = field(default="", repr=False)

    def add(self, offer: Offer) -> None:
        self.offers += 1
        if offer.product_id != self._last_product:  # offers of one product are consecutive
            self._last_product = offer.product_id
            self.products += 1
            self.services += offer.service
        self.without_price += offer.price is None


def category_element(category: Category):
    attrib = {"id": str(category.id)}
    if category.parent_id is not None:
        attrib["parentId"] = str(category.parent_id)
    element = etree.Element("category", attrib)
    element.text = category.name
    return element


def build_offer(offer: Offer, article_label: str):
    attrib = {"id": offer.id, "productId": offer.product_id}
    if offer.quantity is not None:
        attrib["quantity"] = plain_number(offer.quantity)
    if offer.service:
        attrib["type"] = "service"
    element = etree.Element("offer", attrib)
    if offer.price is not None:
        SubElement(element, "price").text = str(offer.price)
    if offer.purchase_price is not None:
        SubElement(element, "purchasePrice").text = str(offer.purchase_price)
    if offer.category_id is not None:
        SubElement(element, "categoryId").text = str(offer.category_id)
    if offer.picture:
        SubElement(element, "picture").text = offer.picture
    SubElement(element, "name").text = offer.name
    if offer.xml_id:
        SubElement(element, "xmlId").text = offer.xml_id
    SubElement(element, "productName").text = offer.product_name
    if offer.article:
        SubElement(element, "param", name=article_label, code="article").text = offer.article
    if offer.vendor:
        SubElement(element, "vendor").text = offer.vendor
    if offer.unit is not None:
        SubElement(element, "unit", code=offer.unit.code, name=offer.unit.name, sym=offer.unit.sym)
    if offer.vat_rate:
        SubElement(element, "vatRate").text = offer.vat_rate
    if offer.dimensions:
        SubElement(element, "dimensions").text = offer.dimensions
    if offer.weight:
        SubElement(element, "weight").text = offer.weight
    if offer.barcode:
        SubElement(element, "barcode").text = offer.barcode
    SubElement(element, "productActivity").text = "Y" if offer.active else "N"
    return element


def write_icml(stream, *, shop_name: str, company: str, categories: Iterable[Category], offers: Iterable[Offer],
               generated: datetime) -> WriteCounts:
    """Write the whole document to the binary ``stream``; returns what was written."""
    counts = WriteCounts()
    article_label = _("Article")
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("yml_catalog", date=generated.strftime("%Y-%m-%d %H:%M:%S")):
            xf.write("\n")
            with xf.element("shop"):
                xf.write("\n")
                _text_element(xf, "name", clean(shop_name or company or _("Catalog")))
                _text_element(xf, "company", clean(company))
                with xf.element("categories"):
                    xf.write("\n")
                    for category in categories:
                        xf.write(category_element(category), "\n")
                        counts.categories += 1
                xf.write("\n")
                with xf.element("offers"):
                    xf.write("\n")
                    for offer in offers:
                        xf.write(build_offer(offer, article_label), "\n")
                        counts.add(offer)
                xf.write("\n")
            xf.write("\n")
    return counts


def _text_element(xf, tag: str, text: str) -> None:
    element = etree.Element(tag)
    element.text = text
    xf.write(element, "\n")
