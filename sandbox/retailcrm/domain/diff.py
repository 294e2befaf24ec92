"""Field-by-field differences in the shape of history entries, shared by orders and customers."""

import re


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def address_field(key):
    return "country" if key == "countryIso" else snake(key)


def keyed_changes(old, new, field_of):
    """One entry per key whose value differs between the ``old`` and ``new`` mappings."""
    old, new = old or {}, new or {}
    return [
        {"field": field_of(key), "oldValue": old.get(key), "newValue": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]
