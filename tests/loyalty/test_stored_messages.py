"""Issue 16: what the customer services and the catalog paths say is stored as a message id and
translated when shown, so a registration run's event reads in the reader's language, not the worker's."""

import pytest
from django.utils import translation

from catalog.icml.paths import UnsafeCatalogPath, resolve_path
from integration.exchange.messages import StoredMessage, for_text, of_exception, render
from integration.models import Customer
from loyalty.retailcrm.customers import CustomerExportError, link_crm_id


@pytest.mark.django_db
def test_a_refused_link_is_stored_and_read_in_each_readers_language():
    Customer.objects.create(last_name="Орлов", first_name="Пётр", crm_id=7)
    other = Customer.objects.create(last_name="Левченко", first_name="Анна")
    with translation.override("en"), pytest.raises(CustomerExportError) as refused:
        link_crm_id(other, 7)
    message = of_exception(refused.value)
    assert isinstance(message, StoredMessage)
    column = for_text(message)  # what an exchange event keeps
    with translation.override("ru"):
        assert render(column).startswith("Клиент RetailCRM 7"), render(column)
    with translation.override("en"):
        assert render(column).startswith("RetailCRM customer 7 is already linked"), render(column)


def test_an_unsafe_catalog_path_is_stored_and_read_in_russian():
    with translation.override("en"), pytest.raises(UnsafeCatalogPath) as refused:
        resolve_path("../etc/passwd")
    column = for_text(of_exception(refused.value))
    with translation.override("ru"):
        assert "../etc/passwd" in render(column) and "не допускается" in render(column), render(column)
