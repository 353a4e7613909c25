"""Background jobs the user can watch: the part every job shares.

A job is a row the page polls for progress, plus a django-tasks task that does the work in the
worker (`manage.py db_worker`). The task is enqueued in the same transaction that creates or
advances the job row, so a job never exists without its task, nor a task without its job.

Progress is published twice: durably on the row (with the checkpoint a resumed job starts
from) and in the shared cache, which is the only channel that works while a job holds one long
transaction (an all-or-nothing import) that its own row updates would be hidden inside.

A worker that dies mid-job leaves the row "running" with a heartbeat that stops moving; after
JOB_STALE_SECONDS the page shows it as interrupted and offers to resume it. Each job kind makes
its own work resumable (an import commits in batches with a checkpoint).

Files expire. A job kind with a `file` (an uploaded roster, a written export) keeps it for
FILE_RETENTION_SECONDS after the job was created, whatever became of the job; then
`purge_expired_files` deletes it and empties the field, and the job's page says the file has
expired. Each job that stores a file queues the purge for its own expiry time
(`schedule_purge`, run by the same worker), and `manage.py purge_expired_files` runs it by
hand or from cron. The purge is idempotent and safe after a crash: it deletes the file before
emptying the row (a purge stopped in between finds the row again and finishes), and deletes
expired files under a job kind's folder that no row names (left by a crash mid-upload).
"""

import datetime
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: Why the job stopped without finishing: a stable code and a message for people.
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    failure_message = models.TextField(_("failure"), blank=True)
    #: Values for the failure's message, so it can be shown in the reader's language.
    failure_params = models.JSONField(default=dict, blank=True)

    #: States in which a worker is (or should be) working on the job.
    RUNNING_STATES: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    @property
    def _progress_key(self) -> str:
        return f"job-progress:{self._meta.label_lower}:{self.pk}"

    def live_progress(self) -> tuple[int, int, datetime.datetime | None]:
        """(done, total, last heartbeat): the newer of the row and the cache."""
        cached = cache.get(self._progress_key)
        row = (self.progress_done, self.progress_total, self.heartbeat_at)
        if cached is None or not self.is_running:
            return row
        if row[2] is not None and row[2] >= cached[2]:
            return row
        return cached

    @property
    def percent(self) -> int:
        done, total, _at = self.live_progress()
        if not total:
            return 0
        return min(100, int(100 * done / total))

    @property
    def is_running(self) -> bool:
        return getattr(self, "state", "") in self.RUNNING_STATES

    @property
    def is_stale(self) -> bool:
        """Running, but no progress for JOB_STALE_SECONDS: its worker has most likely died."""
        if not self.is_running:
            return False
        last = self.live_progress()[2] or self.created_at
        return timezone.now() - last > datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)

    def publish_progress(self, done: int, total: int | None = None) -> None:
        """Progress for the page only (the cache), from inside a long transaction. At most
        about once a second: the page polls no faster, and each write costs a file or a
        round trip."""
        self.progress_done = done
        if total is not None:
            self.progress_total = total
        now = time.monotonic()
        if now - getattr(self, "_published_at", 0.0) < 1.0:
            return
        self._published_at = now
        cache.set(
            self._progress_key,
            (done, self.progress_total, timezone.now()),
            timeout=7 * 86400,
        )

    def report_progress(self, done: int, total: int | None = None, **extra: Any) -> None:
        """Save progress (and any other changed fields) on the row and move the heartbeat."""
        self.publish_progress(done, total)
        fields = ["progress_done", "progress_total", "heartbeat_at", *extra]
        for name, value in extra.items():
            setattr(self, name, value)
        self.heartbeat_at = timezone.now()
        self.save(update_fields=fields)


# --- Files that expire -----------------------------------------------------------------------

logger = logging.getLogger(__name__)


def retention() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.FILE_RETENTION_SECONDS)


def file_expires_at(job: Job) -> datetime.datetime:
    return job.created_at + retention()


def schedule_purge(at: datetime.datetime | None = None) -> None:
    """Queue the purge for the expiry of a file stored now (or at `at`)."""
    from .tasks import purge_expired_files as task

    task.using(run_after=(at or timezone.now()) + retention()).enqueue()


def _job_kinds_with_files() -> Iterator[tuple[type[Job], models.FileField]]:
    for model in apps.get_models():
        if issubclass(model, Job):
            field = next(
                (f for f in model._meta.concrete_fields if isinstance(f, models.FileField)), None
            )
            if field is not None:
                yield model, field


def _folders(field: models.FileField) -> list[str]:
    folder = getattr(field.upload_to, "folder", None)
    return [folder] if isinstance(folder, str) and folder else []


def _old_files(folder: str, cutoff: datetime.datetime) -> Iterator[str]:
    """Stored files under `folder` last written before `cutoff`."""
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{folder}/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except FileNotFoundError:
            continue
        if modified < cutoff:
            yield path
    for directory in directories:
        yield from _old_files(f"{folder}/{directory}", cutoff)


def purge_expired_files(*, now: datetime.datetime | None = None) -> int:
    """Delete every job file past its retention; returns how many job files were purged.
    A job still being worked on keeps its file until it stops (or is found stale)."""
    cutoff = (now or timezone.now()) - retention()
    purged = 0
    for model, field in _job_kinds_with_files():
        manager = model._default_manager
        expired = manager.filter(created_at__lt=cutoff).exclude(**{field.name: ""})
        for job in expired.iterator():
            if job.is_running and not job.is_stale:
                continue
            name = getattr(job, field.attname).name
            default_storage.delete(name)  # first the file: a crash here is finished next time
            manager.filter(pk=job.pk, **{field.name: name}).update(**{field.name: ""})
            purged += 1
        named = set(manager.exclude(**{field.name: ""}).values_list(field.name, flat=True))
        for folder in _folders(field):
            for path in _old_files(folder, cutoff):
                if path not in named:
                    default_storage.delete(path)
                    logger.info("deleted an expired file no job names: %s", path)
    return purged
