"""H1: the cashier code of the operator; asked for before anything is sent (004 §1)."""

from loyalty.bonusplus import assumptions, errors
from loyalty.bonusplus.models import Cashier


def cashier_code(user) -> str:
    if user is None or not getattr(user, "pk", None):
        return ""
    return (Cashier.objects.filter(user_id=user.pk).values_list("code", flat=True).first() or "").strip()


def require_cashier(user) -> str:
    code = cashier_code(user)
    if not code:
        raise errors.NoCashierCode()
    return code


def cashier_field(code: str) -> dict:
    """The ``cashier`` field of a request, where BonusPlus takes one (an integer id, §4.10)."""
    if code and assumptions.CASHIER_AS_INT and code.isdigit():
        return {"cashier": int(code)}
    return {}
