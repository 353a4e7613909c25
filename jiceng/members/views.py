"""Member pages: the list, a member, imports and exports. Thin: parse, call, render."""

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.exports import audit_export, csv_response
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
    MemberForm,
    MemberMoveForm,
)
from .identifiers import IdentifierError, check_credit_code
from .models import (
    ExportState,
    Member,
    MemberExport,
)
from .validation import FLAG_MESSAGES, holds_members


def _member(request: AuthedRequest, pk: int) -> Member:
    return get_in_scope_or_404(
        Member.objects.select_related("unit", "grassroots"), request.user, pk=pk
    )


def _detail_url(member: Member) -> str:
    return reverse("members:detail", kwargs={"pk": member.pk})


# --- the list ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The list and its search. The search box sends by POST, so what was typed never lands in
    a URL: a search that holds no personal data is then given its address (a redirect, or
    `HX-Push-Url` for htmx); one shaped like an ID number or phone is answered in place."""
    unit, context = unit_page(request, pk, tab="members")
    posted = request.method == "POST"
    params = request.POST if posted else request.GET
    filterset = MemberFilterSet(params or None, request=request)
    filters = filterset.filters_used
    list_url = reverse("members:list", kwargs={"pk": unit.pk})
    address = list_url + (f"?{urlencode(filters.as_query())}" if filters.as_query() else "")
    if posted and not filters.private and not request.htmx:
        return redirect(address)
    if not posted and filters.private:
        # Only a hand-made address carries such a search: answer with one that does not.
        if request.user.can(Perm.MEMBER_UNMASK):
            messages.info(
                request, _("Search by ID number or phone with the search box, not in the address.")
            )
        return redirect(address)
    search_error = ""
    if filters.private:
        filters, search_error = _identifier_search(request, unit, filters, posted=posted)
    members = selectors.member_list(unit=unit, filters=filters).select_related("unit")
    # A bad filter is named above the list (page or htmx fragment alike), not ignored.
    filter_problems = filter_errors(filterset) if filterset.is_bound else []
    if search_error or filter_problems:
        members = members.none()
    page = paginate(_Paging(params), members)
    context.update(
        {
            "page": page,
            "filter_form": filterset.form,
            "filters": filters,
            # What was typed is shown again only to someone who may search by it.
            "search_value": filters.q if filters.identifiers or not filters.private else "",
            "search_error": search_error,
            "filter_problems": filter_problems,
            "query": urlencode(filters.as_query()),
            "page_by_post": filters.private,
            "holds_members": holds_members(unit),
            "show_unit": unit.numchild > 0,
            "export_form": ExportForm(),
            "industries": selectors.INDUSTRIES,
        }
    )
    template = "members/_member_table.html" if request.htmx else "members/member_list.html"
    response = render(request, template, context)
    if request.htmx and posted:
        response["HX-Push-Url"] = "false" if filters.private else address
    return response


class _Paging:
    """What `paginate` reads the page number from, for a list asked for by GET or by POST."""

    def __init__(self, params: Any):
        self.GET = params


def _identifier_search(
    request: AuthedRequest, unit: Unit, filters: selectors.MemberFilters, *, posted: bool
) -> tuple[selectors.MemberFilters, str]:
    """Let a search shaped like an ID number or phone match those fields, if the user may
    unmask, it came by POST (never in a URL) and it is within the user's limit; it is audited.
    Otherwise it matches names and codes only, which tells nothing about anyone's identifiers
    (and a role that may not unmask gets the same answer as for no match at all)."""
    if not posted or not request.user.can(Perm.MEMBER_UNMASK):
        return filters, ""
    try:
        services.identifier_search_record(
            actor=Actor.from_request(request), unit=unit, query=filters.q
        )
    except services.SearchLimitReached as exc:
        return filters, str(exc.message)
    return replace(filters, identifiers=True), ""


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
    context.update(
        {"form": form, "title": _("Add a member"), "code_holder": _code_holder(request, form)}
    )
    return render(request, "members/member_form.html", context)


def _code_holder(
    request: AuthedRequest, form: MemberForm, exclude: Member | None = None
) -> Member | None:
    """When a save was refused because the credit code is taken, the member holding it, for a
    link, if the user may see that member (outside their area they are told nothing more)."""
    if not form.is_bound or "credit_code" not in form.errors:
        return None
    try:
        code = check_credit_code(form.data.get("credit_code", ""))
    except IdentifierError:
        return None
    holder = services.credit_code_holder(code, exclude_pk=exclude.pk if exclude else None)
    return holder if holder is not None and request.user.can_reach(holder.unit) else None


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
    context.update(
        {
            "form": form,
            "member": member,
            "title": _("Edit member"),
            "code_holder": _code_holder(request, form, exclude=member),
        }
    )
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
@require_http_methods(["GET", "HEAD", "POST"])
def member_export_csv(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The filtered list as CSV, streamed as it is read. The list page asks for it by POST, so a
    search by ID number or phone is exported without ever being in a URL (and is searched,
    audited and counted as the list's own search is)."""
    unit, _context = unit_page(request, pk, tab="members")
    posted = request.method == "POST"
    params = request.POST if posted else request.GET
    filters = selectors.MemberFilters.from_query(params)
    # Asked for in the address only, where re-authentication looks for it (SENSITIVE_VIEWS).
    unmasked = _may_unmask(request, request.GET.get("unmasked") == "1")
    if filters.private:
        filters, search_error = _identifier_search(request, unit, filters, posted=posted)
        if search_error:
            messages.error(request, search_error)
            return redirect("members:list", pk=unit.pk)
    actor = Actor.from_request(request)
    if unmasked:
        exports.audit_unmasked_export(actor=actor, unit=unit, filters=filters, how="csv")
    audit_export(
        actor=actor,
        unit=unit,
        what="members.member",
        file_format="csv",
        unmasked=unmasked,
        filters=filters.as_query(),
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
    if selectors.MemberFilters.from_query(request.POST).private:
        # A job keeps its filters in its row and in the audit log: no ID number or phone there.
        messages.error(
            request, _("The result of a search by ID number or phone is downloaded as CSV.")
        )
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
