"""Request and response shapes, so /api/openapi.json says what the endpoints really do."""

from datetime import datetime
from typing import Annotated, Any, Literal, Optional

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import (AfterValidator, ConfigDict, StrictBool, StrictInt, StrictStr,
                      model_serializer, model_validator)


class Strict(Schema):
    """Request bodies take JSON types as they are: no "5" for 5, no 1 for true."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _a_json_object(cls, data):
        # ninja's Schema would read fields off anything as attributes, so `[]` or `"x"` passed
        # for a body whose fields are all optional; a body must be a JSON object.
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            raise ValueError("The request body must be a JSON object.")
        return data


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: a lookup by such a value would be a 500, not a refusal.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Text that is looked up in the database as it is (bodies and subjects are checked in
# server.validation).
LookupStr = Annotated[StrictStr, AfterValidator(_no_nul)]


# Requests

class LoginIn(Strict):
    username: LookupStr
    password: LookupStr


class NewThreadIn(Strict):
    client_id: Optional[StrictInt] = None
    audience: StrictStr
    topic_id: Optional[StrictInt] = None
    subject: Optional[StrictStr] = None
    body: StrictStr
    client_msg_id: Optional[LookupStr] = None
    mark_thread_read: StrictBool = True
    attachments: list[StrictInt] = []


class NewMessageIn(Strict):
    body: StrictStr
    mark_thread_read: StrictBool = True
    client_msg_id: Optional[LookupStr] = None
    attachments: list[StrictInt] = []


class HeaderIn(Strict):
    audience: Optional[StrictStr] = None
    topic_id: Optional[StrictInt] = None
    subject: Optional[StrictStr] = None
    confirm: StrictBool = False


class ClientContactIn(Strict):
    email: LookupStr


class ActivateIn(Strict):
    token: LookupStr
    username: LookupStr
    password: LookupStr


class RolesIn(Strict):
    roles: list[StrictStr]


class CliniciansIn(Strict):
    clinicians: list[StrictInt]


# Responses

class Error(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: Error


class Ref(Schema):
    id: int
    name: str


class Author(Schema):
    id: Optional[int]  # None for an automatic reply
    name: str
    kind: Literal["staff", "client", "system"]


class PracticeOut(Schema):
    name: str
    portal_enabled: bool


class MeOut(Schema):
    id: int
    kind: Literal["staff", "client"]
    name: str
    roles: list[str]
    practice: PracticeOut
    badge: int


class BadgeOut(Schema):
    unread: int


class ClientOut(Schema):
    id: int
    name: str
    has_portal_account: bool
    has_email: bool


class TopicOut(Schema):
    id: int
    name: str
    subject: str


class LastMessageOut(Schema):
    author: Author
    preview: str


class UrgentOut(Schema):
    reason: Literal["crisis_language", "staff"]
    since: datetime
    acknowledged_by: Optional[Ref]
    acknowledged_at: Optional[datetime]


class MatchOut(Schema):
    message_id: Optional[int]
    snippet: str


class ThreadOut(Schema):
    id: int
    client: Ref
    audience: str
    topic: Optional[Ref]
    subject: str
    created_at: datetime
    last_message_at: datetime
    unread_count: int
    archived: bool
    deleted: bool
    last_message: Optional[LastMessageOut] = None
    urgent: Optional[UrgentOut]


class ThreadListed(ThreadOut):
    """A summary in `GET /api/threads`; `match` only on the summaries of a search (`q`)."""

    match: Optional[MatchOut] = None


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class CrisisOut(Schema):
    resources: str


class MessageOut(Schema):
    id: int
    thread_id: int
    author: Author
    body: str
    created_at: datetime
    unread: bool
    seen_by_client_at: Optional[datetime]
    deleted: bool
    can_delete: bool
    attachments: list[AttachmentOut] = []


class InvitationOut(Schema):
    status: Literal["sent", "no_email"]
    sent_at: Optional[datetime] = None  # when the live link was emailed ("sent" only)

    @model_serializer(mode="wrap")
    def _sent_at_only_when_sent(self, handler):
        data = handler(self)
        if data.get("sent_at") is None:
            data.pop("sent_at", None)
        return data


class ThreadPage(Schema):
    threads: list[ThreadListed]
    next: Optional[str]


class ThreadWithMessages(Schema):
    thread: ThreadOut
    messages: list[MessageOut]


class ThreadCreated(Schema):
    thread: ThreadOut
    message: MessageOut
    invitation: Optional[InvitationOut]
    crisis: Optional[CrisisOut] = None


class MessageCreated(Schema):
    message: MessageOut
    invitation: Optional[InvitationOut] = None
    crisis: Optional[CrisisOut] = None


class ThreadOnly(Schema):
    thread: ThreadOut


class MessageMark(Schema):
    """A message's unread flag for the caller, without its text."""
    id: int
    thread_id: int
    unread: bool


class MessageMarked(Schema):
    message: MessageMark


class AccessChange(Schema):
    losing: list[Ref]
    gaining: list[Ref]


class AccessChangeOut(Schema):
    access_change: AccessChange


class ConfirmError(Error):
    access_change: AccessChange


class ConfirmOut(Schema):
    error: ConfirmError


class RolesOut(Schema):
    id: int
    roles: list[str]


class CliniciansOut(Schema):
    id: int
    clinicians: list[Ref]


class InviteOut(Schema):
    invitation: InvitationOut


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: Optional[dict]
    action: str
    thread_id: Optional[int]
    message_id: Optional[int]
    client_id: Optional[int]
    ip: Optional[str]
    detail: dict


class AuditPage(Schema):
    entries: list[AuditEntryOut]
    next: Optional[str]


# The error statuses an endpoint can answer with, all in the ErrorOut shape.
ERRORS = frozenset({400, 401, 403, 404, 410, 413, 422, 429})
ERRORS_AND_CONFLICT = ERRORS | {409}


# The practice's settings (SPEC §4 "Safety"); server.practice_settings checks the values.

class PracticeSettingsIn(Strict):
    portal_enabled: Optional[StrictBool] = None
    guidelines: Optional[StrictStr] = None
    timezone: Optional[StrictStr] = None
    hours: Optional[dict[str, Any]] = None
    after_hours_reply: Optional[StrictStr] = None
    crisis_resources: Optional[StrictStr] = None
    require_two_factor: Optional[StrictBool] = None


class PracticeSettingsOut(Schema):
    name: str
    portal_enabled: bool
    guidelines: str
    timezone: str
    hours: dict[str, Any]
    after_hours_reply: str
    crisis_resources: str
    require_two_factor: bool


class OfficeOut(Schema):
    open: bool
    next_opening: Optional[datetime]
    timezone: str
