"""F1–F5: the document and order-change exports also run every 5 minutes by default.

A run that failed on the network leaves its documents (or orders) waiting for export; without a
schedule nothing sent them until the next posting or a "run now". The schedules are on: the kind's
exchange mode (A3) still decides, a scheduled run of a switched-off kind is refused like any other,
and a run with nothing waiting sends no request. A row already there (made in the admin or restored
from a settings file) is kept as it is.
"""

from django.db import migrations

KINDS = ("export-payments", "export-sales", "export-returns", "export-order-changes")
INTERVAL = 5 * 60


def add_schedules(apps, schema_editor):
    JobSchedule = apps.get_model("integration", "JobSchedule")
    for kind in KINDS:
        JobSchedule.objects.get_or_create(kind=kind, defaults={"enabled": True, "interval_seconds": INTERVAL})


def remove_schedules(apps, schema_editor):
    apps.get_model("integration", "JobSchedule").objects.filter(kind__in=KINDS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('integration', '0019_order_export'),
    ]

    operations = [
        migrations.RunPython(add_schedules, remove_schedules),
    ]
