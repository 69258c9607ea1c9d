"""Publishing to live sockets: rendered events to the groups `rules.groups` names (two group
sends for a thread event, one for a user event, whatever the number of sockets), and the control
messages that make sockets reload what they may see (`cairn.recheck`) or close (`cairn.close`).

Everything here runs after commit. A push is a hint: a dropped one is made good by `resume`, and
a failure is logged, never raised into the request that committed.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from rules.groups import portal_group, thread_groups, user_group
from server.live import render
from server.live.declared import AccessChanged
from server.models import User

log = logging.getLogger(__name__)


def publish_events(rows) -> None:
    """Send committed event rows, in order: each rendered once (`render.envelopes`) and sent to
    its groups. An access change goes to its user's sockets, which reload their facts."""
    rendered = {envelope["cursor"]: envelope for envelope in render.envelopes(rows)}
    sends = []
    for row in rows:
        if row.type == AccessChanged.name:
            group = user_group(row.user_id)
            sends.append((group, {"type": row.type, "cursor": row.pk, "user_id": row.user_id}))
        elif row.pk in rendered:
            envelope = rendered[row.pk]
            sends += [(group, envelope) for group in groups_of(envelope)]
    _send(sends)


def groups_of(envelope) -> tuple:
    """The groups that reach an envelope's recipients."""
    if envelope["user_id"] is not None:
        return (user_group(envelope["user_id"]),)
    return thread_groups(render.facts_of(envelope["thread"]))


def recheck_sockets(user_ids, *, with_supervisors: bool = False) -> None:
    """After commit, live sockets of `user_ids` (and, `with_supervisors`, of their supervisors)
    reload what they may see. No event row: for changes made outside the actions (a shell)."""
    ids = sorted(set(user_ids))
    if ids:
        _after_commit(_recheck, ids, with_supervisors)


def portal_switched(practice_id: int) -> None:
    """After commit, every client socket of the practice rechecks the portal switch."""
    _after_commit(_send, [_control(portal_group(practice_id), "cairn.recheck")])


def two_factor_required(practice_id: int) -> None:
    """After commit, sockets of the practice's staff who have not set up two-step sign-in
    recheck (the practice now requires it: they close)."""
    _after_commit(_recheck_staff_without_two_factor, practice_id)


# The close code that tells a socket to reconnect and resume (consumers/inbox.py, RECONNECT).
RECONNECT_CODE = 4012


def close_user_sockets(user_id: int) -> None:
    """Close every live socket of `user_id` (after commit; at once outside a transaction)."""
    _after_commit(_send, [_control(user_group(user_id), "cairn.close", code=4001)])


def reconnect_user_sockets(user_id: int) -> None:
    """Ask every socket of `user_id` to reconnect and resume (after commit): those whose session
    has ended since fail the handshake, the others come back."""
    _after_commit(_send, [_control(user_group(user_id), "cairn.close", code=RECONNECT_CODE)])


def _recheck(user_ids, with_supervisors: bool) -> None:
    ids = set(user_ids)
    if with_supervisors:
        ids |= set(User.supervises.through.objects.filter(to_user_id__in=ids)
                   .values_list("from_user_id", flat=True))
    _send([_control(user_group(uid), "cairn.recheck") for uid in sorted(ids)])


def _recheck_staff_without_two_factor(practice_id: int) -> None:
    staff = User.objects.filter(practice_id=practice_id, kind=User.STAFF, is_active=True)
    ids = staff.exclude(two_factor__confirmed_at__isnull=False).values_list("id", flat=True)
    _send([_control(user_group(uid), "cairn.recheck") for uid in sorted(ids)])


def _control(group: str, kind: str, **extra) -> tuple:
    # The hub hands a control message to its sockets in `group`, so the message names it.
    return group, {"type": kind, "group": group, **extra}


def _after_commit(fn, *args) -> None:
    def run():
        try:
            fn(*args)
        except Exception:
            log.exception("live push failed (clients will catch up on resume)")

    transaction.on_commit(run)


def _send(sends) -> None:
    layer = get_channel_layer()
    if layer is None or not sends:
        return

    async def send_all():
        for group, message in sends:
            try:
                await layer.group_send(group, message)
            except Exception:
                # A pooled Redis connection that outlived a Redis restart fails once; a Redis
                # that is down fails again, and the caller logs it (clients catch up on resume).
                await layer.group_send(group, message)

    async_to_sync(send_all)()
