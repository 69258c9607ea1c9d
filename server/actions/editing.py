"""Header edits and deletions, checked: access, the rules, then the `do_*` action."""

from rules import can_delete_anything, can_delete_message, can_delete_thread, can_edit_header
from server.live import log as events
from server.access import access_message, access_thread
from server.actions.messages import do_delete_message
from server.actions.threads import access_change, do_delete_thread, do_edit_header
from server.errors import ApiError, forbidden
from server.facts import message_facts, thread_facts
from server.models import Message, User
from server.validation import clean_audience, clean_subject, clean_topic

HEADER_FIELDS = ("audience", "topic_id", "subject")


def check_edit_header(actor, thread_id, changes: dict, *, confirm: bool = False):
    """Apply `changes` (some of audience, topic_id, subject) to the thread. An audience change
    without `confirm` is 409 `confirm_audience_change` naming who would lose and gain access."""
    person = actor.person
    with events.writing(person.practice_id):
        thread = access_thread(person, thread_id, lock=True, live=True)
        if not can_edit_header(person, thread_facts(thread)):
            raise forbidden("not_allowed", "Only staff can edit a thread's header.")
        audience = clean_audience(changes["audience"]) if "audience" in changes else None
        topic = (clean_topic(thread.practice_id, changes["topic_id"]) if "topic_id" in changes
                 else ...)
        subject = clean_subject(changes["subject"]) if "subject" in changes else None
        if audience is not None and audience != thread.audience and not confirm:
            raise _confirm_audience_change(thread, audience)
        return do_edit_header(actor, thread, audience=audience, topic=topic, subject=subject)


def _confirm_audience_change(thread, audience) -> ApiError:
    losing, gaining = access_change(thread, audience)
    names = {u.pk: u.display_name
             for u in User.objects.filter(pk__in=[p.user_id for p in losing + gaining])}

    def refs(persons):
        return [{"id": p.user_id, "name": names[p.user_id]} for p in persons]

    return ApiError(409, "confirm_audience_change",
                    "Changing the audience changes who can see this thread; confirm it.",
                    access_change={"losing": refs(losing), "gaining": refs(gaining)})


def check_delete_thread(actor, thread_id) -> None:
    """Delete the thread and all its messages; needs the right to delete every one of them."""
    person = actor.person
    with events.writing(person.practice_id):
        thread = access_thread(person, thread_id, lock=True, live=True)
        if not can_delete_anything(person):
            raise forbidden("not_allowed", "Clients cannot delete.")
        live = Message.objects.filter(thread=thread, deleted_at__isnull=True)
        if not can_delete_thread(person, thread_facts(thread), [message_facts(m) for m in live]):
            raise forbidden("seen_by_client",
                            "The client has seen messages here; only an administrator may delete them.")
        do_delete_thread(actor, thread)


def check_delete_message(actor, message_id) -> None:
    """Delete while the client has not seen it; after that, only the thread kind's admin."""
    person = actor.person
    with events.writing(person.practice_id):
        message = access_message(person, message_id, lock=True)
        if not can_delete_anything(person):
            raise forbidden("not_allowed", "Clients cannot delete.")
        if message.deleted_at is not None or message.thread.deleted_at is not None:
            raise ApiError(410, "message_deleted", "This message was already deleted.")
        if not can_delete_message(person, thread_facts(message.thread), message_facts(message)):
            raise forbidden("seen_by_client",
                            "The client has seen this message; only an administrator may delete it.")
        do_delete_message(actor, message)
