"""`resume`: the events after a cursor, rendered for the user as they may see them now.

The same two stages as the live push (`server.live.render`), with the user's current facts:
a message deleted since is not replayed with its text, a thread shows its current header,
threads the user no longer sees produce nothing. Replayed message text is audited.
"""

from dataclasses import dataclass

from django.db.models import Max, Min, Q

from server.audit import audit
from server.facts import live_person
from server.live import render
from server.live.declared import AccessChanged, MessageCreated
from server.live.log import last_allocated_id
from server.models import Event, User
from server.readmodel import badge_for

# A resume longer than this answers `resync_required`: refetching is cheaper than replaying.
MAX_REPLAY = 5000


@dataclass
class Replay:
    envelopes: list  # in cursor order, each rendered for the resuming user alone
    head: int        # the cursor to resume from next time
    badge: int       # the user's badge now


def replay(person, after: int) -> Replay | None:
    """Every event after `after` that `person`'s user may see now, or None when the client must
    resync: the cursor is older than the retained log, newer than the log, the gap is too long,
    the user's access changed in between (what they lost is no longer named by any event), or
    they may no longer hear anything."""
    bounds = Event.objects.aggregate(oldest=Min("id"), newest=Max("id"))
    newest = bounds["newest"] if bounds["newest"] is not None else last_allocated_id()
    if after > newest:
        return None
    # `prune` always keeps the newest row, so `oldest` is where the retained log starts.
    if bounds["oldest"] is not None and after < bounds["oldest"] - 1:
        return None
    now = live_person(person.user_id)
    if now is None:
        return None
    mine = Q(user_id=now.user_id) | Q(user_id__isnull=True, thread__isnull=False)
    rows = list(Event.objects.filter(mine, practice_id=now.practice_id, id__gt=after,
                                     id__lte=newest).order_by("id")[:MAX_REPLAY + 1])
    if len(rows) > MAX_REPLAY or any(row.type == AccessChanged.name for row in rows):
        return None
    envelopes = [envelope for envelope in render.envelopes(rows, recipient=now)
                 if render.may_receive(envelope, now, {})]
    _audit_text(now, envelopes)
    return Replay(envelopes, newest, badge_for(now))


def _audit_text(person, envelopes) -> None:
    """One audit row naming the messages whose text the replay returns (never the text)."""
    shown = [e["frame"]["message"] for e in envelopes if e["type"] == MessageCreated.name]
    if not shown:
        return
    user = User.objects.get(pk=person.user_id)
    audit(None, "messages.replayed", actor=user, practice_id=person.practice_id,
          message_ids=[m["id"] for m in shown],
          thread_ids=sorted({m["thread_id"] for m in shown}))
