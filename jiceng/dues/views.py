"""Dues pages: a unit's collection rate and standards, arrears, recording and voiding payments.
Thin: parse, call one service or selector, render."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.members.models import Member
from jiceng.org.pages import unit_page
from jiceng.org.selectors import unit_breadcrumbs

from . import selectors, services
from .forms import PaymentForm, StandardsForm, VoidForm
from .models import MAX_YEAR, MIN_YEAR, DuesStandard, Payment


def _year(request: AuthedRequest) -> int:
    """The dues year the page is about: `?year=`, else this year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return min(max(year, MIN_YEAR), MAX_YEAR)


def _dues_url(unit_pk: int, year: int) -> str:
    return reverse("dues:unit_dues", kwargs={"pk": unit_pk}) + f"?year={year}"


def _year_context(year: int) -> dict[str, Any]:
    this_year = timezone.localdate().year
    years = selectors.standard_years(around=this_year)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return {"year": year, "years": years, "year_query": f"year={year}"}


@login_required
def unit_dues(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="dues")
    year = _year(request)
    summary = selectors.unit_dues_summary(unit=unit, year=year)
    context.update(
        _year_context(year),
        summary=summary,
        page=Paginator(summary.lines, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        standards=selectors.standards_in_force(unit=unit, year=year),
        can_set_standards=selectors.can_set_standards(unit),
        recent_payments=selectors.recent_payments(unit=unit),
    )
    return render(request, "dues/unit_dues.html", context)


@login_required
def arrears(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="dues")
    year = _year(request)
    by_member = selectors.lists_members_in_arrears(unit)
    if by_member:
        rows: Any = selectors.members_in_arrears(unit=unit, year=year)
    else:
        rows = selectors.associations_in_arrears(unit=unit, year=year)
    context.update(
        _year_context(year),
        by_member=by_member,
        page=Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page")),
    )
    return render(request, "dues/arrears.html", context)


@require(Perm.DUES_EDIT)
def standards_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="dues")
    year = _year(request)
    if not selectors.can_set_standards(unit):
        messages.info(
            request,
            _(
                "Dues standards are set by the grassroots association or a unit above it; "
                "this unit collects under them."
            ),
        )
        return redirect(_dues_url(unit.pk, year))

    def own() -> dict[str, DuesStandard]:
        return {s.member_type: s for s in DuesStandard.objects.filter(unit=unit, year=year)}

    form = StandardsForm(request.POST or None, current=own())
    if request.method == "POST" and form.is_valid():
        try:
            services.standards_update(
                actor=Actor.from_request(request),
                unit=unit,
                year=year,
                amounts=form.amounts(),
                expected_versions=form.expected_versions(),
            )
        except ConflictError as exc:
            messages.error(request, str(exc.message))
            form = StandardsForm(current=own())
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Dues standards for %(year)s saved.") % {"year": year})
            return redirect(_dues_url(unit.pk, year))
    parent = unit.parent
    context.update(
        _year_context(year),
        form=form,
        inherited=selectors.standards_in_force(unit=parent, year=year) if parent else [],
    )
    return render(request, "dues/standards_form.html", context)


def _member(request: AuthedRequest, member_pk: int) -> Member:
    return get_in_scope_or_404(
        Member.objects.select_related("unit", "grassroots"), request.user, pk=member_pk
    )


@require(Perm.DUES_EDIT)
def payment_create(request: AuthedRequest, member_pk: int) -> HttpResponse:
    member = _member(request, member_pk)
    dues = selectors.member_dues(member=member)
    initial: dict[str, Any] = {}
    # Offer the latest year the member still owes for, and what they owe.
    owing = next((y for y in dues.years if y.owed > 0 and y.year <= dues.current_year), None)
    if owing is not None:
        initial.update(dues_year=owing.year, amount=owing.owed)
    form = PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.payment_record(
                actor=Actor.from_request(request),
                member=member,
                data=form.payment_data(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            payment = outcome.payment
            facts = {
                "number": payment.receipt_number,
                "amount": payment.amount,
                "year": payment.dues_year,
            }
            if outcome.created:
                messages.success(
                    request,
                    _("Payment recorded: receipt %(number)s, %(amount)s yuan for %(year)s.")
                    % facts,
                )
            else:
                messages.info(
                    request,
                    _(
                        "This payment was already recorded (receipt %(number)s, %(amount)s yuan "
                        "for %(year)s); nothing was added."
                    )
                    % facts,
                )
            if request.user.can_reach(payment.unit):
                return redirect("dues:payment_detail", pk=payment.pk)
            return redirect("dues:payment_create", member_pk=member.pk)
    return render(
        request,
        "dues/payment_form.html",
        {
            "member": member,
            "member_dues": dues,
            "form": form,
            "unit": member.unit,
            "breadcrumbs": unit_breadcrumbs(unit=member.unit, user=request.user),
        },
    )


def _payment(request: AuthedRequest, pk: int) -> Payment:
    return get_in_scope_or_404(
        Payment.objects.select_related("member", "unit", "grassroots", "recorded_by", "voided_by"),
        request.user,
        pk=pk,
    )


@login_required
def payment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk)
    return render(
        request,
        "dues/payment_detail.html",
        {
            "payment": payment,
            "unit": payment.unit,
            "breadcrumbs": unit_breadcrumbs(unit=payment.unit, user=request.user),
            "void_form": VoidForm(),
        },
    )


@require(Perm.DUES_EDIT)
def payment_void(request: AuthedRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_void(
                actor=Actor.from_request(request),
                payment=payment,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("dues:payment_detail", pk=payment.pk)
        else:
            messages.success(
                request,
                _("Payment with receipt %(number)s voided.") % {"number": payment.receipt_number},
            )
            return redirect("dues:payment_detail", pk=payment.pk)
    return render(
        request,
        "dues/payment_void.html",
        {
            "payment": payment,
            "unit": payment.unit,
            "breadcrumbs": unit_breadcrumbs(unit=payment.unit, user=request.user),
            "form": form,
        },
    )
