"""Running queued background tasks in tests, with the real worker of django-tasks-db."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def _worker(*, batch: bool, interval: float = 0.0) -> Worker:
    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"test-{threading.get_ident()}",
        excluded_queue_names=[],
    )


def run_jobs() -> None:
    """Run every queued task to the end, here (tasks queued by tasks run too). The worker's
    own loop would close the connection between tasks, which a test's transaction cannot
    survive, so this claims and runs each task as the loop does, without that."""
    worker = _worker(batch=True)
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)


@contextmanager
def worker_thread() -> Iterator[None]:
    """A worker polling the queue beside a live server, as `db_worker` does beside gunicorn."""
    worker = _worker(batch=False, interval=0.2)

    def work() -> None:
        try:
            worker.run()
        finally:
            connection.close()

    thread = threading.Thread(target=work, name="db-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        worker.running = False
        thread.join(timeout=30)
