"""BonusPlus's answers for failures.

Business errors are HTTP 412 with the ``Error`` model ``{code, msg, devMsg}``; failures of the
framework in front of it (authentication, routing, malformed JSON, throttling, crashes) have the
ASP.NET Web API shape ``{"Message": ...}`` (UNVERIFIED, see README.md).
"""

from ..http.web import HttpError


class BonusError(HttpError):
    """A business error: 412 with ``code``/``msg``/``devMsg``."""

    def __init__(self, code, msg, dev_msg="", status=412):
        super().__init__(status, msg)
        self.code, self.msg, self.dev_msg = code, msg, dev_msg

    def body(self):
        return {"code": self.code, "msg": self.msg, "devMsg": self.dev_msg}


class FrameworkError(HttpError):
    def body(self):
        return {"Message": self.message}


def unauthorized():
    return FrameworkError(401, "Authorization has been denied for this request.")


def bad_request(detail="The request is invalid."):
    return FrameworkError(400, detail)


def customer_not_found(dev_msg=""):
    return BonusError("CUSTOMER_NOT_FOUND", "Клиент не найден", dev_msg)


def invalid(field, msg):
    """A parameter that is missing or has a wrong value (code UNVERIFIED)."""
    return BonusError("INVALID_PARAMETERS", msg, f"field: {field}")
