"""Sockets opening together read the database together.

While one visit to the database reads what an opening socket needs (`state.opening`), the
sockets that open meanwhile wait for the next visit, which reads for all of them at once
(`state.openings`): a storm of reconnecting tabs — every tab of every user after a restart —
costs a few queries a visit instead of seven a socket, and the tabs of one session share one
read. A socket that opens alone costs what it did. The same holds for the hello that a user's
first tab reads once its groups are joined (`state.hellos`)."""

import asyncio
import weakref

from channels.db import database_sync_to_async

from consumers import state


class Batch:
    """`await batch.get(key)` is `fetch(keys)[key]` (None when missing), where `fetch` runs in
    Channels' database thread for every key asked for while its previous run was reading."""

    def __init__(self, fetch):
        self.fetch = database_sync_to_async(fetch)
        self.waiting = {}  # key -> the future its askers await
        self.worker = None

    async def get(self, key):
        future = self.waiting.get(key)
        if future is None:
            future = self.waiting[key] = asyncio.get_running_loop().create_future()
        if self.worker is None or self.worker.done():
            self.worker = asyncio.ensure_future(self._work())
        # Shielded: a socket that goes away while waiting does not cancel its tab-mates' read.
        return await asyncio.shield(future)

    async def _work(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting, {}
            try:
                found = await self.fetch(list(batch))
            except Exception as error:
                for future in batch.values():
                    future.set_exception(error)
                    future.exception()  # retrieved here too, in case every asker went away
            else:
                for key, future in batch.items():
                    future.set_result(found.get(key))


_batches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


def _batch(name: str, fetch) -> Batch:
    per_loop = _batches.setdefault(asyncio.get_running_loop(), {})
    if name not in per_loop:
        per_loop[name] = Batch(fetch)
    return per_loop[name]


async def opening(session_key: str):
    """(user, Person, hello) for a socket opening with `session_key`, or None."""
    return await _batch("opening", state.openings).get(session_key)


async def hello(user, person) -> dict:
    """A fresh hello (cursor, badge) for `user` as `person`."""
    return await _batch("hello", state.hellos).get((user, person))
