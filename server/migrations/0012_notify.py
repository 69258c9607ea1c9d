"""Email timing: each once-per-thread notice knows its waiting outbox row; clients choose email
on or off."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('server', '0011_search'),
    ]

    operations = [
        migrations.AddField(
            model_name='emailnotice',
            name='email',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='server.outboxemail'),
        ),
        migrations.AddField(
            model_name='user',
            name='email_notices',
            field=models.BooleanField(default=True, help_text="A client's choice: an email when the practice writes (staff choose audiences instead)."),
        ),
    ]
