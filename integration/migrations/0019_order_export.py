"""F1/F5: what the CRM last saw of an order and its pending change; B2 rows that are not states.

A B2 table filled by an earlier version gets the two ``cancel`` rows of seed 001 §7 ("closed with
all lines cancelled" and "unposting") when the CRM has that status; an empty table gets the whole
default table on the next reference sync (``references.preload_export_statuses``).
"""

import django.db.models.deletion
from django.db import migrations, models


def add_cancel_rows(apps, schema_editor):
    mapping = apps.get_model("integration", "StatusExportMapping")
    cancel = apps.get_model("integration", "CrmStatus").objects.filter(code="cancel").first()
    if cancel is None or not mapping.objects.exists() or mapping.objects.exclude(rule="state").exists():
        return
    for rule in ("all-cancelled", "unposting"):
        mapping.objects.create(rule=rule, local_state=None, crm_status=cancel)


class Migration(migrations.Migration):

    dependencies = [
        ('integration', '0018_order_vat_regimes'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='statusexportmapping',
            options={'ordering': ['local_state__ordering', 'rule'], 'verbose_name': 'status for export', 'verbose_name_plural': 'B2 · statuses for export'},
        ),
        migrations.AddField(
            model_name='historicalstatusexportmapping',
            name='rule',
            field=models.CharField(choices=[('state', 'the order is in this state'), ('all-cancelled', 'closed with all lines cancelled'), ('unposting', 'unposting')], default='state', max_length=20, verbose_name='when'),
        ),
        migrations.AddField(
            model_name='order',
            name='crm_seen',
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name='last seen by RetailCRM'),
        ),
        migrations.AddField(
            model_name='order',
            name='export_pending',
            field=models.BooleanField(db_index=True, default=False, editable=False, verbose_name='change to export'),
        ),
        migrations.AddField(
            model_name='statusexportmapping',
            name='rule',
            field=models.CharField(choices=[('state', 'the order is in this state'), ('all-cancelled', 'closed with all lines cancelled'), ('unposting', 'unposting')], default='state', max_length=20, verbose_name='when'),
        ),
        migrations.AlterField(
            model_name='statusexportmapping',
            name='local_state',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='export_mapping', to='integration.orderstate', verbose_name='local state'),
        ),
        migrations.AddConstraint(
            model_name='statusexportmapping',
            constraint=models.UniqueConstraint(condition=models.Q(('rule', 'state'), _negated=True), fields=('rule',), name='b2_one_row_per_rule'),
        ),
        migrations.AddConstraint(
            model_name='statusexportmapping',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('local_state__isnull', False), ('rule', 'state')), models.Q(models.Q(('rule', 'state'), _negated=True), ('local_state__isnull', True)), _connector='OR'), name='b2_state_only_for_state_rows'),
        ),
        migrations.AlterField(
            model_name='crmsettings',
            name='export_order_changes',
            field=models.BooleanField(default=False, help_text='Posting an order loaded from RetailCRM sends all its changes there; unposting cancels it. Orders created here are not exported.', verbose_name='export order changes to RetailCRM'),
        ),
        migrations.AlterField(
            model_name='historicalcrmsettings',
            name='export_order_changes',
            field=models.BooleanField(default=False, help_text='Posting an order loaded from RetailCRM sends all its changes there; unposting cancels it. Orders created here are not exported.', verbose_name='export order changes to RetailCRM'),
        ),
        migrations.RunPython(add_cancel_rows, migrations.RunPython.noop),
    ]
