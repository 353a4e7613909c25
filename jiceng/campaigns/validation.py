"""The rules a campaign's plan keeps, as checks the services run before they write.

Each check raises `ValidationError({field: message})` in the user's language, naming the field
and saying what would be right."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.org.models import Level, Unit

from .models import PLAN_LEVELS, SCOPE_LEVELS, TASK_LEVELS, Campaign, Condition, Phase, level_rank


def _day(value: datetime.date) -> str:
    return value.isoformat()


def check_scope_unit(unit: Unit) -> None:
    if unit.level not in SCOPE_LEVELS:
        raise ValidationError(
            {
                "unit": _(
                    "A campaign is run by the national association or by a province; "
                    "“%(unit)s” is neither."
                )
                % {"unit": unit.name}
            }
        )


def check_phase_window(
    *, year: int, starts: datetime.date, ends: datetime.date, others: Iterable[Phase]
) -> None:
    """A phase lies within the campaign's year and overlaps none of the `others`."""
    if starts > ends:
        raise ValidationError(
            {
                "ends": _("A phase cannot end (%(ends)s) before it starts (%(starts)s).")
                % {"ends": _day(ends), "starts": _day(starts)}
            }
        )
    for field, day in (("starts", starts), ("ends", ends)):
        if day.year != year:
            raise ValidationError(
                {
                    field: _(
                        "A phase must lie within the campaign's year %(year)s; %(date)s is "
                        "outside it."
                    )
                    % {"year": year, "date": _day(day)}
                }
            )
    for other in others:
        if starts <= other.ends and other.starts <= ends:
            raise ValidationError(
                {
                    "starts": _(
                        "This phase overlaps the phase “%(phase)s” (%(other_starts)s – "
                        "%(other_ends)s); phases may not overlap."
                    )
                    % {
                        "phase": other.name,
                        "other_starts": _day(other.starts),
                        "other_ends": _day(other.ends),
                    }
                }
            )


def check_deadline_in_phase(*, phase: Phase, deadline: datetime.date) -> None:
    if not phase.starts <= deadline <= phase.ends:
        raise ValidationError(
            {
                "deadline": _(
                    "The deadline %(deadline)s must lie within the phase “%(phase)s” "
                    "(%(starts)s – %(ends)s)."
                )
                % {
                    "deadline": _day(deadline),
                    "phase": phase.name,
                    "starts": _day(phase.starts),
                    "ends": _day(phase.ends),
                }
            }
        )


def check_plan_owner(*, campaign: Campaign, owner: Unit) -> None:
    """Tasks are added by the campaign's scope unit, or by a province or city inside it."""
    inside = owner.path.startswith(campaign.unit.path)
    if not inside or owner.level not in PLAN_LEVELS:
        raise ValidationError(
            {
                "owner_unit": _(
                    "Tasks of “%(campaign)s” are added by %(scope)s or by a province or city "
                    "below it; “%(unit)s” is not one of them."
                )
                % {"campaign": campaign.name, "scope": campaign.unit.name, "unit": owner.name}
            }
        )


def check_task_level(*, owner: Unit, level: str) -> None:
    """A task is for a level below the unit whose plan adds it (for the campaign's own tasks,
    below the campaign's scope unit)."""
    if level not in TASK_LEVELS or level_rank(level) <= level_rank(owner.level):
        allowed = [Level(v).label for v in TASK_LEVELS if level_rank(v) > level_rank(owner.level)]
        raise ValidationError(
            {
                "level": _("A task added by “%(unit)s” is for a level below it: %(levels)s.")
                % {"unit": owner.name, "levels": ", ".join(str(label) for label in allowed)}
            }
        )


def check_condition(*, completion: str, condition: str) -> None:
    if completion == "condition":
        if condition not in Condition.values:
            raise ValidationError(
                {"condition": _("Choose the system condition that completes this task.")}
            )
    elif condition:
        raise ValidationError(
            {
                "condition": _(
                    "Only a task completed by a system condition names a condition; leave it "
                    "empty or choose “System condition”."
                )
            }
        )


def check_document(*, task: Any) -> None:
    """Only an acknowledge task names a document: an original (not a forward) issued by the
    unit whose plan adds the task or by a unit above it."""
    document = task.document
    if document is None:
        return
    if task.completion != "acknowledge":
        raise ValidationError(
            {"document": _("Only a task completed by acknowledging a document names one.")}
        )
    if document.origin_id is not None or not task.owner_unit.path.startswith(document.issuer.path):
        raise ValidationError(
            {
                "document": _(
                    "Choose a document issued by %(unit)s or above it, not a forwarded copy."
                )
                % {"unit": task.owner_unit.name}
            }
        )
