"""Recognition pages: honours and media reports of a unit's subtree, and their files."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.files import serve_file
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import act, paginate, posted_lock_version, save_flow, this_year
from jiceng.org.pages import unit_page

from .. import selectors, services
from ..forms import HonourForm, MediaReportForm
from ..models import Honour, HonourLevel, MediaReport

TAB = "recognition"
LISTS = ("honours", "media")


def _page_url(unit_pk: int, which: str = "honours") -> str:
    url = reverse("activities:recognition", kwargs={"pk": unit_pk})
    return url if which == "honours" else f"{url}?list={which}"


@login_required
def recognition(request: AuthedRequest, pk: int) -> HttpResponse:
    """The year's figures, then honours or media reports of the subtree."""
    unit, context = unit_page(request, pk, tab=TAB)
    which = request.GET.get("list", "honours")
    which = which if which in LISTS else "honours"
    records = (
        selectors.honour_list(unit=unit)
        if which == "honours"
        else selectors.media_report_list(unit=unit)
    )
    year = this_year()
    context.update(
        which=which,
        page=paginate(request, records),
        extra=f"list={which}",
        counts=selectors.recognition_counts(unit=unit, year=year),
        rollup=selectors.recognition_rollup(unit=unit, year=year) if unit.numchild else None,
        levels=HonourLevel.choices,
        year=year,
    )
    return render(request, "activities/recognition.html", context)


def _create(request: AuthedRequest, pk: int, form_class: Any, which: str) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    model = form_class._meta.model
    create = services.honour_create if model is Honour else services.media_report_create
    response, form = save_flow(
        request,
        form_class(request.POST or None, request.FILES or None, instance=model(unit=unit)),
        lambda f: create(actor=Actor.from_request(request), unit=unit, data=f.model_data()),
        done=_page_url(unit.pk, which),
        message=_("Saved."),
    )
    if response is not None:
        return response
    title = _("Add an honour") if model is Honour else _("Add a media report")
    context.update(form=form, title=title, cancel=_page_url(unit.pk, which), multipart=True)
    return render(request, "activities/form.html", context)


def _edit(request: AuthedRequest, record: Any, form_class: Any, which: str) -> HttpResponse:
    _unit, context = unit_page(request, record.unit_id, tab=TAB)
    actor = Actor.from_request(request)

    def save(form: Any) -> object:
        if isinstance(record, Honour):
            return services.honour_update(
                actor=actor,
                honour=record,
                data=form.model_data(),
                expected_lock_version=form.expected_lock_version,
            )
        return services.media_report_update(
            actor=actor,
            report=record,
            data=form.model_data(),
            expected_lock_version=form.expected_lock_version,
        )

    response, form = save_flow(
        request,
        form_class(request.POST or None, request.FILES or None, instance=record),
        save,
        done=_page_url(record.unit_id, which),
        message=_("Changes saved."),
    )
    if response is not None:
        return response
    file_url = ""
    if isinstance(record, Honour) and record.document:
        file_url = reverse("activities:honour_file", kwargs={"pk": record.pk})
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
    version = posted_lock_version(request, record.lock_version)

    def delete() -> None:
        if isinstance(record, Honour):
            services.honour_delete(actor=actor, honour=record, expected_lock_version=version)
        else:
            services.media_report_delete(actor=actor, report=record, expected_lock_version=version)

    return act(request, delete, done=_page_url(record.unit_id, which), message=_("Deleted."))


def _honour(request: AuthedRequest, pk: int) -> Honour:
    return get_in_scope_or_404(Honour.objects.select_related("unit"), request.user, pk=pk)


def _report(request: AuthedRequest, pk: int) -> MediaReport:
    return get_in_scope_or_404(MediaReport.objects.select_related("unit"), request.user, pk=pk)


@require(Perm.RECOGNITION_EDIT)
def honour_create(request: AuthedRequest, pk: int) -> HttpResponse:
    return _create(request, pk, HonourForm, "honours")


@require(Perm.RECOGNITION_EDIT)
def honour_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _edit(request, _honour(request, pk), HonourForm, "honours")


@require(Perm.RECOGNITION_EDIT)
@require_POST
def honour_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return _delete(request, _honour(request, pk), "honours")


@login_required
def honour_file(request: AuthedRequest, pk: int) -> FileResponse:
    return serve_file(_honour(request, pk).document)


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
