"""Unread counts per (user, thread), kept on write beside the marks (server.unread).

Marks of deleted messages, and of live messages in deleted threads, counted for nothing; they go,
so that a thread's count is exactly the marks it holds. Then the counts are filled from the marks."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('server', '0013_urgent'),
    ]

    operations = [
        migrations.CreateModel(
            name='ThreadUnread',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('unread', models.PositiveIntegerField()),
                ('thread', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='unread_counts', to='server.thread')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'thread'), name='thread_unread_unique')],
            },
        ),
        migrations.RunSQL(
            """DELETE FROM server_unreadmark WHERE message_id IN (
                   SELECT m.id FROM server_message m JOIN server_thread t ON t.id = m.thread_id
                   WHERE m.deleted_at IS NOT NULL OR t.deleted_at IS NOT NULL)""",
            migrations.RunSQL.noop),
        migrations.RunSQL(
            """INSERT INTO server_threadunread (user_id, thread_id, unread)
               SELECT user_id, thread_id, COUNT(*) FROM server_unreadmark
               GROUP BY user_id, thread_id""",
            migrations.RunSQL.noop),
    ]
