"""A1 "Check connection": can this address and key do everything the back office needs?

Asks ``/api/api-versions`` and ``/api/credentials`` (both unversioned) and turns the answers,
or the failure, into one report whose message an operator can act on without reading logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from integration.retailcrm.client import errors
from integration.retailcrm.client.client import RetailCrmClient
from integration.exchange.messages import joined, stored

__all__ = ["REQUIRED_SCOPES", "SCOPE_PURPOSES", "ConnectionReport", "check_connection"]

# What each scope is needed for, in the operator's words; keys are RetailCRM's scope names.
SCOPE_PURPOSES = {
    "order_read": gettext_lazy("read orders and their change history"),
    "order_write": gettext_lazy("create and edit orders and payments"),
    "customer_read": gettext_lazy("read customers"),
    "customer_write": gettext_lazy("create and edit customers"),
    "reference_read": gettext_lazy("read statuses, shops, warehouses and other reference books"),
    "store_read": gettext_lazy("read offers, products and stock"),
    "store_write": gettext_lazy("upload stock and prices"),
    "integration_read": gettext_lazy("read the integration module registration"),
    "integration_write": gettext_lazy("register the back office as an integration module"),
    "custom_fields_read": gettext_lazy("read custom fields"),
    "custom_fields_write": gettext_lazy("create the custom field that stops echo loops"),
    "loyalty_read": gettext_lazy("read loyalty programs and accounts"),
    "loyalty_write": gettext_lazy("register customers in the loyalty program"),
    "user_read": gettext_lazy("read CRM users (managers)"),
}
REQUIRED_SCOPES: tuple[str, ...] = tuple(SCOPE_PURPOSES)

# An interactive check should answer in seconds, not sit through a full retry schedule.
CHECK_RETRIES = 1


@dataclass
class ConnectionReport:
    ok: bool
    versions: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    missing_scopes: list[str] = field(default_factory=list)
    site_access: str | None = None
    sites: list[str] = field(default_factory=list)
    message: Any = ""  # a stored message (integration.exchange.messages), translated when shown
    error: errors.CrmError | None = None

    @property
    def transient(self) -> bool:
        """The check could not finish for a reason that passes by itself (see :func:`errors.is_transient`)."""
        return not self.ok and self.error is not None and errors.is_transient(self.error)

    def __str__(self) -> str:
        return str(self.message)


def _failure_message(exc: errors.CrmError, base_url: str) -> str:
    if isinstance(exc, errors.CrmAuthError):
        return stored(gettext_noop(
            "RetailCRM at %(url)s does not accept this API key. Check the key entered in the RetailCRM settings.")) % {"url": base_url}
    if isinstance(exc, errors.CrmAccessDenied):
        return stored(gettext_noop("The API key may not ask RetailCRM for its own permissions (/api/credentials). "
                                   "Allow the key to read its credentials, then check again."))
    if isinstance(exc, errors.CrmNotFound):
        return stored(gettext_noop(
            "%(url)s has no RetailCRM API (HTTP 404). Check the address: it is the address of your CRM account.")) % {"url": base_url}
    if isinstance(exc, errors.CrmMalformedResponse):
        return stored(gettext_noop(
            "%(url)s answered, but not like RetailCRM. Check the address. Details: %(details)s")) % {"url": base_url, "details": exc}
    # network errors, rate limits and server errors already say what happened and where
    return str(exc)


def check_connection(
    client: RetailCrmClient, required_scopes=REQUIRED_SCOPES, site: str | None = None
) -> ConnectionReport:
    """Versions, scopes and visible shops of ``client``'s key; never raises a CrmError."""
    base_url = client.base_url + "/"
    site = site or client.site
    try:
        with client.retry_limit(CHECK_RETRIES):
            versions = client.api_versions()
            if not any(v.split(".")[0] == "5" for v in versions):
                shown = ", ".join(versions) or stored(gettext_noop("none"))
                return ConnectionReport(
                    ok=False, versions=versions,
                    message=stored(gettext_noop(
                        "RetailCRM at %(url)s does not support API v5 (versions offered: %(versions)s).")) % {"url": base_url, "versions": shown},
                )
            credentials = client.credentials()
    except errors.CrmError as exc:
        return ConnectionReport(ok=False, message=_failure_message(exc, base_url), error=exc)

    scopes = credentials["scopes"]
    missing = [scope for scope in required_scopes if scope not in scopes]
    sites = credentials["sitesAvailable"]
    report = ConnectionReport(ok=True, versions=versions, scopes=scopes, missing_scopes=missing,
                              site_access=credentials["siteAccess"], sites=sites)
    problems = []
    if missing:
        listed = "; ".join(f"{scope} ({SCOPE_PURPOSES.get(scope, stored(gettext_noop('needed by the exchange')))})" for scope in missing)
        problems.append(stored(gettext_noop(
            "The API key lacks these permissions: %(scopes)s. Add them to the key in RetailCRM.")) % {"scopes": listed})
    if site and site not in sites:
        visible = ", ".join(sites) or stored(gettext_noop("none"))
        problems.append(stored(gettext_noop(
            "The shop “%(shop)s” is not visible to this API key (visible shops: %(visible)s).")) % {"shop": site, "visible": visible})
    elif not sites:
        problems.append(stored(gettext_noop(
            "The API key sees no shops at all; give it access to your shop in RetailCRM.")))
    if problems:
        report.ok = False
        report.message = joined(problems)
    else:
        shops = ", ".join(sites)
        report.message = stored(gettext_noop(
            "Connected to RetailCRM at %(url)s (API v5). Shops visible to the key: %(shops)s.")) % {"url": base_url, "shops": shops}
    return report
