"""The list sections of a unit profile, declared once and served by one set of views."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import forms
from .models import (
    Duty,
    EquipmentItem,
    FundsYear,
    LeadershipMember,
    LeadingGroupMember,
    StaffMember,
    VenuePhoto,
)
from .models.profile import ProfileItem


@dataclass(frozen=True)
class Section:
    key: str
    model: type[ProfileItem]
    form: type[forms.LockedForm]
    title: Promise
    columns: tuple[str, ...]
    #: Which of the five haves the section is (or "" for the leadership sections).
    have: str = ""


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in [
        Section(
            "staff",
            StaffMember,
            forms.StaffForm,
            _("Staff"),
            ("name", "post", "employment", "phone"),
            have="staff",
        ),
        Section(
            "funds",
            FundsYear,
            forms.FundsForm,
            _("Funds"),
            ("year", "income_dues", "income_subsidy", "income_other", "spending"),
            have="funds",
        ),
        Section(
            "equipment",
            EquipmentItem,
            forms.EquipmentForm,
            _("Equipment"),
            ("item", "count"),
            have="equipment",
        ),
        Section("duties", Duty, forms.DutyForm, _("Duties"), ("post", "duties"), have="duties"),
        Section(
            "leadership",
            LeadershipMember,
            forms.LeadershipForm,
            _("Leadership team"),
            ("name", "position", "term_start", "term_end", "employment", "phone"),
        ),
        Section(
            "leading-group",
            LeadingGroupMember,
            forms.LeadingGroupForm,
            _("Campaign leading group"),
            ("name", "role", "title", "phone"),
        ),
        Section("photos", VenuePhoto, forms.PhotoForm, _("Venue photos"), ("image", "caption")),
    ]
}
