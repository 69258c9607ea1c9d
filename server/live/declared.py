"""Every event type, declared once: its name (the frame's `type`), whom it reaches, what its
row carries and what its frame holds (SPEC §3 "WebSocket").

A row carries references and what cannot be read again later (ids, read-state flags), never
text: the frame is rendered at delivery from the facts as they are then (`server.live.render`).
`thread_id` says which thread an event is about, `user_id` (when set) that it reaches that user
alone; both become the row's columns, the rest its payload.
"""

import logging
from dataclasses import asdict, dataclass, fields
from typing import ClassVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Declared:
    name: ClassVar[str]
    # The frame holds the thread's summary (`thread`), personalised for its recipient.
    summary: ClassVar[bool] = False
    # It may change its recipients' badges (they get one, read with the event's facts).
    badge: ClassVar[bool] = True

    def payload(self) -> dict:
        """What the row stores besides its thread and user."""
        return {k: v for k, v in asdict(self).items() if k not in ("thread_id", "user_id")}


@dataclass(frozen=True)
class MessageCreated(Declared):
    """A message was written. Frame: `thread` (summary), `message`."""
    name: ClassVar[str] = "message.created"
    summary: ClassVar[bool] = True
    thread_id: int
    message_id: int


@dataclass(frozen=True)
class MessageDeleted(Declared):
    """A message was deleted. Frame: `thread_id`, `message_id`."""
    name: ClassVar[str] = "message.deleted"
    thread_id: int
    message_id: int


@dataclass(frozen=True)
class MessageReadState(Declared):
    """`user_id` marked messages read or unread (on all their devices). Frame: `thread_id`,
    `message_ids`, `unread`."""
    name: ClassVar[str] = "message.read_state"
    user_id: int
    thread_id: int
    message_ids: list
    unread: bool


@dataclass(frozen=True)
class ReceiptSeen(Declared):
    """The client saw a staff message. Frame: `thread_id`, `message_id`, `seen_by_client_at`,
    `can_delete` (the delete right may have narrowed)."""
    name: ClassVar[str] = "receipt.seen"
    badge: ClassVar[bool] = False
    thread_id: int
    message_id: int


@dataclass(frozen=True)
class ThreadCreated(Declared):
    """A thread was started (its first message follows). Frame: `thread` (summary)."""
    name: ClassVar[str] = "thread.created"
    summary: ClassVar[bool] = True
    badge: ClassVar[bool] = False
    thread_id: int


@dataclass(frozen=True)
class ThreadUpdated(Declared):
    """The header changed (everyone who sees it), or `user_id` archived or unarchived it (that
    user alone). Frame: `thread` (summary)."""
    name: ClassVar[str] = "thread.updated"
    summary: ClassVar[bool] = True
    thread_id: int
    user_id: int | None = None


@dataclass(frozen=True)
class ThreadRemoved(Declared):
    """The thread was deleted (everyone who saw it), or `user_id` lost access to it (`reason`
    "access", that user alone). Frame: `thread_id`, `reason`."""
    name: ClassVar[str] = "thread.removed"
    thread_id: int
    reason: str
    user_id: int | None = None


@dataclass(frozen=True)
class ThreadUrgent(Declared):
    """`thread_id` became urgent; to each clinical staff user who sees it (`user_id`), SPEC §4
    "Safety". Frame: `thread_id`, `urgent` (as it is now)."""
    name: ClassVar[str] = "thread.urgent"
    badge: ClassVar[bool] = False
    thread_id: int
    user_id: int


@dataclass(frozen=True)
class AccessChanged(Declared):
    """Internal: `user_id`'s roles or relationships changed. Never sent as such: their live
    sockets reload what they may see, and a `resume` across it answers `resync_required`."""
    name: ClassVar[str] = "access.changed"
    user_id: int


DECLARED = {kind.name: kind for kind in (MessageCreated, MessageDeleted, MessageReadState,
                                         ReceiptSeen, ThreadCreated, ThreadUpdated, ThreadRemoved,
                                         ThreadUrgent, AccessChanged)}
# The types a socket may be sent (all but the internal one).
SENT = frozenset(DECLARED) - {AccessChanged.name}


def declared(row):
    """The declaration an event row was recorded from, or None for a type this version does not
    know or a row that does not carry what its type declares (it is logged and reaches nobody)."""
    kind = DECLARED.get(row.type)
    if kind is None:
        return None
    known = {f.name for f in fields(kind)}
    values = {k: v for k, v in (row.payload or {}).items() if k in known}
    if "thread_id" in known:
        values["thread_id"] = row.thread_id
    if "user_id" in known:
        values["user_id"] = row.user_id
    try:
        return kind(**values)
    except TypeError:
        log.warning("event %s does not carry what %s declares; skipped", row.pk, row.type)
        return None
