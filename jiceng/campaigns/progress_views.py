"""A campaign's progress in a unit's subtree: totals, per phase, per child unit (drilling down
to the child's own progress page, the same figures at each step), per task, the overdue lines,
two charts (per-child bars, the phase timeline) and the same tables as .xlsx. Read from the
summary rows (`selectors.progress_report`), in a flat number of queries."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core import charts
from jiceng.core.actor import Actor
from jiceng.core.exports import audit_export, export_response
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import require
from jiceng.org.models import Unit
from jiceng.org.pages import unit_page

from . import exports, selectors
from .models import Campaign, CampaignStatus
from .views import TAB

#: Overdue lines a page.
OVERDUE_PAGE = 50


def progress_url(unit: Unit, campaign: Campaign) -> str:
    return reverse("campaigns:progress", kwargs={"pk": unit.pk, "campaign_pk": campaign.pk})


#: A unit id no unit has, to cut a reversed URL around.
_SLOT = 2_147_483_647


def progress_links(campaign: Campaign) -> Callable[[Unit], str]:
    """`progress_url` for many units of one campaign: one `reverse`, then string joins (a
    national page links a hundred rows)."""
    head, tail = progress_url(Unit(pk=_SLOT), campaign).split(f"/{_SLOT}/")
    return lambda unit: f"{head}/{unit.pk}/{tail}"


def _campaign(unit: Unit, campaign_pk: int) -> tuple[Campaign, list[Campaign]]:
    """The campaign `campaign_pk` if it concerns `unit` (run by it or above it) and is under
    way or closed, with the others that are (for the chooser); 404 otherwise — a draft is a
    plan still being written, shown on the plan pages, like on the campaign tab. One query."""
    campaigns = list(
        selectors.campaigns_for_unit(unit)
        .exclude(status=CampaignStatus.DRAFT)
        .order_by("-year", "-pk")
    )
    for campaign in campaigns:
        if campaign.pk == campaign_pk:
            return campaign, campaigns
    raise Http404


def _children_chart(
    report: selectors.ProgressReport, link: Callable[[Unit], str]
) -> charts.BarChart | None:
    """Bars for the children that have something to do (the table lists them all)."""
    children = [line for line in report.progress.children if line.progress.expected]
    if not children:
        return None
    return charts.BarChart(
        key="children",
        title=_("Reporting and on-time rate by unit"),
        categories=[line.unit.display_name for line in children],
        series=[
            charts.Series(
                _("Reporting rate"),
                [line.progress.reporting_percent for line in children],
                charts.PRIMARY,
            ),
            charts.Series(
                _("On-time rate"),
                [line.progress.on_time_percent for line in children],
                charts.SUCCESS,
            ),
        ],
        suffix="%",
        max=100,
        links=[link(line.unit) for line in children],
    )


def _timeline(report: selectors.ProgressReport) -> charts.Timeline:
    unit = report.progress.unit
    return charts.Timeline(
        key="phases",
        title=_("Phases and deadlines"),
        spans=[charts.Span(p.phase.name, p.phase.starts, p.phase.ends) for p in report.phases],
        # The deadlines of the plans in force here (the campaign's, the province's, the
        # city's): local plans below the unit would crowd the chart; the task table has them.
        points=[
            charts.Point(line.task.phase.name, line.deadline, line.task.title)
            for line in report.progress.tasks
            if unit.path.startswith(line.task.owner_unit.path)
        ],
        today=report.today,
        span_name=_("Phase"),
        point_name=_("Deadline"),
        today_name=_("Today"),
    )


@login_required
def progress(request: AuthedRequest, pk: int, campaign_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    campaign, campaigns = _campaign(unit, campaign_pk)
    report = selectors.progress_report(campaign, unit)
    overdue = Paginator(report.overdue, OVERDUE_PAGE).get_page(request.GET.get("page"))
    link = progress_links(campaign)
    context.update(
        campaign=campaign,
        crumbs=[
            (
                crumb,
                link(crumb)
                if crumb.path.startswith(campaign.unit.path)
                else reverse("org:unit", kwargs={"pk": crumb.pk}),
            )
            for crumb in context["breadcrumbs"]
        ],
        child_rows=[
            (line, report.child_overdue.get(line.unit.pk, 0), link(line.unit))
            for line in report.progress.children
        ],
        overdue_rows=[(line, link(line.unit)) for line in overdue],
        campaigns=campaigns,
        report=report,
        progress=report.progress,
        overdue=overdue,
        children_chart=_children_chart(report, link),
        timeline=_timeline(report) if report.phases else None,
        can_export=request.user.can(Perm.EXPORT),
    )
    return render(request, "campaigns/progress.html", context)


@require(Perm.EXPORT)
def progress_export(request: AuthedRequest, pk: int, campaign_pk: int) -> HttpResponseBase:
    """The page's tables (the campaign, per phase, per child unit, per task) as .xlsx."""
    unit, _context = unit_page(request, pk, tab=TAB)
    campaign, _campaigns = _campaign(unit, campaign_pk)
    report = selectors.progress_report(campaign, unit)
    audit_export(
        actor=Actor.from_request(request),
        unit=unit,
        what="campaigns.progress",
        file_format="xlsx",
        filters={"campaign": str(campaign.pk)},
    )
    return export_response(exports.progress_export(report), "xlsx")
