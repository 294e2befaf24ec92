"""Russian dates as the operators write them: "1 декабря", not Django's "1 Декабрь" (the day needs the genitive)."""

from django.conf.locale.ru.formats import *  # noqa: F403  everything else stays Django's

MONTH_DAY_FORMAT = "j E"
