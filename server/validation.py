"""Checks on what users type and choose; each failure is a 422 naming the field."""

from rules import AUDIENCES
from server.errors import invalid
from server.models import Topic

BODY_MAX = 10_000
SUBJECT_MAX = 200


def _text(value, field: str, maximum: int, *, may_be_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise invalid("invalid", f"{field} must be text.", field=field)
    cleaned = value.strip()
    if not cleaned and not may_be_empty:
        raise invalid(f"{field}_empty", f"{field} must not be empty.", field=field)
    if len(cleaned) > maximum:
        raise invalid(f"{field}_too_long", f"{field} must be at most {maximum:,} characters.",
                      field=field)
    if "\x00" in cleaned:
        raise invalid("invalid", f"{field} must not contain NUL characters.", field=field)
    return cleaned


def clean_body(value, *, has_attachments: bool = False) -> str:
    """The trimmed body; it may be empty when the message carries attachments."""
    return _text(value, "body", BODY_MAX, may_be_empty=has_attachments)


def clean_subject(value) -> str:
    return _text(value, "subject", SUBJECT_MAX)


def clean_audience(value) -> str:
    if value not in AUDIENCES:
        raise invalid("unknown_audience", f"audience must be one of {', '.join(AUDIENCES)}.",
                      field="audience")
    return value


def clean_topic(practice_id: int, topic_id) -> Topic | None:
    """The practice's topic with that id, None for no topic; any other id is a 422."""
    if topic_id is None:
        return None
    topic = Topic.objects.filter(practice_id=practice_id, pk=topic_id).first()
    if topic is None:
        raise invalid("unknown_topic", "No such topic.", field="topic_id")
    return topic


def clean_client_msg_id(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise invalid("invalid", "client_msg_id must be 1 to 64 characters.", field="client_msg_id")
    return value


def clean_ids(values, field: str) -> set:
    """A set of ids; ids are 64-bit, a longer number would overflow the database driver."""
    for value in values:
        if not -2**63 <= value < 2**63:
            raise invalid("invalid", f"{field}: not an id.", field=field)
    return set(values)
