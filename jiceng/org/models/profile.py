"""A unit's profile: the five haves, the leadership team and the campaign's leading group."""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.files import PhotoField, RandomUploadTo
from jiceng.core.locking import Locked
from jiceng.core.validators import validate_phone

from .tree import Unit

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def money(label: "_StrPromise") -> models.DecimalField:
    """An amount in yuan: Decimal, never negative."""
    return models.DecimalField(
        label, max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")


class Tenure(models.TextChoices):
    OWNED = "owned", _("Owned")
    LEASED = "leased", _("Leased")
    LENT = "lent", _("Lent free of charge")


class ProfileItem(Locked):
    """A row of a profile section: belongs to one unit, edited under optimistic locking."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class StaffMember(ProfileItem):
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=50)
    employment = models.CharField(
        _("employment"), max_length=16, choices=Employment.choices, default=Employment.FULL_TIME
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    personal_fields = ("phone",)  # the audit log keeps a keyed hash (core/audit.py)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["id"]
        default_related_name = "staff"

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"


class Venue(Locked):
    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="venue"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    tenure = models.CharField(_("tenure"), max_length=16, choices=Tenure.choices, blank=True)
    has_meeting_room = models.BooleanField(_("meeting room"), default=False)
    has_members_home = models.BooleanField(_("members' home"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    EDITABLE_FIELDS = [
        "address",
        "floor_area",
        "tenure",
        "has_meeting_room",
        "has_members_home",
        "notes",
    ]

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_area__gte=0) | Q(floor_area__isnull=True),
                name="venue_floor_area_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.address or str(_("venue"))

    @property
    def is_complete(self) -> bool:
        return bool(self.address and self.floor_area)


def photo_path(instance: "VenuePhoto", filename: str) -> str:
    """Historical: named in migration 0001 only. Photos are now stored by `PhotoField`, under
    the extension of their detected type, never the uploaded name's."""
    return RandomUploadTo("venue-photos")(instance, filename)


class VenuePhoto(ProfileItem):
    image = PhotoField(_("photo"), upload_to=RandomUploadTo("venue-photos"))
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("venue photo")
        verbose_name_plural = _("venue photos")
        ordering = ["id"]
        default_related_name = "venue_photos"

    def __str__(self) -> str:
        return self.caption or str(_("photo"))


class FundsYear(ProfileItem):
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1980), MaxValueValidator(2100)]
    )
    income_dues = money(_("income from dues (yuan)"))
    income_subsidy = money(_("income from subsidies (yuan)"))
    income_other = money(_("other income (yuan)"))
    spending = money(_("spending (yuan)"))

    class Meta:
        verbose_name = _("funds of a year")
        verbose_name_plural = _("funds")
        ordering = ["-year"]
        default_related_name = "funds"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="funds_one_row_per_unit_year",
                violation_error_message=_("This unit already has a funds record for this year."),
            ),
            models.CheckConstraint(
                condition=Q(income_dues__gte=0)
                & Q(income_subsidy__gte=0)
                & Q(income_other__gte=0)
                & Q(spending__gte=0),
                name="funds_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def total_income(self) -> Decimal:
        return self.income_dues + self.income_subsidy + self.income_other


class EquipmentItem(ProfileItem):
    item = models.CharField(_("item"), max_length=100)
    count = models.PositiveIntegerField(_("count"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment")
        ordering = ["id"]
        default_related_name = "equipment"

    def __str__(self) -> str:
        return f"{self.item} × {self.count}"


class Duty(ProfileItem):
    post = models.CharField(_("post"), max_length=50)
    duties = models.TextField(_("duties"))

    class Meta:
        verbose_name = _("posted duty")
        verbose_name_plural = _("duties")
        ordering = ["id"]
        default_related_name = "duties"

    def __str__(self) -> str:
        return self.post


class LeadershipPosition(models.TextChoices):
    PRESIDENT = "president", _("President")
    VICE_PRESIDENT = "vice_president", _("Vice-president")
    SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
    DEPUTY_SECRETARY_GENERAL = "deputy_secretary_general", _("Deputy secretary-general")
    OTHER = "other", _("Other")


class LeadershipMember(ProfileItem):
    name = models.CharField(_("name"), max_length=50)
    position = models.CharField(_("position"), max_length=32, choices=LeadershipPosition.choices)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)
    employment = models.CharField(
        _("employment"), max_length=16, choices=Employment.choices, default=Employment.FULL_TIME
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    personal_fields = ("phone",)  # the audit log keeps a keyed hash (core/audit.py)

    class Meta:
        verbose_name = _("leadership member")
        verbose_name_plural = _("leadership team")
        ordering = ["position", "id"]
        default_related_name = "leadership"
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="leadership_term_ends_after_start",
                violation_error_message=_("The term cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_position_display()}）"

    def clean(self) -> None:
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError(
                {
                    "term_end": _("The term cannot end before it starts (%(start)s).")
                    % {"start": self.term_start.isoformat()}
                }
            )


class LeadingGroupRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY_LEADER = "deputy_leader", _("Deputy leader")
    MEMBER = "member", pgettext_lazy("leading group role", "Member")
    OFFICE_DIRECTOR = "office_director", _("Office director")


class LeadingGroupMember(ProfileItem):
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=32, choices=LeadingGroupRole.choices)
    title = models.CharField(_("post and organisation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    personal_fields = ("phone",)  # the audit log keeps a keyed hash (core/audit.py)

    class Meta:
        verbose_name = _("leading group member")
        verbose_name_plural = _("leading group")
        ordering = ["role", "id"]
        default_related_name = "leading_group"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"
