"""The campaign tab (建设年) of a unit's pages: the unit's own tasks in the running campaign with
their states, completing a form or meeting task, a parent waiving a child's task, and — for a
unit with children — the progress table read from the summary rows (`campaign_progress`).
Thin: parse, call one service or selector, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import require
from jiceng.core.views import save_flow
from jiceng.org.models import Unit
from jiceng.org.pages import unit_page

from . import completion, selectors
from .forms import COMPLETED_ON_TAB, CompleteForm, WaiveForm
from .models import Task

TAB = "campaign"


def _tab_url(unit: Unit) -> str:
    return reverse("campaigns:unit_campaign", kwargs={"pk": unit.pk})


def _can_waive(request: AuthedRequest, unit: Unit) -> bool:
    """The user may waive `unit`'s tasks: the parent or a unit above it, managing campaigns."""
    parent = unit.parent
    return (
        parent is not None
        and request.user.can(Perm.CAMPAIGN_MANAGE)
        and request.user.can_reach(parent)
    )


def _render(
    request: AuthedRequest, unit: Unit, context: dict[str, Any], *, bound: Any = None
) -> HttpResponse:
    """The tab; `bound` is a form just refused, shown in its task's row with its errors."""
    campaign = selectors.current_campaign(unit)
    rows: list[dict[str, Any]] = []
    progress = None
    placed = False
    if campaign is not None:
        can_report = request.user.can(Perm.CAMPAIGN_REPORT)
        can_waive = _can_waive(request, unit)
        for state in selectors.unit_task_states(campaign, unit):
            task = state.task
            row: dict[str, Any] = {"s": state, "complete_form": None, "waive_form": None}
            is_bound = bound is not None and bound.task.pk == task.pk
            if state.is_open and can_report and task.completion in COMPLETED_ON_TAB:
                if is_bound and isinstance(bound, CompleteForm):
                    row["complete_form"], placed = bound, True
                else:
                    row["complete_form"] = CompleteForm(task=task)
            if state.is_open and can_waive:
                if is_bound and isinstance(bound, WaiveForm):
                    row["waive_form"], placed = bound, True
                else:
                    row["waive_form"] = WaiveForm(task=task)
            rows.append(row)
        if unit.numchild:
            progress = selectors.campaign_progress(campaign, unit)
    if bound is not None and not placed:
        # Refused where no form shows it (done meanwhile, or not this unit's task): say why.
        for errors in bound.errors.values():
            for error in errors:
                messages.error(request, error)
    context.update(campaign=campaign, rows=rows, progress=progress)
    return render(request, "campaigns/unit_campaign.html", context)


@login_required
def unit_campaign(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    return _render(request, unit, context)


def _task(unit: Unit, task_pk: int) -> Task:
    """A task (not a local deadline row) of a running campaign `unit` takes part in; 404
    otherwise."""
    campaign = selectors.current_campaign(unit)
    task = (
        Task.objects.filter(pk=task_pk, phase__campaign=campaign, parent_task__isnull=True)
        .select_related("phase__campaign", "owner_unit")
        .first()
        if campaign is not None
        else None
    )
    if task is None:
        raise Http404
    return task


@require(Perm.CAMPAIGN_REPORT)
def task_complete(request: AuthedRequest, pk: int, task_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    task = _task(unit, task_pk)
    if request.method != "POST" or task.completion not in COMPLETED_ON_TAB:
        return redirect(_tab_url(unit))
    response, form = save_flow(
        request,
        CompleteForm(request.POST, task=task),
        lambda f: completion.task_complete(
            actor=Actor.from_request(request), task=task, unit=unit, evidence=f.evidence()
        ),
        done=_tab_url(unit),
        message=_("“%(task)s” recorded as done.") % {"task": task.title},
    )
    return response or _render(request, unit, context, bound=form)


@require(Perm.CAMPAIGN_MANAGE)
def task_waive(request: AuthedRequest, pk: int, task_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    task = _task(unit, task_pk)
    if request.method != "POST":
        return redirect(_tab_url(unit))
    response, form = save_flow(
        request,
        WaiveForm(request.POST, task=task),
        lambda f: completion.task_waive(
            actor=Actor.from_request(request),
            task=task,
            unit=unit,
            reason=f.cleaned_data["reason"],
        ),
        done=_tab_url(unit),
        message=_("“%(task)s” waived for %(unit)s.") % {"task": task.title, "unit": unit.name},
    )
    return response or _render(request, unit, context, bound=form)
