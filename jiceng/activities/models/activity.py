"""Activities and services a unit holds for members, government and society, with photos."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import PhotoField, RandomUploadTo
from jiceng.core.locking import Locked
from jiceng.org.models import Unit

#: A head count no activity of a grassroots association plausibly exceeds (typing guard).
MAX_HEADCOUNT = 1_000_000
#: Photos kept per activity: enough to evidence it, few enough to review.
MAX_PHOTOS_PER_ACTIVITY = 12


class ActivityKind(models.TextChoices):
    TRAINING = "training", _("Training")
    FINANCING = "financing", _("Financing help")
    LEGAL_AID = "legal_aid", _("Legal aid")
    POLICY_BRIEFING = "policy_briefing", _("Policy briefing")
    EXHIBITION = "exhibition", _("Exhibition")
    CHARITY = "charity", _("Charity")
    PARTY_GOVERNMENT = "party_government", _("Party and government work")
    OTHER = "other", _("Other")


class Activity(Locked):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=24, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    participants = models.PositiveIntegerField(
        _("participants"), default=0, validators=[MaxValueValidator(MAX_HEADCOUNT)]
    )
    members_served = models.PositiveIntegerField(
        _("members served"), default=0, validators=[MaxValueValidator(MAX_HEADCOUNT)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    EDITABLE_FIELDS = ["date", "kind", "title", "description", "participants", "members_served"]

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-id"]
        default_related_name = "activities"
        indexes = [models.Index(fields=["unit", "-date"], name="activity_unit_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(participants__gte=0) & Q(members_served__gte=0),
                name="activity_counts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}" if self.date else self.title

    def clean(self) -> None:
        if self.date and self.date > timezone.localdate():
            raise ValidationError(
                {
                    "date": _(
                        "The activity log records what has been held: the date cannot be later "
                        "than today (%(today)s)."
                    )
                    % {"today": timezone.localdate().isoformat()}
                }
            )
        if self.date and self.date < datetime.date(1980, 1, 1):
            raise ValidationError({"date": _("Enter a date from 1980 on.")})


class ActivityPhoto(models.Model):
    """A photo of an activity. Added and deleted, never edited, so it carries no version."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos"
    )
    # The activity's unit, kept on the photo so scope and storage paths need no join.
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="activity_photos"
    )
    image = PhotoField(_("photo"), upload_to=RandomUploadTo("activity-photos"))
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or str(_("photo"))
