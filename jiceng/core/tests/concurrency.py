"""Parallel writers for the concurrency tests: each on its own database connection."""

import threading
from collections.abc import Callable

from django.db import connections


def run_in_threads(work: Callable[[int], None], n: int) -> list[BaseException]:
    """Run `work(0)` … `work(n - 1)` in `n` threads released together; return what they
    raised. Each thread closes its connections when done."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors
