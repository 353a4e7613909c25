"""Forms parse and validate input; services do the writing."""

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import StyledFormMixin
from jiceng.members.models import MemberType

from .models import MAX_YEAR, MIN_YEAR, PaymentMethod


class PaymentForm(StyledFormMixin, forms.Form):
    """One receipt. The hidden key is minted when the form is shown, so submitting the same
    form twice records one payment."""

    dues_year = forms.IntegerField(label=_("Dues year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    paid_on = forms.DateField(
        label=_("Date paid"),
        # A date input takes ISO dates whatever the page's language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        max_digits=10,
        decimal_places=2,
    )
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=40,
        help_text=_("The number printed on the receipt; unique within the association."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    #: Hidden until the service finds the amount unusually large (`ask_to_confirm`).
    confirm_large_amount = forms.BooleanField(
        label=_("I have checked: this amount is correct"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())
            self.initial.setdefault("paid_on", timezone.localdate())
            self.initial.setdefault("dues_year", timezone.localdate().year)
            self.initial.setdefault("method", PaymentMethod.CASH)

    def payment_data(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("idempotency_key", "confirm_large_amount")
        }

    @property
    def needs_confirmation(self) -> bool:
        """The service refused the amount as unusually large: ask the user to confirm it."""
        return self.is_bound and self.has_error("amount", code="large_amount")

    def ask_to_confirm(self) -> None:
        """Show the confirmation checkbox (unticked) below the warning."""
        # The hidden input posted "False", which the checkbox reads as unticked.
        self.fields["confirm_large_amount"].widget = forms.CheckboxInput()


class StandardsForm(StyledFormMixin, forms.Form):
    """A unit's own standard for one year, per member type; blank means "inherit"."""

    def __init__(self, *args: Any, current: dict[str, Any], **kwargs: Any) -> None:
        """`current`: member type → the unit's own DuesStandard for the year, or None."""
        super().__init__(*args, **kwargs)
        for member_type in MemberType:
            standard = current.get(member_type.value)
            self.fields[member_type.value] = forms.DecimalField(
                label=_("%(type)s (yuan per year)") % {"type": member_type.label},
                required=False,
                min_value=Decimal("0"),
                help_text=_("Leave blank to follow the standard set above this unit."),
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                max_digits=10,
                decimal_places=2,
            )
            self.fields[f"{member_type.value}_lock_version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=0
            )
            if not self.is_bound:
                self.initial[member_type.value] = standard.amount if standard else None
                self.initial[f"{member_type.value}_lock_version"] = (
                    standard.lock_version if standard else 0
                )

    def amounts(self) -> dict[str, Decimal | None]:
        return {t.value: self.cleaned_data.get(t.value) for t in MemberType}

    def expected_lock_versions(self) -> dict[str, int]:
        return {t.value: self.cleaned_data.get(f"{t.value}_lock_version") or 0 for t in MemberType}


class VoidForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: entered twice, wrong member, amount refunded."),
    )
