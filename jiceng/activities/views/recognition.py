"""Recognition pages: commendations and media reports of a unit's subtree, and their files."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError
from jiceng.core.files import serve_file
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.org.pages import unit_page

from .. import selectors, services
from ..forms import CommendationForm, MediaReportForm
from ..models import Commendation, MediaReport
from ._common import paginate, posted_version, save_flow, this_year

TAB = "recognition"
LISTS = ("commendations", "media")


def _page_url(unit_pk: int, which: str = "commendations") -> str:
    url = reverse("activities:recognition", kwargs={"pk": unit_pk})
    return url if which == "commendations" else f"{url}?list={which}"


@login_required
def recognition(request: AuthedRequest, pk: int) -> HttpResponse:
    """The year's figures, then commendations or media reports of the subtree."""
    unit, context = unit_page(request, pk, tab=TAB)
    which = request.GET.get("list", "commendations")
    which = which if which in LISTS else "commendations"
    records = (
        selectors.commendation_list(unit=unit)
        if which == "commendations"
        else selectors.media_report_list(unit=unit)
    )
    year = this_year()
    context.update(
        which=which,
        page=paginate(request, records),
        extra=f"list={which}",
        counts=selectors.recognition_counts(unit=unit, year=year),
        year=year,
    )
    return render(request, "activities/recognition.html", context)


def _create(request: AuthedRequest, pk: int, form_class: Any, which: str) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    model = form_class._meta.model
    create = services.commendation_create if model is Commendation else services.media_report_create
    response, form = save_flow(
        request,
        form_class(request.POST or None, request.FILES or None, instance=model(unit=unit)),
        lambda f: create(actor=Actor.from_request(request), unit=unit, data=f.model_data()),
        done=_page_url(unit.pk, which),
        message=_("Saved."),
    )
    if response is not None:
        return response
    title = _("Add a commendation") if model is Commendation else _("Add a media report")
    context.update(form=form, title=title, cancel=_page_url(unit.pk, which), multipart=True)
    return render(request, "activities/form.html", context)


def _edit(request: AuthedRequest, record: Any, form_class: Any, which: str) -> HttpResponse:
    _unit, context = unit_page(request, record.unit_id, tab=TAB)
    actor = Actor.from_request(request)

    def save(form: Any) -> object:
        if isinstance(record, Commendation):
            return services.commendation_update(
                actor=actor,
                commendation=record,
                data=form.model_data(),
                expected_version=form.expected_version,
            )
        return services.media_report_update(
            actor=actor,
            report=record,
            data=form.model_data(),
            expected_version=form.expected_version,
        )

    response, form = save_flow(
        request,
        form_class(request.POST or None, request.FILES or None, instance=record),
        save,
        done=_page_url(record.unit_id, which),
        message=_("Changes saved."),
        reload=lambda current: form_class(instance=current),
    )
    if response is not None:
        return response
    file_url = ""
    if isinstance(record, Commendation) and record.document:
        file_url = reverse("activities:commendation_file", kwargs={"pk": record.pk})
    elif isinstance(record, MediaReport) and record.scan:
        file_url = reverse("activities:media_report_file", kwargs={"pk": record.pk})
    context.update(
        form=form,
        title=str(record),
        cancel=_page_url(record.unit_id, which),
        multipart=True,
        file_url=file_url,
    )
    return render(request, "activities/form.html", context)


def _delete(request: AuthedRequest, record: Any, which: str) -> HttpResponse:
    actor = Actor.from_request(request)
    version = posted_version(request, record.version)
    try:
        if isinstance(record, Commendation):
            services.commendation_delete(actor=actor, commendation=record, expected_version=version)
        else:
            services.media_report_delete(actor=actor, report=record, expected_version=version)
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Deleted."))
    return redirect(_page_url(record.unit_id, which))


def _commendation(request: AuthedRequest, pk: int) -> Commendation:
    return get_in_scope_or_404(Commendation.objects.select_related("unit"), request.user, pk=pk)


def _report(request: AuthedRequest, pk: int) -> MediaReport:
    return get_in_scope_or_404(MediaReport.objects.select_related("unit"), request.user, pk=pk)


@require(Perm.RECOGNITION_EDIT)
def commendation_create(request: AuthedRequest, pk: int) -> HttpResponse:
    return _create(request, pk, CommendationForm, "commendations")


@require(Perm.RECOGNITION_EDIT)
def commendation_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _edit(request, _commendation(request, pk), CommendationForm, "commendations")


@require(Perm.RECOGNITION_EDIT)
@require_POST
def commendation_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return _delete(request, _commendation(request, pk), "commendations")


@login_required
def commendation_file(request: AuthedRequest, pk: int) -> FileResponse:
    return serve_file(_commendation(request, pk).document)


@require(Perm.RECOGNITION_EDIT)
def media_report_create(request: AuthedRequest, pk: int) -> HttpResponse:
    return _create(request, pk, MediaReportForm, "media")


@require(Perm.RECOGNITION_EDIT)
def media_report_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _edit(request, _report(request, pk), MediaReportForm, "media")


@require(Perm.RECOGNITION_EDIT)
@require_POST
def media_report_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return _delete(request, _report(request, pk), "media")


@login_required
def media_report_file(request: AuthedRequest, pk: int) -> FileResponse:
    return serve_file(_report(request, pk).scan)
