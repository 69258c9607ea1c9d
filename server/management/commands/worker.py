"""python -m server worker: the notification worker alone, until SIGTERM or SIGINT."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand

from server.notify import worker

log = logging.getLogger("server.notify.worker")


class Command(BaseCommand):
    help = "Send the queued notification emails (the outbox) until stopped with SIGTERM/SIGINT."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="send what is due now, then exit (for cron or a one-off)")
        parser.add_argument("--poll", type=float, default=None,
                            help="seconds between looks at an empty outbox (default 2)")

    def handle(self, *args, once=False, poll=None, **options):
        if once:
            handled = worker.drain()
            self.stdout.write(f"handled {handled} queued email(s)")
            return
        stop = threading.Event()

        def on_signal(signum, frame):
            log.info("%s received: stopping after the email in hand", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        worker.run(stop, poll=poll)
