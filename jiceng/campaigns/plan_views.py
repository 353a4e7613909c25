"""The plan pages: the campaigns a unit takes part in, the wizard that makes next year's campaign
from an earlier one (copy, shift every date by whole years, adjust), and a campaign's plan as a
unit sees it — the campaign's own tasks for its scope unit, and for a province or city its
local plan (实施方案): the tasks from above with the deadline in force, its own earlier
deadlines and its own tasks. Thin: parse, call one service, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import require
from jiceng.core.views import act, save_flow
from jiceng.org.models import Unit
from jiceng.org.pages import unit_page

from . import selectors, services
from .forms import CopyForm, DeadlineForm, TaskForm
from .models import PLAN_LEVELS, Campaign, CampaignStatus, Task

TAB = "campaign"


def _plan_url(unit: Unit, campaign: Campaign) -> str:
    return reverse("campaigns:plan", kwargs={"pk": unit.pk, "campaign_pk": campaign.pk})


def _may_plan(request: AuthedRequest, unit: Unit, campaign: Campaign) -> bool:
    """The user writes `unit`'s plan of `campaign`: manages campaigns, reaches the unit, and the
    unit is the campaign's scope unit or a province or city inside it."""
    return (
        request.user.can(Perm.CAMPAIGN_MANAGE)
        and request.user.can_reach(unit)
        and (unit.pk == campaign.unit_id or unit.level in PLAN_LEVELS)
        and campaign.status != CampaignStatus.CLOSED
    )


def _visible(request: AuthedRequest, unit: Unit) -> list[Campaign]:
    """The campaigns `unit` takes part in; drafts only to those who may write the campaign's
    own plan (at its scope unit or above)."""
    campaigns = list(selectors.campaigns_for_unit(unit).order_by("-year", "-pk"))
    return [
        c
        for c in campaigns
        if c.status != CampaignStatus.DRAFT
        or (request.user.can(Perm.CAMPAIGN_MANAGE) and request.user.can_reach(c.unit))
    ]


def _campaign(request: AuthedRequest, unit: Unit, campaign_pk: int) -> Campaign:
    campaign = next((c for c in _visible(request, unit) if c.pk == campaign_pk), None)
    if campaign is None:
        raise Http404
    return campaign


@login_required
def plans(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    context["campaigns"] = _visible(request, unit)
    context["can_copy"] = request.user.can(Perm.CAMPAIGN_MANAGE) and any(
        c.unit_id == unit.pk for c in context["campaigns"]
    )
    return render(request, "campaigns/plans.html", context)


@require(Perm.CAMPAIGN_MANAGE)
def wizard(request: AuthedRequest, pk: int) -> HttpResponse:
    """Copy one of this unit's campaigns into another year, as a draft to adjust and start."""
    unit, context = unit_page(request, pk, tab=TAB)
    initial: dict[str, Any] = {}
    source = Campaign.objects.filter(unit=unit).order_by("-year", "-pk").first()
    if source is None:
        # Nothing of this unit's to copy: the page says so (a first campaign is configured by
        # the national association; a province copies one of its own).
        context["form"] = None
        return render(request, "campaigns/wizard.html", context)
    if request.method != "POST":
        initial = {
            "source": source,
            "year": source.year + 1,
            "name": source.name.replace(str(source.year), str(source.year + 1)),
        }
    form = CopyForm(request.POST or None, initial=initial, unit=unit)
    response, form = save_flow(
        request,
        form,
        lambda f: services.campaign_copy(
            actor=Actor.from_request(request),
            source=f.cleaned_data["source"],
            year_shift=f.cleaned_data["year"] - f.cleaned_data["source"].year,
            name=f.cleaned_data["name"],
            include_local=f.cleaned_data["include_local"],
        ),
        done=lambda copy: _plan_url(unit, copy),
        message=lambda copy: (
            _("“%(name)s” created as a draft: check its dates, then start it.")
            % {"name": copy.name}
        ),
    )
    if response is not None:
        return response
    context["form"] = form
    return render(request, "campaigns/wizard.html", context)


def _render_plan(
    request: AuthedRequest,
    unit: Unit,
    campaign: Campaign,
    context: dict[str, Any],
    *,
    task_form: TaskForm | None = None,
    bound: DeadlineForm | None = None,
) -> HttpResponse:
    plan = selectors.plan_for_unit(campaign, unit)
    may_plan = _may_plan(request, unit, campaign)
    for phase in plan.phases:
        for line in phase.lines:
            line.form = None
            if may_plan:
                if bound is not None and bound.task.pk == line.task.pk:
                    line.form = bound
                else:
                    line.form = DeadlineForm(
                        task=line.task, initial={"deadline": line.local or line.deadline}
                    )
    if may_plan and task_form is None:
        task_form = TaskForm(campaign=campaign, owner=unit)
    context.update(
        campaign=campaign,
        plan=plan,
        may_plan=may_plan,
        is_scope_unit=unit.pk == campaign.unit_id,
        task_form=task_form if may_plan else None,
    )
    return render(request, "campaigns/plan.html", context)


@login_required
def plan(request: AuthedRequest, pk: int, campaign_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    return _render_plan(request, unit, _campaign(request, unit, campaign_pk), context)


@require(Perm.CAMPAIGN_MANAGE)
@require_POST
def task_add(request: AuthedRequest, pk: int, campaign_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    campaign = _campaign(request, unit, campaign_pk)
    form = TaskForm(request.POST, campaign=campaign, owner=unit)
    response, form = save_flow(
        request,
        form,
        lambda f: services.task_create(
            actor=Actor.from_request(request),
            phase=f.data_for_service()[0],
            owner_unit=unit,
            data=f.data_for_service()[1],
        ),
        done=_plan_url(unit, campaign),
        message=lambda task: _("“%(task)s” added to the plan.") % {"task": task.title},
    )
    return response or _render_plan(request, unit, campaign, context, task_form=form)


@require(Perm.CAMPAIGN_MANAGE)
@require_POST
def task_deadline(request: AuthedRequest, pk: int, campaign_pk: int, task_pk: int) -> HttpResponse:
    """The plan's owner moves its own task's deadline; a province or city below brings a task
    from above forward for its subtree (a local deadline)."""
    unit, context = unit_page(request, pk, tab=TAB)
    campaign = _campaign(request, unit, campaign_pk)
    task = (
        Task.objects.filter(pk=task_pk, phase__campaign=campaign, parent_task__isnull=True)
        .select_related("phase__campaign", "owner_unit")
        .first()
    )
    if task is None or not unit.path.startswith(task.owner_unit.path):
        raise Http404
    actor = Actor.from_request(request)

    def save(form: DeadlineForm) -> Task:
        deadline = form.cleaned_data["deadline"]
        if task.owner_unit_id == unit.pk:
            return services.task_update(
                actor=actor,
                task=task,
                data={"deadline": deadline},
                expected_lock_version=task.lock_version,
            )
        return services.task_override_deadline(actor=actor, task=task, unit=unit, deadline=deadline)

    response, form = save_flow(
        request,
        DeadlineForm(request.POST, task=task),
        save,
        done=_plan_url(unit, campaign),
        message=_("The deadline of “%(task)s” is saved.") % {"task": task.title},
    )
    return response or _render_plan(request, unit, campaign, context, bound=form)


def _status_change(request: AuthedRequest, pk: int, campaign_pk: int, change: Any) -> HttpResponse:
    unit, _context = unit_page(request, pk, tab=TAB)
    campaign = _campaign(request, unit, campaign_pk)
    if campaign.unit_id != unit.pk:
        messages.error(
            request,
            _("Only %(unit)s, which runs “%(name)s”, starts or closes it.")
            % {"unit": campaign.unit.name, "name": campaign.name},
        )
        return redirect(_plan_url(unit, campaign))
    return act(
        request,
        lambda: change(actor=Actor.from_request(request), campaign=campaign),
        done=_plan_url(unit, campaign),
        message=lambda c: (
            _("“%(name)s” is now %(status)s.") % {"name": c.name, "status": c.get_status_display()}
        ),
    )


@require(Perm.CAMPAIGN_MANAGE)
@require_POST
def campaign_start(request: AuthedRequest, pk: int, campaign_pk: int) -> HttpResponse:
    return _status_change(request, pk, campaign_pk, services.campaign_start)


@require(Perm.CAMPAIGN_MANAGE)
@require_POST
def campaign_close(request: AuthedRequest, pk: int, campaign_pk: int) -> HttpResponse:
    return _status_change(request, pk, campaign_pk, services.campaign_close)
