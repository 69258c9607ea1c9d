"""python -m server housekeeping: the housekeeping loop alone (pruning the event log, pushing
events whose push was lost), until SIGTERM or SIGINT."""

import signal
import threading

from django.core.management.base import BaseCommand

from server.housekeeping import Housekeeping


class Command(BaseCommand):
    help = "Run the housekeeping tasks (server/housekeeping.py) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="run every task once now, then exit (for cron or a one-off)")

    def handle(self, *args, once=False, **options):
        housekeeping = Housekeeping(clock=lambda: float("inf")) if once else Housekeeping()
        if once:
            ran = housekeeping.run_due()
            self.stdout.write(f"ran: {', '.join(ran) or 'nothing'}")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        housekeeping.run(stop)
