"""Reminder sources and the daily job that runs them.

A reminder source is a module ``<app>/reminders.py`` in any jiceng app, exposing::

    def reminders(today: datetime.date) -> Iterable[Notice]

The sources are discovered over INSTALLED_APPS (no registration). `run_reminders` collects
their notices and hands them to `services.notify_many`, which sends each notice once per user
and key: running the job twice (or twice a day) sends nothing twice.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, NamedTuple

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from jiceng.org.models import Unit

logger = logging.getLogger(__name__)


class UnitRef(NamedTuple):
    """A unit by its id alone: all a notice needs, without building a model instance (which
    costs more than the rest of a reminder when a source yields one notice per unit)."""

    pk: int


@dataclass(frozen=True)
class Notice:
    kind: str
    units: Sequence[Unit | UnitRef] | QuerySet[Unit]
    params: Mapping[str, str | int]
    url: str
    key: str


ReminderSource = Callable[[datetime.date], Iterable[Notice]]


def reminder_sources() -> list[tuple[str, ReminderSource]]:
    """(app label, reminders function) for every jiceng app with a ``reminders`` module."""
    sources: list[tuple[str, ReminderSource]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jiceng.") or config.name == __package__:
            continue
        module_name = f"{config.name}.reminders"
        if find_spec(module_name) is None:
            continue
        function = getattr(import_module(module_name), "reminders", None)
        if callable(function):
            sources.append((config.label, function))
    return sources


def today_local() -> datetime.date:
    """Today in the site's time zone (Asia/Shanghai): deadlines are dates there."""
    return timezone.localdate()


def run_reminders(today: datetime.date | None = None) -> int:
    """Run every reminder source for `today` (default: today in Asia/Shanghai) and notify.
    Returns how many notifications were created."""
    from .services import notify_many

    day = today or today_local()
    created = 0
    for label, source in reminder_sources():
        count = notify_many(source(day))
        logger.info("reminders from %s for %s: %d created", label, day.isoformat(), count)
        created += count
    return created
