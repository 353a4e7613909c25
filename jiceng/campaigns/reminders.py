"""The campaign's reminders: a task due in N days, a task overdue (to the unit and its parent).

Found by the notifications' daily job (`jiceng.notifications.reminders.run_reminders`).
Set-based: per running campaign three queries (campaigns, tasks, local deadlines), then one
query per task that may be due or overdue, listing the units at the task's level in the plan's
area that have neither done it nor had it waived; the deadline in force per unit (the task's,
or the earliest local one a province or city above it set, as `selectors.tasks_for_unit` takes
it) is worked out in Python from the local deadline rows, without queries.

This module holds its own read of the open units per task (`_open_units`) rather than a
selector in `selectors.py`, which belongs to the campaign pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import User
from jiceng.notifications.kinds import Kind, register_kind
from jiceng.notifications.reminders import Notice, UnitRef
from jiceng.org.anchors import ancestor_paths
from jiceng.org.models import Status, Unit

from .models import Campaign, CampaignStatus, Task, TaskCompletion

TASK_DUE = "campaign.task_due"
TASK_OVERDUE = "campaign.task_overdue"
CHILD_OVERDUE = "campaign.child_overdue"

register_kind(
    Kind(
        code=TASK_DUE,
        label=_("Task due"),
        message=_("Campaign task “%(task)s” is due on %(deadline)s."),
    )
)
register_kind(
    Kind(
        code=TASK_OVERDUE,
        label=_("Task overdue"),
        message=_("Campaign task “%(task)s” was due on %(deadline)s and is not done."),
    )
)
register_kind(
    Kind(
        code=CHILD_OVERDUE,
        label=_("Task overdue below"),
        message=_("%(unit)s has not done campaign task “%(task)s”, due on %(deadline)s."),
    )
)


_SENTINEL = 2_147_000_047


def due_days() -> int:
    """How many days ahead a task is announced as due (setting REMINDER_DUE_DAYS, 3)."""
    return int(settings.REMINDER_DUE_DAYS)


def _current_areas() -> list[tuple[Campaign, list[str]]]:
    """The running campaigns, each with the paths below its scope where another running
    campaign is current instead (`selectors.current_campaign` takes the latest whose scope
    contains the unit). One query."""
    running = list(
        Campaign.objects.filter(status=CampaignStatus.RUNNING)
        .select_related("unit")
        .order_by("-year", "-pk")
    )
    areas: list[tuple[Campaign, list[str]]] = []
    for index, campaign in enumerate(running):
        later = running[:index]
        path = campaign.unit.path
        if any(path.startswith(other.unit.path) for other in later):
            continue  # a later campaign covers the whole scope
        carved = [o.unit.path for o in later if o.unit.path.startswith(path)]
        areas.append((campaign, carved))
    return areas


def _deadline_in_force(
    path: str, deadline: datetime.date, local: dict[str, datetime.date]
) -> datetime.date:
    """The earliest of the task's deadline and the local ones set by units above `path`."""
    for ancestor in ancestor_paths(path, include_self=False):
        if ancestor in local and local[ancestor] < deadline:
            deadline = local[ancestor]
    return deadline


def _open_units(
    task: Task, carved: list[str], only_under: list[str] | None
) -> Iterator[tuple[int, str, str, int | None]]:
    """(pk, path, name, parent pk) of the active units at the task's level in the area of the
    plan that added it, that have neither done the task nor had it waived, and that have
    someone to tell (an active user bound to the unit or to its parent). One query."""
    bound = User.objects.filter(is_active=True).values("unit_id")
    units = (
        Unit.objects.filter(
            path__subtree=task.owner_unit.path, level=task.level, status=Status.ACTIVE
        )
        .filter(Q(pk__in=bound) | Q(parent_id__in=bound))
        .exclude(pk__in=TaskCompletion.objects.filter(task=task).values("unit_id"))
    )
    for path in carved:
        units = units.exclude(path__subtree=path)
    if only_under is not None:
        where = Q()
        for path in only_under:
            where |= Q(path__subtree=path)
        units = units.filter(where)
    yield from units.order_by().values_list("pk", "path", "name", "parent_id").iterator(2000)


def reminders(today: datetime.date) -> Iterable[Notice]:
    horizon = today + datetime.timedelta(days=due_days())
    for campaign, carved in _current_areas():
        tasks = list(
            Task.objects.filter(phase__campaign=campaign, parent_task__isnull=True).select_related(
                "owner_unit"
            )
        )
        local: dict[int, dict[str, datetime.date]] = {}
        for parent_id, path, deadline in Task.objects.filter(
            phase__campaign=campaign, parent_task__isnull=False
        ).values_list("parent_task_id", "owner_unit__path", "deadline"):
            assert parent_id is not None
            per_task = local.setdefault(parent_id, {})
            per_task[path] = min(deadline, per_task.get(path, deadline))
        for task in tasks:
            yield from _task_notices(task, local.get(task.pk, {}), carved, today, horizon)


def _task_notices(
    task: Task,
    local: dict[str, datetime.date],
    carved: list[str],
    today: datetime.date,
    horizon: datetime.date,
) -> Iterator[Notice]:
    if task.deadline <= horizon:
        only_under = None
    else:
        # Only where a local plan brought the deadline within the horizon.
        only_under = [path for path, deadline in local.items() if deadline <= horizon]
        if not only_under:
            return
    # The tab's URL reversed once, not per unit (reversing costs more than the rest together).
    tab = reverse("campaigns:unit_campaign", kwargs={"pk": _SENTINEL})
    for pk, path, name, parent_id in _open_units(task, carved, only_under):
        deadline = _deadline_in_force(path, task.deadline, local)
        if deadline > horizon:
            continue
        url = tab.replace(str(_SENTINEL), str(pk))
        params: dict[str, str | int] = {"task": task.title, "deadline": deadline.isoformat()}
        suffix = f"{task.pk}:{pk}:{deadline.isoformat()}"
        if deadline >= today:
            yield Notice(
                kind=TASK_DUE,
                units=[UnitRef(pk)],
                params=params,
                url=url,
                key=f"{TASK_DUE}:{suffix}",
            )
            continue
        yield Notice(
            kind=TASK_OVERDUE,
            units=[UnitRef(pk)],
            params=params,
            url=url,
            key=f"{TASK_OVERDUE}:{suffix}",
        )
        if parent_id is not None:
            yield Notice(
                kind=CHILD_OVERDUE,
                units=[UnitRef(parent_id)],
                params={**params, "unit": name},
                url=url,
                key=f"{CHILD_OVERDUE}:{suffix}",
            )
