"""An association's score sheet as a printable PDF (`core/pdf.py`, Typst): the sheet's
indicators side by side — points, self-score, computed score and its figures, each reviewing
level's score, the final score — flagged rows shaded, totals, grade and approval on top."""

from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import pdf

from . import selectors
from .models import Assessment

TEMPLATE = Path(__file__).parent / "typst" / "score_sheet.typ"


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


def _level_name(level: str) -> str:
    return {"city": _("City"), "province": _("Province"), "national": _("National")}[level]


def score_sheet_data(assessment: Assessment) -> dict[str, Any]:
    sheet = selectors.sheet(assessment)
    criteria = {item.code: item for item in sheet.criteria}
    rows: list[dict[str, Any]] = []
    last = ""
    for row in sheet.rows:
        top = row.code.split(".")[0]
        criterion = criteria.get(top)
        if top != last and criterion is not None and criterion.code != row.code:
            rows.append(
                {
                    "kind": "criterion",
                    "code": criterion.code,
                    "name": criterion.name,
                    "points": _text(criterion.points),
                }
            )
        last = top
        rows.append(
            {
                "kind": "indicator",
                "code": row.code,
                "name": row.item.name,
                "note": row.score.note,
                "points": _text(row.item.points),
                "self": _text(row.score.self_score),
                "computed": _text(row.computed_score) if row.is_computed else "—",
                "computed_from": row.computed_text,
                "levels": [
                    _text(row.adjustments[level].value) if level in row.adjustments else ""
                    for level in sheet.levels
                ],
                "final": _text(row.score.final_score),
                "flag": row.flagged,
            }
        )
    approved = ""
    if assessment.approved_by_unit is not None and assessment.approved_at is not None:
        approved = _("Approved by %(by)s on %(at)s.") % {
            "by": assessment.approved_by_unit.name,
            "at": timezone.localtime(assessment.approved_at).date().isoformat(),
        }
    return {
        "unit": assessment.unit.name,
        "heading": _("Nine-standards assessment score sheet"),
        "campaign": assessment.campaign.name,
        "rubric": str(assessment.rubric),
        "points": _text(assessment.rubric.points),
        "state": assessment.get_state_display(),
        "self_total": _text(assessment.self_total),
        "total": _text(assessment.total),
        "grade": assessment.grade or "—",
        "vetoed": assessment.vetoed,
        "flagged": sheet.flagged,
        "flag_note": _("Shaded: %(n)s self-scores the association's own figures contradict.")
        % {"n": sheet.flagged},
        "approved": approved,
        "levels": [_level_name(level) for level in sheet.levels],
        "rows": rows,
        "printed": _("Printed %(at)s from Jiceng")
        % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        "labels": {
            "state": _("State"),
            "self_total": _("Self-assessed"),
            "total": _("Total"),
            "grade": _("Grade"),
            "vetoed": _("Vetoed"),
            "code": _("Code"),
            "indicator": _("Indicator"),
            "points": _("Points"),
            "self": _("Self-score"),
            "computed": _("Computed"),
            "final": _("Final"),
            "signature_unit": _("Association (seal)"),
            "signature_reviewer": _("Reviewer"),
        },
    }


def score_sheet_pdf(assessment: Assessment, *, image: bool = False) -> bytes:
    return pdf.render(TEMPLATE, score_sheet_data(assessment), image=image)
