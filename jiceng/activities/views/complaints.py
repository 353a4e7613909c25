"""Complaint pages for staff: the list of a subtree with its figures, the roll-up by sub-unit,
recording one, and moving one through its states."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import paginate, query_string, save_flow, this_year, year_choices, year_param
from jiceng.org.pages import unit_page

from .. import deadlines, selectors, services
from ..forms import ComplaintRecordForm, ComplaintTransitionForm
from ..models import Complaint, ComplaintKind, ComplaintState

TAB = "complaints"


def _complaint(request: AuthedRequest, pk: int) -> Complaint:
    return get_in_scope_or_404(
        Complaint.objects.select_related("unit", "recorded_by"), request.user, pk=pk
    )


def _detail_url(complaint: Complaint) -> str:
    return reverse("activities:complaint_detail", kwargs={"pk": complaint.pk})


@login_required
def complaint_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The complaints of the unit's subtree, newest first; the year's figures above."""
    unit, context = unit_page(request, pk, tab=TAB)
    state = request.GET.get("state", "")
    state = state if state in ComplaintState.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in ComplaintKind.values else ""
    # All years unless one is chosen, so that last year's open cases stay in view; the
    # figures are for the chosen year, or this one.
    year = year_param(request) if request.GET.get("year") else None
    stats_year = year or this_year()
    context.update(
        page=paginate(
            request, selectors.complaint_list(unit=unit, state=state, kind=kind, year=year)
        ),
        extra=query_string(state=state, kind=kind, year=year),
        stats=selectors.complaint_stats(unit=unit, year=stats_year),
        stats_year=stats_year,
        state=state,
        kind=kind,
        year=year,
        years=year_choices(),
        states=ComplaintState.choices,
        kinds=ComplaintKind.choices,
        public_url=(
            request.build_absolute_uri(
                reverse("activities:public_complaint_new", kwargs={"code": unit.code})
            )
            if services.accepts_complaints(unit)
            else ""
        ),
    )
    return render(request, "activities/complaint_list.html", context)


@login_required
def complaint_rollup(request: AuthedRequest, pk: int) -> HttpResponse:
    """The year's response time and resolution rate for the subtree and each sub-unit."""
    unit, context = unit_page(request, pk, tab=TAB)
    year = year_param(request)
    context.update(
        rollup=selectors.complaint_rollup(unit=unit, year=year),
        year=year,
        years=year_choices(),
        response_days=deadlines.working_days(),
    )
    return render(request, "activities/complaint_rollup.html", context)


@require(Perm.COMPLAINT_HANDLE)
def complaint_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Staff record a complaint that came by phone, letter or in person."""
    unit, context = unit_page(request, pk, tab=TAB)
    response, form = save_flow(
        request,
        ComplaintRecordForm(request.POST or None),
        lambda f: services.complaint_record(
            actor=Actor.from_request(request),
            unit=unit,
            data=f.model_data(),
            received_at=f.cleaned_data["received_at"],
        ),
        done=_detail_url,
        message=lambda complaint: (
            _("Recorded with reference number %(reference)s.") % {"reference": complaint.reference}
        ),
    )
    if response is not None:
        return response
    context.update(
        form=form,
        title=_("Record a complaint or help request"),
        cancel=reverse("activities:complaint_list", kwargs={"pk": unit.pk}),
    )
    return render(request, "activities/form.html", context)


def _transition_form(complaint: Complaint) -> ComplaintTransitionForm:
    # Each step has its own reply: the box starts empty (the earlier replies are in the
    # timeline above it).
    return ComplaintTransitionForm(initial={"lock_version": complaint.lock_version})


def _detail(
    request: AuthedRequest, complaint: Complaint, form: ComplaintTransitionForm | None = None
) -> HttpResponse:
    _unit, context = unit_page(request, complaint.unit_id, tab=TAB)
    states = dict(ComplaintState.choices)
    context.update(
        complaint=complaint,
        steps=list(complaint.steps.select_related("actor")),
        form=form or _transition_form(complaint),
        next_states=[(s, states[s]) for s in complaint.next_states],
    )
    return render(request, "activities/complaint_detail.html", context, status=200)


@login_required
def complaint_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _complaint(request, pk))


@require(Perm.COMPLAINT_HANDLE)
@require_POST
def complaint_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move the case on (the button pressed names the new state), with the response."""
    complaint = _complaint(request, pk)
    response, form = save_flow(
        request,
        ComplaintTransitionForm(request.POST),
        lambda f: services.complaint_transition(
            actor=Actor.from_request(request),
            complaint=complaint,
            to_state=f.cleaned_data["to_state"],
            response=f.cleaned_data["response"],
            expected_lock_version=f.cleaned_data["lock_version"],
        ),
        done=_detail_url(complaint),
        message=lambda moved: (
            _("The case is now “%(state)s”.") % {"state": dict(ComplaintState.choices)[moved.state]}
        ),
        reload=lambda current: _transition_form(current or complaint),
    )
    if response is not None:
        return response
    complaint.refresh_from_db()
    return _detail(request, complaint, form)
