"""Urgent threads, the after-hours reply's closed period, automatic replies without an author,
and escalation emails tied to a thread's urgency (docs/SAFETY.md).

On SQLite, Django rebuilds server_thread and server_message for these changes, which drops the
search triggers of 0011_search: they are created again at the end."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_SEARCH = importlib.import_module("server.migrations.0011_search")


def _search_triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in _SEARCH.SQLITE:
        if sql.startswith("CREATE TRIGGER"):
            schema_editor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))


class Migration(migrations.Migration):

    dependencies = [
        ("server", "0012_notify"),
    ]

    operations = [
        migrations.AddField(
            model_name='outboxemail',
            name='thread',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='server.thread'),
        ),
        migrations.AddField(
            model_name='outboxemail',
            name='urgent_since',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='thread',
            name='after_hours_key',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='thread',
            name='urgent_acknowledged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='thread',
            name='urgent_acknowledged_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='thread',
            name='urgent_reason',
            field=models.CharField(blank=True, default='', max_length=20),
        ),
        migrations.AddField(
            model_name='thread',
            name='urgent_since',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='message',
            name='author',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='thread',
            index=models.Index(condition=models.Q(('urgent_acknowledged_at__isnull', True), ('urgent_since__isnull', False)), fields=['practice', '-last_message_at', '-id'], name='thread_urgent_open'),
        ),
        migrations.RunPython(_search_triggers_again, migrations.RunPython.noop),
    ]
