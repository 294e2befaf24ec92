"""The admin header offers English/Русский; the choice sticks for the following pages."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_header_switches_the_admin_to_russian_and_back(admin_client):
    index = reverse("admin:index")
    english = admin_client.get(index, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="language-switch"' in english and "Русский" in english

    answer = admin_client.post(reverse("set_language"), {"language": "ru", "next": index}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 302 and answer["Location"] == index
    russian = admin_client.get(index, HTTP_ACCEPT_LANGUAGE="en").content.decode()  # the cookie wins over the browser
    assert '<html lang="ru"' in russian and "English" in russian

    admin_client.post(reverse("set_language"), {"language": "en", "next": index})
    assert '<html lang="en"' in admin_client.get(index, HTTP_ACCEPT_LANGUAGE="ru").content.decode()


@pytest.mark.django_db
def test_a_day_and_month_read_in_the_genitive(admin_client):
    from datetime import date

    from django.utils import formats, translation

    with translation.override("ru"):
        assert formats.date_format(date(2026, 12, 1), "MONTH_DAY_FORMAT") == "1 декабря"
    with translation.override("en"):
        assert formats.date_format(date(2026, 12, 1), "MONTH_DAY_FORMAT") == "December 1"
