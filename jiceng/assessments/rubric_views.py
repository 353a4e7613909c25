"""Rubric pages (评分细则): every signed-in user reads rubrics (they are the national
association's, the same for all) and downloads them as .xlsx; national admins
(`Perm.RUBRIC_MANAGE`) import a sheet (a new rubric, or the next version of one of that name),
make a new version of a rubric in use, edit the items of one not yet in use, and choose the
rubric a campaign's associations are assessed on (which freezes it)."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.campaigns.models import Campaign, CampaignStatus
from jiceng.core.actor import Actor
from jiceng.core.errors import DomainError
from jiceng.core.exports import export_response
from jiceng.core.files import XLS, XLSX, detect
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import require
from jiceng.core.views import act
from jiceng.org.models import Level

from .exports import rubric_export
from .forms import CampaignRubricForm, RubricImportForm, RubricItemForm
from .models import CampaignRubric, Rubric, RubricItem
from .rubric_import import UnusableRubric
from .services import rubrics as rubric_services


@login_required
def rubric_list(request: AuthedRequest) -> HttpResponse:
    rubrics = Rubric.objects.order_by("name", "-version")
    used = dict(CampaignRubric.objects.values_list("rubric_id", "campaign__name"))
    return render(
        request,
        "assessments/rubric_list.html",
        {
            "rows": [(r, used.get(r.pk)) for r in rubrics],
            "can_manage": request.user.can(Perm.RUBRIC_MANAGE),
        },
    )


def _national_campaigns() -> object:
    """Campaigns a national admin chooses rubrics for: the national ones not closed."""
    return Campaign.objects.filter(unit__level=Level.NATIONAL).exclude(status=CampaignStatus.CLOSED)


@login_required
def rubric_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rubric = get_object_or_404(Rubric, pk=pk)
    can_manage = request.user.can(Perm.RUBRIC_MANAGE)
    return render(
        request,
        "assessments/rubric_detail.html",
        {
            "rubric": rubric,
            "items": rubric.items.order_by("order"),
            "problems": rubric_services.rubric_problems(rubric),
            "used_by": CampaignRubric.objects.filter(rubric=rubric).select_related("campaign"),
            "can_manage": can_manage,
            "choose_form": CampaignRubricForm(campaigns=_national_campaigns())
            if can_manage
            else None,
        },
    )


@login_required
def rubric_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The rubric as .xlsx in the shape the import reads back."""
    rubric = get_object_or_404(Rubric, pk=pk)
    return export_response(rubric_export(rubric), "xlsx")


@require(Perm.RUBRIC_MANAGE)
def rubric_import(request: AuthedRequest) -> HttpResponse:
    """Upload a sheet: imported, or every problem by the sheet's row number (nothing saved)."""
    form = RubricImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = detect(upload)
        if kind not in (XLSX, XLS):
            form.add_error("file", _("Upload an Excel sheet (.xlsx or .xls)."))
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"{Path(upload.name).stem[:80] or 'rubric'}.{kind.extension}"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    rubric, read = rubric_services.rubric_import(
                        actor=Actor.from_request(request),
                        path=path,
                        name=form.cleaned_data["name"],
                    )
                except UnusableRubric as exc:
                    form.add_error("file", str(exc))
                except DomainError as exc:
                    apply_errors(form, exc)
                else:
                    if rubric is not None:
                        messages.success(
                            request,
                            _(
                                "Imported %(rubric)s: %(criteria)s criteria, "
                                "%(indicators)s indicators."
                            )
                            % {"rubric": rubric, **read.summary()},
                        )
                        return redirect("assessments:rubric", pk=rubric.pk)
                    problems = read.summary()["errors"]
    return render(request, "assessments/rubric_import.html", {"form": form, "problems": problems})


@require(Perm.RUBRIC_MANAGE)
@require_POST
def rubric_new_version(request: AuthedRequest, pk: int) -> HttpResponse:
    rubric = get_object_or_404(Rubric, pk=pk)
    try:
        copy = rubric_services.rubric_new_version(actor=Actor.from_request(request), rubric=rubric)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("assessments:rubric", pk=rubric.pk)
    messages.success(request, _("Version %(version)s made: edit it.") % {"version": copy.version})
    return redirect("assessments:rubric", pk=copy.pk)


@require(Perm.RUBRIC_MANAGE)
def rubric_item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RubricItem.objects.select_related("rubric"), pk=pk)
    initial = {
        "name": item.name,
        "basis": item.basis,
        "points": item.points,
        "rule": item.rule,
        "per_item": item.per_item,
        "floor": item.floor,
        "cap": item.cap,
        "tiers": "; ".join(f"{t}:{p}" for t, p in item.tiers),
        "source": item.source,
        "needs_evidence": item.needs_evidence,
    }
    form = RubricItemForm(request.POST or None, initial=initial, indicator=item.is_indicator)
    if request.method == "POST" and form.is_valid():
        try:
            rubric_services.rubric_item_update(
                actor=Actor.from_request(request), item=item, data=form.cleaned_data
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(code)s saved.") % {"code": item.code})
            return redirect("assessments:rubric", pk=item.rubric_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "assessments/rubric_item_edit.html", {"form": form, "item": item}, status=status
    )


@require(Perm.RUBRIC_MANAGE)
@require_POST
def rubric_choose(request: AuthedRequest, pk: int) -> HttpResponse:
    """Use this rubric for a campaign (before any association has started assessing)."""
    rubric = get_object_or_404(Rubric, pk=pk)
    form = CampaignRubricForm(request.POST, campaigns=_national_campaigns())
    if not form.is_valid():
        messages.error(request, _("Choose a campaign."))
        return redirect("assessments:rubric", pk=rubric.pk)
    campaign = form.cleaned_data["campaign"]

    def choose() -> object:
        try:
            return rubric_services.campaign_rubric_set(
                actor=Actor.from_request(request), campaign=campaign, rubric=rubric
            )
        except ValidationError as exc:
            raise DomainError("; ".join(exc.messages), code="invalid") from exc

    return act(
        request,
        choose,
        done=reverse("assessments:rubric", kwargs={"pk": rubric.pk}),
        message=_("%(campaign)s is now assessed on %(rubric)s.")
        % {"campaign": campaign.name, "rubric": rubric},
    )
