"""Complaints and help requests: a member's channel to the unit ("投诉有门、受挫有助")."""

import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.locking import Locked
from jiceng.org.models import Level, Unit

#: Which units take complaints from members: the associations members deal with.
ACCEPTING_LEVELS = (Level.GRASSROOTS, Level.BRANCH)


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    HELP_REQUEST = "help_request", _("Help request")


class Channel(models.TextChoices):
    PUBLIC = "public", _("Public page")
    STAFF = "staff", _("Recorded by staff")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


#: The state machine: where each state may go next. Resolved and closed are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ComplaintState.RECEIVED: (
        ComplaintState.IN_PROGRESS,
        ComplaintState.RESOLVED,
        ComplaintState.CLOSED,
    ),
    ComplaintState.IN_PROGRESS: (ComplaintState.RESOLVED, ComplaintState.CLOSED),
    ComplaintState.RESOLVED: (),
    ComplaintState.CLOSED: (),
}
#: States that end a case: they need a response and count as handled.
FINAL_STATES = (ComplaintState.RESOLVED, ComplaintState.CLOSED)


class Complaint(Locked):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ComplaintKind.choices)
    subject = models.CharField(_("subject"), max_length=100)
    content = models.TextField(_("content"), max_length=2000, validators=[MaxLengthValidator(2000)])
    submitter_name = models.CharField(_("name"), max_length=50, blank=True)
    submitter_contact = models.CharField(_("contact"), max_length=50, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    response = models.TextField(
        _("response"), max_length=2000, blank=True, validators=[MaxLengthValidator(2000)]
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved or closed"), null=True, blank=True)
    # Keyed hash (HMAC) of the submitter's address, for the per-source limit. Never the address.
    source_hash = models.CharField(_("source hash"), max_length=64, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    #: Fields the audit log records.
    AUDITED_FIELDS = [
        "reference",
        "kind",
        "subject",
        "content",
        "submitter_name",
        "submitter_contact",
        "channel",
        "state",
        "response",
        "received_at",
        "responded_at",
        "resolved_at",
    ]
    personal_fields = ("submitter_name", "submitter_contact")  # audit: keyed hash only

    class Meta:
        verbose_name = _("complaint or help request")
        verbose_name_plural = _("complaints and help requests")
        ordering = ["-received_at", "-id"]
        default_related_name = "complaints"
        indexes = [
            models.Index(fields=["unit", "-received_at"], name="complaint_unit_received"),
            # The per-source limit: one index range per unit, address and hour.
            models.Index(
                fields=["unit", "source_hash", "received_at"], name="complaint_unit_source"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ComplaintState.values), name="complaint_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ComplaintKind.values), name="complaint_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="complaint_channel_valid"
            ),
            # Left "received" ⇔ has a first response time, not before it was received.
            models.CheckConstraint(
                condition=(Q(state=ComplaintState.RECEIVED) & Q(responded_at__isnull=True))
                | (
                    ~Q(state=ComplaintState.RECEIVED)
                    & Q(responded_at__isnull=False)
                    & Q(responded_at__gte=F("received_at"))
                ),
                name="complaint_responded_when_not_received",
            ),
            # Resolved or closed ⇔ has an end time and a response.
            models.CheckConstraint(
                condition=(
                    Q(state__in=FINAL_STATES) & Q(resolved_at__isnull=False) & ~Q(response="")
                )
                | (~Q(state__in=FINAL_STATES) & Q(resolved_at__isnull=True)),
                name="complaint_final_has_time_and_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def next_states(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.state, ())

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    @property
    def response_hours(self) -> float | None:
        """Hours from receipt to the first response (None while waiting)."""
        if self.responded_at is None:
            return None
        return (self.responded_at - self.received_at).total_seconds() / 3600

    @property
    def resolution_hours(self) -> float | None:
        """Hours from receipt to resolution or closing (None while open)."""
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.received_at).total_seconds() / 3600

    @property
    def response_due_on(self) -> datetime.date:
        """The last day a first response is on time (`activities/deadlines.py`)."""
        from ..deadlines import response_due_on

        return response_due_on(self.received_at)

    @property
    def is_overdue(self) -> bool:
        """Answered after the due date, or still waiting past it."""
        from ..deadlines import is_overdue

        return is_overdue(self.received_at, self.responded_at)


class ComplaintStep(models.Model):
    """One move of a complaint to a new state, with the reply given then: the case's history.
    The complaint's `response` is the latest reply; its `responded_at` is the first step's time
    and `resolved_at` the final step's."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="steps"
    )
    state = models.CharField(_("state"), max_length=16, choices=ComplaintState.choices)
    response = models.TextField(
        _("response"), max_length=2000, blank=True, validators=[MaxLengthValidator(2000)]
    )
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Reached through its complaint's unit (`core/scope.py`).
    scope_via = "complaint__unit"

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_step_complaint_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ComplaintState.values), name="complaint_step_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.state}"

    @property
    def hours_since_receipt(self) -> float:
        return (self.at - self.complaint.received_at).total_seconds() / 3600
