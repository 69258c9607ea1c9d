"""Inbox queries that stay flat as the practice grows (docs/PERFORMANCE.md, W5 and F6): an index
for the topic filter, a partial index for the deleted filter, and, on PostgreSQL, extended
statistics that tell the planner a client or a topic lies in one practice."""

from django.db import migrations, models

# Without them PostgreSQL multiplies the selectivities of `practice_id = P` and `client_id IN (…)`
# (or `topic_id = T`) as if independent, expects a handful of rows where there are hundreds, and
# sorts them all (joined) instead of reading the page off thread_activity or thread_topic.
POSTGRES = [
    "CREATE STATISTICS IF NOT EXISTS thread_scope_dependencies (dependencies) "
    "ON practice_id, client_id, topic_id FROM server_thread",
    "ANALYZE server_thread",
]
POSTGRES_UNDO = ["DROP STATISTICS IF EXISTS thread_scope_dependencies"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('server', '0003_event_pushed'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('deleted_at__isnull', False)), fields=['thread'], name='message_deleted'),
        ),
        migrations.AddIndex(
            model_name='thread',
            index=models.Index(fields=['practice', 'topic', '-last_message_at', '-id'], name='thread_topic'),
        ),
        migrations.RunPython(_run({"postgresql": POSTGRES}), _run({"postgresql": POSTGRES_UNDO})),
    ]
