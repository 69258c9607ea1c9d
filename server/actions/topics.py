"""The practice's topics and name, as changed from Django's admin; audited."""

from django.db.models import ProtectedError

from server.audit import audit
from server.models import Thread, Topic


def topic_in_use(topic) -> bool:
    """Threads keep their topic: one that any thread (deleted ones too) uses stays."""
    return Thread.objects.filter(topic=topic).exists()


def do_add_topic(topic, *, request=None) -> Topic:
    topic.save()
    audit(request, "topic.created", practice_id=topic.practice_id, topic=topic.pk)
    return topic


def do_edit_topic(topic, changed, *, request=None) -> None:
    changed = sorted(changed)
    if changed:
        topic.save(update_fields=changed)
        audit(request, "topic.edited", practice_id=topic.practice_id, topic=topic.pk,
              fields=changed)


def do_delete_topic(topic, *, request=None) -> None:
    """Delete a topic no thread uses (ProtectedError otherwise, from the database's rule too)."""
    if topic_in_use(topic):
        raise ProtectedError("Threads use this topic.", {topic})
    topic_id, practice_id = topic.pk, topic.practice_id
    topic.delete()
    audit(request, "topic.deleted", practice_id=practice_id, topic=topic_id)


def do_rename_practice(practice, name: str, *, request=None) -> None:
    if practice.name != name:
        practice.name = name
        practice.save(update_fields=["name"])
        audit(request, "practice.renamed", practice_id=practice.pk)
