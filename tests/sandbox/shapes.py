"""Structural comparison of a sandbox answer with an answer recorded from a real RetailCRM account.

Only the structure is compared, never the values: object keys, list vs object, JSON value
types and nested shapes. The recorded answer is one sample of what the API sends, so:

* a key the record has in EVERY sampled object at a place (every order of a list, every
  entry of a reference book...) must be in the sandbox's object too, unless it is in
  ``OPTIONAL_KEYS``; a key the record has in only some of its objects is optional by evidence;
* keys the sandbox sends and the record does not are not differences (the API omits unset
  fields, and one account's record does not show them all), but their types are checked
  wherever the record does show them;
* ``null`` in the record says nothing about the type; ``null`` in the sandbox is an omitted value;
* PHP encodes an empty associative array as ``[]``: an empty list and an object are compatible;
* objects keyed by data (reference books by code, payments by id, item properties by code) are
  compared value by value against all the record's values; ``customFields`` are free-form;
* history entries are compared with the recorded entries of the same kind (same ``field``,
  creation or deletion), since ``oldValue``/``newValue`` change type with the field.

``differences(recorded, actual)`` returns ``["path: what differs", ...]``; ``[]`` means same shape.
"""

import os
from pathlib import Path

NUMBER = "number"


def realworld_dir():
    """../shared/realworld of the checkout (or of /work), or $REALWORLD_DIR: the recorded third-party material."""
    if os.environ.get("REALWORLD_DIR"):
        return Path(os.environ["REALWORLD_DIR"])
    here = Path(__file__).resolve()
    for parent in list(here.parents) + [Path("/work")]:
        candidate = parent / "shared" / "realworld"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/realworld not found next to the checkout; set REALWORLD_DIR")

# Keys whose values are keyed by the account's own codes (custom fields, catalog properties) and hold values of
# any type: only "object (or PHP's empty [])" is checked there.
FREE_FORM = {"customFields", "properties"}

# Keys the record shows in every sample that RetailCRM legitimately leaves out for other entities (the API omits
# unset values). Keep this list short: any other missing key is a difference. "a.b" means key b under a; "a.*"
# means every key under a.
OPTIONAL_KEYS = {
    # Personal and order data the entity simply may not have: no name, e-mail, patronymic or sex given, no manager
    # assigned yet, no shipment store chosen (a shop without a default store), not shipped or paid yet, no size or
    # weight entered, self-delivery or a customer without an address, no loyalty card.
    "firstName", "lastName", "email", "patronymic", "sex", "presumableSex", "managerId", "shipmentStore",
    "shipmentDate", "fullPaidAt", "paidAt", "address",
    "weight", "length", "width", "height", "delivery.address", "cardNumber", "activatedAt",
    "managerComment", "customerComment", "statusComment", "externalId", "markDatetime",
    # Address parts are independent values: a CRM address holds only those that were entered.
    "address.*", "mainAddress", "mainCustomerContact", "contragent.certificateDate",
    # Who made a history change: apiKey for API changes, user for a manager's (the record shows only some).
    "apiKey", "user",
    # Not emulated: customer segments, marketing subscriptions, the messenger (MG) links, delivery integrations.
    "segments", "customerSubscriptions", "emailMarketingUnsubscribedAt", "mgCustomers", "delivery.service",
    "delivery.integrationCode", "delivery.data",
}


def kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return NUMBER
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


class Shape:
    """What the recorded samples at one place look like (merged over every sample)."""

    def __init__(self):
        self.kinds = set()
        self.samples = 0          # objects merged
        self.keys = {}            # key -> Shape
        self.counts = {}          # key -> number of objects that had it
        self.items = None         # Shape of list elements
        self.groups = None        # history kind -> Shape of list elements of that kind
        self.values = None        # Shape of the values of a data-keyed object
        self.empty_lists = 0

    def add(self, value, key=None):
        k = kind(value)
        if k == "null":
            return self
        self.kinds.add(k)
        if k == "list":
            if not value:
                self.empty_lists += 1
            for element in value:
                self.items = (self.items or Shape()).add(element)
                group = history_kind(element)
                if group is not None:
                    self.groups = self.groups or {}
                    self.groups[group] = self.groups.get(group, Shape()).add(element)
        elif k == "object":
            if key in FREE_FORM:
                return self
            if is_keyed_by_data(value):
                self.values = self.values or Shape()
                for element in value.values():
                    self.values.add(element)
                return self
            self.samples += 1
            for name, element in value.items():
                self.counts[name] = self.counts.get(name, 0) + 1
                self.keys[name] = self.keys.get(name, Shape()).add(element, name)
        return self


def history_kind(element):
    """History entries change shape with their field; anything else has no kind."""
    if isinstance(element, dict) and "field" in element and ("oldValue" in element or "newValue" in element):
        return element["field"], bool(element.get("created")), bool(element.get("deleted"))
    return None


def is_keyed_by_data(value):
    """{"new": {"code": "new"...}} or {"1424": {"id": 1424...}}: the keys are data, not field names."""
    if not value or not all(isinstance(v, dict) for v in value.values()):
        return False
    return all(str(v.get("code")) == str(k) or str(v.get("id")) == str(k) for k, v in value.items())


def shape_of(recorded):
    return Shape().add(recorded)


def differences(recorded, actual, optional=OPTIONAL_KEYS):
    """Every place where ``actual`` does not have the structure of ``recorded``."""
    out = []
    _compare(shape_of(recorded), actual, "", None, optional, out)
    return out


def _compare(shape, value, path, key, optional, out):
    k = kind(value)
    if not shape.kinds or k == "null" or key in FREE_FORM and k in ("object", "list"):
        return
    if k not in shape.kinds:
        # PHP's empty array: an object where the record only ever showed [] (nothing says it is a list), or [].
        php_empty = (k == "object" and "list" in shape.kinds and shape.items is None) or (
            k == "list" and not value and "object" in shape.kinds)
        if not php_empty:
            out.append(f"{path or '$'}: recorded {'/'.join(sorted(shape.kinds))}, sandbox {k}")
        return
    if k == "list":
        for index, element in enumerate(value):
            group = history_kind(element)
            target = (shape.groups or {}).get(group) if group is not None else None
            if target is not None or shape.items is not None:
                _compare(target or shape.items, element, f"{path}[{index}]", None, optional, out)
    elif k == "object":
        if shape.values is not None and not shape.samples:
            for name, element in value.items():
                _compare(shape.values, element, f"{path}{{{name}}}", None, optional, out)
            return
        for name, sub in shape.keys.items():
            where = f"{path}.{name}" if path else name
            if name not in value:
                if shape.counts[name] == shape.samples and sub.kinds and not _optional(where, name, optional):
                    out.append(f"{where}: missing (the record has it in every sample)")
                continue
            _compare(sub, value[name], where, name, optional, out)


def _optional(path, name, optional):
    """An allow-list entry is a key name, a dotted tail of the path ("delivery.service") or "parent.*"."""
    if name in optional:
        return True
    plain = ".".join(part.split("[")[0].split("{")[0] for part in path.split("."))
    parent = plain.rsplit(".", 1)[0] if "." in plain else ""
    return any(plain.endswith(entry) or (entry.endswith(".*") and (parent == entry[:-2] or parent.endswith(
        "." + entry[:-2]))) for entry in optional if "." in entry)
