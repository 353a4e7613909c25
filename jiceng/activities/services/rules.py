"""Writes to the national rules checklist (national admins) and to units' rule documents."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import DomainError
from jiceng.core.locking import delete_locked, save_locked
from jiceng.core.scope import authorize
from jiceng.org.models import Unit

from ..measures import rule_document_delta
from ..models import RuleDocument, RuleItem
from ._common import (
    apply_file_changes,
    check_document,
    discard_file_on_commit,
    new_files_removed_on_error,
    remove_uncommitted,
)


def _audit_unit(actor: Actor) -> Unit | None:
    """Checklist changes are national: they belong to the history of the actor's unit."""
    return actor.user.unit if actor.user is not None else None


# --- The checklist ------------------------------------------------------------------------------


def rule_item_create(*, actor: Actor, data: dict[str, Any]) -> RuleItem:
    """Add an item at the end of the checklist."""
    authorize(actor, Perm.RULES_CHECKLIST_MANAGE)
    with transaction.atomic():
        last = RuleItem.objects.aggregate(m=Max("position"))["m"] or 0
        item = RuleItem(position=last + 1, **data)
        item.full_clean()
        item.save()
        audit_record(
            actor=actor,
            action="rules.item.create",
            unit=_audit_unit(actor),
            obj=item,
            after=snapshot(item, RuleItem.AUDITED_FIELDS),
        )
    return item


def rule_item_update(
    *, actor: Actor, item: RuleItem, data: dict[str, Any], expected_lock_version: int
) -> RuleItem:
    """Rename or redescribe an item. Its code is its stable key (the assessment refers to it)
    and does not change."""
    authorize(actor, Perm.RULES_CHECKLIST_MANAGE)
    editable = [f for f in RuleItem.EDITABLE_FIELDS if f != "code"]
    with transaction.atomic():
        before = snapshot(item, RuleItem.AUDITED_FIELDS)
        for name, value in data.items():
            if name not in editable:
                raise ValueError(f"{name} is not an editable checklist field")
            setattr(item, name, value)
        item.full_clean()
        save_locked(item, expected_lock_version=expected_lock_version, fields=list(data))
        audit_record(
            actor=actor,
            action="rules.item.update",
            unit=_audit_unit(actor),
            obj=item,
            before=before,
            after=snapshot(item, RuleItem.AUDITED_FIELDS),
        )
    return item


def rule_item_move(*, actor: Actor, item: RuleItem, direction: str) -> RuleItem:
    """Move an item one place up or down; positions are renumbered 1…n."""
    authorize(actor, Perm.RULES_CHECKLIST_MANAGE)
    if direction not in ("up", "down"):
        raise ValueError("direction is up or down")
    with transaction.atomic():
        items = list(RuleItem.objects.select_for_update().order_by("position", "id"))
        index = next((i for i, it in enumerate(items) if it.pk == item.pk), None)
        if index is None:
            raise DomainError(_("This checklist item no longer exists."), code="not_found")
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(items):
            return items[index]
        before = items[index].position
        items[index], items[target] = items[target], items[index]
        changed = []
        for position, it in enumerate(items, start=1):
            if it.position != position:
                it.position = position
                changed.append(it)
        RuleItem.objects.bulk_update(changed, ["position"])
        moved = items[target]
        audit_record(
            actor=actor,
            action="rules.item.move",
            unit=_audit_unit(actor),
            obj=moved,
            before={"position": before},
            after={"position": moved.position},
        )
    return moved


def rule_item_set_active(
    *, actor: Actor, item: RuleItem, active: bool, expected_lock_version: int
) -> RuleItem:
    """Deactivate an item (it leaves every unit's coverage, its documents stay on file), or
    bring it back."""
    authorize(actor, Perm.RULES_CHECKLIST_MANAGE)
    with transaction.atomic():
        before = snapshot(item, ["is_active"])
        item.is_active = active
        save_locked(item, expected_lock_version=expected_lock_version, fields=["is_active"])
        audit_record(
            actor=actor,
            action="rules.item.activate" if active else "rules.item.deactivate",
            unit=_audit_unit(actor),
            obj=item,
            before=before,
            after={"is_active": active},
        )
    return item


def rule_item_delete(*, actor: Actor, item: RuleItem) -> None:
    """Delete an item no unit has used; an item in use can only be deactivated."""
    authorize(actor, Perm.RULES_CHECKLIST_MANAGE)
    with transaction.atomic():
        used = RuleDocument.objects.filter(item=item).count()
        if used:
            raise DomainError(
                _(
                    "“%(item)s” is in use: %(count)s units have recorded a document for it. "
                    "Deactivate it instead; it then no longer counts towards coverage."
                )
                % {"item": item.display_name, "count": used},
                code="in_use",
            )
        before = snapshot(item, RuleItem.AUDITED_FIELDS)
        RuleItem.objects.filter(pk=item.pk).delete()
        audit_record(
            actor=actor,
            action="rules.item.delete",
            unit=_audit_unit(actor),
            obj=item,
            before=before,
            object_repr=str(item),
        )


# --- A unit's documents -------------------------------------------------------------------------


def _file_label(upload: Any) -> str:
    name = str(getattr(upload, "name", "") or "")
    return name.replace("\\", "/").rsplit("/", 1)[-1][:200]


def rule_document_create(
    *, actor: Actor, unit: Unit, item: RuleItem, data: dict[str, Any]
) -> RuleDocument:
    """Record the unit's adopted document for a checklist item (`document`, `adopted_on`)."""
    authorize(actor, Perm.RULES_EDIT, unit)
    if not item.is_active:
        raise DomainError(
            _("“%(item)s” is no longer on the checklist.") % {"item": item.display_name},
            code="item_inactive",
        )
    upload = data.get("document")
    if not upload:
        raise ValidationError({"document": _("Upload the adopted document.")})
    check_document(upload)
    adopted_on = data.get("adopted_on")
    if adopted_on is None:
        raise ValidationError({"adopted_on": _("Enter the date the rule was adopted.")})
    document = RuleDocument(
        unit=unit,
        item=item,
        document=upload,
        document_name=_file_label(upload),
        adopted_on=adopted_on,
    )
    document.full_clean()
    try:
        with transaction.atomic():
            document.save()
            rule_document_delta(document, +1)
            audit_record(
                actor=actor,
                action="rules.document.create",
                unit=unit,
                obj=document,
                after=snapshot(document, RuleDocument.AUDITED_FIELDS),
            )
    except IntegrityError as exc:
        remove_uncommitted(document.document)
        raise ValidationError(
            _("This unit already has a document for this rule; replace it instead.")
        ) from exc
    except BaseException:
        remove_uncommitted(document.document)
        raise
    return document


def rule_document_update(
    *, actor: Actor, document: RuleDocument, data: dict[str, Any], expected_lock_version: int
) -> RuleDocument:
    """Change the adoption date, or replace the file (the old one is removed on commit)."""
    authorize(actor, Perm.RULES_EDIT, document.unit)
    data = {k: v for k, v in data.items() if k in ("document", "adopted_on")}
    if "document" in data and not data["document"]:
        del data["document"]  # a rule document always has a file: no upload keeps the old one
    if "document" in data:
        check_document(data["document"])
    before = snapshot(document, RuleDocument.AUDITED_FIELDS)
    label = _file_label(data["document"]) if "document" in data else None
    stored, replaced = apply_file_changes(document, data, ["document"])
    with new_files_removed_on_error(stored), transaction.atomic():
        previous = RuleDocument.objects.filter(pk=document.pk).first()
        for name, value in data.items():
            setattr(document, name, value)
        if label is not None and stored:
            document.document_name = label
            data["document_name"] = label
        document.full_clean()
        save_locked(document, expected_lock_version=expected_lock_version, fields=list(data))
        if previous is not None:
            rule_document_delta(previous, -1)
        rule_document_delta(document, +1)
        audit_record(
            actor=actor,
            action="rules.document.update",
            unit=document.unit,
            obj=document,
            before=before,
            after=snapshot(document, RuleDocument.AUDITED_FIELDS),
        )
        for name in replaced:
            discard_file_on_commit(RuleDocument, "document", name)
    return document


def rule_document_delete(
    *, actor: Actor, document: RuleDocument, expected_lock_version: int
) -> None:
    authorize(actor, Perm.RULES_EDIT, document.unit)
    with transaction.atomic():
        before = snapshot(document, RuleDocument.AUDITED_FIELDS)
        previous = RuleDocument.objects.filter(pk=document.pk).first()
        delete_locked(document, expected_lock_version=expected_lock_version)
        if previous is not None:
            rule_document_delta(previous, -1)
        audit_record(
            actor=actor,
            action="rules.document.delete",
            unit=document.unit,
            obj=document,
            before=before,
            object_repr=str(document),
        )
        discard_file_on_commit(RuleDocument, "document", document.document.name or "")
