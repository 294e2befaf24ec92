"""Switches whose feature is not built yet.

Their model fields and stored values stay (the issue that builds the feature uses them), but no
page, list or settings file shows them: a switch an operator can tick must do what it says.
The issue that builds a feature removes its entries here — this is the only list.
"""

NOT_BUILT: dict[str, frozenset[str]] = {
    # A3 exchange modes (F1, E5, F2, E4, E6, F3, F4)
    # every switch of A3, B1, B6 and B8 is built now; a future feature lists its switches here first
}


def hidden_fields(model) -> frozenset[str]:
    """The fields of ``model`` (a class or an instance) that no page or file may show yet."""
    return NOT_BUILT.get(model.__name__ if isinstance(model, type) else type(model).__name__, frozenset())


def visible(model, names) -> tuple:
    """``names`` without the fields of ``model`` that are not built yet, order kept."""
    hidden = hidden_fields(model)
    return tuple(name for name in names if name not in hidden)
