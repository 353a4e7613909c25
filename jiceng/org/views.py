"""Pages of the tree: browse, search, edit units and their profiles. Thin: parse, call, render."""

import csv
import mimetypes
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_entries_for_unit
from jiceng.core.errors import ConflictError, DomainError
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require

from . import selectors, services
from .forms import UnitCreateForm, UnitEditForm, UnitMoveForm, VenueForm, VersionedForm
from .models import Level, Status, Unit, Venue, VenuePhoto
from .models.profile import ProfileItem
from .sections import SECTIONS, Section

TABS = ("children", "profile", "history")


def _unit(request: AuthedRequest, pk: int) -> Unit:
    return get_in_scope_or_404(Unit.objects.select_related("parent"), request.user, pk=pk)


def _conflict(request: AuthedRequest, form_class: Any, exc: ConflictError, **kwargs: Any) -> Any:
    """Tell the later saver, and show them the newer version to work from."""
    messages.error(request, str(exc.message))
    if exc.current is None:
        raise Http404
    return form_class(instance=exc.current, **kwargs)


def _save(
    request: AuthedRequest,
    form: VersionedForm,
    save: Callable[[VersionedForm], object],
    *,
    done: str,
    message: str,
) -> tuple[HttpResponse | None, VersionedForm]:
    """The edit flow every versioned form shares: validate, save through a service, and
    either redirect, show field errors, or show the newer version after a conflict."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ConflictError as exc:
            return None, _conflict(request, type(form), exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(done), form
    return None, form


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    return redirect("org:unit", pk=request.user.unit_id)


@login_required
def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    tab = request.GET.get("tab", "children")
    if tab not in TABS:
        tab = "children"
    context: dict[str, Any] = {
        "unit": unit,
        "tab": tab,
        "breadcrumbs": selectors.unit_breadcrumbs(unit=unit, user=request.user),
        "level_counts": selectors.unit_level_counts(unit=unit),
        "profile": selectors.unit_profile(unit=unit),
        "sections": SECTIONS,
    }
    if tab == "children":
        context["page"] = Paginator(
            selectors.unit_children(unit=unit), settings.PAGE_SIZE
        ).get_page(request.GET.get("page"))
    elif tab == "history":
        context["page"] = Paginator(audit_entries_for_unit(unit), settings.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "org/unit_detail.html", context)


@login_required
def unit_search(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    level = request.GET.get("level", "")
    if level not in Level.values:
        level = ""
    results = selectors.unit_search(user=request.user, query=query, level=level)
    page = Paginator(results, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    template = "org/_search_results.html" if request.htmx else "org/unit_search.html"
    return render(
        request, template, {"query": query, "level": level, "page": page, "levels": Level}
    )


@require(Perm.UNIT_CREATE)
def unit_create(request: AuthedRequest, pk: int) -> HttpResponse:
    parent = _unit(request, pk)
    form = UnitCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                actor=Actor.from_request(request), parent=parent, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.name})
            return redirect("org:unit", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": parent, "creating": True})


@require(Perm.UNIT_EDIT)
def unit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    response, form = _save(
        request,
        UnitEditForm(request.POST or None, instance=unit),
        lambda f: services.unit_update(
            actor=Actor.from_request(request),
            unit=unit,
            data=f.model_data(),
            expected_version=f.expected_version,
        ),
        done=reverse("org:unit", kwargs={"pk": unit.pk}),
        message=_("Changes saved."),
    )
    if response is not None:
        return response
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


@require(Perm.UNIT_MOVE)
def unit_move(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    form = UnitMoveForm(request.POST or None)
    if unit.pk == request.user.unit_id:
        raise Http404
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["new_parent_code"].strip()
        target = selectors.unit_by_code(user=request.user, code=code)
        if target is None:
            form.add_error(
                "new_parent_code", _("No unit with code %(code)s in your area.") % {"code": code}
            )
        else:
            try:
                services.unit_move(actor=Actor.from_request(request), unit=unit, new_parent=target)
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    for error in errors:
                        form.add_error("new_parent_code", error)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("“%(unit)s” moved under “%(parent)s”.")
                    % {"unit": unit.name, "parent": target.name},
                )
                return redirect("org:unit", pk=unit.pk)
    return render(request, "org/unit_move.html", {"form": form, "unit": unit})


@require(Perm.PROFILE_EDIT)
def venue_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    venue = Venue.objects.filter(unit=unit).first() or Venue(unit=unit)
    response, form = _save(
        request,
        VenueForm(request.POST or None, instance=venue),
        lambda f: services.venue_update(
            actor=Actor.from_request(request),
            unit=unit,
            data=f.model_data(),
            expected_version=f.expected_version,
        ),
        done=_profile_url(unit),
        message=_("Venue saved."),
    )
    if response is not None:
        return response
    return render(
        request, "org/section_form.html", {"form": form, "unit": unit, "title": _("Venue")}
    )


def _profile_url(unit: Unit) -> str:
    return reverse("org:unit", kwargs={"pk": unit.pk}) + "?tab=profile"


def _section(key: str) -> Section:
    section = SECTIONS.get(key)
    if section is None:
        raise Http404
    return section


def _item(request: AuthedRequest, section: Section, unit: Unit, item_pk: int) -> ProfileItem:
    return get_in_scope_or_404(
        section.model._default_manager.select_related("unit"),
        request.user,
        pk=item_pk,
        unit=unit,
    )


@require(Perm.PROFILE_EDIT)
def section_create(request: AuthedRequest, pk: int, section: str) -> HttpResponse:
    unit = _unit(request, pk)
    sec = _section(section)
    form = sec.form(request.POST or None, request.FILES or None, instance=sec.model(unit=unit))
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_item_create(
                actor=Actor.from_request(request),
                unit=unit,
                model=sec.model,
                data=form.model_data(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_profile_url(unit))
    return render(
        request, "org/section_form.html", {"form": form, "unit": unit, "title": sec.title}
    )


@require(Perm.PROFILE_EDIT)
def section_edit(request: AuthedRequest, pk: int, section: str, item_pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    sec = _section(section)
    item = _item(request, sec, unit, item_pk)
    response, form = _save(
        request,
        sec.form(request.POST or None, request.FILES or None, instance=item),
        lambda f: services.profile_item_update(
            actor=Actor.from_request(request),
            item=item,
            data=f.model_data(),
            expected_version=f.expected_version,
        ),
        done=_profile_url(unit),
        message=_("Saved."),
    )
    if response is not None:
        return response
    return render(
        request,
        "org/section_form.html",
        {"form": form, "unit": unit, "title": sec.title, "item": item, "section": sec},
    )


@require(Perm.PROFILE_EDIT)
@require_POST
def section_delete(request: AuthedRequest, pk: int, section: str, item_pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    sec = _section(section)
    item = _item(request, sec, unit, item_pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = item.version
    try:
        services.profile_item_delete(
            actor=Actor.from_request(request), item=item, expected_version=version
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Deleted."))
    return redirect(_profile_url(unit))


@login_required
def venue_photo_file(request: AuthedRequest, pk: int) -> FileResponse:
    """Photos are served only to users whose subtree holds the unit."""
    photo = get_in_scope_or_404(VenuePhoto.objects.all(), request.user, pk=pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(photo.image.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _neutralise(value: object) -> str:
    """Keep spreadsheets from running a cell as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@require(Perm.EXPORT)
def unit_export(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    """The unit and its subtree as CSV (UTF-8 with BOM, so Excel opens it), streamed."""
    unit = _unit(request, pk)
    writer = csv.writer(_Echo())
    labels = [
        _("code"),
        _("name"),
        _("short name"),
        _("level"),
        _("status"),
        _("parent code"),
        _("contact person"),
        _("phone"),
        _("address"),
    ]
    level_names = dict(Level.choices)
    status_names = dict(Status.choices)

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(labels)
        qs = (
            Unit.objects.subtree(unit)
            .values_list(
                "code",
                "name",
                "short_name",
                "level",
                "status",
                "parent__code",
                "contact_person",
                "phone",
                "address",
            )
            .order_by("path")
        )
        for code, name, short, level, status, parent_code, person, phone, address in qs.iterator(
            2000
        ):
            yield writer.writerow(
                [
                    _neutralise(v)
                    for v in (
                        code,
                        name,
                        short,
                        level_names.get(level, level),
                        status_names.get(status, status),
                        parent_code,
                        person,
                        phone,
                        address,
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="units-{unit.code}-{stamp}.csv"'
    return response
