"""`verify_action`: state fetched before + the frames an action sent = state fetched after.

For each watching user with a live socket, the harness fetches what their page holds (the list
page, the badge, the open thread and its messages), runs the action, collects the frames their
socket received, applies them to the fetched state the way static/js does (`View.apply`) and
checks the result equals the state fetched afresh.

Where the page itself fetches anew on a frame (the inbox's `refreshSoon`, the portal's
`markSeen`, a `resync_required`), the model takes the fresh answer for that part too: that is
what the page shows, and what the frames alone cannot tell.
"""

import asyncio
import json
from dataclasses import dataclass, field, replace

import msgpack

from tests.consumers.helpers import QUIET, Api, open_socket

# The list each page loads: the inbox's default filters, the portal's "all" list (inbox.js,
# portal.js `loadList`).
STAFF_LIST = "/api/threads"
CLIENT_LIST = "/api/threads?state=all&limit=50"
CLOSED = object()  # the frame stream ended: the socket was closed
# What the open thread's header shows (inbox-thread.js, portal.js `renderHead`); its row in the
# list shows the rest (unread count, latest activity).
HEADER = ("id", "client", "audience", "topic", "subject", "created_at", "archived", "deleted")


@dataclass
class View:
    """What one page holds: summaries by id, the badge, the open thread and its messages."""

    staff: bool
    summaries: dict = field(default_factory=dict)
    badge: int = 0
    thread: dict | None = None
    messages: dict = field(default_factory=dict)
    closed: bool = False  # signed out or shut out: the page left

    def matches(self, summary) -> bool:
        """Whether a summary belongs in the list (inbox.js `matches`, portal.js `matches`)."""
        if summary.get("deleted"):
            return False
        return not (self.staff and summary.get("archived"))

    def upsert(self, summary) -> None:
        if self.matches(summary):
            self.summaries[summary["id"]] = summary
        else:
            self.summaries.pop(summary["id"], None)

    def is_open(self, thread_id) -> bool:
        return self.thread is not None and self.thread["id"] == thread_id

    def close_thread(self) -> None:
        self.thread, self.messages = None, {}

    def set_unread(self, thread_id) -> None:
        """The open thread's row counts its own unread messages (ThreadList.setUnread)."""
        summary = self.summaries.get(thread_id)
        if summary is not None:
            count = sum(1 for m in self.messages.values() if m.get("unread"))
            self.upsert({**summary, "unread_count": count})

    def apply(self, frame) -> set:
        """Apply one frame as the page does; returns what the page fetches anew ("list",
        "thread", "all")."""
        if frame is CLOSED:
            self.closed = True
            return set()
        kind = frame["type"]
        thread_id = frame.get("thread_id") or (frame.get("thread") or {}).get("id")
        is_open = self.is_open(thread_id)
        if kind == "badge":
            self.badge = frame["unread"]
        elif kind == "resync_required":
            return {"all"}
        elif kind in ("thread.created", "thread.updated"):
            self.upsert(frame["thread"])
            if is_open:
                self.thread = {**self.thread, **frame["thread"]}
        elif kind == "message.created":
            return self._message_created(frame, is_open)
        elif kind == "thread.removed":
            self.summaries.pop(thread_id, None)
            if is_open:
                self.close_thread()
        elif kind == "message.deleted":
            if is_open:
                self.messages.pop(frame["message_id"], None)
            return {"list"}
        elif kind == "message.read_state":
            if not is_open:
                return {"list"}
            for message_id in frame["message_ids"]:
                if message_id in self.messages:
                    self.messages[message_id] = {**self.messages[message_id],
                                                 "unread": frame["unread"]}
            self.set_unread(thread_id)
        elif kind == "receipt.seen" and is_open and frame["message_id"] in self.messages:
            changes = {"seen_by_client_at": frame["seen_by_client_at"]}
            if isinstance(frame.get("can_delete"), bool):
                changes["can_delete"] = frame["can_delete"]
            self.messages[frame["message_id"]] = {**self.messages[frame["message_id"]], **changes}
        return set()

    def _message_created(self, frame, is_open) -> set:
        if frame.get("thread"):
            self.upsert(frame["thread"])
        if not is_open:
            return set()
        message = frame["message"]
        self.messages[message["id"]] = {**self.messages.get(message["id"], {}), **message}
        if self.staff:
            self.thread = {**self.thread, **frame["thread"]}
            return set()
        # The portal fetches the thread again, so that a staff message counts as seen.
        return {"thread"} if message["author"]["kind"] == "staff" else set()


@dataclass
class Watcher:
    """A user with a live socket and a page showing the list, the badge and maybe a thread."""

    user: object
    opened: int | None = None
    api: Api = None
    socket: object = None
    before: View = None
    frames: list = field(default_factory=list)

    @property
    def staff(self) -> bool:
        return self.user.kind == "staff"

    async def connect(self):
        self.api = await Api.as_user(self.user)
        self.socket = await open_socket(self.user)
        return self

    async def fetch(self) -> View:
        """What the page shows when loaded afresh. The list and badge are read first: a client's
        opening of a thread is itself an action (it marks messages seen and read)."""
        view = View(staff=self.staff)
        page = await self.api.get(STAFF_LIST if self.staff else CLIENT_LIST, expect=None)
        if page is None or "threads" not in page:
            return replace(view, closed=True)  # signed out or shut out
        view.summaries = {s["id"]: s for s in page["threads"]}
        view.badge = (await self.api.get("/api/badge"))["unread"]
        if self.opened is not None:
            got = await self.api.get(f"/api/threads/{self.opened}", expect=None)
            # A deleted thread is shown only in the staff's "deleted" view, not this one.
            if got and "thread" in got and not got["thread"]["deleted"]:
                view.thread = got["thread"]
                view.messages = {m["id"]: m for m in got["messages"]}
        return view

    async def collect(self, quiet=QUIET) -> list:
        """Every frame until the socket stays quiet; CLOSED last if it was closed."""
        io, got = self.socket.io, []
        while not await io.receive_nothing(timeout=quiet):
            output = await io.receive_output()
            if output["type"] == "websocket.close":
                got.append(CLOSED)
                break
            data = output.get("bytes") or output.get("text")
            got.append(msgpack.unpackb(data, raw=False) if self.socket.subprotocol == "msgpack"
                       else json.loads(data))
        return got


async def watch(*users_and_threads) -> list:
    """Watchers for `(user, opened_thread_id)` pairs or bare users, connected and loaded."""
    watchers = []
    for item in users_and_threads:
        user, opened = item if isinstance(item, tuple) else (item, None)
        watchers.append(await Watcher(user, opened).connect())
    return watchers


async def verify_action(watchers, action):
    """Run `action` (an async callable) and check, for each watcher, that the state fetched
    before plus the frames their socket received equals the state fetched after. Returns the
    action's result; each watcher keeps its `.frames`."""
    # Loaded twice: a client's first opening of a thread is an action of its own (receipts
    # that reach the others); the second finds nothing new to mark.
    for _ in range(2):
        for w in watchers:
            w.before = await w.fetch()
        await asyncio.gather(*(w.collect() for w in watchers))
    result = await action()
    for w, frames in zip(watchers, await asyncio.gather(*(w.collect() for w in watchers))):
        w.frames = frames
    for w in watchers:
        model = replace(w.before, summaries=dict(w.before.summaries),
                        messages=dict(w.before.messages))
        refetch = set()
        for frame in w.frames:
            refetch |= model.apply(frame)
        after = await w.fetch()
        model = _with_refetched(model, after, refetch)
        _assert_same(w, model, after)
    return result


def _with_refetched(model, after, refetch) -> View:
    if model.closed:
        return model
    if "all" in refetch:
        return after
    if "list" in refetch:
        model.summaries = after.summaries
    if "thread" in refetch and model.thread is not None:
        model.thread, model.messages = after.thread, after.messages
    return model


def _assert_same(w, model, after) -> None:
    who = f"{w.user.username} ({'staff' if w.staff else 'client'})"
    if model.closed or after.closed:
        assert model.closed == after.closed, f"{who}: closed by frames {model.closed}, " \
                                             f"refetched {after.closed}; frames {w.frames}"
        return
    for part in ("badge", "summaries", "thread", "messages"):
        want, got = getattr(after, part), getattr(model, part)
        if part == "thread":
            want, got = _header(want), _header(got)
        assert got == want, (f"{who}: {part} from frames differ from refetched\n"
                             f"frames: {w.frames}\nmodel: {got}\nafter: {want}")


def _header(thread):
    return None if thread is None else {k: thread.get(k) for k in HEADER}
