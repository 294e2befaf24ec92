"""G2/G3: registering customers in the chosen loyalty program.

Per customer: find the CRM customer (CRM id, else externalId, else phone) or create it; find
an existing participation or create one; activate it unless the program confirms participation
by SMS; store CRM id, participation id, status and the active flag locally.

Idempotent: a stored participation is never created again, and before any create the CRM is
asked (in bulk) whether the customer or the account already exists — so a run that crashed
between RetailCRM's answer and our save finds what it made instead of making it twice.
Requests are kept low by reading whole lists page by page when that is cheaper than single
lookups, and by creating customers 50 per request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from integration.retailcrm.client.client import RetailCrmClient
from integration.retailcrm.client.errors import (
    CrmError,
    CrmMalformedResponse,
    CrmNetworkError,
    CrmNotFound,
    CrmRateLimited,
    CrmServerError,
    CrmValidationError,
)
from integration.exchange.messages import joined, of_exception, stored
from integration.models import CrmSettings, Customer
from integration.retailcrm.shops import ShopResolver
from loyalty.retailcrm.crm import (
    Directory,
    accounts_page,
    customer_payload,
    customer_phone_keys,
    customers_by,
    customers_page,
    phone_key,
    upload_customers,
)
from loyalty.retailcrm.models import LoyaltyProgram, LoyaltySettings, Participation
from loyalty.retailcrm.accounts import store_account
from loyalty.retailcrm.customers import CustomerExportError, ensure_external_ids, link_crm_id

# answers after which the request may or may not have been applied: look before trying again
UNCERTAIN = (CrmNetworkError, CrmMalformedResponse, CrmServerError, CrmRateLimited)


class RegistrationRefused(Exception):
    """Registration cannot start (switched off, no program chosen, program blocked…)."""


class Result:
    CREATED = "created"
    ALREADY = "already"
    FAILED = "failed"
    SKIPPED_NO_PHONE = "skipped_no_phone"
    SKIPPED = "skipped"


@dataclass
class Outcome:
    customer: Customer
    result: str
    messages: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return joined(self.messages)


@dataclass
class _Work:
    """One customer on its way through the run."""

    customer: Customer
    crm_customer_id: int | None = None
    account: dict | None = None  # the CRM participation, once known
    created_in_crm: bool = False  # made by this run, so it cannot have an account yet
    finished: bool = False
    messages: list[str] = field(default_factory=list)


def chosen_program() -> LoyaltyProgram:
    """The program to register in, or RegistrationRefused saying what the operator must do."""
    if not CrmSettings.get_solo().loyalty_program:
        raise RegistrationRefused(stored(gettext_noop(
            "The loyalty program is switched off: turn on “loyalty program” in RetailCRM settings.")))
    program = LoyaltySettings.get_solo().program
    if program is None:
        raise RegistrationRefused(stored(gettext_noop(
            "No loyalty program is chosen: pick one in the loyalty program settings.")))
    if not program.in_crm:
        raise RegistrationRefused(stored(gettext_noop(
            "The loyalty program “%(name)s” no longer exists in RetailCRM for this shop.")) % {"name": program})
    if not program.active or program.blocked:
        raise RegistrationRefused(stored(gettext_noop(
            "The loyalty program “%(name)s” is not active or is blocked in RetailCRM.")) % {"name": program})
    return program


class Registration:
    def __init__(self, client: RetailCrmClient, program: LoyaltyProgram, site: str | None,
                 report: Callable[[Outcome], None]):
        self.client, self.program, self.site, self.report = client, program, site, report
        self.counts: Counter = Counter()
        self._accounts_by_customer: dict[int, dict] | None = None  # the whole program, when read

    # -- the run ---------------------------------------------------------------------------

    def run(self, customer_ids: list[int]) -> Counter:
        customers = list(Customer.objects.filter(pk__in=customer_ids).order_by("pk"))
        participations = {p.customer_id: p for p in Participation.objects.filter(program=self.program, customer__in=customers)}
        pending: list[_Work] = []
        for customer in customers:
            if customer.kind != Customer.Kind.PERSON:
                self._done(_Work(customer), Result.SKIPPED, stored(gettext_noop(
                    "Companies cannot take part in a loyalty program.")))
            elif not phone_key(customer.phone):
                self._done(_Work(customer), Result.SKIPPED_NO_PHONE, stored(gettext_noop(
                    "No phone: a loyalty program account needs one.")))
            elif customer.pk in participations:
                self._finish_stored(_Work(customer), participations[customer.pk])
            else:
                pending.append(_Work(customer))
        if pending:
            self._guarded(pending, self._resolve_customers)
            self._guarded(pending, self._create_missing_customers)
            for work in pending:
                self._guarded([work], self._register)
        return self.counts

    def _guarded(self, works: list[_Work], step: Callable[[list[_Work]], None]) -> None:
        """Run a bulk step; if it fails, each customer it concerned fails with the reason."""
        works[:] = [w for w in works if not w.finished]
        if not works:
            return
        try:
            step(works)
        except (CrmError, CustomerExportError) as exc:
            for work in works:
                if not work.finished:
                    self._done(work, Result.FAILED, of_exception(exc))
        works[:] = [w for w in works if not w.finished]

    def _done(self, work: _Work, result: str, message: str = "") -> None:
        work.finished = True
        self.counts[result] += 1
        self.report(Outcome(work.customer, result, [*work.messages, *([message] if message else [])]))

    # -- step 1: which CRM customer -------------------------------------------------------

    def _resolve_customers(self, works: list[_Work]) -> None:
        by_crm_id = [w for w in works if w.customer.crm_id]
        if by_crm_id:
            known = {c["id"] for c in customers_by(self.client, "ids", [w.customer.crm_id for w in by_crm_id], None)}
            for work in by_crm_id:
                if work.customer.crm_id in known:
                    work.crm_customer_id = work.customer.crm_id
        by_external = [w for w in works if not w.crm_customer_id and w.customer.external_id]
        if by_external:
            found = customers_by(self.client, "externalIds", [w.customer.external_id for w in by_external], self.site)
            ids = {c.get("externalId"): c["id"] for c in found}
            for work in by_external:
                self._link(work, ids.get(work.customer.external_id))

        self._read_accounts(works)
        unresolved = [w for w in works if not w.crm_customer_id and not w.finished]
        if unresolved:
            self._resolve_by_phone(unresolved)

    def _link(self, work: _Work, crm_id: int | None) -> None:
        if not crm_id:
            return
        try:
            link_crm_id(work.customer, int(crm_id))
        except CustomerExportError as exc:
            self._done(work, Result.FAILED, of_exception(exc))
        else:
            work.crm_customer_id = int(crm_id)

    def _account_filter(self, **extra) -> dict:
        return {"loyalties": [self.program.crm_id], **({"sites": [self.site]} if self.site else {}), **extra}

    def _read_accounts(self, works: list[_Work]) -> None:
        """Existing participations of these customers: the whole program's list when that is cheaper."""
        directory = Directory(lambda page: accounts_page(self.client, self._account_filter(), page))
        accounts = directory.read_all_if_cheaper(len(works))
        if accounts is None:
            return  # looked up one by one once the CRM customer is known (_register)
        self._accounts_by_customer = {
            int(a["customer"]["id"]): a for a in accounts if (a.get("customer") or {}).get("id")
        }
        by_phone = {phone_key(a.get("phoneNumber")): a for a in accounts if phone_key(a.get("phoneNumber"))}
        for work in works:
            if not work.crm_customer_id:
                # a participant registered under this phone tells us the CRM customer too
                account = by_phone.get(phone_key(work.customer.phone))
                if account is not None:
                    self._link(work, (account.get("customer") or {}).get("id"))

    def _resolve_by_phone(self, works: list[_Work]) -> None:
        directory = Directory(lambda page: customers_page(self.client, {"sites": [self.site]} if self.site else {}, page))
        everyone = directory.read_all_if_cheaper(len(works))
        if everyone is not None:
            by_phone: dict[str, int] = {}
            for crm_customer in sorted(everyone, key=lambda c: c["id"]):
                for key in customer_phone_keys(crm_customer):
                    by_phone.setdefault(key, crm_customer["id"])
            for work in works:
                self._link(work, by_phone.get(phone_key(work.customer.phone)))
            return
        for work in works:
            key = phone_key(work.customer.phone)
            # RetailCRM's search finds the national digits inside a phone however it was stored
            filter = {"name": key[-10:], **({"sites": [self.site]} if self.site else {})}
            matches = [c for c in customers_page(self.client, filter, limit=20).items if key in customer_phone_keys(c)]
            if matches:
                self._link(work, min(c["id"] for c in matches))

    # -- step 2: create the customers RetailCRM does not have -----------------------------

    def _create_missing_customers(self, works: list[_Work]) -> None:
        missing = []
        for work in (w for w in works if not w.crm_customer_id):
            try:
                ensure_external_ids([work.customer])
            except CustomerExportError as exc:
                self._done(work, Result.FAILED, of_exception(exc))
            else:
                missing.append(work)
        if not missing:
            return
        outcome = upload_customers(self.client, [customer_payload(w.customer) for w in missing], self.site)
        for work in missing:
            external_id = work.customer.external_id
            crm_id = outcome.created.get(external_id)
            if crm_id is None:
                crm_id = self._existing_by_external_id(external_id)
                if crm_id is None:
                    reason = outcome.errors.get(external_id) or stored(gettext_noop("no reason given"))
                    self._done(work, Result.FAILED, stored(gettext_noop(
                        "RetailCRM did not create the customer: %(reason)s")) % {"reason": reason})
                    continue
            self._link(work, crm_id)
            if not work.finished:
                work.created_in_crm = True
                work.messages.append(stored(gettext_noop(
                    "Customer created in RetailCRM (id %(id)s).")) % {"id": crm_id})

    def _existing_by_external_id(self, external_id: str) -> int | None:
        try:
            return int(self.client.customer(external_id, by="externalId", site=self.site)["id"])
        except CrmNotFound:
            return None

    # -- step 3: the participation --------------------------------------------------------

    def _register(self, works: list[_Work]) -> None:
        (work,) = works
        try:
            if not work.created_in_crm:
                if self._accounts_by_customer is not None:
                    work.account = self._accounts_by_customer.get(work.crm_customer_id)
                else:
                    work.account = self._find_account(work.crm_customer_id)
            if work.account is not None:
                participation = store_account(work.customer, self.program, work.account)
                self._finish_stored(work, participation)
                return
            account = self._create_account(work)
            participation = store_account(work.customer, self.program, account)
            participation = self._activate_if_allowed(participation)
            work.messages.append(self._registered_message(participation))
            self._done(work, Result.CREATED)
        except CrmError as exc:
            self._done(work, Result.FAILED, stored(gettext_noop("Not registered: %(error)s")) % {"error": exc})

    def _find_account(self, crm_customer_id: int) -> dict | None:
        found = accounts_page(self.client, self._account_filter(customerId=crm_customer_id), limit=20).items
        return next((a for a in found if (a.get("customer") or {}).get("id") in (crm_customer_id, str(crm_customer_id))), None)

    def _create_account(self, work: _Work) -> dict:
        request = {"phoneNumber": work.customer.phone, "customer": {"id": work.crm_customer_id}}
        for attempt in (1, 2):
            try:
                return self.client.loyalty_account_create(request, site=self.site)["loyaltyAccount"]
            except CrmValidationError:
                # e.g. "already participates": made by someone else since we looked
                existing = self._find_account(work.crm_customer_id)
                if existing is not None:
                    return existing
                raise
            except UNCERTAIN:
                existing = self._find_account(work.crm_customer_id)
                if existing is not None:
                    return existing
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _activate_if_allowed(self, participation: Participation) -> Participation:
        if participation.status != Participation.Status.NOT_CONFIRMED or self.program.confirm_sms_registration:
            return participation
        account_id = participation.crm_account_id
        for attempt in (1, 2):
            try:
                answer = self.client.loyalty_account_activate(account_id)
                account = answer.get("loyaltyAccount") or self.client.loyalty_account(account_id)
                break
            except (CrmValidationError, *UNCERTAIN):
                # "already activated", or an answer lost on the way: the account says which
                account = self.client.loyalty_account(account_id)
                if account.get("status") == Participation.Status.ACTIVATED or attempt == 2:
                    break
        return store_account(participation.customer, self.program, account)

    def _finish_stored(self, work: _Work, participation: Participation) -> None:
        try:
            before = participation.status
            if before == Participation.Status.NOT_CONFIRMED and not self.program.confirm_sms_registration:
                # an earlier run stopped between creating and activating the account
                participation = self._activate_if_allowed(participation)
        except CrmError as exc:
            self._done(work, Result.FAILED, stored(gettext_noop("Not activated: %(error)s")) % {"error": exc})
            return
        if participation.status != before:
            work.messages.append(self._registered_message(participation))
        else:
            work.messages.append(
                stored(gettext_noop("Already registered in the loyalty program: participation %(id)s (%(status)s)."))
                % {"id": participation.crm_account_id, "status": participation.get_status_display() or "?"}
            )
        self._done(work, Result.ALREADY)

    def _registered_message(self, participation: Participation) -> str:
        values = {"id": participation.crm_account_id}
        if participation.active:
            return stored(gettext_noop("Registered in the loyalty program: participation %(id)s, active.")) % values
        if self.program.confirm_sms_registration:
            return stored(gettext_noop(
                "Registered in the loyalty program: participation %(id)s; not active until the customer "
                "confirms the phone by SMS.")) % values
        return stored(gettext_noop("Registered in the loyalty program: participation %(id)s, status %(status)s.")) % {
            **values, "status": participation.get_status_display() or "?"}


def register_customers(client: RetailCrmClient, customer_ids: list[int], *, report: Callable[[Outcome], None],
                       site: str | None = None, shops: ShopResolver | None = None) -> Counter:
    """Register the customers, each in its own CRM shop (the shop of its latest order, else the
    default shop), or all in ``site`` when given."""
    program = chosen_program()
    if site is not None:
        return Registration(client, program, site or None, report).run(customer_ids)
    by_site: dict[str, list[int]] = {}
    for customer_id, customer_site in (shops or ShopResolver()).customer_sites(customer_ids).items():
        by_site.setdefault(customer_site, []).append(customer_id)
    counts = Counter()
    for customer_site, ids in sorted(by_site.items()):
        counts.update(Registration(client, program, customer_site or None, report).run(ids))
    return counts
