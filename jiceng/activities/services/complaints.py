"""Complaints and help requests: submitted on the public page or recorded by staff, then moved
through received → in progress → resolved or closed."""

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import DomainError
from jiceng.core.locking import save_locked
from jiceng.core.scope import authorize
from jiceng.org.models import Status, Unit

from .. import antiabuse
from ..measures import complaint_delta
from ..models import (
    ACCEPTING_LEVELS,
    FINAL_STATES,
    Channel,
    Complaint,
    ComplaintState,
    ComplaintStep,
)

#: Fields a complaint is submitted or recorded with.
INPUT_FIELDS = ("kind", "subject", "content", "submitter_name", "submitter_contact")
#: Letters and digits that cannot be mistaken for one another when read out on the phone.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class PublicActor(Actor):
    """A member on the public page: no account, only the address the request came from."""

    @property
    def name(self) -> str:
        return "public"


def accepts_complaints(unit: Unit) -> bool:
    """Grassroots associations and their branches take complaints, while they are active."""
    return unit.level in ACCEPTING_LEVELS and unit.status == Status.ACTIVE


def new_reference() -> str:
    """Short, unguessable, readable: the day it arrived and six random characters."""
    token = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"{timezone.localdate():%Y%m%d}-{token}"


def _insert(complaint: Complaint) -> Complaint:
    """Save with a fresh reference; on the (one in a billion) collision, draw again."""
    for _attempt in range(5):
        complaint.reference = new_reference()
        try:
            with transaction.atomic():
                complaint.save()
                complaint_delta(complaint, +1)
            return complaint
        except IntegrityError:
            if Complaint.objects.filter(reference=complaint.reference).exists():
                continue
            raise
    raise RuntimeError("could not draw a free complaint reference")


def _validated(unit: Unit, data: dict[str, Any], **extra: Any) -> Complaint:
    for name in data:
        if name not in INPUT_FIELDS:
            raise ValueError(f"{name} is not a complaint input field")
    complaint = Complaint(
        unit=unit, **{k: v.strip() if isinstance(v, str) else v for k, v in data.items()}, **extra
    )
    complaint.reference = "pending"
    complaint.full_clean(exclude=["reference"])
    return complaint


def complaint_submit(*, actor: Actor, unit: Unit, data: dict[str, Any]) -> Complaint:
    """A member's complaint or help request from the public page (no account).

    The form has checked the honeypot and the signed timestamp; this counts the submissions
    from the same address to the unit in the last hour and refuses past the limit."""
    if not accepts_complaints(unit):
        raise DomainError(
            _("This unit does not take complaints online."), code="unit_not_accepting"
        )
    source = antiabuse.source_hash(
        actor.source_address,
        str(data.get("submitter_contact") or ""),
        str(data.get("content") or ""),
    )
    with transaction.atomic():
        # One submitter at a time per unit, so parallel requests cannot all pass the count.
        list(Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk"))
        since = timezone.now() - antiabuse.SOURCE_WINDOW
        recent_here = Complaint.objects.filter(unit=unit, received_at__gte=since)
        # Per submitter (address and contact), and a wider limit per address: behind a shared
        # address (a NAT, or a proxy) one citizen's messages do not hold back everyone else's.
        recent = recent_here.filter(source_hash=source).count()
        from_address = recent_here.filter(source_hash__startswith=source[: antiabuse.HALF]).count()
        if recent >= antiabuse.SOURCE_LIMIT or from_address >= antiabuse.ADDRESS_LIMIT:
            raise antiabuse.RateLimited(
                _(
                    "We have already received %(count)s messages from your connection in the "
                    "last hour. Please try again later, or call the association."
                )
                % {"count": max(recent, from_address)}
            )
        complaint = _validated(unit, data, channel=Channel.PUBLIC, source_hash=source)
        _insert(complaint)
        audit_record(
            actor=actor,
            action="complaint.submit",
            unit=unit,
            obj=complaint,
            after=snapshot(complaint, Complaint.AUDITED_FIELDS),
        )
    return complaint


def complaint_record(
    *, actor: Actor, unit: Unit, data: dict[str, Any], received_at: Any = None
) -> Complaint:
    """Staff record a complaint that arrived by phone, letter or in person."""
    authorize(actor, Perm.COMPLAINT_HANDLE, unit)
    received = received_at or timezone.now()
    if received > timezone.now():
        raise ValidationError({"received_at": _("The time received cannot be in the future.")})
    with transaction.atomic():
        complaint = _validated(
            unit, data, channel=Channel.STAFF, received_at=received, recorded_by=actor.user
        )
        _insert(complaint)
        audit_record(
            actor=actor,
            action="complaint.record",
            unit=unit,
            obj=complaint,
            after=snapshot(complaint, Complaint.AUDITED_FIELDS),
        )
    return complaint


def complaint_transition(
    *,
    actor: Actor,
    complaint: Complaint,
    to_state: str,
    response: str,
    expected_lock_version: int,
) -> Complaint:
    """Move a complaint to its next state, with the reply given at this step (kept as a
    `ComplaintStep`; the complaint's `response` shows the latest).

    Received → in progress, resolved or closed; in progress → resolved or closed; resolved and
    closed are final. Resolving or closing needs a response. The first move out of "received"
    sets the response time; resolving or closing sets the end time."""
    authorize(actor, Perm.COMPLAINT_HANDLE, complaint.unit)
    states = dict(ComplaintState.choices)
    if to_state not in complaint.next_states:
        allowed = " / ".join(str(states[s]) for s in complaint.next_states) or "—"
        raise DomainError(
            _(
                "A case that is “%(state)s” cannot be moved to “%(target)s”. From here it can "
                "go to: %(allowed)s."
            )
            % {
                "state": states.get(complaint.state, complaint.state),
                "target": states.get(to_state, to_state),
                "allowed": allowed,
            },
            code="invalid_transition",
            field="to_state",
        )
    response = (response or "").strip()
    if to_state in FINAL_STATES and not response:
        raise ValidationError(
            {
                "response": _(
                    "Write the response given to the member before marking the case “%(target)s”."
                )
                % {"target": states[to_state]}
            }
        )
    with transaction.atomic():
        before = snapshot(complaint, Complaint.AUDITED_FIELDS)
        stored = Complaint.objects.filter(pk=complaint.pk).first()
        now = timezone.now()
        received = complaint.received_at
        complaint.state = to_state
        complaint.response = response
        fields = ["state", "response"]
        if complaint.responded_at is None:
            complaint.responded_at = max(now, complaint.received_at)
            fields.append("responded_at")
        if to_state in FINAL_STATES:
            complaint.resolved_at = max(now, complaint.responded_at)
            fields.append("resolved_at")
        complaint.full_clean(exclude=["reference"])
        save_locked(complaint, expected_lock_version=expected_lock_version, fields=fields)
        # Each step keeps its own reply and time; the first step's time is the response time,
        # the final step's the end time.
        ComplaintStep.objects.create(
            complaint=complaint,
            state=to_state,
            response=response,
            at=max(now, complaint.responded_at or received),
            actor=actor.user,
        )
        if stored is not None:
            complaint_delta(stored, -1)
        complaint_delta(complaint, +1)
        audit_record(
            actor=actor,
            action="complaint.transition",
            unit=complaint.unit,
            obj=complaint,
            before=before,
            after=snapshot(complaint, Complaint.AUDITED_FIELDS),
        )
    return complaint
