"""I5: retention days for the exchange's logs, and a daily housekeeping schedule (on by default)."""

import django.core.validators
from django.db import migrations, models


def add_schedule(apps, schema_editor):
    JobSchedule = apps.get_model("integration", "JobSchedule")
    JobSchedule.objects.get_or_create(kind="housekeeping", defaults={"enabled": True, "interval_seconds": 24 * 3600})


def remove_schedule(apps, schema_editor):
    apps.get_model("integration", "JobSchedule").objects.filter(kind="housekeeping").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('integration', '0011_connection_warning'),
    ]

    operations = [
        migrations.AddField(
            model_name='crmsettings',
            name='keep_events_days',
            field=models.PositiveIntegerField(default=30, help_text='Parked, failed and skipped events that are not resolved are always kept.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='keep resolved exchange events, days'),
        ),
        migrations.AddField(
            model_name='crmsettings',
            name='keep_job_runs_days',
            field=models.PositiveIntegerField(default=30, help_text='Finished runs older than this are deleted, unless an event still kept belongs to them.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='keep job runs, days'),
        ),
        migrations.AddField(
            model_name='crmsettings',
            name='keep_webhook_requests_days',
            field=models.PositiveIntegerField(default=14, validators=[django.core.validators.MinValueValidator(1)], verbose_name='keep webhook requests, days'),
        ),
        migrations.AddField(
            model_name='historicalcrmsettings',
            name='keep_events_days',
            field=models.PositiveIntegerField(default=30, help_text='Parked, failed and skipped events that are not resolved are always kept.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='keep resolved exchange events, days'),
        ),
        migrations.AddField(
            model_name='historicalcrmsettings',
            name='keep_job_runs_days',
            field=models.PositiveIntegerField(default=30, help_text='Finished runs older than this are deleted, unless an event still kept belongs to them.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='keep job runs, days'),
        ),
        migrations.AddField(
            model_name='historicalcrmsettings',
            name='keep_webhook_requests_days',
            field=models.PositiveIntegerField(default=14, validators=[django.core.validators.MinValueValidator(1)], verbose_name='keep webhook requests, days'),
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
