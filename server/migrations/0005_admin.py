"""A topic that threads use can no longer be deleted (it used to leave them with no topic):
threads keep what they were filed under; only an unused topic may go."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("server", "0004_inbox_query_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="thread",
            name="topic",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, to="server.topic"),
        ),
    ]
