"""Where an exchange event points: the object here (only if it exists) and the same one in RetailCRM."""

from django.db.models import Q
from django.urls import reverse

from integration.models import CrmSettings, Customer, ExchangeEvent, Order

# The CRM's own pages for the entities an event can name by CRM id.
CRM_PAGES = {"order": "/orders/{id}/edit", "customer": "/customers/{id}/edit", "offer": "/products/{id}/edit"}


def _crm_id(event: ExchangeEvent) -> int | None:
    return int(event.crm_id) if event.crm_id.isdigit() else None


def is_loadable_order(event: ExchangeEvent) -> bool:
    """An order event with a CRM id: "load again" can import it."""
    return event.entity == "order" and _crm_id(event) is not None


def local_object_of(event: ExchangeEvent) -> tuple[str, str] | None:
    """(admin URL, label) of the object the event concerns, or None when it is not here (any more)."""
    crm_id = _crm_id(event)
    if event.entity == "order":
        order = Order.objects.filter(Q(crm_id=crm_id) if crm_id is not None else Q(pk__in=[])).first() \
            or (Order.objects.filter(number=event.local_ref).first() if event.local_ref else None)
        if order is not None:
            return reverse("admin:integration_order_change", args=[order.pk]), order.number
    elif event.entity == "customer":
        customer = Customer.objects.filter(crm_id=crm_id).first() if crm_id is not None else None
        if customer is not None:
            return reverse("admin:integration_customer_change", args=[customer.pk]), str(customer)
    elif event.entity == "offer" and event.local_ref:
        from catalog.offers import resolve_offer

        found = resolve_offer(event.local_ref, CrmSettings.get_solo().product_id_source)
        if found is not None:
            return reverse("admin:catalog_product_change", args=[found[0].pk]), event.local_ref
    return None


def crm_url_of(event: ExchangeEvent) -> str | None:
    """The page of the event's order (customer, product) in RetailCRM, from the configured address."""
    crm_id, page = _crm_id(event), CRM_PAGES.get(event.entity)
    base = CrmSettings.get_solo().crm_url
    if crm_id is None or page is None or not base:
        return None
    return base.rstrip("/") + page.format(id=crm_id)
