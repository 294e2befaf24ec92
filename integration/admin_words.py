"""Django admin phrases our Russian translates differently from Django's own catalogue.

Django's Russian puts the model name into "Изменить %s" in the nominative ("Изменить клиент");
our locale overrides these (LOCALE_PATHS wins over Django's) with forms that read right for any
model ("Изменение: клиент"). Listed here so makemessages keeps them in locale/ru.
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN_PHRASES = (
    gettext_noop("Change %s"),
    gettext_noop("Add %s"),
    gettext_noop("View %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Select %s"),
    # django-solo's save message on the settings pages: it has no Russian of its own.
    gettext_noop("{obj} was changed successfully."),
)
