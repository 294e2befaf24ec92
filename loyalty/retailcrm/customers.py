"""G3: one customer created in or updated in RetailCRM from the customer's page."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from integration.exchange.messages import StoredMessage, stored
from integration.retailcrm.client.client import RetailCrmClient
from integration.retailcrm.client.errors import CrmNotFound
from integration.models import Customer
from loyalty.retailcrm.crm import customer_payload

EXTERNAL_ID_PREFIX = "BO-"


class CustomerExportError(Exception):
    """The customer cannot be sent as asked; its stored message (shown in the reader's language) says why."""


def ensure_external_ids(customers: list[Customer]) -> None:
    """Give customers born here an externalId before they are sent.

    It is saved *before* the CRM call, so a run that crashed after RetailCRM created the
    customer finds it by this id next time instead of creating a second one.
    """
    for customer in customers:
        if customer.external_id:
            continue
        customer.external_id = f"{EXTERNAL_ID_PREFIX}{customer.pk}"
        try:
            with transaction.atomic():
                Customer.objects.filter(pk=customer.pk).update(external_id=customer.external_id)
        except IntegrityError:
            raise CustomerExportError(
                stored(gettext_noop("The external id %(id)s is already used by another customer."),
                       id=customer.external_id)
            ) from None


def _check_person(customer: Customer) -> None:
    if customer.kind != Customer.Kind.PERSON:
        raise CustomerExportError(stored(gettext_noop("Only individual customers are exchanged from this page.")))


def link_crm_id(customer: Customer, crm_id: int) -> None:
    """Store the CRM id, refusing one that already belongs to another local customer."""
    other = Customer.objects.filter(crm_id=crm_id).exclude(pk=customer.pk).first()
    if other is not None:
        raise CustomerExportError(
            stored(gettext_noop(
                "RetailCRM customer %(crm_id)s is already linked to the local customer “%(other)s” (#%(pk)s)."),
                crm_id=crm_id, other=str(other), pk=other.pk)
        )
    customer.crm_id = crm_id
    Customer.objects.filter(pk=customer.pk).update(crm_id=crm_id)


def create_in_crm(client: RetailCrmClient, customer: Customer, site: str | None) -> StoredMessage:
    """Create the customer in RetailCRM (or find the one a lost answer left there); returns the message.

    Messages are stored ones (``integration.exchange.messages``): a registration run keeps them in its
    events, read later in the reader's language.
    """
    _check_person(customer)
    if customer.crm_id:
        raise CustomerExportError(stored(gettext_noop("The customer is already in RetailCRM (id %(id)s)."),
                                         id=customer.crm_id))
    ensure_external_ids([customer])
    try:
        existing = client.customer(customer.external_id, by="externalId", site=site)
    except CrmNotFound:
        existing = None
    if existing is not None:
        link_crm_id(customer, int(existing["id"]))
        return stored(gettext_noop("The customer already was in RetailCRM (id %(id)s); the link is stored."),
                      id=customer.crm_id)
    answer = client.customer_create(customer_payload(customer), site=site)
    link_crm_id(customer, int(answer["id"]))
    return stored(gettext_noop("Customer created in RetailCRM (id %(id)s)."), id=customer.crm_id)


def update_in_crm(client: RetailCrmClient, customer: Customer, site: str | None) -> StoredMessage:
    _check_person(customer)
    if not customer.crm_id:
        raise CustomerExportError(stored(gettext_noop("The customer is not in RetailCRM yet: create it first.")))
    payload = customer_payload(customer)
    payload.pop("externalId", None)  # changed only through fix-external-ids
    payload["id"] = customer.crm_id
    try:
        client.customer_edit(payload, by="id", site=site)
    except CrmNotFound:
        raise CustomerExportError(
            stored(gettext_noop("RetailCRM has no customer %(id)s any more (deleted or merged)."), id=customer.crm_id)
        ) from None
    return stored(gettext_noop("Customer updated in RetailCRM (id %(id)s)."), id=customer.crm_id)
