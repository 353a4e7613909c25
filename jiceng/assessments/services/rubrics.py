"""Writes of assessments: `<entity>_<action>(*, actor, …)`, each in one transaction, audited."""

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.errors import ForbiddenAction
from jiceng.org.models import Level

from ..models import Rubric, RubricItem
from ..rubric_import import ReadRubric, read_rubric
from ..rules import Rule


def _check_rubric_admin(actor: Actor) -> None:
    """Rubrics are the national association's: its admins (or the system) write them."""
    user = actor.user
    if user is None:
        return
    if not user.can(Perm.CAMPAIGN_MANAGE) or user.unit.level != Level.NATIONAL:
        raise ForbiddenAction(_("Only national admins build and import rubrics."))


class ItemLike(Protocol):
    """A rubric item to save: an imported row (`rubric_import.Item`) or a default line."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def basis(self) -> str: ...
    @property
    def points(self) -> Decimal | int | None: ...
    @property
    def rule(self) -> Rule | None: ...


def save_items(rubric: Rubric, items: Iterable[ItemLike]) -> None:
    """Write a rubric's items in the order given (parents before their children), each with
    its parent found by code and, for an indicator, its rule's parts. The caller holds the
    transaction."""
    saved: dict[str, RubricItem] = {}
    for order, item in enumerate(items, start=1):
        rule = item.rule
        parent = item.code.rsplit(".", 1)[0] if "." in item.code else None
        points = item.points
        saved[item.code] = RubricItem.objects.create(
            rubric=rubric,
            parent=saved[parent] if parent else None,
            code=item.code,
            depth=item.code.count(".") + 1,
            order=order,
            name=item.name[:200],
            basis=item.basis,
            points=None if points is None else Decimal(points),
            rule=rule.kind if rule else "",
            per_item=rule.per_item if rule and rule.per_item else None,
            floor=rule.floor if rule else Decimal(0),
            cap=rule.cap if rule else None,
            tiers=[[str(t), str(p)] for t, p in rule.tiers] if rule else [],
            source=rule.source if rule else "",
            needs_evidence=bool(getattr(item, "needs_evidence", False)),
        )


def rubric_import(*, actor: Actor, path: Path, name: str) -> tuple[Rubric | None, ReadRubric]:
    """Read a rubric sheet and, when no row has a problem, save it as a new rubric (version 1,
    or the next version of the rubric of that name). Returns (the rubric or None, what was
    read). Raises `UnusableRubric` for a file that is no usable workbook."""
    _check_rubric_admin(actor)
    read = read_rubric(path, name=path.name)
    if read.errors:
        return None, read
    with transaction.atomic():
        latest = Rubric.objects.select_for_update().filter(name=name).order_by("-version").first()
        rubric = Rubric.objects.create(
            name=name,
            version=latest.version + 1 if latest else 1,
            previous=latest,
            points=read.points,
            created_by=actor.user,
        )
        save_items(rubric, read.items)
        audit_record(
            actor=actor,
            action="assessments.rubric.import",
            unit=None,
            obj=rubric,
            after={**read.summary(), "file": path.name, "version": rubric.version},
            object_repr=str(rubric),
        )
    return rubric, read
