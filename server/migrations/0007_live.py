"""Event rows keep references, never text: rewrite the retained log to the declared shapes
(server/live/declared.py). Message bodies and subjects that were copied into payloads go; a
removal for lost access gets its thread column like every other event about a thread."""

from django.db import migrations

KEEP = {
    "message.created": ("message_id",),
    "message.deleted": ("message_id",),
    "message.read_state": ("message_ids", "unread"),
    "receipt.seen": ("message_id",),
    "thread.removed": ("reason",),
}


def to_references(apps, schema_editor):
    Event = apps.get_model("server", "Event")
    Thread = apps.get_model("server", "Thread")
    for event in Event.objects.all().iterator():
        payload = event.payload or {}
        if event.type == "message.created" and isinstance(payload.get("message"), dict):
            payload = {"message_id": payload["message"].get("id")}
        thread_id = event.thread_id or payload.get("thread_id") or (
            (payload.get("thread") or {}).get("id"))
        event.payload = {key: payload[key] for key in KEEP.get(event.type, ()) if key in payload}
        known = isinstance(thread_id, int) and Thread.objects.filter(pk=thread_id).exists()
        event.thread_id = thread_id if known else None
        event.save(update_fields=["payload", "thread"])


class Migration(migrations.Migration):

    dependencies = [
        ("server", "0006_safety_settings"),
    ]

    operations = [
        migrations.RunPython(to_references, migrations.RunPython.noop),
    ]
