"""Member pages: the list, a member, imports and exports. Thin: parse, call, render."""

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.exports import csv_response
from jiceng.core.files import serve_file
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import paginate, save_flow
from jiceng.org.filters import filter_errors
from jiceng.org.models import Unit
from jiceng.org.pages import unit_page
from jiceng.org.selectors import unit_by_code

from . import exports, selectors, services
from .filters import MemberFilterSet
from .forms import (
    ExportForm,
    ImportUploadForm,
    MappingForm,
    MemberForm,
    MemberMoveForm,
)
from .imports import service as imports
from .imports.errors import UnusableInput
from .imports.headers import FIELD_LABELS
from .imports.problems import render as render_problem
from .imports.report import report_phase, write_report
from .models import (
    ExportState,
    ImportMode,
    ImportState,
    Member,
    MemberExport,
    MemberImport,
)
from .validation import FLAG_MESSAGES, holds_members


def _member(request: AuthedRequest, pk: int) -> Member:
    return get_in_scope_or_404(
        Member.objects.select_related("unit", "grassroots"), request.user, pk=pk
    )


def _detail_url(member: Member) -> str:
    return reverse("members:detail", kwargs={"pk": member.pk})


def _import(request: AuthedRequest, pk: int) -> MemberImport:
    return get_in_scope_or_404(
        MemberImport.objects.select_related("unit", "created_by"), request.user, pk=pk
    )


# --- the list ---------------------------------------------------------------------------------


@login_required
def member_list(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="members")
    filterset = MemberFilterSet(request.GET or None, request=request)
    filters = filterset.filters_used
    members = selectors.member_list(unit=unit, filters=filters).select_related("unit")
    if filterset.is_bound and not filterset.is_valid():
        members = members.none()  # a bad filter is named, not ignored
        if not request.htmx:
            for line in filter_errors(filterset):
                messages.error(request, line)
    page = paginate(request, members)
    query = "&".join(f"{k}={v}" for k, v in filters.as_query().items())
    context.update(
        {
            "page": page,
            "filter_form": filterset.form,
            "filters": filters,
            "query": query,
            "holds_members": holds_members(unit),
            "show_unit": unit.numchild > 0,
            "export_form": ExportForm(),
            "industries": selectors.INDUSTRIES,
        }
    )
    template = "members/_member_table.html" if request.htmx else "members/member_list.html"
    return render(request, template, context)


@require(Perm.MEMBER_EDIT)
def member_create(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="members")
    if not holds_members(unit):
        raise Http404

    def save(form: MemberForm) -> Member:
        member = services.member_create(
            actor=Actor.from_request(request),
            unit=unit,
            data=form.model_data(),
            id_number=form.cleaned_data["id_number"],
        )
        _say_flags(request, member)
        return member

    response, form = save_flow(
        request,
        MemberForm(request.POST or None, instance=Member(unit=unit)),
        save,
        done=_detail_url,
        message=lambda member: _("Member “%(name)s” added.") % {"name": member},
    )
    if response is not None:
        return response
    context.update({"form": form, "title": _("Add a member")})
    return render(request, "members/member_form.html", context)


def _say_flags(request: AuthedRequest, member: Member) -> None:
    for flag in member.flags:
        if flag in FLAG_MESSAGES:
            messages.warning(request, FLAG_MESSAGES[flag])


# --- one member -------------------------------------------------------------------------------


def _detail_context(request: AuthedRequest, member: Member) -> dict[str, Any]:
    from jiceng.dues.selectors import member_dues

    _unit, context = unit_page(request, member.unit_id, tab="members")
    history = selectors.member_history(member=member)
    context.update(
        {
            "member": member,
            "flags": [FLAG_MESSAGES[f] for f in member.flags if f in FLAG_MESSAGES],
            "history": history,
            "member_dues": member_dues(member=member),
        }
    )
    return context


@login_required
def member_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    return render(request, "members/member_detail.html", _detail_context(request, member))


@require(Perm.MEMBER_UNMASK)
@require_POST
def member_unmask(request: AuthedRequest, pk: int) -> HttpResponse:
    """Show the full ID number and phone once; the unmasking is audited."""
    member = _member(request, pk)
    context = _detail_context(request, member)
    context["unmasked"] = services.member_unmask(actor=Actor.from_request(request), member=member)
    return render(request, "members/member_detail.html", context)


@require(Perm.MEMBER_EDIT)
def member_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    _unit, context = unit_page(request, member.unit_id, tab="members")

    def save(form: MemberForm) -> Member:
        services.member_update(
            actor=Actor.from_request(request),
            member=member,
            data=form.model_data(),
            expected_lock_version=form.expected_lock_version,
            id_number=form.cleaned_data["id_number"],
        )
        _say_flags(request, member)
        return member

    response, form = save_flow(
        request,
        MemberForm(request.POST or None, instance=member),
        save,
        done=_detail_url,
        message=_("Changes saved."),
    )
    if response is not None:
        return response
    context.update({"form": form, "member": member, "title": _("Edit member")})
    return render(request, "members/member_form.html", context)


@require(Perm.MEMBER_EDIT)
def member_move(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    _unit, context = unit_page(request, member.unit_id, tab="members")

    def save(form: MemberMoveForm) -> Unit:
        code = form.cleaned_data["new_unit_code"].strip()
        target = unit_by_code(user=request.user, code=code)
        if target is None:
            raise ValidationError(
                {"new_unit_code": _("No unit with code %(code)s in your area.") % {"code": code}}
            )
        try:
            services.member_move(
                actor=Actor.from_request(request),
                member=member,
                new_unit=target,
                expected_lock_version=form.cleaned_data["lock_version"],
            )
        except ValidationError as exc:
            raise ValidationError({"new_unit_code": exc.messages}) from exc
        return target

    response, form = save_flow(
        request,
        MemberMoveForm(request.POST or None, initial={"lock_version": member.lock_version}),
        save,
        done=lambda _target: _detail_url(member),
        message=lambda target: (
            _("“%(member)s” moved to %(unit)s.") % {"member": member, "unit": target.name}
        ),
        reload=lambda current: MemberMoveForm(
            initial={"lock_version": (current or member).lock_version}
        ),
    )
    if response is not None:
        return response
    context.update({"form": form, "member": member})
    return render(request, "members/member_move.html", context)


# --- exports ----------------------------------------------------------------------------------


def _may_unmask(request: AuthedRequest, asked: bool) -> bool:
    if asked and not request.user.can(Perm.MEMBER_UNMASK):
        raise PermissionDenied
    return asked


@require(Perm.EXPORT)
def member_export_csv(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed as it is read."""
    unit, _context = unit_page(request, pk, tab="members")
    filters = selectors.MemberFilters.from_query(request.GET)
    unmasked = _may_unmask(request, request.GET.get("unmasked") == "1")
    if unmasked:
        exports.audit_unmasked_export(
            actor=Actor.from_request(request), unit=unit, filters=filters, how="csv"
        )
    return csv_response(exports.member_export(unit=unit, filters=filters, unmasked=unmasked))


@require(Perm.EXPORT)
@require_POST
def member_export_start(request: AuthedRequest, pk: int) -> HttpResponse:
    """An .xlsx (or large CSV) export, written by the job worker."""
    unit, _context = unit_page(request, pk, tab="members")
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a format for the export."))
        return redirect("members:list", pk=unit.pk)
    job = exports.member_export_start(
        actor=Actor.from_request(request),
        unit=unit,
        file_format=form.cleaned_data["file_format"],
        unmasked=_may_unmask(request, form.cleaned_data["unmasked"]),
        filters=selectors.MemberFilters.from_query(request.POST),
    )
    return redirect("members:export", pk=job.pk)


def _export(request: AuthedRequest, pk: int) -> MemberExport:
    job = get_in_scope_or_404(MemberExport.objects.select_related("unit"), request.user, pk=pk)
    if job.unmasked and job.created_by_id != request.user.pk:
        raise Http404  # an unmasked file is for the person whose request was audited
    return job


@require(Perm.EXPORT)
def export_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _export(request, pk)
    _unit, context = unit_page(request, job.unit_id, tab="members")
    context["job"] = job
    template = "members/_export_progress.html" if request.htmx else "members/export_detail.html"
    response = render(request, template, context)
    if request.htmx and not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@require(Perm.EXPORT)
def export_download(request: AuthedRequest, pk: int) -> FileResponse:
    job = _export(request, pk)
    if job.state != ExportState.DONE:
        raise Http404
    return serve_file(job.file, download_name=exports.export_filename(job.unit, job.file_format))


# --- imports ----------------------------------------------------------------------------------


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


@require(Perm.MEMBER_EDIT)
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _import(request, pk)
    _unit, context = unit_page(request, job.unit_id, tab="members")
    context.update(_import_context(request, job))
    template = "members/_import_progress.html" if request.htmx else "members/import_detail.html"
    response = render(request, template, context)
    if request.htmx and not job.is_running:
        response["HX-Refresh"] = "true"
    return response


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
def import_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _import(request, pk)
    try:
        imports.member_import_commit(actor=Actor.from_request(request), job=job)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
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
