"""The time as the worker and the hub read it: the real clock unless a caller hands another
(tests step one by hand instead of waiting for time to pass)."""

import asyncio
import time
from datetime import datetime

from django.utils import timezone


class Clock:
    """The real clock: wall time, a monotonic reading, and sleeps of both kinds."""

    def now(self) -> datetime:
        return timezone.now()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


REAL = Clock()
