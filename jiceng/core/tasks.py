"""Background tasks of the core: the purge of expired files (see `core/jobs.py`)."""

from django_tasks import task


@task()
def purge_expired_files() -> int:
    from .jobs import purge_expired_files as purge

    return purge()
