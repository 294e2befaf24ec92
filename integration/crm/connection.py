"""A1 "Check connection": can this address and key do everything the back office needs?

Asks ``/api/api-versions`` and ``/api/credentials`` (both unversioned) and turns the answers,
or the failure, into one report whose message an operator can act on without reading logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from integration.crm import errors
from integration.crm.client import RetailCrmClient

__all__ = ["REQUIRED_SCOPES", "SCOPE_PURPOSES", "ConnectionReport", "check_connection"]

# What each scope is needed for, in the operator's words; keys are RetailCRM's scope names.
SCOPE_PURPOSES = {
    "order_read": "read orders and their change history",
    "order_write": "create and edit orders and payments",
    "customer_read": "read customers",
    "customer_write": "create and edit customers",
    "reference_read": "read statuses, shops, warehouses and other reference books",
    "store_read": "read offers, products and stock",
    "store_write": "upload stock and prices",
    "integration_read": "read the integration module registration",
    "integration_write": "register the back office as an integration module",
    "custom_fields_read": "read custom fields",
    "custom_fields_write": "create the custom field that stops echo loops",
    "loyalty_read": "read loyalty programs and accounts",
    "loyalty_write": "register customers in the loyalty program",
    "user_read": "read CRM users (managers)",
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
    message: str = ""
    error: errors.CrmError | None = None

    def __str__(self) -> str:
        return self.message


def _failure_message(exc: errors.CrmError, base_url: str) -> str:
    if isinstance(exc, errors.CrmAuthError):
        return f"RetailCRM at {base_url} does not accept this API key. Check the key entered in the RetailCRM settings."
    if isinstance(exc, errors.CrmAccessDenied):
        return ("The API key may not ask RetailCRM for its own permissions (/api/credentials). "
                "Allow the key to read its credentials, then check again.")
    if isinstance(exc, errors.CrmNotFound):
        return f"{base_url} has no RetailCRM API (HTTP 404). Check the address: it is the address of your CRM account."
    if isinstance(exc, errors.CrmMalformedResponse):
        return f"{base_url} answered, but not like RetailCRM. Check the address. Details: {exc}"
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
                shown = ", ".join(versions) or "none"
                return ConnectionReport(
                    ok=False, versions=versions,
                    message=f"RetailCRM at {base_url} does not support API v5 (versions offered: {shown}).",
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
        listed = "; ".join(f"{scope} ({SCOPE_PURPOSES.get(scope, 'needed by the exchange')})" for scope in missing)
        problems.append(f"The API key lacks these permissions: {listed}. Add them to the key in RetailCRM.")
    if site and site not in sites:
        visible = ", ".join(sites) or "none"
        problems.append(f'The shop "{site}" is not visible to this API key (visible shops: {visible}).')
    elif not sites:
        problems.append("The API key sees no shops at all; give it access to your shop in RetailCRM.")
    if problems:
        report.ok = False
        report.message = " ".join(problems)
    else:
        shops = ", ".join(sites)
        report.message = f"Connected to RetailCRM at {base_url} (API v5). Shops visible to the key: {shops}."
    return report
