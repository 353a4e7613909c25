"""Forms parse and validate input; services do the writing."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import validate_photo
from jiceng.core.forms import StyledFormMixin

from .models import (
    ALLOWED_PARENT_LEVELS,
    Duty,
    EquipmentItem,
    FundsYear,
    LeadershipMember,
    LeadingGroupMember,
    Level,
    StaffMember,
    Unit,
    Venue,
    VenuePhoto,
)


class LockedForm(StyledFormMixin, forms.ModelForm):
    """Carries the version the user started from, for optimistic locking."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["lock_version"] = self.instance.lock_version

    @property
    def expected_lock_version(self) -> int:
        return self.cleaned_data.get("lock_version") or self.instance.lock_version

    def model_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields or []
            if name in self.cleaned_data
        }


class UnitCreateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["level", "name", "short_name", "code", "contact_person", "phone", "address"]

    def __init__(self, *args: Any, parent: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.instance.parent = parent
        allowed = [
            (lv.value, lv.label) for lv in Level if parent.level in ALLOWED_PARENT_LEVELS[lv]
        ]
        self.fields["level"].choices = allowed  # type: ignore[attr-defined]
        if len(allowed) == 1:
            self.initial["level"] = allowed[0][0]

    def _post_clean(self) -> None:
        # The service validates the whole unit once, with its tree rules; skip the duplicate.
        pass


class UnitEditForm(LockedForm):
    class Meta:
        model = Unit
        fields = Unit.EDITABLE_FIELDS

    def _post_clean(self) -> None:
        pass


class UnitMoveForm(StyledFormMixin, forms.Form):
    new_parent_code = forms.CharField(
        label=_("Code of the new parent unit"),
        max_length=15,
        help_text=_("The unit moves with all of its sub-units."),
    )


class VenueForm(LockedForm):
    class Meta:
        model = Venue
        fields = Venue.EDITABLE_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class StaffForm(LockedForm):
    class Meta:
        model = StaffMember
        fields = ["name", "post", "employment", "phone"]


class FundsForm(LockedForm):
    class Meta:
        model = FundsYear
        fields = ["year", "income_dues", "income_subsidy", "income_other", "spending"]


class EquipmentForm(LockedForm):
    class Meta:
        model = EquipmentItem
        fields = ["item", "count"]


class DutyForm(LockedForm):
    class Meta:
        model = Duty
        fields = ["post", "duties"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 4})}


class DateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (2026-05-01) in every language: the
    Chinese locale's 2026/05/01 leaves the picker empty and an unchanged save would erase it."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class LeadershipForm(LockedForm):
    class Meta:
        model = LeadershipMember
        fields = ["name", "position", "term_start", "term_end", "employment", "phone"]
        widgets = {"term_start": DateInput(), "term_end": DateInput()}


class LeadingGroupForm(LockedForm):
    class Meta:
        model = LeadingGroupMember
        fields = ["name", "role", "title", "phone"]


class PhotoForm(LockedForm):
    class Meta:
        model = VenuePhoto
        fields = ["image", "caption"]
        widgets = {
            "image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        }

    def clean_image(self) -> Any:
        return validate_photo(self.cleaned_data["image"])
