"""`guildbook worker`: deliver the outbox, in a loop or (`--once`) until nothing is due."""

import signal
import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from guildbook.core.tasks import run_ready_tasks
from guildbook.notifications import delivery
from guildbook.notifications.due_work import run_due_work


class Worker(delivery.Worker):
    """The delivery worker, which first runs the apps' due work (due_work.py) and one ready
    on-demand job (core/tasks.py: portfolio PDFs, exports), so messages either queues go
    out in the batch claimed straight after.

    That is done before every step while the outbox is quiet, and at most once every
    `other_work_every` seconds while batches follow each other: due work is timed in
    minutes, and checking it before each of a burst's batches cost a tenth of sending."""

    other_work_every = 1.0  # seconds

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._other_work_at = None  # time.monotonic() when it last ran
        self._busy = False  # the last step claimed something

    def step(self, *, now=None, keep_connection=False):
        moment = time.monotonic()
        due = (
            not self._busy
            or self._other_work_at is None
            or moment - self._other_work_at >= self.other_work_every
        )
        done = self._other_work(now, moment) if due else Counter()
        counts = super().step(now=now, keep_connection=keep_connection)
        if not due and not counts["claimed"]:  # the burst is over: catch up straight away
            done = self._other_work(now, moment)
            counts += super().step(now=now, keep_connection=keep_connection)
        self._busy = bool(counts["claimed"])
        counts += done
        self.totals += done
        return counts

    def _other_work(self, now, moment) -> Counter:
        self._other_work_at = moment
        done = run_due_work(now or self.clock())
        jobs = run_ready_tasks(worker_id=str(self.id)[:64], limit=1)
        if jobs:
            done["tasks"] += jobs
        return done


class Command(BaseCommand):
    help = "Send due messages from the outbox. Several workers may run against PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Send what is due now, then exit (for cron)."
        )
        parser.add_argument("--batch", type=int, default=delivery.DEFAULT_BATCH)
        parser.add_argument(
            "--lease-seconds",
            type=int,
            default=delivery.DEFAULT_LEASE_SECONDS,
            help="How long a claimed batch is ours before another worker may take it over.",
        )
        parser.add_argument("--max-attempts", type=int, default=delivery.DEFAULT_MAX_ATTEMPTS)
        parser.add_argument(
            "--poll-seconds",
            type=float,
            default=5.0,
            help="How long to wait before looking again when nothing is due.",
        )

    def handle(self, *args, once, batch, lease_seconds, max_attempts, poll_seconds, **options):
        timeout = settings.EMAIL_TIMEOUT or 30
        if batch < 1 or max_attempts < 1:
            raise CommandError("--batch and --max-attempts must be at least 1.")
        if lease_seconds < 2 * timeout:
            raise CommandError(
                f"--lease-seconds must be at least twice EMAIL_TIMEOUT ({timeout} s), so a "
                "message is never still in flight when another worker may take it over."
            )
        worker = Worker(
            batch=batch,
            lease_seconds=lease_seconds,
            max_attempts=max_attempts,
            poll_seconds=poll_seconds,
        )

        def stop(signum, frame):
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if options["verbosity"] >= 1:
            self.stderr.write(f"Worker {worker.id} started.")
        totals = worker.run(once=once)
        if options["verbosity"] >= 1:
            summary = ", ".join(f"{k} {v}" for k, v in sorted(totals.items())) or "nothing due"
            self.stderr.write(f"Worker {worker.id} stopped: {summary}.")
