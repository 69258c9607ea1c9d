"""A sent message keeps the digest of its request, so a retried client_msg_id can be checked."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("server", "0009_accounts")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="request_digest",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
