"""Writes to dues: standards, payments, and the roll-up that follows them.

Each service owns its transaction and its audit entry. Whatever changes what a member owes or
has paid keeps the roll-up in step in the same transaction:

- a payment or its voiding moves one roll-up row by a delta;
- a member change or a standard change recomputes the rows of the units concerned from the raw
  facts (`rollup_refresh_units`, or the standard's subtree);
- a unit move rewrites the anchors (province, association) the rows and payments carry.

Concurrency: every writer that touches a roll-up row first locks the row of the grassroots
association the members belong to (`SELECT … FOR NO KEY UPDATE`, ordered by id), and reads the
facts only after that, so a delta never lands on a recomputation that missed it. On SQLite the
IMMEDIATE transactions already serialise writers.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core import rollups as engine
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import ConflictError, DomainError
from jiceng.core.figures import format_amount
from jiceng.core.locking import delete_locked, save_locked
from jiceng.core.scope import authorize
from jiceng.members.models import Member, MemberType
from jiceng.org.anchors import ancestor_paths, anchors_of_unit
from jiceng.org.models import Level, Unit

from . import rollups
from .models import STANDARD_LEVELS, DuesStandard, Payment, to_cents
from .rollups import Where

if TYPE_CHECKING:
    from jiceng.accounts.models import User

CENT = Decimal("0.01")
#: Units recomputed per statement by `rollup_refresh_units`.
REFRESH_SLICE = 2000
PAYMENT_FIELDS = ("dues_year", "paid_on", "amount", "method", "receipt_number", "note")


# --- Locks -------------------------------------------------------------------------------------


def _lock_grassroots(ids: Iterable[int | None]) -> list[int]:
    """Take the roll-up lock of these associations (their unit rows), in id order."""
    wanted = sorted({i for i in ids if i})
    if wanted:
        list(
            Unit.objects.select_for_update(no_key=True)
            .filter(pk__in=wanted)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return wanted


def _grassroots_of_units(unit_ids: Iterable[int]) -> list[int]:
    """The grassroots associations at or above these units (two queries)."""
    paths = Unit.objects.filter(pk__in=list(unit_ids)).values_list("path", flat=True)
    prefixes = {p for path in paths for p in ancestor_paths(path)}
    if not prefixes:
        return []
    return list(
        Unit.objects.filter(path__in=prefixes, level=Level.GRASSROOTS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Roll-up maintenance (called by members, the import and the tree) --------------------------


def rollup_refresh_units(*, unit_ids: Iterable[int], years: Iterable[int] | None = None) -> None:
    """Recompute the roll-up rows of these units (their own members) from the raw facts, for
    `years` or for every year with a standard or a payment. One grouped statement, bounded by
    the units' members."""
    ids = sorted({int(i) for i in unit_ids})
    if not ids:
        return
    year_list = None if years is None else sorted(set(years))
    with transaction.atomic():
        grassroots_ids = _lock_grassroots(_grassroots_of_units(ids))
        # Units' rows are independent: a roster touching thousands of units goes in slices,
        # each one statement, to stay under SQLite's limit on bound parameters.
        for start in range(0, len(ids), REFRESH_SLICE):
            chunk = ids[start : start + REFRESH_SLICE]
            rollups.refresh_rows(
                members=Where.ids("m.unit_id", chunk),
                rollups=Where.ids("unit_id", chunk),
                grassroots=Where.ids("g.id", grassroots_ids),
                years=year_list,
            )


def _standards_may_differ(*, unit: Unit, grassroots_ids: list[int]) -> bool:
    """Whether the standards in force under a moved unit may have changed: always for a branch
    or group (it has a new association); for an association or above, unless each association
    inside sets its own standard for every (year, type) that any unit sets."""
    if unit.level in (Level.BRANCH, Level.GROUP):
        return True
    pairs = set(DuesStandard.objects.order_by().values_list("year", "member_type").distinct())
    if not pairs or not grassroots_ids:
        return False
    own: dict[int, set[tuple[int, str]]] = {pk: set() for pk in grassroots_ids}
    for unit_id, year, member_type in DuesStandard.objects.filter(
        unit_id__in=grassroots_ids
    ).values_list("unit_id", "year", "member_type"):
        own[unit_id].add((year, member_type))
    return any(not pairs <= have for have in own.values())


def rollup_follow_unit_move(*, unit: Unit, **_signal: object) -> None:
    """After `unit` moved in the tree (`org.anchors.unit_moved`; the anchors of members and
    roll-up rows are already rewritten): receipts of the associations inside take their new
    province, and if the standards in force there may come from new ancestors, the subtree's
    rows are recomputed."""
    unit = Unit.objects.get(pk=unit.pk)
    with transaction.atomic():
        inside = list(
            Unit.objects.subtree(unit)
            .filter(level=Level.GRASSROOTS)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        outer = _grassroots_of_units([unit.pk]) if unit.level in (Level.BRANCH, Level.GROUP) else []
        _lock_grassroots([*inside, *outer])
        province_id = anchors_of_unit(unit).province_id
        if inside:
            # Receipts stay with the association that issued them; its province may be new.
            Payment.objects.filter(grassroots_id__in=inside).exclude(
                province_id=province_id
            ).update(province_id=province_id)
        holds = Unit.objects.subtree(unit).filter(
            level__in=(Level.GRASSROOTS, Level.BRANCH, Level.GROUP)
        )
        if holds.exists() and _standards_may_differ(unit=unit, grassroots_ids=inside):
            subtree = Unit.objects.subtree(unit).order_by().values("pk")
            rollups.refresh_rows(
                members=Where.subquery("m.unit_id", subtree),
                rollups=Where.subquery("unit_id", subtree),
                grassroots=Where.ids("g.id", sorted({*inside, *outer})),
                years=None,
            )


def rollup_rebuild(*, actor: Actor | None = None, years: Iterable[int] | None = None) -> int:
    """Recompute every dues roll-up row (of `years`, or all) from all members and payments in
    one set-based statement, audited (the roll-up engine's `rebuild`). Returns the rows."""
    from .measures import DUES

    return engine.rebuild(
        DUES, actor=actor or Actor.system(), years=None if years is None else list(years)
    )


# --- Standards ---------------------------------------------------------------------------------


def _affected_grassroots(*, unit: Unit, year: int, member_types: set[str]) -> list[int]:
    """The associations in `unit`'s subtree whose standard in force for `year` and one of these
    types is (now) the one `unit` sets: those without a nearer standard of their own."""
    overrides: dict[str, set[str]] = {t: set() for t in member_types}
    for path, member_type in (
        DuesStandard.objects.filter(
            unit__path__subtree=unit.path, year=year, member_type__in=member_types
        )
        .exclude(unit=unit)
        .values_list("unit__path", "member_type")
    ):
        overrides[member_type].add(path)
    affected = []
    for pk, path in (
        Unit.objects.subtree(unit).filter(level=Level.GRASSROOTS).values_list("pk", "path")
    ):
        below = set(ancestor_paths(path)[len(unit.path) // Unit.steplen :])
        if any(not (below & overrides[t]) for t in member_types):
            affected.append(pk)
    return affected


def _check_standard_unit(unit: Unit) -> None:
    if unit.level not in STANDARD_LEVELS:
        raise DomainError(
            _(
                "Dues standards are set by a grassroots association or a unit above it; "
                "“%(unit)s” collects under its association's standard."
            )
            % {"unit": unit.name},
            code="standard_level",
        )


def standards_update(
    *,
    actor: Actor,
    unit: Unit,
    year: int,
    amounts: dict[str, Decimal | None],
    expected_lock_versions: dict[str, int],
) -> list[DuesStandard]:
    """Set (or, with None, clear) the unit's own dues standard for `year` per member type.
    `expected_lock_versions` holds the version the user saw per type, 0 for "none set"; a stale one
    raises ConflictError. Recomputes the roll-up of the associations that inherit the change."""
    authorize(actor, Perm.DUES_EDIT, unit)
    _check_standard_unit(unit)
    changed: set[str] = set()
    result = []
    with transaction.atomic():
        for member_type, amount in amounts.items():
            MemberType(member_type)  # raises on an unknown type
            expected = expected_lock_versions.get(member_type, 0)
            current = (
                DuesStandard.objects.select_for_update()
                .filter(unit=unit, year=year, member_type=member_type)
                .first()
            )
            if current is None and expected:
                raise ConflictError(current=None)
            if current is not None and current.lock_version != expected:
                raise ConflictError(current=current)
            if amount is None:
                if current is not None:
                    before = snapshot(current, DuesStandard.AUDITED_FIELDS)
                    delete_locked(current, expected_lock_version=expected)
                    audit_record(
                        actor=actor,
                        action="dues.standard.clear",
                        unit=unit,
                        obj=current,
                        before=before,
                        object_repr=str(current),
                    )
                    changed.add(member_type)
                continue
            if amount < 0:
                raise ValidationError({member_type: _("A dues standard cannot be negative.")})
            if amount != amount.quantize(CENT):
                raise ValidationError({member_type: _("Enter the amount in yuan and fen (分).")})
            amount = amount.quantize(CENT)
            if current is None:
                standard = DuesStandard(
                    unit=unit,
                    year=year,
                    member_type=member_type,
                    amount=amount,
                    updated_by=actor.user,
                )
                standard.full_clean(exclude=["updated_by"], validate_constraints=False)
                try:
                    with transaction.atomic():
                        standard.save()
                except IntegrityError as exc:
                    raise ConflictError(
                        current=DuesStandard.objects.filter(
                            unit=unit, year=year, member_type=member_type
                        ).first()
                    ) from exc
                audit_record(
                    actor=actor,
                    action="dues.standard.set",
                    unit=unit,
                    obj=standard,
                    after=snapshot(standard, DuesStandard.AUDITED_FIELDS),
                )
                changed.add(member_type)
                result.append(standard)
            elif current.amount != amount:
                before = snapshot(current, DuesStandard.AUDITED_FIELDS)
                current.amount = amount
                current.updated_by = actor.user
                current.full_clean(exclude=["updated_by"], validate_constraints=False)
                save_locked(
                    current, expected_lock_version=expected, fields=["amount", "updated_by"]
                )
                audit_record(
                    actor=actor,
                    action="dues.standard.set",
                    unit=unit,
                    obj=current,
                    before=before,
                    after=snapshot(current, DuesStandard.AUDITED_FIELDS),
                )
                changed.add(member_type)
                result.append(current)
            else:
                result.append(current)
        if changed:
            grassroots_ids = _lock_grassroots(
                _affected_grassroots(unit=unit, year=year, member_types=changed)
            )
            if grassroots_ids:
                rollups.refresh_rows(
                    members=Where.ids("m.grassroots_id", grassroots_ids),
                    rollups=Where.ids("grassroots_id", grassroots_ids),
                    grassroots=Where.ids("g.id", grassroots_ids),
                    years=[year],
                )
    return result


# --- Payments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentOutcome:
    payment: Payment
    #: False when the payment was already on record (the same form submitted twice, or the same
    #: receipt entered by a second clerk): nothing was added.
    created: bool


def _same_receipt(payment: Payment, other: Payment) -> bool:
    return all(getattr(payment, f) == getattr(other, f) for f in Payment.SAME_RECEIPT_FIELDS)


def receipt_taken_message(holder: Payment, viewer: "User | None") -> str:
    """Name the payment holding the receipt number, in as much detail as the viewer may see."""
    if viewer is None or viewer.can_reach(holder.unit):
        message = _(
            "Receipt number %(number)s is already used in this association: %(amount)s yuan "
            "for %(year)s from “%(member)s”, paid on %(date)s. If this is a different payment, "
            "it needs its own receipt number."
        ) % {
            "number": holder.receipt_number,
            "amount": holder.amount,
            "year": holder.dues_year,
            "member": holder.member.business_name,
            "date": date_format(holder.paid_on, "Y-m-d"),
        }
    else:
        message = _(
            "Receipt number %(number)s is already used in this association, by a payment "
            "recorded outside your area. If this is a different payment, it needs its own "
            "receipt number."
        ) % {"number": holder.receipt_number}
    if holder.is_void:
        message += " " + _("That payment was voided; a voided receipt number is not reused.")
    return message


def _existing(
    payment: Payment, idempotency_key: uuid.UUID | None, viewer: "User | None"
) -> Payment | None:
    """The payment already on record for this submission, if any; raises ValidationError when
    the receipt number is taken by a different payment."""
    if idempotency_key is not None:
        same = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if same is not None:
            if same.member_id != payment.member_id:
                raise ValidationError(
                    _("This form was already used for another payment; open the form again.")
                )
            return same
    holder = (
        Payment.objects.select_related("member", "unit")
        .filter(grassroots_id=payment.grassroots_id, receipt_number=payment.receipt_number)
        .first()
    )
    if holder is None:
        return None
    if _same_receipt(payment, holder) and not holder.is_void:
        return holder
    raise ValidationError({"receipt_number": receipt_taken_message(holder, viewer)})


def _lock_member_association(member_pk: int) -> Member:
    """Lock the member's association and return the member as committed after the lock
    (a concurrent move may have changed its association: then lock that one too)."""
    locked: set[int] = set()
    for _attempt in range(3):
        member = Member.objects.select_related("grassroots").get(pk=member_pk)
        if member.grassroots_id in locked:
            return member
        _lock_grassroots([member.grassroots_id])
        locked.add(member.grassroots_id)
    return Member.objects.select_related("grassroots").get(pk=member_pk)


def _check_large_amount(amount_cents: int, due_cents: int) -> None:
    """Refuse (code "large_amount") an amount above the configured multiple of the due; a
    member with nothing due (no standard) has no yardstick, so nothing is refused."""
    factor = settings.DUES_LARGE_PAYMENT_FACTOR
    if due_cents <= 0 or amount_cents <= factor * due_cents:
        return
    raise ValidationError(
        {
            "amount": ValidationError(
                _(
                    "%(amount)s yuan is more than %(factor)s times the %(due)s yuan due for the "
                    "year. Check the amount; if it is right, confirm it and save again."
                ),
                code="large_amount",
                params={
                    "amount": format_amount(Decimal(amount_cents) / 100),
                    "factor": factor,
                    "due": format_amount(Decimal(due_cents) / 100),
                },
            )
        }
    )


def payment_record(
    *,
    actor: Actor,
    member: Member,
    data: dict[str, Any],
    idempotency_key: uuid.UUID | None = None,
    confirm_large_amount: bool = False,
) -> PaymentOutcome:
    """Record that `member` paid. A dues year beyond next year is refused; an amount above
    `DUES_LARGE_PAYMENT_FACTOR` times the member's due for the year is refused (code
    "large_amount") unless the caller says it was confirmed (`confirm_large_amount`).
    Recording the same payment twice creates one: a submission
    whose key is on record, or a receipt number already used for an identical payment, answers
    with that payment (`created=False`). A receipt number used by a different payment of the
    association is refused, naming it. The database constraints decide races."""
    authorize(actor, Perm.DUES_EDIT, member.unit)
    unknown = set(data) - set(PAYMENT_FIELDS)
    if unknown:
        raise ValueError(f"not payment fields: {sorted(unknown)}")
    with transaction.atomic():
        member = _lock_member_association(member.pk)
        payment = Payment(
            member=member,
            unit_id=member.unit_id,
            grassroots_id=member.grassroots_id,
            province_id=member.province_id,
            idempotency_key=idempotency_key,
            recorded_by=actor.user,
            **{**data, "receipt_number": str(data.get("receipt_number", "")).strip()},
        )
        payment.full_clean(
            exclude=["member", "unit", "grassroots", "province", "recorded_by"],
            validate_unique=False,
            validate_constraints=False,  # the database decides, see below
        )
        payment.amount = payment.amount.quantize(CENT)
        if payment.paid_on > timezone.localdate():
            raise ValidationError({"paid_on": _("The date paid cannot be in the future.")})
        if payment.dues_year > timezone.localdate().year + 1:
            raise ValidationError(
                {
                    "dues_year": _("Dues can be paid up to next year (%(year)s) at the latest.")
                    % {"year": timezone.localdate().year + 1}
                }
            )
        existing = _existing(payment, idempotency_key, actor.user)
        if existing is not None:
            return PaymentOutcome(existing, created=False)
        year = payment.dues_year
        standards = rollups.standards_for_grassroots(grassroots=member.grassroots, years=[year])
        due = rollups.member_due_cents(member, year, standards)
        if not confirm_large_amount:
            _check_large_amount(to_cents(payment.amount), due)
        paid_before = rollups.member_paid_cents(member.pk, year)
        try:
            with transaction.atomic():
                payment.save()
        except IntegrityError:
            # Another writer got there between the check and the insert: the constraints
            # decided, so answer as the check would have.
            existing = _existing(payment, idempotency_key, actor.user)
            if existing is not None:
                return PaymentOutcome(existing, created=False)
            raise
        rollups.apply_payment_delta(
            member=member,
            year=year,
            due=due,
            paid_before=paid_before,
            paid_after=paid_before + to_cents(payment.amount),
        )
        audit_record(
            actor=actor,
            action="dues.payment.record",
            unit=member.unit,
            obj=payment,
            after=snapshot(payment, Payment.AUDITED_FIELDS),
        )
    return PaymentOutcome(payment, created=True)


def payment_void(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """Void a payment (it stays on record, its receipt number stays used) and take it out of
    the member's paid total."""
    authorize(actor, Perm.DUES_EDIT, payment.unit)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is voided.")})
    with transaction.atomic():
        member = _lock_member_association(payment.member_id)
        payment = Payment.objects.select_related("member", "unit").get(pk=payment.pk)
        if payment.is_void:
            raise DomainError(
                _("This payment was already voided on %(date)s.")
                % {"date": date_format(timezone.localtime(payment.voided_at), "Y-m-d H:i")},
                code="payment_already_void",
            )
        before = snapshot(payment, Payment.AUDITED_FIELDS)
        year = payment.dues_year
        paid_before = rollups.member_paid_cents(member.pk, year)
        payment.voided_at = timezone.now()
        payment.voided_by = actor.user
        payment.void_reason = reason[:200]
        updated = Payment.objects.filter(pk=payment.pk, voided_at__isnull=True).update(
            voided_at=payment.voided_at,
            voided_by=payment.voided_by,
            void_reason=payment.void_reason,
        )
        if not updated:
            raise DomainError(_("This payment was already voided."), code="payment_already_void")
        standards = rollups.standards_for_grassroots(grassroots=member.grassroots, years=[year])
        rollups.apply_payment_delta(
            member=member,
            year=year,
            due=rollups.member_due_cents(member, year, standards),
            paid_before=paid_before,
            paid_after=paid_before - to_cents(payment.amount),
        )
        audit_record(
            actor=actor,
            action="dues.payment.void",
            unit=payment.unit,
            obj=payment,
            before=before,
            after=snapshot(payment, Payment.AUDITED_FIELDS),
        )
    return payment
