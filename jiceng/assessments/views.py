"""The assessment tab (评估) of a unit's pages. Thin: parse, call one service, render.

- For a grassroots association: its assessment in the chosen campaign as a sheet — each
  indicator's rule and basis, self-score, computed score and what it came from, each level's
  score and reason, the final score, evidence, flags — with the forms the user may use there:
  the association's own (start, score, evidence, submit), a reviewer's (adjust, return,
  approve, unapprove). And the history.
- For a unit above: the states of the assessments in its area, its child areas with their
  approval (approve / withdraw where the user's level decides), and its associations (a page).

A refused form comes back in place with its errors and what was typed; a one-click step that
is refused says why.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.campaigns import selectors as campaign_selectors
from jiceng.campaigns.models import Campaign
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError, ForbiddenAction
from jiceng.core.files import serve_file
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest
from jiceng.core.pdf import pdf_response
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import act, paginate, posted_lock_version
from jiceng.org.models import Level, Unit
from jiceng.org.pages import unit_page

from . import selectors, services
from .forms import (
    AdjustForm,
    CloseForm,
    EvidenceForm,
    RectificationForm,
    ReturnForm,
    ScoreForm,
    UnapproveForm,
    VerifyForm,
)
from .models import (
    Assessment,
    AssessmentState,
    RectificationFile,
    RectificationItem,
    RectificationState,
    ScoreEvidence,
)
from .score_sheet import score_sheet_pdf
from .services.review import lock_over

TAB = "assessment"
#: Overdue rectification items listed on an area's tab (the count says how many in all).
OVERDUE_SHOWN = 20


def _tab_url(unit: Unit, campaign: Campaign | None = None, code: str = "") -> str:
    url = reverse("assessments:unit_assessment", kwargs={"pk": unit.pk})
    if campaign is not None:
        url += f"?campaign={campaign.pk}"
    return url + (f"#i-{code}" if code else "")


def _campaign(request: AuthedRequest, unit: Unit) -> tuple[Campaign | None, list[Campaign]]:
    raw = request.POST.get("campaign") or request.GET.get("campaign")
    chosen = campaign_selectors.chosen_campaign(unit, raw)
    if chosen is None:
        raise Http404
    return chosen


def _above(request: AuthedRequest, unit: Unit) -> bool:
    """The user reviews at a level above `unit`."""
    user = request.user
    return (
        user.can(Perm.ASSESSMENT_REVIEW)
        and user.unit_id != unit.pk
        and unit.path.startswith(user.unit.path)
    )


def _sheet_context(
    request: AuthedRequest, unit: Unit, campaign: Campaign, bound: dict[tuple[str, str], Any]
) -> dict[str, Any]:
    user = request.user
    assessment = selectors.assessment_of(campaign, unit)
    own = user.unit_id == unit.pk and user.can(Perm.ASSESSMENT_SELF)
    context: dict[str, Any] = {
        "assessment": assessment,
        "can_start": own and assessment is None and campaign.is_running,
        **_rectification_context(request, unit, campaign, bound),
    }
    if assessment is None:
        return context
    locked = lock_over(campaign, user.unit)
    above = _above(request, unit)
    parent = above and user.unit_id == unit.parent_id
    state = assessment.state
    can_self = own and assessment.is_editable_by_unit and campaign.is_running
    reviewing = state in (AssessmentState.SUBMITTED, AssessmentState.APPROVED)
    can_adjust = above and reviewing and locked is None
    sheet = selectors.sheet(assessment)
    criteria = {item.code: item for item in sheet.criteria}
    rows = []
    last = ""
    for row in sheet.rows:
        code = row.code
        top = code.split(".")[0]
        rows.append(
            {
                "r": row,
                "criterion": criteria.get(top) if top != last else None,
                "score_form": (
                    bound.get(("score", code))
                    or ScoreForm(
                        prefix=f"s{code}",
                        initial={"self_score": row.score.self_score, "note": row.score.note},
                    )
                )
                if can_self
                else None,
                "evidence_form": (bound.get(("evidence", code)) or EvidenceForm(prefix=f"e{code}"))
                if can_self
                else None,
                "adjust_form": (
                    bound.get(("adjust", code))
                    or AdjustForm(
                        prefix=f"a{code}",
                        initial={
                            "score": row.score.final_score,
                            "reason": (
                                row.adjustments[user.unit.level].reason
                                if user.unit.level in row.adjustments
                                else ""
                            ),
                        },
                    )
                )
                if can_adjust
                else None,
            }
        )
        last = top
    context.update(
        {
            "sheet": sheet,
            "rows": rows,
            # Indicator, points, self-score, computed, a column per level, final, evidence.
            "columns": 6 + len(sheet.levels),
            "can_self": can_self,
            "can_adjust": can_adjust,
            "can_return": parent and state == AssessmentState.SUBMITTED and locked is None,
            "can_approve": parent and state == AssessmentState.SUBMITTED and locked is None,
            "can_unapprove": above and state == AssessmentState.APPROVED and locked is None,
            "lock": locked if above else None,
            "return_form": bound.get(("return", "")) or ReturnForm(prefix="ret"),
            "unapprove_form": UnapproveForm(prefix="un"),
            "events": selectors.history(assessment),
        }
    )
    return context


def _area_context(request: AuthedRequest, unit: Unit, campaign: Campaign) -> dict[str, Any]:
    user = request.user
    locked = lock_over(campaign, user.unit)
    areas = []
    for area in selectors.child_areas(campaign, unit):
        decides = user.can(Perm.ASSESSMENT_REVIEW) and user.unit_id == unit.pk
        above = _above(request, area.unit)
        areas.append(
            {
                "a": area,
                "can_approve": decides and area.approval is None and locked is None,
                "can_unapprove": above and area.approval is not None and locked is None,
            }
        )
    page = paginate(request, selectors.associations_below(campaign, unit))
    return {
        "counts": selectors.state_counts(campaign, unit),
        "areas": areas,
        "page": page,
        "area_rows": selectors.area_rows(campaign, list(page.object_list)),
        "pager_extra": f"campaign={campaign.pk}",
        "overdue": list(selectors.overdue_below(campaign, unit)[:OVERDUE_SHOWN]),
        "overdue_count": selectors.overdue_below(campaign, unit).count(),
    }


def _render(
    request: AuthedRequest,
    unit: Unit,
    context: dict[str, Any],
    *,
    bound: dict[tuple[str, str], Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    campaign, choices = _campaign(request, unit)
    context.update({"campaign": campaign, "choices": choices})
    if campaign is not None:
        if unit.level == Level.GRASSROOTS:
            context.update(_sheet_context(request, unit, campaign, bound or {}))
        elif unit.level in (Level.NATIONAL, Level.PROVINCE, Level.CITY):
            context.update(_area_context(request, unit, campaign))
            context["own_approval"] = selectors.area_approval(campaign, unit)
    return render(request, "assessments/unit_assessment.html", context, status=status)


@login_required
def unit_assessment(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    return _render(request, unit, context)


def _assessment(unit: Unit, campaign: Campaign | None) -> Assessment:
    assessment = selectors.assessment_of(campaign, unit) if campaign is not None else None
    if assessment is None:
        raise Http404
    return assessment


def _form_step(
    request: AuthedRequest,
    unit: Unit,
    context: dict[str, Any],
    form: Any,
    key: tuple[str, str],
    call: Any,
    message: str,
    *,
    anchor: str = "",
) -> HttpResponse:
    """A form posted from the sheet: valid and accepted → back to the sheet at the indicator
    with a message; refused → the sheet again, the form in its place with the errors and what
    was typed (400)."""
    campaign, _choices = _campaign(request, unit)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ConflictError as exc:
            messages.error(request, str(exc.message))
            return redirect(_tab_url(unit, campaign, key[1]))
        except ForbiddenAction as exc:
            # The role may review, but not here (only the association's parent returns it).
            raise PermissionDenied(str(exc.message)) from exc
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, message)
            if anchor:
                return redirect(_tab_url(unit, campaign) + f"#{anchor}")
            return redirect(_tab_url(unit, campaign, key[1]))
    return _render(request, unit, context, bound={key: form}, status=400)


def _step(request: AuthedRequest, unit: Unit, call: Any, message: str) -> HttpResponse:
    campaign, _choices = _campaign(request, unit)
    return act(request, call, done=_tab_url(unit, campaign), message=message)


@require(Perm.ASSESSMENT_SELF)
@require_POST
def start(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, _context = unit_page(request, pk, tab=TAB)
    campaign, _choices = _campaign(request, unit)
    if campaign is None:
        raise Http404
    return _step(
        request,
        unit,
        lambda: services.assessment_open(
            actor=Actor.from_request(request), campaign=campaign, unit=unit
        ),
        _("Self-inspection started. Computed indicators are filled from your figures."),
    )


@require(Perm.ASSESSMENT_SELF)
@require_POST
def score(request: AuthedRequest, pk: int, code: str) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    assessment = _assessment(unit, _campaign(request, unit)[0])
    return _form_step(
        request,
        unit,
        context,
        ScoreForm(request.POST, prefix=f"s{code}"),
        ("score", code),
        lambda data: services.score_save(
            actor=Actor.from_request(request),
            assessment=assessment,
            code=code,
            self_score=data["self_score"],
            note=data["note"],
            expected_lock_version=posted_lock_version(request, assessment.lock_version),
        ),
        _("%(code)s saved.") % {"code": code},
    )


@require(Perm.ASSESSMENT_SELF)
@require_POST
def evidence(request: AuthedRequest, pk: int, code: str) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    assessment = _assessment(unit, _campaign(request, unit)[0])
    return _form_step(
        request,
        unit,
        context,
        EvidenceForm(request.POST, request.FILES, prefix=f"e{code}"),
        ("evidence", code),
        lambda data: services.evidence_add(
            actor=Actor.from_request(request),
            assessment=assessment,
            code=code,
            files=data["upload"],
        ),
        _("Evidence attached to %(code)s.") % {"code": code},
    )


@require(Perm.ASSESSMENT_SELF)
@require_POST
def evidence_remove(request: AuthedRequest, pk: int, file_pk: int) -> HttpResponse:
    unit, _context = unit_page(request, pk, tab=TAB)
    item = get_in_scope_or_404(
        ScoreEvidence.objects.filter(unit=unit).select_related("score__assessment__unit"),
        request.user,
        pk=file_pk,
    )
    return act(
        request,
        lambda: services.evidence_remove(actor=Actor.from_request(request), evidence=item),
        done=_tab_url(unit, item.score.assessment.campaign, item.score.code),
        message=_("“%(name)s” removed.") % {"name": item.name},
    )


@login_required
def evidence_file(request: AuthedRequest, pk: int, file_pk: int) -> FileResponse:
    """An evidence file, only to users whose subtree holds its association (404 otherwise);
    images inline, documents as a download under the name they were uploaded with."""
    unit, _context = unit_page(request, pk, tab=TAB)
    item = get_in_scope_or_404(ScoreEvidence.objects.filter(unit=unit), request.user, pk=file_pk)
    return serve_file(item.file, download_name=None if item.is_image else item.name or None)


@require(Perm.ASSESSMENT_SELF)
@require_POST
def submit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    campaign, _choices = _campaign(request, unit)
    assessment = _assessment(unit, campaign)
    try:
        services.assessment_submit(
            actor=Actor.from_request(request),
            assessment=assessment,
            expected_lock_version=posted_lock_version(request, assessment.lock_version),
        )
    except ValidationError as exc:
        context["submit_errors"] = [m for messages_ in exc.message_dict.values() for m in messages_]
        return _render(request, unit, context, status=400)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(_tab_url(unit, campaign))
    messages.success(
        request, _("Self-inspection submitted to %(parent)s.") % {"parent": unit.parent}
    )
    return redirect(_tab_url(unit, campaign))


@require(Perm.ASSESSMENT_REVIEW)
@require_POST
def adjust(request: AuthedRequest, pk: int, code: str) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    assessment = _assessment(unit, _campaign(request, unit)[0])
    return _form_step(
        request,
        unit,
        context,
        AdjustForm(request.POST, prefix=f"a{code}"),
        ("adjust", code),
        lambda data: services.assessment_adjust(
            actor=Actor.from_request(request),
            assessment=assessment,
            code=code,
            score=data["score"],
            reason=data["reason"],
            expected_lock_version=posted_lock_version(request, assessment.lock_version),
        ),
        _("%(code)s adjusted.") % {"code": code},
    )


@require(Perm.ASSESSMENT_REVIEW)
@require_POST
def return_(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    assessment = _assessment(unit, _campaign(request, unit)[0])
    return _form_step(
        request,
        unit,
        context,
        ReturnForm(request.POST, prefix="ret"),
        ("return", ""),
        lambda data: services.assessment_return(
            actor=Actor.from_request(request),
            assessment=assessment,
            reason=data["reason"],
            indicators=data["indicators"],
            expected_lock_version=posted_lock_version(request, assessment.lock_version),
        ),
        _("Returned to %(unit)s.") % {"unit": unit.name},
    )


@require(Perm.ASSESSMENT_REVIEW)
@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, _context = unit_page(request, pk, tab=TAB)
    assessment = _assessment(unit, _campaign(request, unit)[0])
    return _step(
        request,
        unit,
        lambda: services.assessment_approve(
            actor=Actor.from_request(request),
            assessment=assessment,
            expected_lock_version=posted_lock_version(request, assessment.lock_version),
        ),
        _("%(unit)s's assessment approved.") % {"unit": unit.name},
    )


@require(Perm.ASSESSMENT_REVIEW)
@require_POST
def unapprove(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, _context = unit_page(request, pk, tab=TAB)
    assessment = _assessment(unit, _campaign(request, unit)[0])
    form = UnapproveForm(request.POST, prefix="un")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(
        request,
        unit,
        lambda: services.assessment_unapprove(
            actor=Actor.from_request(request),
            assessment=assessment,
            reason=reason,
            expected_lock_version=posted_lock_version(request, assessment.lock_version),
        ),
        _("The approval of %(unit)s's assessment is withdrawn.") % {"unit": unit.name},
    )


def _area_step(request: AuthedRequest, pk: int, approve_it: bool) -> HttpResponse:
    """`pk` is the area (a city, a province); the page returned to is its parent's tab."""
    area, _context = unit_page(request, pk, tab=TAB)
    campaign, _choices = _campaign(request, area)
    if campaign is None:
        raise Http404
    back = _tab_url(area.parent, campaign) if area.parent is not None else _tab_url(area, campaign)
    actor = Actor.from_request(request)
    if approve_it:
        return act(
            request,
            lambda: services.area_approve(actor=actor, campaign=campaign, area=area),
            done=back,
            message=_("The area of %(unit)s is approved.") % {"unit": area.name},
        )
    return act(
        request,
        lambda: services.area_unapprove(actor=actor, campaign=campaign, area=area),
        done=back,
        message=_("The approval of %(unit)s's area is withdrawn.") % {"unit": area.name},
    )


@require(Perm.ASSESSMENT_REVIEW)
@require_POST
def area_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    return _area_step(request, pk, True)


@require(Perm.ASSESSMENT_REVIEW)
@require_POST
def area_unapprove(request: AuthedRequest, pk: int) -> HttpResponse:
    return _area_step(request, pk, False)


# --- rectification ------------------------------------------------------------------------------


def _rectification_context(
    request: AuthedRequest, unit: Unit, campaign: Campaign, bound: dict[tuple[str, str], Any]
) -> dict[str, Any]:
    """The association's rectification items with the forms the user may use on each."""
    user = request.user
    own = user.unit_id == unit.pk and user.can(Perm.ASSESSMENT_SELF)
    above = _above(request, unit)
    today = selectors.today_in_china()
    items = []
    for item in selectors.rectification_items(campaign, unit):
        key = str(item.pk)
        is_open = item.state == RectificationState.OPEN
        is_closed = item.state == RectificationState.CLOSED
        items.append(
            {
                "i": item,
                "overdue": item.is_overdue(today),
                "close_form": (
                    bound.get(("rect-close", key))
                    or CloseForm(prefix=f"c{key}", initial={"measures": item.measures})
                )
                if own and is_open
                else None,
                "verify_form": (bound.get(("rect-verify", key)) or VerifyForm(prefix=f"v{key}"))
                if above and is_closed
                else None,
            }
        )
    can_record = campaign.is_running and (own or (above and user.can(Perm.ASSESSMENT_REVIEW)))
    return {
        "rectifications": items,
        "rectification_form": (
            bound.get(("rect-new", "")) or RectificationForm(prefix="rn", own=own)
        )
        if can_record
        else None,
    }


def _item(unit: Unit, item_pk: int, request: AuthedRequest) -> RectificationItem:
    return get_in_scope_or_404(
        RectificationItem.objects.filter(unit=unit).select_related("unit__parent", "campaign"),
        request.user,
        pk=item_pk,
    )


@login_required
@require_POST
def rectification_new(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    campaign, _choices = _campaign(request, unit)
    if campaign is None:
        raise Http404
    own = request.user.unit_id == unit.pk
    return _form_step(
        request,
        unit,
        context,
        RectificationForm(request.POST, prefix="rn", own=own),
        ("rect-new", ""),
        lambda data: services.rectification_create(
            actor=Actor.from_request(request), campaign=campaign, unit=unit, data=data
        ),
        _("Problem recorded."),
        anchor="rectification",
    )


@require(Perm.ASSESSMENT_SELF)
@require_POST
def rectification_close(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    item = _item(unit, item_pk, request)
    return _form_step(
        request,
        unit,
        context,
        CloseForm(request.POST, request.FILES, prefix=f"c{item.pk}"),
        ("rect-close", str(item.pk)),
        lambda data: services.rectification_close(
            actor=Actor.from_request(request),
            item=item,
            measures=data["measures"],
            files=data["upload"],
            expected_lock_version=posted_lock_version(request, item.lock_version),
        ),
        _("Closed; the level above will verify it."),
        anchor="rectification",
    )


@require(Perm.ASSESSMENT_REVIEW)
@require_POST
def rectification_verify(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    item = _item(unit, item_pk, request)
    return _form_step(
        request,
        unit,
        context,
        VerifyForm(request.POST, prefix=f"v{item.pk}"),
        ("rect-verify", str(item.pk)),
        lambda data: services.rectification_verify(
            actor=Actor.from_request(request),
            item=item,
            accept=data["decision"] == "accept",
            reason=data["reason"],
            expected_lock_version=posted_lock_version(request, item.lock_version),
        ),
        _("Rectification verified."),
        anchor="rectification",
    )


@login_required
def rectification_file(request: AuthedRequest, pk: int, file_pk: int) -> FileResponse:
    """A proof of closure, only to users whose subtree holds its association."""
    unit, _context = unit_page(request, pk, tab=TAB)
    item = get_in_scope_or_404(
        RectificationFile.objects.filter(unit=unit), request.user, pk=file_pk
    )
    return serve_file(item.file, download_name=None if item.is_image else item.name or None)


@login_required
def score_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    """The association's score sheet as a PDF, to print (anyone who may see the sheet)."""
    unit, _context = unit_page(request, pk, tab=TAB)
    campaign, _choices = _campaign(request, unit)
    assessment = _assessment(unit, campaign)
    return pdf_response(score_sheet_pdf(assessment), f"{unit.name}-{assessment.year}-评分表.pdf")
