"""Typed BonusPlus errors whose text an operator can act on (stored messages: translated when shown).

Every error carries one :class:`~integration.exchange.messages.StoredMessage` as its only argument,
so a job stores it in the reader's language and a page shows ``str(error)``. BonusPlus's own
``code``/``msg``/``devMsg`` are kept on the error for the log, verbatim.
"""

from django.utils.translation import gettext_noop

from integration.exchange.http import errors as http
from integration.exchange.messages import stored


class BonusPlusError(http.RemoteError):
    """Base class; ``nothing_happened`` says whether BonusPlus surely did none of the call's work."""

    # True: the call surely changed nothing there (refused before acting); None: cannot tell.
    nothing_happened: bool | None = True

    def __init__(self, message=None, *, code: str = "", msg: str = "", dev_msg: str = "", status: int | None = None,
                 method=None, path=None, payload=None, reason=None):
        self.code, self.msg, self.dev_msg = code, msg, dev_msg
        self.status = status
        http.RemoteError.__init__(self, message if message is not None else self.default(), status=status,
                                  method=method, path=path, payload=payload, reason=reason)

    def default(self):
        return stored(gettext_noop("BonusPlus refused the request."))

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class NotConfigured(BonusPlusError, http.NotConfigured):
    def default(self):
        return stored(gettext_noop("BonusPlus is not set up: enter the API key and the store in BonusPlus settings."))


class NoCashierCode(BonusPlusError):
    def default(self):
        return stored(gettext_noop("You have no BonusPlus cashier code. Ask an administrator to enter it on your "
                                   "user page (field “BonusPlus cashier code”); nothing was sent to BonusPlus."))


class AuthError(BonusPlusError, http.AuthError):
    def default(self):
        return stored(gettext_noop("BonusPlus did not accept the API key (401). Check the key in BonusPlus settings."))


class AccessDenied(BonusPlusError, http.AccessDenied):
    def default(self):
        return stored(gettext_noop("The BonusPlus API key has no rights to this object (403)."))


class NotFound(BonusPlusError, http.NotFound):
    def default(self):
        return stored(gettext_noop("BonusPlus does not know this address (404)."))


class BusinessError(BonusPlusError, http.Rejected):
    """412: BonusPlus refused the values; its own Russian ``msg`` is shown as it came."""

    def default(self):
        return stored(gettext_noop("BonusPlus refused: %(msg)s (%(code)s)."), msg=self.msg or "", code=self.code or "412")


class CustomerNotFound(BusinessError):
    pass


class CustomerExists(BusinessError):
    pass


class WrongSmsCode(BusinessError):
    pass


class BadRequest(BonusPlusError, http.Rejected):
    def default(self):
        return stored(gettext_noop("BonusPlus could not read the request (400); this is a bug, please report it."))


class RateLimited(BonusPlusError, http.RateLimited):
    def default(self):
        return stored(gettext_noop("BonusPlus asks to slow down (429); try again in a minute."))


class ServerError(BonusPlusError, http.ServerError):
    nothing_happened = None

    def default(self):
        return stored(gettext_noop("BonusPlus answered with a server error (%(status)s); try again later."),
                      status=self.status or "5xx")


class NetworkError(BonusPlusError, http.NetworkError):
    """No answer. ``nothing_happened`` is True only when the request surely never reached BonusPlus."""

    def __init__(self, message=None, *, reached_server: bool, **kwargs):
        self.nothing_happened = None if reached_server else True
        super().__init__(message, **kwargs)

    def default(self):
        return stored(gettext_noop("BonusPlus did not answer; try again later."))


class MalformedResponse(BonusPlusError, http.MalformedResponse):
    nothing_happened = None

    def default(self):
        return stored(gettext_noop("BonusPlus sent an answer that is not JSON."))


# Refusals of our own, before anything is sent.
class BadPhone(BonusPlusError):
    def default(self):
        return stored(gettext_noop("The phone number is not in the format 79XXXXXXXXX (8…, +7… and 10 digits are "
                                   "accepted too); nothing was sent to BonusPlus."))


class CardOfAnotherPhone(BonusPlusError):
    pass


class DebitTooHigh(BonusPlusError):
    pass


class SmsCodeExpired(BonusPlusError):
    pass


BUSINESS_CODES = {
    "CUSTOMER_NOT_FOUND": CustomerNotFound,
    "CUSTOMER_ALREADY_EXISTS": CustomerExists,
}
