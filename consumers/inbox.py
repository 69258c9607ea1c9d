"""The /ws/ consumer: one socket of one signed-in user.

It registers with the process's hub (`consumers.hub`) under the groups `rules.groups` names for
its user's current `Person`; the hub hands it envelopes (`server.live.render`), which it forwards
after re-checking access against that Person (`render.may_receive`, `render.frame_for`), and asks
it to reload the Person when access changed or to close. It replays the log on `resume`
(`server.live.replay`, the same renderer). Work that reads the database (connect,
resume, reload) holds live envelopes back and forwards them after, in order.

Close codes: 1009 frame too large (4009 where the server will not send 1009 for us), 4001 signed
out or session ended, 4003 no longer allowed here, 4012 reconnect and resume (the server could
not replay what the socket missed while its process was cut off from the channel layer).

The page says which thread it shows (`{"type": "viewing", "thread_id": N | null}`). A new message
delivered to a socket showing its thread counts as reviewed for email: the socket records it
(`do_seen_on_screen`, off the event loop) so the worker, in another process, finds the waiting
email gone (docs/WEBSOCKET.md, "What is on screen"). The claim is only ever acted on for a
message this socket was allowed to receive.
"""

import asyncio
import logging
import time
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from consumers import codec, openings, state
from consumers.hub import CATCH_UP, CLOSE, DELIVER, RELOAD, hub
from rules.groups import groups_for
from server.actions.on_screen import do_seen_on_screen
from server.live import render
from server.live.declared import MessageCreated, ThreadRemoved
from server.live.replay import replay

log = logging.getLogger(__name__)

SIGNED_OUT = 4001
NOT_ALLOWED = 4003
TOO_BIG_FALLBACK = 4009
RECONNECT = 4012

# Client-to-server frames per socket: a burst of `BURST`, refilled at `RATE` per second.
RATE = getattr(settings, "CAIRN_WS_RATE", 10.0)
BURST = getattr(settings, "CAIRN_WS_BURST", 30)
# How many delivered cursors a socket remembers, so that a resume on the same socket does not
# send them again.
SENT_MEMORY = 256


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

    # No channel of its own: the process's hub hears the channel layer for every socket.
    channel_layer_alias = None

    person = None
    hub = None
    closed = False
    joined = frozenset()  # the groups the hub holds this socket in
    # Live envelopes that arrived while the socket was reading the database, and anything after.
    backlog = None
    # After a resume, live envelopes up to its head were replayed already (or are not for us).
    replayed_to = 0
    sent = None  # the newest delivered cursors (a set and its order), from the first delivery
    viewing = None  # the thread the page says it shows (unchecked: see `_on_screen`)

    # --- the socket's life -------------------------------------------------------------------

    async def connect(self):
        # The session is read here, with the user's facts and hello, in one visit to the
        # database shared with the sockets opening at the same time (`consumers.openings`),
        # rather than by session and auth middleware (a visit of their own, and a wrapper around
        # every frame sent).
        session_key = self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)
        self.codec, subprotocol = codec.choose(self.scope.get("subprotocols") or [])
        if session_key is None or self.codec is None:
            return await self.close()
        self.session_key = session_key
        self.hidden, self.backlog = {}, deque()
        self.busy = asyncio.Lock()
        self.bucket = TokenBucket(RATE, BURST)
        self.writes = set()  # on-screen writes still running (kept, so none is collected early)
        async with self.busy:
            opened = await openings.opening(session_key)
            if opened is None:
                return await self.close()
            user, self.person, hello = opened
            self.user_id, self.auth_hash = user.pk, user.get_session_auth_hash()
            groups = groups_for(self.person)
            self.hub = hub()  # from here on, `disconnect` detaches the socket from it
            self.refreshed_at = self.hub.clock.monotonic()
            heard = self.hub.hears(groups)
            if not await self.hub.attach(self, groups):
                return await self.close()  # the user holds as many sockets as allowed
            if not heard:
                # Joined first, then read the cursor: nothing committed in between is missed.
                hello = await openings.hello(user, self.person)
            self.high = self.badge_cursor = hello["cursor"]
            self.badge = hello["badge"]
            await self.accept(subprotocol)
            await self.send_frame(hello)
            await self._drain()

    async def disconnect(self, code):
        self.closed = True
        if self.hub is not None:
            self.hub.detach(self)

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
        # Only the client's frames come this way (the hub calls `take` directly). Channels'
        # own dispatch hops to the database thread before every handler; ours hop when they
        # read the database, and only then.
        handler = {"websocket.connect": self.websocket_connect,
                   "websocket.receive": self.websocket_receive,
                   "websocket.disconnect": self.websocket_disconnect}.get(message.get("type"))
        if handler is None:
            log.warning("skipping unknown message %r", message.get("type"))
        else:
            await handler(message)

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
        if kind == "viewing":
            thread_id = frame.get("thread_id")
            if thread_id is not None and (not isinstance(thread_id, int)
                                          or isinstance(thread_id, bool) or thread_id < 1):
                return await self.send_error("malformed")
            self.viewing = thread_id
            return
        if kind == "resume":
            cursor = frame.get("cursor")
            if not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < 0:
                return await self.send_error("malformed")
            async with self.busy:
                await self.resume(cursor)
                await self._drain()
            return
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
        self.replayed_to = max(self.replayed_to, result.head)
        await self.send_frame({"type": "resumed", "cursor": result.head})

    async def catch_up(self):
        """Forward what the log holds after the newest event this socket forwarded (its process
        could not hear the channel layer for a while), or have the client reconnect and resume
        when that cannot be replayed."""
        result = await database_sync_to_async(replay)(self.person, self.high)
        if result is None:
            return await self.close(RECONNECT)
        for envelope in result.envelopes:
            await self._deliver(envelope, with_badge=False)
        await self._badge(result.badge, result.head)
        self.high = max(self.high, result.head)

    # --- what the hub hands over ---------------------------------------------------------------

    async def take(self, kind, detail, cache=None):
        """Called by the hub: forward an envelope (DELIVER), reload the user's facts (RELOAD,
        `detail` the access-change cursor or None), catch up from the log (CATCH_UP), or close
        (CLOSE, `detail` the code)."""
        if self.closed:
            return
        if kind == CLOSE:
            return await self.close(detail or SIGNED_OUT)
        if kind == DELIVER and not self.backlog and not self.busy.locked():
            if detail["cursor"] > self.replayed_to:
                await self._deliver(detail, cache=cache)
            return
        self.backlog.append((kind, detail))
        if not self.busy.locked():
            asyncio.ensure_future(self._catch_up())

    async def _catch_up(self):
        async with self.busy:
            await self._drain()

    async def _drain(self):
        """Forward what waited in the backlog, in order (with the busy lock held)."""
        while self.backlog and not self.closed:
            kind, detail = self.backlog.popleft()
            if kind == RELOAD:
                await self.reload(detail)
            elif kind == CATCH_UP:
                await self.catch_up()
            elif detail["cursor"] > self.replayed_to:
                await self._deliver(detail)

    # --- the steps ---------------------------------------------------------------------------

    async def _deliver(self, envelope, *, with_badge=True, cache=None):
        cursor = envelope["cursor"]
        if self.closed or not render.may_receive(envelope, self.person, self.hidden):
            return
        if self.sent is None:
            self.sent = (set(), deque())
        elif cursor in self.sent[0]:
            return
        self._remember(cursor)
        thread_id = envelope["thread_id"]
        lost = envelope["frame"].get("reason") == "access"
        if envelope["type"] == ThreadRemoved.name and lost:
            self.hidden[thread_id] = cursor
        elif thread_id in self.hidden and cursor > self.hidden[thread_id]:
            del self.hidden[thread_id]
        self.high = max(self.high, cursor)
        if cache is None:
            await self.send_frame(render.frame_for(envelope, self.person))
        else:
            # Tabs of one user with the same facts get the same bytes: encode them once.
            person = self.person
            await self._send_encoded(cache.get((person, self.codec.name), lambda: self.codec.encode(
                render.frame_for(envelope, person))))
        if envelope["type"] == MessageCreated.name and thread_id == self.viewing:
            self._on_screen(thread_id)
        if with_badge:
            await self._badge(render.badge_of(envelope, self.person), cursor)

    def _on_screen(self, thread_id):
        """A new message of the thread on screen was just delivered (so the user may see it):
        record the review without holding up the sockets behind this one."""
        task = asyncio.ensure_future(database_sync_to_async(do_seen_on_screen)(self.user_id,
                                                                               thread_id))
        self.writes.add(task)
        task.add_done_callback(self._written)

    def _written(self, task):
        self.writes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The email then goes as if the thread had not been on screen: one email too many.
            log.warning("recording an on-screen review failed: %r", task.exception())

    def _remember(self, cursor):
        cursors, order = self.sent
        cursors.add(cursor)
        order.append(cursor)
        if len(order) > SENT_MEMORY:
            cursors.discard(order.popleft())

    async def _badge(self, unread, as_of, *, cursor=None):
        # Badges are absolute and may overtake each other across processes: keep the newest.
        if unread is None or as_of < self.badge_cursor:
            return
        self.badge_cursor = as_of
        if unread != self.badge:
            self.badge = unread
            await self.send_frame(render.badge_frame(unread, as_of if cursor is None else cursor))

    async def reload(self, cursor):
        """Re-read the user's facts: drop the threads they lost, show those they gained, rejoin
        groups, or close."""
        fresh = await database_sync_to_async(state.reload)(self.user_id, self.person)
        if fresh is None:
            return await self.close(NOT_ALLOWED)
        self.person = fresh.person
        self.refreshed_at = self.hub.clock.monotonic()
        await self.hub.regroup(self, groups_for(fresh.person))
        at = cursor if cursor is not None else self.high
        for thread_id in fresh.lost:
            self.hidden[thread_id] = max(at, fresh.head)
            await self.send_frame(render.removed_frame(thread_id, at))
        for summary in fresh.gained:
            self.hidden.pop(summary["id"], None)
            await self.send_frame(render.gained_frame(summary, at))
        # Read just now, this badge is newer than any still in flight.
        self.badge_cursor = max(self.badge_cursor, fresh.head)
        await self._badge(fresh.badge, self.badge_cursor, cursor=at)

    async def send_frame(self, obj):
        if not self.closed:
            await self._send_encoded(self.codec.encode(obj))

    async def _send_encoded(self, data):
        if self.closed:
            return
        if self.codec.binary:
            await self.base_send({"type": "websocket.send", "bytes": data})
        else:
            await self.base_send({"type": "websocket.send", "text": data})

    async def send_error(self, code: str):
        await self.send_frame({"type": "error", "code": code})
