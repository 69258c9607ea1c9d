"""The process's one listener on the channel layer, and the fan-out to the sockets it holds.

Sockets take no channel of their own. Each process (each event loop) has one `Hub`: it holds one
channel, joins each group its sockets need once (`rules.groups`), receives every envelope once —
decoded once, whatever the number of sockets — and hands it to the local sockets of the
envelope's viewers, with a `FrameCache` so each distinct frame is encoded once. Every socket
still re-checks access against its own, current Person before it forwards anything
(`InboxConsumer.take`).

It also does for all of its sockets at once what each would otherwise do on a timer of its own:
check their sessions (one query per sweep), reread their users' facts now and then in case an
"access changed" push was lost, and renew group membership.
"""

import asyncio
import logging
import weakref
from collections import defaultdict, deque

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from consumers import state
from server.clock import REAL, Clock
from server.live.declared import SENT, AccessChanged

log = logging.getLogger(__name__)

# How often the sweep checks sessions, and how old a user's facts may grow before it rereads them
# (a dropped "access changed" push must not leave a socket on stale facts for long).
SESSION_CHECK_SECONDS = getattr(settings, "CAIRN_WS_SESSION_CHECK_SECONDS", 60)
PERSON_REFRESH_SECONDS = getattr(settings, "CAIRN_WS_PERSON_REFRESH_SECONDS", 300)
# Channel layers forget a group member after a day; the hub renews its groups well before.
GROUP_REFRESH_SECONDS = 3600
# The hub sends itself a numbered canary through the layer this often. One that cannot be sent,
# or a gap in the numbers that come back, means the process stopped hearing the layer for a while
# (Redis down or restarting): every socket then catches up on what it missed. A canary that is
# merely late (a busy process) changes nothing.
CANARY_SECONDS = 2
# How many recent cursors the hub remembers to drop an envelope it already handed out (a thread
# event is sent to two groups, and a process may be in both).
_RECENT = 4096

# What a socket is asked to do.
DELIVER = "deliver"   # an envelope to forward, if the socket's Person may see it
RELOAD = "reload"     # reread the user's facts (an access change, or a recheck)
CLOSE = "close"       # close with the given code (None: the session ended)
CATCH_UP = "catch_up"  # replay what the log holds since the last envelope forwarded

_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub():
    """The running event loop's hub on the current channel layer (None without a layer); a hub
    installed with `install` keeps its clock."""
    layer = get_channel_layer()
    if layer is None:
        return None
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None or current.layer is not layer:
        if current is not None:
            current.stop()
        current = _hubs[loop] = Hub(layer)
    return current


class FrameCache:
    """Encoded frames of one envelope, shared by the sockets that get the same bytes (the tabs
    of one user, on one codec, with the same facts)."""

    def __init__(self):
        self.encoded = {}

    def get(self, key, build):
        data = self.encoded.get(key)
        if data is None:
            data = self.encoded[key] = build()
        return data


def install(clock: Clock) -> "Hub":
    """Give the running event loop a fresh hub that reads `clock` (tests step it by hand)."""
    current = _hubs.pop(asyncio.get_running_loop(), None)
    if current is not None:
        current.stop()
    fresh = _hubs[asyncio.get_running_loop()] = Hub(get_channel_layer(), clock)
    return fresh


class Hub:
    def __init__(self, layer, clock: Clock = REAL):
        self.layer = layer
        self.clock = clock
        self.channel = None
        self.users = defaultdict(set)    # user id -> that user's local sockets
        self.members = defaultdict(set)  # group -> local sockets in it
        self.joins = {}                  # group -> the task that made this process a member
        self.recent, self.recent_order = set(), deque()
        self.tasks = []
        self.starting = None
        self.canaries_sent = self.canaries_heard = 0
        self.deaf = False

    # --- sockets come and go -----------------------------------------------------------------

    def hears(self, groups) -> bool:
        """Whether this process already hears every one of `groups`."""
        return all(group in self.joins and self.joins[group].done()
                   and not self.joins[group].exception() for group in groups)

    async def attach(self, socket, groups) -> bool:
        """Hand `socket` the envelopes of `groups`; returns once this process hears them all.
        False, and nothing attached, when its user holds CAIRN_SOCKETS_PER_USER here already
        (counted and taken with no await in between, so a burst of handshakes cannot pass it)."""
        await self._start()
        sockets = self.users[socket.user_id]
        if len(sockets) >= settings.CAIRN_SOCKETS_PER_USER:
            return False
        sockets.add(socket)
        await self.regroup(socket, groups)
        return True

    async def regroup(self, socket, groups) -> None:
        wanted, had = frozenset(groups), socket.joined
        for group in had - wanted:
            self.members[group].discard(socket)
        for group in wanted - had:
            self.members[group].add(socket)
        socket.joined = wanted
        await asyncio.gather(*(self._join(group) for group in wanted))

    def detach(self, socket) -> None:
        self.users[socket.user_id].discard(socket)
        if not self.users[socket.user_id]:
            del self.users[socket.user_id]
        for group in socket.joined:
            self.members[group].discard(socket)

    async def _join(self, group) -> None:
        task = self.joins.get(group)
        if task is None or (task.done() and task.exception()):
            task = self.joins[group] = asyncio.ensure_future(self._group_add(group))
        await asyncio.shield(task)

    async def _group_add(self, group) -> None:
        try:
            await self.layer.group_add(group, self.channel)
        except Exception:
            # A pooled Redis connection that outlived a Redis restart fails once, then is replaced.
            log.warning("joining %s failed; retrying once", group, exc_info=True)
            await self.layer.group_add(group, self.channel)

    async def _start(self) -> None:
        # A start that failed (Redis down as the first socket opened) is tried again by the next.
        if self.starting is None or (self.starting.done() and self.starting.exception()):
            self.starting = asyncio.ensure_future(self._open())
        await asyncio.shield(self.starting)

    async def _open(self) -> None:
        self.channel = await self.layer.new_channel()
        self.tasks = [asyncio.ensure_future(self._listen()), asyncio.ensure_future(self._sweep()),
                      asyncio.ensure_future(self._canaries())]

    def stop(self) -> None:
        for task in self.tasks:
            task.cancel()

    # --- the layer's messages ----------------------------------------------------------------

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("receiving from the channel layer failed; retrying")
                await self.clock.asleep(1)
                continue
            try:
                await self.dispatch(message)
            except Exception:
                log.exception("fan-out of a %r message failed", message.get("type"))

    async def dispatch(self, message) -> None:
        kind = message.get("type", "")
        if kind == "cairn.canary":
            await self._heard(message.get("n"))
        elif kind == "cairn.recheck":
            for socket in list(self.members.get(message.get("group"), ())):
                await socket.take(RELOAD, None)
        elif kind == "cairn.close":
            for socket in list(self.members.get(message.get("group"), ())):
                await socket.take(CLOSE, message.get("code"))
        elif kind == AccessChanged.name:
            if self._seen(message["cursor"]):
                return
            for socket in list(self.users.get(message.get("user_id"), ())):
                await socket.take(RELOAD, message["cursor"])
        elif kind in SENT:
            if self._seen(message["cursor"]):
                return
            cache = FrameCache()
            for user_id in message.get("viewers", ()):
                for socket in list(self.users.get(user_id, ())):
                    await socket.take(DELIVER, message, cache)
        else:
            # A type this version does not know (a newer process sent it) is skipped.
            log.warning("skipping unknown layer message %r", kind)

    def _seen(self, cursor) -> bool:
        if cursor in self.recent:
            return True
        self.recent.add(cursor)
        self.recent_order.append(cursor)
        if len(self.recent_order) > _RECENT:
            self.recent.discard(self.recent_order.popleft())
        return False

    # --- hearing the layer --------------------------------------------------------------------

    async def _canaries(self) -> None:
        while True:
            await self.clock.asleep(CANARY_SECONDS)
            try:
                await self.layer.send(self.channel, {"type": "cairn.canary",
                                                     "n": self.canaries_sent + 1})
                self.canaries_sent += 1
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not self.deaf:
                    log.warning("cannot reach the channel layer: %r", error)
                self.deaf = True

    async def _heard(self, n) -> None:
        missed = n != self.canaries_heard + 1
        self.canaries_heard = n
        if self.deaf or missed:
            self.deaf = False
            log.warning("the channel layer is back; sockets catch up from the log")
            for socket in self._sockets():
                await socket.take(CATCH_UP, None)

    # --- the sweep ---------------------------------------------------------------------------

    async def _sweep(self) -> None:
        """Now and then, for every local socket at once: close those whose session ended (expiry,
        sign-out elsewhere, password change), reload those whose user's facts changed unseen,
        and keep the process's groups from expiring (dropping those no socket needs)."""
        regrouped = self.clock.monotonic()
        while True:
            await self.clock.asleep(SESSION_CHECK_SECONDS)
            try:
                await self._check_sessions()
                await self._refresh_people()
                if self.clock.monotonic() - regrouped > GROUP_REFRESH_SECONDS:
                    regrouped = self.clock.monotonic()
                    await self._renew_groups()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("socket sweep failed; trying again later")

    def _sockets(self) -> list:
        return [socket for sockets in list(self.users.values()) for socket in sockets]

    async def _check_sessions(self) -> None:
        sockets = self._sockets()
        if not sockets:
            return
        live, hashes = await database_sync_to_async(state.sessions_check)(
            {socket.session_key for socket in sockets}, {socket.user_id for socket in sockets})
        for socket in sockets:
            if socket.session_key not in live or hashes.get(socket.user_id) != socket.auth_hash:
                await socket.take(CLOSE, None)  # the socket's "signed out"

    async def _refresh_people(self) -> None:
        now = self.clock.monotonic()
        due = [socket for socket in self._sockets()
               if now - socket.refreshed_at > PERSON_REFRESH_SECONDS]
        if not due:
            return
        people = await database_sync_to_async(state.load_people)({s.user_id for s in due})
        for socket in due:
            socket.refreshed_at = now
            if people.get(socket.user_id) != socket.person:
                await socket.take(RELOAD, None)

    async def _renew_groups(self) -> None:
        for group in list(self.joins):
            if self.members.get(group):
                await self.layer.group_add(group, self.channel)
            else:
                self.members.pop(group, None)
                del self.joins[group]
                await self.layer.group_discard(group, self.channel)
                if self.members.get(group):  # a socket joined it meanwhile
                    await self._join(group)
