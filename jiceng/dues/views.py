"""Dues pages: a unit's collection rate and standards, arrears, recording and voiding payments.
Thin: parse, call one service or selector, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import paginate, save_flow, year_choices, year_param
from jiceng.members.models import Member
from jiceng.org.pages import unit_page
from jiceng.org.selectors import unit_breadcrumbs

from . import selectors, services
from .forms import PaymentForm, StandardsForm, VoidForm
from .models import Payment
from .services import PaymentOutcome


def _dues_url(unit_pk: int, year: int) -> str:
    return reverse("dues:unit_dues", kwargs={"pk": unit_pk}) + f"?year={year}"


def _year_context(year: int) -> dict[str, Any]:
    """The year form: two years back, one ahead, and the year shown."""
    years = year_choices(back=2, ahead=1, including=year)
    return {"year": year, "years": years, "year_query": f"year={year}"}


@login_required
def unit_dues(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="dues")
    year = year_param(request)
    summary = selectors.unit_dues_summary(unit=unit, year=year)
    context.update(
        _year_context(year),
        summary=summary,
        page=paginate(request, summary.lines),
        standards=selectors.standards_in_force(unit=unit, year=year),
        can_set_standards=selectors.can_set_standards(unit),
        recent_payments=selectors.recent_payments(unit=unit),
    )
    return render(request, "dues/unit_dues.html", context)


@login_required
def arrears(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="dues")
    year = year_param(request)
    by_member, rows = selectors.arrears(unit=unit, year=year)
    context.update(_year_context(year), by_member=by_member, page=paginate(request, rows))
    return render(request, "dues/arrears.html", context)


@require(Perm.DUES_EDIT)
def standards_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab="dues")
    year = year_param(request)
    if not selectors.can_set_standards(unit):
        messages.info(
            request,
            _(
                "Dues standards are set by the grassroots association or a unit above it; "
                "this unit collects under them."
            ),
        )
        return redirect(_dues_url(unit.pk, year))

    response, form = save_flow(
        request,
        StandardsForm(request.POST or None, current=selectors.own_standards(unit=unit, year=year)),
        lambda f: services.standards_update(
            actor=Actor.from_request(request),
            unit=unit,
            year=year,
            amounts=f.amounts(),
            expected_lock_versions=f.expected_lock_versions(),
        ),
        done=_dues_url(unit.pk, year),
        message=_("Dues standards for %(year)s saved.") % {"year": year},
        # Whichever standard changed meanwhile, show all of them as they now are.
        reload=lambda _current: StandardsForm(
            current=selectors.own_standards(unit=unit, year=year)
        ),
    )
    if response is not None:
        return response
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
    owing = selectors.owing_year(dues)
    if owing is not None:
        initial.update(dues_year=owing.year, amount=owing.owed)

    def record(form: PaymentForm) -> PaymentOutcome:
        outcome = services.payment_record(
            actor=Actor.from_request(request),
            member=member,
            data=form.payment_data(),
            idempotency_key=form.cleaned_data["idempotency_key"],
            confirm_large_amount=form.cleaned_data["confirm_large_amount"],
        )
        if not outcome.created:  # a second press of the button: said as information
            messages.info(request, _replayed(outcome))
        return outcome

    def done(outcome: PaymentOutcome) -> str:
        if request.user.can_reach(outcome.payment.unit):
            return reverse("dues:payment_detail", kwargs={"pk": outcome.payment.pk})
        return reverse("dues:payment_create", kwargs={"member_pk": member.pk})

    response, form = save_flow(
        request,
        PaymentForm(request.POST or None, initial=initial),
        record,
        done=done,
        message=lambda outcome: _recorded(outcome) if outcome.created else None,
    )
    if response is not None:
        return response
    if form.needs_confirmation:
        form.ask_to_confirm()
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


def _facts(outcome: PaymentOutcome) -> dict[str, Any]:
    payment = outcome.payment
    return {"number": payment.receipt_number, "amount": payment.amount, "year": payment.dues_year}


def _recorded(outcome: PaymentOutcome) -> str:
    return _("Payment recorded: receipt %(number)s, %(amount)s yuan for %(year)s.") % _facts(
        outcome
    )


def _replayed(outcome: PaymentOutcome) -> str:
    return _(
        "This payment was already recorded (receipt %(number)s, %(amount)s yuan "
        "for %(year)s); nothing was added."
    ) % _facts(outcome)


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
    response, form = save_flow(
        request,
        VoidForm(request.POST or None),
        lambda f: services.payment_void(
            actor=Actor.from_request(request), payment=payment, reason=f.cleaned_data["reason"]
        ),
        done=reverse("dues:payment_detail", kwargs={"pk": payment.pk}),
        message=_("Payment with receipt %(number)s voided.") % {"number": payment.receipt_number},
    )
    if response is not None:
        return response
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
