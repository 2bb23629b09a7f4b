"""Running on-demand jobs (django-tasks with its database backend) inside `guildbook worker`.

Apps define jobs with `django_tasks.task` and enqueue them on commit (a portfolio PDF, a
large export). The worker calls `run_ready_tasks` each step, so one background process
serves the outbox and the jobs; at scale the backend's own `db_worker` command can run jobs
as processes of their own, against the same table.

A job is claimed under a row lock (SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE
transactions queue writers), marked running, then run outside that transaction; its result
or its error is recorded by django-tasks-db.
"""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger("guildbook.tasks")

DEFAULT_BACKEND = "default"


def _runner(worker_id: str):
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_BACKEND,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_ready_tasks(*, worker_id: str, limit: int = 1) -> int:
    """Run up to `limit` jobs that are ready; returns how many ran (0 when none waited)."""
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    backend = settings.TASKS.get(DEFAULT_BACKEND, {}).get("BACKEND", "")
    if backend != "django_tasks_db.DatabaseBackend":
        return 0
    runner = None
    ran = 0
    while ran < limit:
        ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_BACKEND)
        with transaction.atomic(using=ready.db):
            job = ready.get_locked()
            if job is None:
                break
            job.claim(worker_id)
        runner = runner or _runner(worker_id)
        runner.run_task(job)
        ran += 1
    return ran
