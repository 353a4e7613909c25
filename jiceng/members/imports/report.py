"""The error report: every problem of an import as an .xlsx the user downloads and works from."""

from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _

from ..models import ImportProblem, MemberImport, ProblemSeverity
from .headers import FIELD_LABELS
from .problems import render

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def report_phase(job: MemberImport) -> str:
    """The problems to show: the import's own once it has committed, else the check's."""
    if job.problems.filter(phase="commit").exists():
        return "commit"
    return "preview"


def write_report(job: MemberImport, target: Path) -> int:
    """Write the problems of the job's latest pass; returns how many."""
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    sheet = workbook.add_worksheet(_("Problems"))
    bold = workbook.add_format({"bold": True})
    guarded = workbook.add_format({"quote_prefix": True})
    error = workbook.add_format({"font_color": "#b02a37"})
    titles = [_("Row"), _("Column"), _("Field"), _("Value"), _("Severity"), _("Problem")]
    for col, title in enumerate(titles):
        sheet.write_string(0, col, title, bold)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 3, 22)
    sheet.set_column(4, 4, 10)
    sheet.set_column(5, 5, 80)
    severities = dict(ProblemSeverity.choices)
    problems = ImportProblem.objects.filter(job=job, phase=report_phase(job)).order_by("row", "id")
    count = 0
    for count, p in enumerate(problems.iterator(chunk_size=2000), start=1):
        sheet.write_number(count, 0, p.row)
        for col, text in (
            (1, p.column),
            (2, str(FIELD_LABELS.get(p.field, p.field))),
            (3, p.value),
        ):
            if text:
                fmt = guarded if text.startswith(DANGEROUS_START) else None
                sheet.write_string(count, col, text, fmt)
        is_error = p.severity == ProblemSeverity.ERROR
        sheet.write_string(count, 4, str(severities[p.severity]), error if is_error else None)
        sheet.write_string(count, 5, render(p.code, p.params))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(titles) - 1)
    workbook.close()
    return count
