"""Results of a campaign's assessment in a unit's area: the score distribution and grades per
child unit as charts (`core/charts.py`), the ranking (the tie rule in
`selectors.ranking`), and the ranking as .xlsx. Read from the assessment rows, whose totals
the services keep, in a flat number of queries however many associations."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core import charts
from jiceng.core.actor import Actor
from jiceng.core.exports import audit_export, export_response
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import require
from jiceng.core.views import paginate
from jiceng.org.models import Level, Unit
from jiceng.org.pages import unit_page

from . import exports, selectors
from .views import TAB, _campaign

GRADE_COLOURS = (charts.SUCCESS, charts.PRIMARY, charts.WARNING, charts.SECONDARY)


def _distribution_chart(bands: list[tuple[str, int]]) -> charts.BarChart:
    return charts.BarChart(
        key="distribution",
        title=_("Score distribution"),
        categories=[label for label, _n in bands],
        series=[charts.Series(_("Associations"), [n for _label, n in bands], charts.PRIMARY)],
        horizontal=False,
    )


def _grades_chart(rows: list[selectors.ChildGrades], grades: list[str]) -> charts.BarChart | None:
    rows = [row for row in rows if row.approved]
    if not rows or not grades:
        return None
    return charts.BarChart(
        key="grades",
        title=_("Grades by unit"),
        categories=[row.unit.display_name for row in rows],
        series=[
            charts.Series(
                grade,
                [row.grades.get(grade, 0) for row in rows],
                GRADE_COLOURS[i] if i < len(GRADE_COLOURS) else None,
            )
            for i, grade in enumerate(grades)
        ],
    )


def _results_campaign(request: AuthedRequest, unit: Unit) -> tuple:
    campaign, choices = _campaign(request, unit)
    if campaign is None or unit.level not in (Level.NATIONAL, Level.PROVINCE, Level.CITY):
        raise Http404
    return campaign, choices


@login_required
def results(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    campaign, choices = _results_campaign(request, unit)
    setup = selectors.setup_of(campaign)
    grades = [str(name) for name, _minimum in setup.bands] + [setup.failed] if setup else []
    children = selectors.grades_by_child(campaign, unit)
    page = paginate(request, selectors.ranking(campaign, unit))
    context.update(
        campaign=campaign,
        choices=choices,
        grades=grades,
        children=[(row, [(g, row.grades.get(g, 0)) for g in grades]) for row in children],
        pager_extra=f"campaign={campaign.pk}",
        page=page,
        distribution=_distribution_chart(selectors.distribution(campaign, unit)),
        grades_chart=_grades_chart(children, grades),
        can_export=request.user.can(Perm.EXPORT),
    )
    return render(request, "assessments/results.html", context)


@require(Perm.EXPORT)
def results_export(request: AuthedRequest, pk: int) -> HttpResponseBase:
    unit, _context = unit_page(request, pk, tab=TAB)
    campaign, _choices = _results_campaign(request, unit)
    audit_export(
        actor=Actor.from_request(request),
        unit=unit,
        what="assessments.ranking",
        file_format="xlsx",
        filters={"campaign": str(campaign.pk)},
    )
    return export_response(exports.results_export(campaign, unit), "xlsx")
