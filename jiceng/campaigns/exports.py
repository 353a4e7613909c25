"""The progress page's tables as one spreadsheet, on the shared exporter (`core.exports`): the
campaign in all, then per phase, per child unit and per task, each row saying which table it
belongs to, with the same figures the page shows (read from `selectors.progress_report`)."""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.exports import Cell, Column, Export

from .selectors import Progress, ProgressReport


@dataclass(frozen=True)
class Line:
    table: str
    name: str
    code: str
    phase: str
    level: str
    deadline: Any
    progress: Progress
    overdue: int | None


def _percent(value: float | None) -> Cell:
    return None if value is None else round(value * 100, 1)


def _lines(report: ProgressReport) -> list[Line]:
    progress = report.progress
    lines = [
        Line(
            _("Campaign"),
            progress.campaign.name,
            progress.unit.code,
            "",
            "",
            None,
            progress.total,
            report.overdue_total,
        )
    ]
    for entry in report.phases:
        phase = entry.phase
        lines.append(
            Line(_("Phase"), phase.name, "", phase.name, "", phase.ends, entry.progress, None)
        )
    for child in progress.children:
        lines.append(
            Line(
                _("Unit"),
                child.unit.name,
                child.unit.code,
                "",
                child.unit.get_level_display(),
                None,
                child.progress,
                report.child_overdue.get(child.unit.pk, 0),
            )
        )
    for line in progress.tasks:
        task = line.task
        lines.append(
            Line(
                _("Task"),
                task.title,
                "",
                task.phase.name,
                task.get_level_display(),
                line.deadline,
                line.progress,
                None,
            )
        )
    return lines


def columns() -> list[Column[Line]]:
    return [
        Column(_("Table"), lambda r: r.table, width=10),
        Column(_("Name"), lambda r: r.name, width=32),
        Column(_("Code"), lambda r: r.code or None, width=14),
        Column(_("Phase"), lambda r: r.phase or None, width=14),
        Column(_("Level"), lambda r: r.level or None, width=12),
        Column(_("Deadline"), lambda r: r.deadline, width=12),
        Column(_("Expected"), lambda r: r.progress.expected, width=10),
        Column(_("Done"), lambda r: r.progress.done, width=10),
        Column(_("On time"), lambda r: r.progress.on_time, width=10),
        Column(_("Late"), lambda r: r.progress.late, width=10),
        Column(_("Waived"), lambda r: r.progress.waived, width=10),
        Column(_("Not done"), lambda r: r.progress.not_done, width=10),
        Column(_("Overdue"), lambda r: r.overdue, width=10),
        Column(_("Reporting rate (%)"), lambda r: _percent(r.progress.reporting_rate), width=14),
        Column(_("On-time rate (%)"), lambda r: _percent(r.progress.on_time_rate), width=14),
    ]


def progress_export(report: ProgressReport) -> Export[Line]:
    """The campaign's progress in the unit's subtree: totals, phases, child units, tasks."""
    progress = report.progress
    return Export(
        columns=columns(),
        records=_lines(report),
        name=f"campaign-{progress.campaign.pk}-progress-{progress.unit.code}-"
        f"{timezone.localtime():%Y%m%d}",
        sheet=_("Progress"),
    )
