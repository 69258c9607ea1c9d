"""The practice's topics and name, as changed from Django's admin; audited."""

from django.db.models import ProtectedError

from server.audit import audit_by
from server.models import Thread, Topic


def topic_in_use(topic) -> bool:
    """Threads keep their topic: one that any thread (deleted ones too) uses stays."""
    return Thread.objects.filter(topic=topic).exists()


def do_add_topic(actor, topic) -> Topic:
    topic.save()
    audit_by(actor, "topic.created", practice_id=topic.practice_id, topic=topic.pk)
    return topic


def do_edit_topic(actor, topic, changed) -> None:
    changed = sorted(changed)
    if changed:
        topic.save(update_fields=changed)
        audit_by(actor, "topic.edited", practice_id=topic.practice_id, topic=topic.pk,
              fields=changed)


def do_delete_topic(actor, topic) -> None:
    """Delete a topic no thread uses (ProtectedError otherwise, from the database's rule too)."""
    if topic_in_use(topic):
        raise ProtectedError("Threads use this topic.", {topic})
    topic_id, practice_id = topic.pk, topic.practice_id
    topic.delete()
    audit_by(actor, "topic.deleted", practice_id=practice_id, topic=topic_id)


def do_rename_practice(actor, practice, name: str) -> None:
    if practice.name != name:
        practice.name = name
        practice.save(update_fields=["name"])
        audit_by(actor, "practice.renamed", practice_id=practice.pk)
