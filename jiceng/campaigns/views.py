"""The campaign tab (建设年) of a unit's pages: the campaigns the unit takes part in (the running
one by default, any other by `?campaign=`), the unit's own tasks with their states, completing
a task with its evidence, a parent waiving a child's task, reopening either, and — for a unit
with children — the progress table read from the summary rows (`campaign_progress`), with a
link to the full progress page. Thin: parse, call one service or selector, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.files import serve_file
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import act, save_flow
from jiceng.org.models import Unit
from jiceng.org.pages import unit_page

from . import completion, selectors
from .forms import COMPLETED_ON_TAB, CompleteForm, WaiveForm
from .models import Campaign, EvidenceFile, Task

TAB = "campaign"


def _tab_url(unit: Unit, campaign: Campaign | None = None) -> str:
    url = reverse("campaigns:unit_campaign", kwargs={"pk": unit.pk})
    return f"{url}?campaign={campaign.pk}" if campaign is not None else url


def _chosen_campaign(request: AuthedRequest, unit: Unit) -> tuple[Campaign | None, list[Campaign]]:
    chosen = selectors.chosen_campaign(unit, request.GET.get("campaign"))
    if chosen is None:
        raise Http404
    return chosen


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
    choices: list[Campaign]
    if bound is not None:
        campaign, choices = bound.task.phase.campaign, []
    else:
        campaign, choices = _chosen_campaign(request, unit)
    rows: list[dict[str, Any]] = []
    progress = None
    placed = False
    if campaign is not None:
        running = campaign.is_running
        can_report = running and request.user.can(Perm.CAMPAIGN_REPORT)
        can_waive = running and _can_waive(request, unit)
        states = selectors.unit_task_states(campaign, unit)
        received = selectors.received_copies(
            unit,
            [
                s.task.document_id
                for s in states
                if s.is_open and running and s.task.document_id is not None
            ],
        )
        for state in states:
            task = state.task
            row: dict[str, Any] = {
                "s": state,
                "complete_form": None,
                "waive_form": None,
                "can_reopen": (
                    not state.is_open
                    and (can_waive if state.state == selectors.TaskState.WAIVED else can_report)
                ),
                # Done by acknowledging the copy of the task's document the unit received.
                "acknowledge": (
                    received.get(task.document_id)
                    if state.is_open and task.document_id is not None
                    else None
                ),
            }
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
    context.update(campaign=campaign, choices=choices, rows=rows, progress=progress)
    return render(request, "campaigns/unit_campaign.html", context)


@login_required
def unit_campaign(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    return _render(request, unit, context)


def _task(unit: Unit, task_pk: int) -> Task:
    """A task (not a local deadline row) of a campaign `unit` takes part in; 404 otherwise
    (whether it may be done now is the service's to say)."""
    task = (
        Task.objects.filter(
            pk=task_pk,
            phase__campaign__in=selectors.campaigns_for_unit(unit),
            parent_task__isnull=True,
        )
        .select_related("phase__campaign", "owner_unit")
        .first()
    )
    if task is None:
        raise Http404
    return task


@require(Perm.CAMPAIGN_REPORT)
def task_complete(request: AuthedRequest, pk: int, task_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    task = _task(unit, task_pk)
    if request.method != "POST" or task.completion not in COMPLETED_ON_TAB:
        return redirect(_tab_url(unit, task.phase.campaign))
    response, form = save_flow(
        request,
        CompleteForm(request.POST, request.FILES, task=task),
        lambda f: completion.task_complete(
            actor=Actor.from_request(request),
            task=task,
            unit=unit,
            evidence=f.evidence(),
            files=f.uploads(),
        ),
        done=_tab_url(unit, task.phase.campaign),
        message=_("“%(task)s” recorded as done.") % {"task": task.title},
    )
    return response or _render(request, unit, context, bound=form)


@require(Perm.CAMPAIGN_MANAGE)
def task_waive(request: AuthedRequest, pk: int, task_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    task = _task(unit, task_pk)
    if request.method != "POST":
        return redirect(_tab_url(unit, task.phase.campaign))
    response, form = save_flow(
        request,
        WaiveForm(request.POST, task=task),
        lambda f: completion.task_waive(
            actor=Actor.from_request(request),
            task=task,
            unit=unit,
            reason=f.cleaned_data["reason"],
        ),
        done=_tab_url(unit, task.phase.campaign),
        message=_("“%(task)s” waived for %(unit)s.") % {"task": task.title, "unit": unit.name},
    )
    return response or _render(request, unit, context, bound=form)


@login_required
@require_POST
def task_reopen(request: AuthedRequest, pk: int, task_pk: int) -> HttpResponse:
    """Take a completion or a waiver back; who may is the service's rule (the one who may
    complete it, or the one who may waive it)."""
    unit, _context = unit_page(request, pk, tab=TAB)
    task = _task(unit, task_pk)
    return act(
        request,
        lambda: completion.task_reopen(actor=Actor.from_request(request), task=task, unit=unit),
        done=_tab_url(unit, task.phase.campaign),
        message=_("“%(task)s” is open again.") % {"task": task.title},
    )


@login_required
def evidence_file(request: AuthedRequest, pk: int, file_pk: int) -> FileResponse:
    """An evidence file, only to users whose subtree holds its unit (404 otherwise); images
    inline, documents as a download under the name they were uploaded with."""
    unit, _context = unit_page(request, pk, tab=TAB)
    item = get_in_scope_or_404(EvidenceFile.objects.filter(unit=unit), request.user, pk=file_pk)
    return serve_file(item.file, download_name=None if item.is_image else item.name or None)
