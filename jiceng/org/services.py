"""Writes to the tree and to unit profiles. Each service owns its transaction and audit entry."""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import ForbiddenAction
from jiceng.core.locking import delete_locked, save_locked
from jiceng.core.scope import authorize

from .anchors import anchors_of_unit, rewrite_anchors, unit_moved
from .counts import tree_changed
from .models import ALLOWED_PARENT_LEVELS, Level, Unit, Venue, VenuePhoto
from .models.profile import ProfileItem
from .signals import profile_changed
from .validation import validate_new_unit_code

P = TypeVar("P", bound=ProfileItem)


def _unit_integrity_error(exc: IntegrityError) -> ValidationError:
    if "code" in str(exc):
        return ValidationError({"code": _("Another unit already uses this code.")})
    return ValidationError(_("The unit could not be saved: %(error)s") % {"error": exc})


def unit_create(*, actor: Actor, parent: Unit, data: dict[str, Any]) -> Unit:
    """Add a unit under `parent`. `data` holds the unit's fields (name, code, level, …)."""
    authorize(actor, Perm.UNIT_CREATE, parent)
    with transaction.atomic():
        # Lock the parent so two admins adding children at once get distinct paths.
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        unit = Unit(parent=parent, **data)
        validate_new_unit_code(code=unit.code, level=unit.level, parent=parent)
        unit.full_clean(exclude=["path", "depth", "numchild"])
        try:
            with transaction.atomic():
                unit = Unit.objects.add_child(parent, instance=unit)
        except IntegrityError as exc:
            raise _unit_integrity_error(exc) from exc
        Venue.objects.create(unit=unit)
        audit_record(
            actor=actor,
            action="unit.create",
            unit=unit,
            obj=unit,
            after=snapshot(unit, Unit.AUDITED_FIELDS),
        )
    return unit


def unit_update(
    *, actor: Actor, unit: Unit, data: dict[str, Any], expected_lock_version: int
) -> Unit:
    authorize(actor, Perm.UNIT_EDIT, unit)
    with transaction.atomic():
        before = snapshot(unit, Unit.AUDITED_FIELDS)
        old_code = unit.code
        for name, value in data.items():
            if name not in Unit.EDITABLE_FIELDS:
                raise ValueError(f"{name} is not an editable unit field")
            setattr(unit, name, value)
        if unit.code != old_code:
            validate_new_unit_code(code=unit.code, level=unit.level, parent=unit.parent)
        unit.full_clean(exclude=["path", "depth", "numchild"])
        try:
            with transaction.atomic():
                save_locked(unit, expected_lock_version=expected_lock_version, fields=list(data))
        except IntegrityError as exc:
            raise _unit_integrity_error(exc) from exc
        audit_record(
            actor=actor,
            action="unit.update",
            unit=unit,
            obj=unit,
            before=before,
            after=snapshot(unit, Unit.AUDITED_FIELDS),
        )
    return unit


def unit_move(*, actor: Actor, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit and its whole subtree under `new_parent` (one set-based path rewrite)."""
    if actor.user is not None and not actor.user.can(Perm.UNIT_MOVE):
        raise ForbiddenAction(_("Only national and provincial admins may move units."))
    authorize(actor, Perm.UNIT_MOVE, unit)
    authorize(actor, Perm.UNIT_MOVE, new_parent)
    with transaction.atomic():
        unit, new_parent = (
            Unit.objects.select_for_update().get(pk=unit.pk),
            Unit.objects.select_for_update().get(pk=new_parent.pk),
        )
        if new_parent.path.startswith(unit.path):
            raise ValidationError(
                {
                    "new_parent": _(
                        "A unit cannot be moved under itself or one of its own sub-units."
                    )
                }
            )
        if new_parent.level not in ALLOWED_PARENT_LEVELS[unit.level]:
            allowed = "、".join(str(Level(lv).label) for lv in ALLOWED_PARENT_LEVELS[unit.level])
            raise ValidationError(
                {
                    "new_parent": _(
                        "A unit of level “%(level)s” cannot be placed under level "
                        "“%(parent_level)s”; it belongs under: %(allowed)s."
                    )
                    % {
                        "level": Level(unit.level).label,
                        "parent_level": Level(new_parent.level).label,
                        "allowed": allowed or "—",
                    }
                }
            )
        if unit.parent_id == new_parent.pk:
            return unit
        before = snapshot(unit, Unit.AUDITED_FIELDS)
        previous_province_id = anchors_of_unit(unit).province_id
        Unit.objects.move(unit, new_parent, "last-child")
        unit.refresh_from_db()
        Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
        unit.parent = new_parent
        # Fact tables carry their province and association ids: rewrite them for the subtree,
        # then let consumers with more to do (dues standards from new ancestors) follow.
        rewrite_anchors(unit)
        tree_changed()
        unit_moved.send(sender=Unit, unit=unit, previous_province_id=previous_province_id)
        audit_record(
            actor=actor,
            action="unit.move",
            unit=unit,
            obj=unit,
            before=before,
            after=snapshot(unit, Unit.AUDITED_FIELDS),
        )
    return unit


# --- Profile -----------------------------------------------------------------------------------


def venue_update(
    *, actor: Actor, unit: Unit, data: dict[str, Any], expected_lock_version: int
) -> Venue:
    authorize(actor, Perm.PROFILE_EDIT, unit)
    with transaction.atomic():
        venue, _created = Venue.objects.get_or_create(unit=unit)
        before = snapshot(venue, Venue.EDITABLE_FIELDS)
        for name, value in data.items():
            if name not in Venue.EDITABLE_FIELDS:
                raise ValueError(f"{name} is not an editable venue field")
            setattr(venue, name, value)
        venue.full_clean()
        save_locked(venue, expected_lock_version=expected_lock_version, fields=list(data))
        audit_record(
            actor=actor,
            action="profile.venue.update",
            unit=unit,
            obj=venue,
            before=before,
            after=snapshot(venue, Venue.EDITABLE_FIELDS),
            object_repr=str(_("Venue")),
        )
    return venue


def _item_fields(model: type[ProfileItem]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.editable and f.name not in {"id", "unit", "created_at", "updated_at"}
    ]


def _section(model: type[ProfileItem]) -> str:
    return model._meta.model_name or ""


def profile_item_create(*, actor: Actor, unit: Unit, model: type[P], data: dict[str, Any]) -> P:
    authorize(actor, Perm.PROFILE_EDIT, unit)
    with transaction.atomic():
        item = model(unit=unit, **data)
        item.full_clean()
        item.save()
        audit_record(
            actor=actor,
            action=f"profile.{_section(model)}.create",
            unit=unit,
            obj=item,
            after=snapshot(item, _item_fields(model)),
        )
        profile_changed.send(sender=model, unit=unit, model=model)
    return item


def profile_item_update(
    *, actor: Actor, item: P, data: dict[str, Any], expected_lock_version: int
) -> P:
    authorize(actor, Perm.PROFILE_EDIT, item.unit)
    model = type(item)
    fields = _item_fields(model)
    with transaction.atomic():
        # From the database: a bound ModelForm has already written the new values onto `item`.
        stored = model._default_manager.filter(pk=item.pk).first()
        before = snapshot(stored if stored is not None else item, fields)
        for name, value in data.items():
            if name not in fields:
                raise ValueError(f"{name} is not an editable field of {model.__name__}")
            setattr(item, name, value)
        item.full_clean()
        save_locked(item, expected_lock_version=expected_lock_version, fields=list(data))
        audit_record(
            actor=actor,
            action=f"profile.{_section(model)}.update",
            unit=item.unit,
            obj=item,
            before=before,
            after=snapshot(item, fields),
        )
        profile_changed.send(sender=model, unit=item.unit, model=model)
    return item


def profile_item_delete(*, actor: Actor, item: ProfileItem, expected_lock_version: int) -> None:
    authorize(actor, Perm.PROFILE_EDIT, item.unit)
    model = type(item)
    with transaction.atomic():
        before = snapshot(item, _item_fields(model))
        delete_locked(item, expected_lock_version=expected_lock_version)
        audit_record(
            actor=actor,
            action=f"profile.{_section(model)}.delete",
            unit=item.unit,
            obj=item,
            before=before,
            object_repr=str(item),
        )
        profile_changed.send(sender=model, unit=item.unit, model=model)
        if isinstance(item, VenuePhoto) and item.image.name:
            name, storage = item.image.name, item.image.storage
            transaction.on_commit(lambda: storage.delete(name))
