"""A clock tests step by hand (`server.clock.Clock`'s stand-in): nothing waits for time to pass.

Wall time (`now`) is the real time plus every step taken, so rows written with the real time stay
in order with it; the monotonic reading and the sleeps move only when stepped.
"""

import asyncio
from datetime import timedelta

from django.utils import timezone

from server.clock import Clock


class StepClock(Clock):
    def __init__(self):
        self.offset = 0.0
        self.sleepers = []  # (wakes at, future)

    def now(self):
        return timezone.now() + timedelta(seconds=self.offset)

    def monotonic(self) -> float:
        return self.offset

    def sleep(self, seconds: float) -> None:
        self.step(seconds)

    async def asleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.offset + seconds, wake))
        await wake

    def step(self, seconds: float) -> None:
        """Move time on by `seconds`, waking the sleepers whose time has come."""
        self.offset += seconds
        due = [(at, wake) for at, wake in self.sleepers if at <= self.offset]
        self.sleepers = [s for s in self.sleepers if s not in due]
        for _, wake in due:
            if not wake.done():
                wake.set_result(None)

    def step_past(self, moment) -> None:
        """Step wall time just past `moment`."""
        self.step(max(0.0, (moment - self.now()).total_seconds()) + 0.001)


async def until(condition, timeout: float = 5) -> None:
    """Wait for `condition()` to hold, letting other tasks run (an event, not time, is awaited)."""
    async def poll():
        while not condition():
            await asyncio.sleep(0.005)
    await asyncio.wait_for(poll(), timeout)


class StoppedClock(Clock):
    """A clock stopped at `moment`: everything it times happens then."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment
