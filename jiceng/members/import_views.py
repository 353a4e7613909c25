"""The roster import's pages: upload, the job's page with the members the import would change
(field by field, to update or skip), the column mapping, the commit, resume, the problem report
and the list of imports. The pipeline itself is `imports/`.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Page
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.http import AuthedRequest
from jiceng.core.pagination import CappedPaginator
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import paginate
from jiceng.org.pages import unit_page

from . import selectors
from .forms import ImportUploadForm, MappingForm
from .imports import service as imports
from .imports.errors import UnusableInput
from .imports.headers import FIELD_LABELS
from .imports.pipeline import CHANGES, EXISTING_SKIP, EXISTING_UPDATE
from .imports.problems import render as render_problem
from .imports.report import report_phase, write_report
from .models import ImportMode, ImportState, Member, MemberImport, MemberStatus, MemberType
from .validation import holds_members

#: Members listed per page of the changes.
CHANGES_PER_PAGE = 50


class ExistingForm(forms.Form):
    """What to do with existing members the import would change."""

    existing = forms.ChoiceField(
        label=_("Members already on record that this file changes"),
        choices=[
            (EXISTING_UPDATE, _("Update them with the values in the file")),
            (EXISTING_SKIP, _("Leave them as they are (import only the new members)")),
        ],
        # Required: there is no default; the page shows the group only when members change.
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class MemberChange:
    row: int
    member_id: int
    name: str
    fields: list[FieldChange]


_CHOICES = {
    "member_type": dict(MemberType.choices),
    "status": dict(MemberStatus.choices),
}


def _label(name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    try:
        field = Member._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    return str(_CHOICES.get(name, {}).get(value, value))


def member_changes(request: AuthedRequest, job: MemberImport) -> Page:
    """A page of the members the checked import would change, field by field. The values were
    stored masked where personal (phone, ID number): nobody sees them in the clear here."""
    rows = job.problems.filter(phase=CHANGES).order_by("row", "id")
    page = CappedPaginator(rows, CHANGES_PER_PAGE).get_page(request.GET.get("changes_page"))
    page.object_list = [
        MemberChange(
            row=p.row,
            member_id=p.params.get("member", 0),
            name=p.value,
            fields=[
                FieldChange(_label(name), _shown(name, old), _shown(name, new))
                for name, old, new in p.params.get("changes", [])
            ],
        )
        for p in page.object_list
    ]
    return page


@require(Perm.MEMBER_EDIT)
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _import(request, pk)
    _unit, context = unit_page(request, job.unit_id, tab="members")
    context.update(_import_context(request, job))
    if job.state == ImportState.PREVIEWED:
        context["changes"] = member_changes(request, job)
        context["existing_form"] = ExistingForm()
    template = "members/_import_progress.html" if request.htmx else "members/import_detail.html"
    response = render(request, template, context)
    if request.htmx and not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@require(Perm.MEMBER_EDIT)
@require_POST
def import_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _import(request, pk)
    form = ExistingForm(request.POST)
    form.is_valid()
    try:
        imports.member_import_commit(
            actor=Actor.from_request(request),
            job=job,
            existing=form.cleaned_data.get("existing") or None,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("members:import", pk=job.pk)


def _import(request: AuthedRequest, pk: int) -> MemberImport:
    return get_in_scope_or_404(
        MemberImport.objects.select_related("unit", "created_by"), request.user, pk=pk
    )


# --- the other import pages ----------------------------------------------------------------


@require(Perm.MEMBER_EDIT)
def import_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="members")
    if not holds_members(unit):
        raise Http404
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if request.method == "POST" and declared > settings.MAX_IMPORT_BYTES + 65536:
        # Refuse before Django spools the body to disk: the form would only say so afterwards.
        form = ImportUploadForm(data={"mode": ImportMode.VALID_ONLY})
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error(
            "file",
            _("The file is %(size)s MB; rosters of up to %(limit)s MB can be imported.")
            % {"size": round(declared / 1048576, 1), "limit": settings.MAX_IMPORT_BYTES // 1048576},
        )
    else:
        form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not form.errors and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.member_import_start(
                actor=Actor.from_request(request),
                unit=unit,
                upload=upload,
                name=upload.name,
                mode=form.cleaned_data["mode"],
            )
        except UnusableInput as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("members:import", pk=job.pk)
    context.update(
        {
            "form": form,
            "imports": selectors.member_imports(unit=unit)[:10],
            "limit_mb": settings.MAX_IMPORT_BYTES // 1048576,
        }
    )
    return render(request, "members/import_upload.html", context)


def _import_context(request: AuthedRequest, job: MemberImport) -> dict[str, Any]:
    context: dict[str, Any] = {"job": job, "field_labels": FIELD_LABELS}
    if job.state in (ImportState.MAPPING, ImportState.PREVIEWED, ImportState.REFUSED):
        context["mapping_form"] = MappingForm(job=job)
    if job.state == ImportState.FAILED:
        context["failure"] = imports.failure_text(job)
    if job.state in (ImportState.PREVIEWED, ImportState.DONE, ImportState.REFUSED):
        phase = report_phase(job)
        severity = request.GET.get("severity", "")
        severity = severity if severity in ("error", "warning") else ""
        page = paginate(request, selectors.import_problems(job=job, phase=phase, severity=severity))
        for problem in page.object_list:
            problem.message = render_problem(problem.code, problem.params)
        summary = selectors.import_problem_summary(job=job, phase=phase)
        counts = (
            job.preview
            if job.state == ImportState.PREVIEWED
            else {
                "rows": job.rows_total,
                "created": job.created_count,
                "updated": job.updated_count,
                "unchanged": job.unchanged_count,
                "rejected": job.rejected_count,
                "warnings": job.warning_count,
                "skipped": job.skipped_count,
            }
        )
        context.update(
            {
                "problems": page,
                "summary": summary,
                "severity": severity,
                "counts": counts,
                "mapped": [
                    (col, FIELD_LABELS[job.mapping[str(col["index"])]])
                    for col in job.columns
                    if str(col["index"]) in job.mapping
                ],
            }
        )
    return context


@require(Perm.MEMBER_EDIT)
@require_POST
def import_configure(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _import(request, pk)
    form = MappingForm(request.POST, job=job)
    if form.is_valid():
        try:
            imports.member_import_configure(
                actor=Actor.from_request(request),
                job=job,
                mapping=form.mapping(),
                mode=form.cleaned_data["mode"],
                default_member_type=form.cleaned_data["default_member_type"],
                sheet=form.cleaned_data.get("sheet"),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        messages.error(request, _("Check the choices below."))
    return redirect("members:import", pk=job.pk)


@require(Perm.MEMBER_EDIT)
@require_POST
def import_resume(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _import(request, pk)
    try:
        imports.member_import_resume(actor=Actor.from_request(request), job=job)
    except (ValidationError, KeyError):
        messages.error(request, _("This import is not interrupted."))
    return redirect("members:import", pk=job.pk)


@require(Perm.MEMBER_EDIT)
def import_report(request: AuthedRequest, pk: int) -> FileResponse:
    """Every problem of the import as .xlsx: row, column, value and reason."""
    job = _import(request, pk)
    if job.state not in (ImportState.PREVIEWED, ImportState.DONE, ImportState.REFUSED):
        raise Http404
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115  (the response closes it)
    write_report(job, Path(handle.name))
    handle.seek(0)
    stem = Path(job.original_name).stem[:60] or "roster"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_("%(name)s problems.xlsx") % {"name": stem},
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require(Perm.MEMBER_EDIT)
def import_list(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="members")
    context["page"] = paginate(request, selectors.member_imports(unit=unit))
    return render(request, "members/import_list.html", context)
