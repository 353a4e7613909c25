"""Pages of the tree: browse, search, edit units and their profiles. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_entries_for_unit
from jiceng.core.exports import audit_export, export_response
from jiceng.core.figures import unit_figure_rows
from jiceng.core.files import serve_file
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, in_scope, require
from jiceng.core.views import act, paginate, posted_lock_version, save_flow

from . import exports, selectors, services
from .filters import UnitFilterSet, filter_errors
from .forms import UnitCreateForm, UnitEditForm, UnitMoveForm, VenueForm
from .models import Level, Unit, Venue, VenuePhoto
from .models.profile import ProfileItem
from .pages import unit_page
from .sections import SECTIONS, Section
from .tabs import unit_page_tab


def _unit(request: AuthedRequest, pk: int) -> Unit:
    return get_in_scope_or_404(Unit.objects.select_related("parent"), request.user, pk=pk)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    return redirect("org:unit", pk=request.user.unit_id)


@login_required
def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    tab = unit_page_tab(request.GET.get("tab"))
    unit, context = unit_page(request, pk, tab=tab)
    context.update(
        tab=tab,
        level_counts=selectors.unit_level_counts(unit=unit),
        profile=selectors.unit_profile(unit=unit),
        sections=SECTIONS,
    )
    if tab == "children":
        context["page"] = paginate(request, selectors.unit_children(unit=unit))
    elif tab == "history":
        context["page"] = paginate(request, audit_entries_for_unit(unit))
    return render(request, "org/unit_detail.html", context)


@login_required
def unit_search(request: AuthedRequest) -> HttpResponse:
    units = in_scope(Unit.objects.select_related("parent"), request.user)
    filterset = UnitFilterSet(request.GET or None, queryset=units, request=request)
    results = filterset.qs.order_by("code")
    if filterset.is_bound and not filterset.is_valid():
        results = units.none()  # a bad filter is named, not ignored
        if not request.htmx:
            for line in filter_errors(filterset):
                messages.error(request, line)
    query = request.GET.get("q", "")[:50]
    level = filterset.form.cleaned_data.get("level", "") if filterset.is_bound else ""
    page = paginate(request, results)
    template = "org/_search_results.html" if request.htmx else "org/unit_search.html"
    return render(
        request, template, {"query": query, "level": level, "page": page, "levels": Level}
    )


@require(Perm.UNIT_CREATE)
def unit_create(request: AuthedRequest, pk: int) -> HttpResponse:
    parent = _unit(request, pk)
    response, form = save_flow(
        request,
        UnitCreateForm(request.POST or None, parent=parent),
        lambda f: services.unit_create(
            actor=Actor.from_request(request), parent=parent, data=f.cleaned_data
        ),
        done=_unit_url,
        message=lambda unit: _("Unit “%(name)s” created.") % {"name": unit.name},
    )
    if response is not None:
        return response
    return render(request, "org/unit_form.html", {"form": form, "unit": parent, "creating": True})


@require(Perm.UNIT_EDIT)
def unit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    response, form = save_flow(
        request,
        UnitEditForm(request.POST or None, instance=unit),
        lambda f: services.unit_update(
            actor=Actor.from_request(request),
            unit=unit,
            data=f.model_data(),
            expected_lock_version=f.expected_lock_version,
        ),
        done=_unit_url(unit),
        message=_("Changes saved."),
    )
    if response is not None:
        return response
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


@require(Perm.UNIT_MOVE)
def unit_move(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    if unit.pk == request.user.unit_id:
        raise Http404

    def move(form: UnitMoveForm) -> Unit:
        code = form.cleaned_data["new_parent_code"].strip()
        target = selectors.unit_by_code(user=request.user, code=code)
        if target is None:
            raise ValidationError(
                {"new_parent_code": _("No unit with code %(code)s in your area.") % {"code": code}}
            )
        try:
            services.unit_move(actor=Actor.from_request(request), unit=unit, new_parent=target)
        except ValidationError as exc:
            raise ValidationError({"new_parent_code": exc.messages}) from exc
        return target

    response, form = save_flow(
        request,
        UnitMoveForm(request.POST or None),
        move,
        done=_unit_url(unit),
        message=lambda target: (
            _("“%(unit)s” moved under “%(parent)s”.") % {"unit": unit.name, "parent": target.name}
        ),
    )
    if response is not None:
        return response
    return render(request, "org/unit_move.html", {"form": form, "unit": unit})


@require(Perm.PROFILE_EDIT)
def venue_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    venue = Venue.objects.filter(unit=unit).first() or Venue(unit=unit)
    response, form = save_flow(
        request,
        VenueForm(request.POST or None, instance=venue),
        lambda f: services.venue_update(
            actor=Actor.from_request(request),
            unit=unit,
            data=f.model_data(),
            expected_lock_version=f.expected_lock_version,
        ),
        done=_profile_url(unit),
        message=_("Venue saved."),
    )
    if response is not None:
        return response
    return render(
        request, "org/section_form.html", {"form": form, "unit": unit, "title": _("Venue")}
    )


def _unit_url(unit: Unit) -> str:
    return reverse("org:unit", kwargs={"pk": unit.pk})


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
    response, form = save_flow(
        request,
        sec.form(request.POST or None, request.FILES or None, instance=sec.model(unit=unit)),
        lambda f: services.profile_item_create(
            actor=Actor.from_request(request), unit=unit, model=sec.model, data=f.model_data()
        ),
        done=_profile_url(unit),
        message=_("Saved."),
    )
    if response is not None:
        return response
    return render(
        request, "org/section_form.html", {"form": form, "unit": unit, "title": sec.title}
    )


@require(Perm.PROFILE_EDIT)
def section_edit(request: AuthedRequest, pk: int, section: str, item_pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    sec = _section(section)
    item = _item(request, sec, unit, item_pk)
    response, form = save_flow(
        request,
        sec.form(request.POST or None, request.FILES or None, instance=item),
        lambda f: services.profile_item_update(
            actor=Actor.from_request(request),
            item=item,
            data=f.model_data(),
            expected_lock_version=f.expected_lock_version,
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
    return act(
        request,
        lambda: services.profile_item_delete(
            actor=Actor.from_request(request),
            item=item,
            expected_lock_version=posted_lock_version(request, item.lock_version),
        ),
        done=_profile_url(unit),
        message=_("Deleted."),
    )


@login_required
def venue_photo_file(request: AuthedRequest, pk: int) -> FileResponse:
    """Photos are served only to users whose subtree holds the unit."""
    photo = get_in_scope_or_404(VenuePhoto.objects.all(), request.user, pk=pk)
    return serve_file(photo.image)


@require(Perm.EXPORT)
def unit_export(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The unit and its subtree: CSV (UTF-8 with BOM, so Excel opens it), streamed; or .xlsx
    with `?format=xlsx`."""
    unit = _unit(request, pk)
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    audit_export(
        actor=Actor.from_request(request), unit=unit, what="org.unit", file_format=file_format
    )
    return export_response(exports.unit_export(unit), file_format)


@login_required
def unit_figures(request: AuthedRequest, pk: int) -> HttpResponse:
    """The unit's live figures for this year, from the figures registry (`core/figures.py`);
    the overview loads them after the page, so the page itself stays as fast as before."""
    unit = get_in_scope_or_404(Unit.objects.all(), request.user, pk=pk)
    year = timezone.localdate().year
    return render(
        request,
        "org/_unit_figures.html",
        {"unit": unit, "year": year, "figures": unit_figure_rows(unit, year)},
    )
