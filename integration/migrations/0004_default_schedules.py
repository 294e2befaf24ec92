"""I2: orders are imported every 60 seconds by default (issue 5); operators change it in the admin."""

from django.db import migrations


def add(apps, schema_editor):
    JobSchedule = apps.get_model("integration", "JobSchedule")
    JobSchedule.objects.get_or_create(kind="import-orders", defaults={"enabled": True, "interval_seconds": 60})


class Migration(migrations.Migration):
    dependencies = [("integration", "0003_webhook_requests")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
