"""Seed the local order states of seed 001 §7 (names are English msgids translated in locale/ru)."""

from django.db import migrations
from django.utils.translation import gettext_noop

STATES = [
    ("pending-approval", gettext_noop("Pending approval"), False, 10),  # На согласовании
    ("to-fulfil", gettext_noop("To fulfil"), False, 20),  # К выполнению
    ("for-shipment", gettext_noop("For shipment"), False, 30),  # К отгрузке
    ("closed", gettext_noop("Closed"), True, 40),  # Закрыт
]


def seed(apps, schema_editor):
    OrderState = apps.get_model("integration", "OrderState")
    for code, name, is_closed, ordering in STATES:
        OrderState.objects.get_or_create(code=code, defaults={"name": name, "is_closed": is_closed, "ordering": ordering})


class Migration(migrations.Migration):
    dependencies = [("integration", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
