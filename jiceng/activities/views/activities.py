"""Activity pages: the log of a unit's subtree, the roll-up by kind, an activity and its
photos."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.files import serve_file
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import (
    act,
    paginate,
    posted_lock_version,
    query_string,
    save_flow,
    this_year,
    year_choices,
    year_param,
)
from jiceng.org.pages import unit_page

from .. import selectors, services
from ..forms import ActivityFilterForm, ActivityForm, ActivityPhotoForm
from ..models import MAX_PHOTOS_PER_ACTIVITY, Activity, ActivityKind, ActivityPhoto

TAB = "activities"


def _activity(request: AuthedRequest, pk: int) -> Activity:
    return get_in_scope_or_404(Activity.objects.select_related("unit"), request.user, pk=pk)


def _detail_url(activity: Activity) -> str:
    return reverse("activities:activity_detail", kwargs={"pk": activity.pk})


@login_required
def activity_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The activities of the unit and its subtree, newest first, by kind and year."""
    unit, context = unit_page(request, pk, tab=TAB)
    filters = ActivityFilterForm(request.GET or None, years=year_choices())
    kind, year = "", None
    if filters.is_valid():
        kind = filters.cleaned_data["kind"] or ""
        year = filters.cleaned_data["year"]
    counts_year = year or this_year()
    context.update(
        filters=filters,
        page=paginate(request, selectors.activity_list(unit=unit, kind=kind, year=year)),
        extra=query_string(kind=kind, year=year),
        counts=selectors.activity_counts(unit=unit, year=counts_year),
        counts_year=counts_year,
    )
    return render(request, "activities/activity_list.html", context)


@login_required
def activity_rollup(request: AuthedRequest, pk: int) -> HttpResponse:
    """The year's counts per kind for the subtree and for each sub-unit."""
    unit, context = unit_page(request, pk, tab=TAB)
    year = year_param(request)
    context.update(
        rollup=selectors.activity_rollup(unit=unit, year=year),
        year=year,
        years=year_choices(),
        kinds=ActivityKind.choices,
    )
    return render(request, "activities/activity_rollup.html", context)


@require(Perm.ACTIVITY_EDIT)
def activity_create(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    form = ActivityForm(request.POST or None, instance=Activity(unit=unit))
    response, form = save_flow(
        request,
        form,
        lambda f: services.activity_create(
            actor=Actor.from_request(request), unit=unit, data=f.model_data()
        ),
        done=_detail_url,
        message=_("Activity recorded. You can add photos now."),
    )
    if response is not None:
        return response
    context.update(
        form=form,
        title=_("Record an activity"),
        cancel=reverse("activities:activity_list", kwargs={"pk": unit.pk}),
    )
    return render(request, "activities/form.html", context)


@login_required
def activity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    _unit, context = unit_page(request, activity.unit_id, tab=TAB)
    photos = selectors.activity_photos(activity=activity)
    context.update(
        activity=activity,
        photos=photos,
        photo_form=ActivityPhotoForm(),
        can_add_photo=len(photos) < MAX_PHOTOS_PER_ACTIVITY,
        max_photos=MAX_PHOTOS_PER_ACTIVITY,
    )
    return render(request, "activities/activity_detail.html", context)


@require(Perm.ACTIVITY_EDIT)
def activity_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    _unit, context = unit_page(request, activity.unit_id, tab=TAB)
    response, form = save_flow(
        request,
        ActivityForm(request.POST or None, instance=activity),
        lambda f: services.activity_update(
            actor=Actor.from_request(request),
            activity=activity,
            data=f.model_data(),
            expected_lock_version=f.expected_lock_version,
        ),
        done=_detail_url(activity),
        message=_("Changes saved."),
    )
    if response is not None:
        return response
    context.update(form=form, title=_("Edit the activity"), cancel=_detail_url(activity))
    return render(request, "activities/form.html", context)


@require(Perm.ACTIVITY_EDIT)
@require_POST
def activity_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    return act(
        request,
        lambda: services.activity_delete(
            actor=Actor.from_request(request),
            activity=activity,
            expected_lock_version=posted_lock_version(request, activity.lock_version),
        ),
        done=reverse("activities:activity_list", kwargs={"pk": activity.unit_id}),
        message=_("Activity deleted."),
        failed=_detail_url(activity),
    )


@require(Perm.ACTIVITY_EDIT)
def activity_photo_add(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    _unit, context = unit_page(request, activity.unit_id, tab=TAB)
    form = ActivityPhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_photo_add(
                actor=Actor.from_request(request),
                activity=activity,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data.get("caption", ""),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Photo added."))
            return redirect(_detail_url(activity))
    context.update(
        form=form,
        title=_("Add a photo"),
        cancel=_detail_url(activity),
        multipart=True,
    )
    return render(request, "activities/form.html", context)


@require(Perm.ACTIVITY_EDIT)
@require_POST
def activity_photo_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    photo = get_in_scope_or_404(
        ActivityPhoto.objects.select_related("activity", "unit"), request.user, pk=pk
    )
    services.activity_photo_delete(actor=Actor.from_request(request), photo=photo)
    messages.success(request, _("Photo deleted."))
    return redirect(_detail_url(photo.activity))


@login_required
def activity_photo(request: AuthedRequest, pk: int) -> FileResponse:
    """A photo, only to users whose subtree holds its unit."""
    photo = get_in_scope_or_404(ActivityPhoto.objects.all(), request.user, pk=pk)
    return serve_file(photo.image)
