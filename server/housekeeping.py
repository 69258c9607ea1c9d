"""Housekeeping: small periodic tasks, each on its own interval, in one loop.

`serve` and `demo` run it on a background thread next to the email worker; `python -m server
housekeeping` runs it alone. Adding a task is one line in `TASKS`. The clock is injectable, so
tests step it instead of sleeping.
"""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from django.db import close_old_connections, connection, connections

from server.actions.attachments import remove_untaken_uploads
from server.actions.sessions import remove_old_sign_ins
from server.live import log as event_log

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    name: str
    every: float                  # seconds between runs
    run: Callable[[], object]
    when: Callable[[], bool] = lambda: True  # skip runs while this is False


TASKS = [
    # Events past the resume window (a socket resuming from before them resyncs).
    Task("prune the event log", 3600, event_log.prune),
    # Committed events whose push was lost. Only a shared (Redis) layer reaches sockets from here.
    Task("push unpushed events", 2, event_log.push_pending, when=event_log.shared_channel_layer),
    # Uploads no message took within a day (SPEC §4 "Attachments").
    Task("remove untaken uploads", 600, remove_untaken_uploads),
    # Sign-ins whose session ended over a day ago (each user's newest stays: their last sign-in).
    Task("remove old sign-ins", 3600, remove_old_sign_ins),
]


class Housekeeping:
    """Runs `tasks` when they are due by `clock` (seconds, increasing)."""

    def __init__(self, tasks=None, clock: Callable[[], float] = time.monotonic):
        self.tasks = list(TASKS if tasks is None else tasks)
        self.clock = clock
        self.due = {task.name: clock() for task in self.tasks}

    def run_due(self) -> list:
        """Run every task whose time has come; returns their names. A task that fails is logged
        and tried again at its next time; the others go on."""
        now, ran = self.clock(), []
        for task in self.tasks:
            if now < self.due[task.name]:
                continue
            self.due[task.name] = now + task.every
            if not task.when():
                continue
            try:
                task.run()
                ran.append(task.name)
            except Exception:
                log.exception("housekeeping: %s failed; trying again later", task.name)
                connection.close()
        return ran

    def run(self, stop: threading.Event, tick: float = 1.0) -> None:
        """Run due tasks until `stop` is set."""
        try:
            while not stop.is_set():
                close_old_connections()
                self.run_due()
                stop.wait(tick)
        finally:
            connections.close_all()


class InBackground:
    """Housekeeping on a daemon thread of this process (`serve`, `demo`)."""

    def __init__(self, housekeeping: Housekeeping | None = None):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=(housekeeping or Housekeeping()).run,
                                        args=(self._stop,), daemon=True,
                                        name="cairn-housekeeping")

    def start(self) -> "InBackground":
        self._thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._thread.join(timeout)


def start_in_background() -> InBackground:
    return InBackground().start()
