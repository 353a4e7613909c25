"""Writes to members. Each service owns its transaction and its audit entry.

Roster imports and exports have their own modules (`imports/`, `exports.py`); they use the same
rules (`validation.py`, `identifiers.py`) and the same anchors in the tree.
"""

import hmac
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import DomainError
from jiceng.core.locking import save_locked
from jiceng.core.scope import authorize
from jiceng.core.validators import mask_phone, normalize_phone
from jiceng.org.anchors import anchors_of_unit
from jiceng.org.models import Unit

from . import crypto
from .identifiers import IdentifierError, check_credit_code, check_id_number
from .models import Member, MemberStatus
from .selectors import identifier_kind
from .validation import (
    credit_code_taken_params,
    holds_members,
    member_flags,
    render_credit_code_taken,
)

if TYPE_CHECKING:
    from jiceng.accounts.models import User


def audit_snapshot(member: Member) -> dict[str, Any]:
    """What the audit log keeps of a member: never the ID number, the phone only masked."""
    data = snapshot(member, Member.AUDITED_FIELDS)
    if data.get("phone"):
        data["phone"] = mask_phone(data["phone"])
    data["id_number"] = member.id_number_masked if member.id_number_encrypted else ""
    return data


def credit_code_holder(credit_code: str, *, exclude_pk: int | None = None) -> Member | None:
    """The active member holding this credit code, if any (unique nationwide)."""
    if not credit_code:
        return None
    qs = Member.objects.filter(credit_code=credit_code, status=MemberStatus.ACTIVE)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("unit").first()


def credit_code_taken_message(holder: Member, viewer: "User | None") -> str:
    return render_credit_code_taken(
        credit_code_taken_params(
            code=holder.credit_code,
            holder_name=holder.business_name,
            holder_unit=holder.unit,
            viewer=viewer,
        )
    )


class CodeHeldOutside(ValidationError):
    """The credit code is held by an active member the user may not see: they are told only
    that it cannot be used, and the attempt is counted as a probe (`security.existence_probe`)
    once the transaction it happened in has been rolled back."""


def _code_taken(holder: Member, viewer: "User | None") -> ValidationError:
    message = {"credit_code": credit_code_taken_message(holder, viewer)}
    if viewer is not None and not viewer.can_reach(holder.unit):
        return CodeHeldOutside(message)
    return ValidationError(message)


def _record_probe(actor: Actor, unit: Unit, what: str) -> None:
    """A user learnt that something outside their area exists: count it (without the value)."""
    audit_record(
        actor=actor,
        action="security.existence_probe",
        unit=unit,
        after={"what": what},
        object_repr=what,
    )


def _require_member_unit(unit: Unit, field: str = "unit") -> None:
    if not holds_members(unit):
        raise ValidationError(
            {
                field: _(
                    "Members belong to a grassroots association or one of its branches or "
                    "groups; “%(unit)s” is a %(level)s unit."
                )
                % {"unit": unit.name, "level": unit.get_level_display()}
            }
        )


def _clean_identifiers(member: Member, id_number: str | None) -> bool:
    """Normalise the credit code and phone, encrypt a new ID number; return whether the ID
    number is a legacy 15-digit one. Raises ValidationError naming the field."""
    errors: dict[str, str] = {}
    if member.credit_code:
        try:
            member.credit_code = check_credit_code(member.credit_code)
        except IdentifierError as exc:
            errors["credit_code"] = str(exc.message)
    legacy = member.id_number_legacy
    if id_number:
        try:
            number, legacy = check_id_number(id_number)
        except IdentifierError as exc:
            errors["id_number"] = str(exc.message)
        else:
            member.id_number_encrypted = crypto.encrypt(number)
            member.id_number_index = crypto.blind_index(number)
            member.id_number_legacy = legacy
    if member.phone:
        kind, normalized = normalize_phone(member.phone)
        if kind == "invalid":
            errors["phone"] = _(
                "“%(value)s” is not a phone number: enter a mobile (11 digits starting with 1) "
                "or a landline with its area code, such as 0551-63456789."
            ) % {"value": member.phone}
        else:
            member.phone = normalized
    if errors:
        raise ValidationError(errors)
    return legacy


def _check_unique_code(member: Member, viewer: "User | None") -> None:
    if member.status != MemberStatus.ACTIVE:
        return
    holder = credit_code_holder(member.credit_code, exclude_pk=member.pk)
    if holder is not None:
        raise _code_taken(holder, viewer)


def _set_flags(member: Member) -> None:
    member.flags = member_flags(
        member_type=member.member_type,
        credit_code=member.credit_code,
        phone_kind=normalize_phone(member.phone)[0] if member.phone else "",
        join_date=member.join_date,
        id_legacy=member.id_number_legacy,
    )


def _save_code_race(save: Any, member: Member, viewer: "User | None") -> None:
    """Run `save`; if another writer took the credit code meanwhile, say who holds it."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError as exc:
        if "credit_code" in str(exc) or "member_credit_code_active_unique" in str(exc):
            holder = credit_code_holder(member.credit_code, exclude_pk=member.pk)
            if holder is not None:
                raise _code_taken(holder, viewer) from exc
        raise


def member_create(*, actor: Actor, unit: Unit, data: dict[str, Any], id_number: str = "") -> Member:
    """Add a member to `unit` (a grassroots association, branch or group)."""
    authorize(actor, Perm.MEMBER_EDIT, unit)
    _require_member_unit(unit)
    try:
        return _member_create(actor=actor, unit=unit, data=data, id_number=id_number)
    except CodeHeldOutside:
        _record_probe(actor, unit, "credit_code")
        raise


def _member_create(*, actor: Actor, unit: Unit, data: dict[str, Any], id_number: str) -> Member:
    with transaction.atomic():
        anchors = anchors_of_unit(unit)
        province_id, grassroots_id = anchors.province_id, anchors.grassroots_id
        assert province_id is not None and grassroots_id is not None  # members sit below one
        assert grassroots_id is not None  # a unit that holds members lies at or below one
        member = Member(unit=unit, province_id=province_id, grassroots_id=grassroots_id, **data)
        _clean_identifiers(member, id_number)
        member.full_clean(
            exclude=["unit", "grassroots", "province", "last_import"], validate_constraints=False
        )
        _check_unique_code(member, actor.user)
        _set_flags(member)
        _save_code_race(member.save, member, actor.user)
        audit_record(
            actor=actor,
            action="member.create",
            unit=unit,
            obj=member,
            after=audit_snapshot(member),
        )
        _after_members_changed(unit_ids={unit.pk})
    return member


def member_update(
    *,
    actor: Actor,
    member: Member,
    data: dict[str, Any],
    expected_lock_version: int,
    id_number: str = "",
) -> Member:
    """Change a member's fields; a blank `id_number` keeps the one on record."""
    authorize(actor, Perm.MEMBER_EDIT, member.unit)
    try:
        return _member_update(
            actor=actor,
            member=member,
            data=data,
            expected_lock_version=expected_lock_version,
            id_number=id_number,
        )
    except CodeHeldOutside:
        _record_probe(actor, member.unit, "credit_code")
        raise


def _member_update(
    *,
    actor: Actor,
    member: Member,
    data: dict[str, Any],
    expected_lock_version: int,
    id_number: str,
) -> Member:
    with transaction.atomic():
        before = audit_snapshot(member)
        for name, value in data.items():
            if name not in Member.EDITABLE_FIELDS:
                raise ValueError(f"{name} is not an editable member field")
            setattr(member, name, value)
        _clean_identifiers(member, id_number)
        member.full_clean(
            exclude=["unit", "grassroots", "province", "last_import"], validate_constraints=False
        )
        _check_unique_code(member, actor.user)
        _set_flags(member)
        fields = [
            *data,
            "flags",
            "credit_code",
            "phone",
            "id_number_encrypted",
            "id_number_index",
            "id_number_legacy",
        ]
        _save_code_race(
            lambda: save_locked(
                member,
                expected_lock_version=expected_lock_version,
                fields=list(dict.fromkeys(fields)),
            ),
            member,
            actor.user,
        )
        audit_record(
            actor=actor,
            action="member.update",
            unit=member.unit,
            obj=member,
            before=before,
            after=audit_snapshot(member),
        )
        _after_members_changed(unit_ids={member.unit_id})
    return member


def member_move(
    *, actor: Actor, member: Member, new_unit: Unit, expected_lock_version: int
) -> Member:
    """Move a member to another unit; both must lie in the actor's subtree."""
    authorize(actor, Perm.MEMBER_EDIT, member.unit)
    authorize(actor, Perm.MEMBER_EDIT, new_unit)
    _require_member_unit(new_unit, field="new_unit")
    with transaction.atomic():
        before = audit_snapshot(member)
        old_unit_id = member.unit_id
        if old_unit_id == new_unit.pk:
            return member
        anchors = anchors_of_unit(new_unit)
        province_id, grassroots_id = anchors.province_id, anchors.grassroots_id
        assert province_id is not None and grassroots_id is not None
        member.unit = new_unit
        member.province_id = province_id
        member.grassroots_id = grassroots_id
        save_locked(
            member,
            expected_lock_version=expected_lock_version,
            fields=["unit", "province", "grassroots"],
        )
        audit_record(
            actor=actor,
            action="member.move",
            unit=new_unit,
            obj=member,
            before=before,
            after=audit_snapshot(member),
        )
        _after_members_changed(unit_ids={old_unit_id, new_unit.pk})
    return member


def member_unmask(*, actor: Actor, member: Member) -> dict[str, str]:
    """The member's ID number and phone in the clear. Every call is audited (without the
    values); the actor's role must allow unmasking, within their subtree."""
    authorize(actor, Perm.MEMBER_UNMASK, member.unit)
    audit_record(
        actor=actor,
        action="member.unmask",
        unit=member.unit,
        obj=member,
        after={"fields": ["id_number", "phone"]},
    )
    return {"id_number": member.id_number, "phone": member.phone}


# --- searches by ID number or phone ----------------------------------------------------------


class SearchLimitReached(DomainError):
    code = "identifier_search_limit"
    http_status = 429


@cache
def _search_key() -> bytes:
    # Its own key, derived like the encryption and index keys (`crypto`) but for another
    # purpose: an audit entry's hash cannot be matched against the members' blind index.
    return crypto._derive(crypto._master_key(), b"jiceng identifier search v1")


@receiver(setting_changed)
def _forget_search_key(*, setting: str, **kwargs: Any) -> None:
    if setting in ("MEMBER_DATA_KEY", "SECRET_KEY"):
        _search_key.cache_clear()


def identifier_search_hash(query: str) -> str:
    """A keyed hash of what was searched for: equal searches give equal hashes (an auditor can
    see one number looked up again and again), the value itself is never kept."""
    from .identifiers import compact

    return hmac.digest(_search_key(), compact(query).encode(), "sha256").hex()


def identifier_search_record(*, actor: Actor, unit: Unit, query: str) -> None:
    """Let `actor` search members of `unit`'s subtree by ID number or phone: their role must
    allow unmasking there, they must be within their limit of such searches (per account,
    `MEMBER_IDENTIFIER_SEARCH_LIMIT` per `MEMBER_IDENTIFIER_SEARCH_WINDOW_MINUTES`), and the
    search is audited with a keyed hash of the value. Raises `SearchLimitReached`."""
    authorize(actor, Perm.MEMBER_UNMASK, unit)
    assert actor.user is not None
    limit = settings.MEMBER_IDENTIFIER_SEARCH_LIMIT
    minutes = settings.MEMBER_IDENTIFIER_SEARCH_WINDOW_MINUTES
    key = f"members:identifier-searches:{actor.user.pk}"
    shared_cache.add(key, 0, timeout=minutes * 60)
    try:
        count = shared_cache.incr(key)
    except ValueError:  # expired between add and incr
        shared_cache.set(key, 1, timeout=minutes * 60)
        count = 1
    if count > limit:
        raise SearchLimitReached(
            _(
                "Too many searches by ID number or phone (at most %(limit)s in %(minutes)s "
                "minutes). Search by name or code, or try again later."
            )
            % {"limit": limit, "minutes": minutes},
            field="q",
        )
    audit_record(
        actor=actor,
        action="security.identifier_search",
        unit=unit,
        after={"kind": identifier_kind(query), "query_hash": identifier_search_hash(query)},
        object_repr=unit.name,
    )


def _after_members_changed(*, unit_ids: set[int]) -> None:
    """Keep the dues roll-ups of these units in step with their members."""
    from jiceng.dues.services import rollup_refresh_units

    rollup_refresh_units(unit_ids=unit_ids)
