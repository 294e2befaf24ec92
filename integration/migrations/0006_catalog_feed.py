"""C2/C3: the catalog feed secret, and a (disabled) hourly schedule for generate-catalog."""

import integration.retailcrm.models.settings
from django.db import migrations, models


def add_schedule(apps, schema_editor):
    JobSchedule = apps.get_model("integration", "JobSchedule")
    JobSchedule.objects.get_or_create(kind="generate-catalog", defaults={"enabled": False, "interval_seconds": 3600})


class Migration(migrations.Migration):

    dependencies = [
        ('integration', '0005_stock_price_export'),
    ]

    operations = [
        migrations.AddField(
            model_name='crmsettings',
            name='feed_token',
            field=models.CharField(default=integration.retailcrm.models.settings.new_webhook_token, editable=False, max_length=100, verbose_name='catalog feed secret'),
        ),
        migrations.RunPython(add_schedule, migrations.RunPython.noop),
    ]
