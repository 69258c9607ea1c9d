"""The /ws/ consumer: one socket of one signed-in user.

It joins the groups `rules.groups` names for its user's current `Person`, forwards each envelope
the fan-out sends after re-checking access against that Person (`frames.may_receive`), reloads
the Person when told access changed, replays the log on `resume`, and closes when the session
ends, the user signs out, or a client's portal is switched off.

Close codes: 1009 frame too large (4009 where the server will not send 1009 for us), 4001 signed
out or session ended, 4003 no longer allowed here.
"""

import asyncio
import logging
import random
import time
from importlib import import_module

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from consumers import codec, frames, state
from consumers.replay import replay
from rules.groups import groups_for
from server import events

log = logging.getLogger(__name__)

SIGNED_OUT = 4001
NOT_ALLOWED = 4003
TOO_BIG_FALLBACK = 4009

# Client-to-server frames per socket: a burst of `BURST`, refilled at `RATE` per second.
RATE = getattr(settings, "CAIRN_WS_RATE", 10.0)
BURST = getattr(settings, "CAIRN_WS_BURST", 30)
# How often a socket checks that its session still stands, and refreshes its group membership
# (channel layers forget a group member after a day).
SESSION_CHECK_SECONDS = getattr(settings, "CAIRN_WS_SESSION_CHECK_SECONDS", 60)
GROUP_REFRESH_SECONDS = 3600
# A dropped "access changed" push must not leave a socket on stale facts for long.
PERSON_REFRESH_SECONDS = getattr(settings, "CAIRN_WS_PERSON_REFRESH_SECONDS", 300)
# How many delivered cursors a socket remembers to drop duplicates (two groups, live + replay).
_SENT_MEMORY = 4096

_EVENT_TYPES = {events.MESSAGE_CREATED, events.MESSAGE_DELETED, events.MESSAGE_READ_STATE,
                events.RECEIPT_SEEN, events.THREAD_CREATED, events.THREAD_UPDATED,
                events.THREAD_REMOVED, events.ACCESS_CHANGED}


async def _twice(call, *args):
    # A pooled Redis connection that outlived a Redis restart fails once, then is replaced.
    try:
        return await call(*args)
    except Exception:
        log.warning("channel layer call failed; retrying once", exc_info=True)
        return await call(*args)


class TokenBucket:
    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class InboxConsumer(AsyncWebsocketConsumer):
    """The live inbox of one signed-in user (staff or client).

    Not `AsyncJsonWebsocketConsumer`: msgpack sockets speak binary frames, which it refuses;
    `consumers.codec` does the encoding for both subprotocols instead."""

    person = None
    watcher = None
    closed = False

    # --- the socket's life -------------------------------------------------------------------

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return await self.close()
        self.codec, subprotocol = codec.choose(self.scope.get("subprotocols") or [])
        if self.codec is None:
            return await self.close()
        self.user_id = user.pk
        self.person = await database_sync_to_async(state.load_person)(user.pk)
        if self.person is None:
            return await self.close()
        self.sent, self.hidden = set(), {}
        self.bucket = TokenBucket(RATE, BURST)
        # Join first, then read the cursor: nothing committed in between is missed.
        await self._join(groups_for(self.person))
        hello = await database_sync_to_async(state.hello)(user, self.person)
        self.high = self.badge_cursor = hello["cursor"]
        self.badge = hello["badge"]
        await self.accept(subprotocol)
        await self.send_frame(hello)
        self.watcher = asyncio.ensure_future(self._watch())

    async def disconnect(self, code):
        self.closed = True
        if self.watcher is not None:
            self.watcher.cancel()

    async def close(self, code=None, reason=None):
        self.closed = True
        await super().close(code, reason)

    async def close_too_big(self):
        """Close 1009. Under daphne, autobahn refuses that code from the application (only 1000
        and 3000-4999): `serve` caps frames in autobahn itself, which sends the 1009; were a
        larger frame to get here anyway, 4009 says the same."""
        try:
            await self.close(1009)
        except Exception:
            self.closed = False
            await self.close(TOO_BIG_FALLBACK, "frame too large")

    async def dispatch(self, message):
        # An event type this consumer does not know yet is skipped, not fatal to the socket.
        kind = message.get("type", "")
        if kind.startswith(("websocket.", "cairn.")) or kind in _EVENT_TYPES:
            return await super().dispatch(message)
        log.warning("skipping unknown layer message %r", kind)

    # --- frames from the client --------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if codec.frame_size(text_data, bytes_data) > codec.MAX_FRAME:
            return await self.close_too_big()
        if not self.bucket.take():
            return await self.send_error("rate_limited")
        try:
            frame = self.codec.decode(text_data, bytes_data)
        except codec.FrameError as error:
            return await self.send_error(error.code)
        kind = frame["type"]
        if kind == "ping":
            return await self.send_frame({"type": "pong"})
        if kind == "resume":
            cursor = frame.get("cursor")
            if not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < 0:
                return await self.send_error("malformed")
            return await self.resume(cursor)
        await self.send_error("unknown_type")

    async def resume(self, cursor: int):
        """Replay what the user may see after `cursor`, then `resumed` (or `resync_required`)."""
        result = await database_sync_to_async(replay)(self.person, cursor)
        if result is None:
            return await self.send_frame({"type": "resync_required",
                                          "cursor": await database_sync_to_async(state.head)()})
        for envelope in result.envelopes:
            await self._deliver(envelope, with_badge=False)
        await self._badge(result.badge, result.head)
        self.high = max(self.high, result.head)
        await self.send_frame({"type": "resumed", "cursor": result.head})

    # --- envelopes from the fan-out (handler name = event type, as Channels dispatches) -------

    async def message_created(self, envelope):
        await self._deliver(envelope)

    async def message_deleted(self, envelope):
        await self._deliver(envelope)

    async def message_read_state(self, envelope):
        await self._deliver(envelope)

    async def receipt_seen(self, envelope):
        await self._deliver(envelope)

    async def thread_created(self, envelope):
        await self._deliver(envelope)

    async def thread_updated(self, envelope):
        await self._deliver(envelope)

    async def thread_removed(self, envelope):
        await self._deliver(envelope)

    async def access_changed(self, envelope):
        if envelope["cursor"] not in self.sent:
            self._remember(envelope["cursor"])
            await self.reload(envelope["cursor"])

    async def cairn_recheck(self, message):
        await self.reload(None)

    async def cairn_close(self, message):
        await self.close(message.get("code", SIGNED_OUT))

    # --- the steps ---------------------------------------------------------------------------

    async def _deliver(self, envelope, *, with_badge=True):
        cursor = envelope["cursor"]
        if cursor in self.sent or self.closed:
            return
        if not frames.may_receive(envelope, self.person, self.hidden):
            return
        self._remember(cursor)
        thread_id = frames.thread_id_of(envelope)
        lost = envelope["payload"].get("reason") == "access"
        if envelope["type"] == events.THREAD_REMOVED and lost:
            self.hidden[thread_id] = cursor
        elif thread_id in self.hidden and cursor > self.hidden[thread_id]:
            del self.hidden[thread_id]
        self.high = max(self.high, cursor)
        await self.send_frame(frames.frame_for(envelope, self.person))
        if with_badge:
            await self._badge(frames.badge_of(envelope, self.person), cursor)

    async def _badge(self, unread, as_of, *, cursor=None):
        # Badges are absolute and may overtake each other across processes: keep the newest.
        if unread is None or as_of < self.badge_cursor:
            return
        self.badge_cursor = as_of
        if unread != self.badge:
            self.badge = unread
            await self.send_frame({"type": "badge", "cursor": as_of if cursor is None else cursor,
                                   "unread": unread})

    async def reload(self, cursor):
        """Re-read the user's facts: drop the threads they lost, show those they gained, rejoin
        groups, or close."""
        fresh = await database_sync_to_async(state.reload)(self.user_id, self.person)
        if fresh is None:
            return await self.close(NOT_ALLOWED)
        self.person = fresh.person
        await self._join(groups_for(fresh.person))
        at = cursor if cursor is not None else self.high
        for thread_id in fresh.lost:
            self.hidden[thread_id] = max(at, fresh.head)
            await self.send_frame({"type": events.THREAD_REMOVED, "cursor": at,
                                   "thread_id": thread_id, "reason": "access"})
        for summary in fresh.gained:
            self.hidden.pop(summary["id"], None)
            await self.send_frame({"type": events.THREAD_UPDATED, "cursor": at, "thread": summary})
        # Read just now, this badge is newer than any still in flight.
        self.badge_cursor = max(self.badge_cursor, fresh.head)
        await self._badge(fresh.badge, self.badge_cursor, cursor=at)

    async def _join(self, wanted):
        wanted = set(wanted)
        for group in set(self.groups) - wanted:
            await _twice(self.channel_layer.group_discard, group, self.channel_name)
        for group in wanted - set(self.groups):
            await _twice(self.channel_layer.group_add, group, self.channel_name)
        self.groups = sorted(wanted)

    async def _watch(self):
        """Close when the session ends (expiry, sign-out elsewhere, password change); reread the
        user's facts now and then in case a push was lost; keep group membership from expiring."""
        regrouped = reloaded = time.monotonic()
        # Spread the checks of many sockets opened together (a restart) over the interval.
        await asyncio.sleep(random.uniform(0, SESSION_CHECK_SECONDS))
        while not self.closed:
            await asyncio.sleep(SESSION_CHECK_SECONDS)
            try:
                if not await self._session_stands():
                    return await self.close(SIGNED_OUT)
                if time.monotonic() - reloaded > PERSON_REFRESH_SECONDS:
                    reloaded = time.monotonic()
                    await self.reload(None)
                if time.monotonic() - regrouped > GROUP_REFRESH_SECONDS:
                    regrouped = time.monotonic()
                    for group in self.groups:
                        await self.channel_layer.group_add(group, self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("socket check failed; trying again later")

    async def _session_stands(self) -> bool:
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        if key is None:
            return False
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        user = await get_user({"session": store})
        return user.is_authenticated and user.pk == self.user_id and user.is_active

    def _remember(self, cursor):
        self.sent.add(cursor)
        if len(self.sent) > 2 * _SENT_MEMORY:
            self.sent = set(sorted(self.sent)[-_SENT_MEMORY:])

    async def send_frame(self, obj):
        if self.closed:
            return
        data = self.codec.encode(obj)
        if self.codec.binary:
            await self.send(bytes_data=data)
        else:
            await self.send(text_data=data)

    async def send_error(self, code: str):
        await self.send_frame({"type": "error", "code": code})
