"""Writes of assessments: `<entity>_<action>(*, actor, …)`, each in one transaction, audited."""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.errors import DomainError, ForbiddenAction
from jiceng.org.models import Level

from ..models import Rubric, RubricItem
from ..rubric_import import ReadRubric, read_rubric
from ..rules import Rule, RuleError, RuleKind


def _check_rubric_admin(actor: Actor) -> None:
    """Rubrics are the national association's: its admins (or the system) write them."""
    user = actor.user
    if user is None:
        return
    if not user.can(Perm.RUBRIC_MANAGE) or user.unit.level != Level.NATIONAL:
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


# --- versions and edits ---------------------------------------------------------------------------


def rubric_new_version(*, actor: Actor, rubric: Rubric) -> Rubric:
    """The next version of `rubric`'s name, a copy of `rubric` to edit (the one in use stays
    as it was)."""
    _check_rubric_admin(actor)
    with transaction.atomic():
        latest = (
            Rubric.objects.select_for_update().filter(name=rubric.name).order_by("-version").first()
        )
        copy = Rubric.objects.create(
            name=rubric.name,
            version=(latest.version if latest else rubric.version) + 1,
            previous=rubric,
            points=rubric.points,
            tolerance=rubric.tolerance,
            created_by=actor.user,
        )
        by_old: dict[int, RubricItem] = {}
        for item in rubric.items.order_by("order"):
            old_pk = item.pk
            item.pk = None
            item.rubric = copy
            item.parent = by_old.get(item.parent_id) if item.parent_id else None
            item.save()
            by_old[old_pk] = item
        audit_record(
            actor=actor,
            action="assessments.rubric.version",
            unit=None,
            obj=copy,
            after={"from": str(rubric), "version": copy.version},
            object_repr=str(copy),
        )
    return copy


def _decimal(raw: Any, field: str, *, required: bool = False) -> Decimal | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ValidationError({field: _("Give a number.")})
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: _("Give a number.")}) from None
    if not value.is_finite() or value < 0 or value >= 100000:
        raise ValidationError({field: _("Give a number from 0 to 99999.")})
    return value.quantize(Decimal("0.1"))


def parse_tiers(raw: str) -> tuple[tuple[Decimal, Decimal], ...]:
    """Tiers written as the export writes them: `90:7; 70:4` (threshold: points)."""
    tiers = []
    for part in str(raw or "").replace("；", ";").replace("：", ":").split(";"):
        part = part.strip()
        if not part:
            continue
        threshold, _sep, points = part.partition(":")
        try:
            tiers.append((Decimal(threshold.strip()), Decimal(points.strip())))
        except InvalidOperation:
            raise ValidationError(
                {
                    "tiers": _(
                        "Write tiers as “threshold:points”, separated by “;”, e.g. 90:7; 70:4."
                    )
                }
            ) from None
    return tuple(tiers)


def rubric_item_update(*, actor: Actor, item: RubricItem, data: dict[str, Any]) -> RubricItem:
    """Edit an item of a rubric not yet in use: its words, points and rule. The rubric's total
    follows its criteria's points (bonus and veto items outside it)."""
    _check_rubric_admin(actor)
    rubric = item.rubric
    if rubric.frozen_at is not None:
        raise DomainError(
            _("This rubric is in use and cannot change: make a new version to edit."),
            code="frozen",
        )
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the item's name.")})
    points = _decimal(data.get("points"), "points", required=item.is_indicator)
    kind = str(data.get("rule") or item.rule)
    before = {"name": item.name, "points": str(item.points), "rule": item.rule}
    item.name = name[:200]
    item.basis = str(data.get("basis") or "").strip()
    item.points = points
    if item.is_indicator:
        rule = Rule(
            kind=kind,
            points=points or Decimal(0),
            per_item=_decimal(data.get("per_item"), "per_item") or Decimal(0),
            floor=_decimal(data.get("floor"), "floor") or Decimal(0),
            cap=_decimal(data.get("cap"), "cap"),
            tiers=parse_tiers(str(data.get("tiers") or "")),
            source=str(data.get("source") or "").strip(),
        )
        try:
            rule.check()
        except RuleError as error:
            raise ValidationError({"rule": str(error)}) from None
        item.rule = rule.kind
        item.per_item = rule.per_item or None
        item.floor = rule.floor
        item.cap = rule.cap
        item.tiers = [[str(t), str(p)] for t, p in rule.tiers]
        item.source = rule.source
        item.needs_evidence = bool(data.get("needs_evidence"))
    with transaction.atomic():
        item.save()
        in_total = [
            top.points or Decimal(0)
            for top in rubric.items.filter(depth=1)
            if top.rule not in (RuleKind.BONUS, RuleKind.VETO)
        ]
        rubric.points = sum(in_total, Decimal(0))
        rubric.save(update_fields=["points"])
        audit_record(
            actor=actor,
            action="assessments.rubric.edit",
            unit=None,
            obj=rubric,
            before=before,
            after={
                "code": item.code,
                "name": item.name,
                "points": str(item.points),
                "rule": item.rule,
            },
            object_repr=str(rubric),
        )
    return item


def rubric_problems(rubric: Rubric) -> list[str]:
    """What keeps `rubric` from use: a parent whose points differ from its items' sum (bonus
    and veto items outside it). One query."""
    items = list(rubric.items.order_by("order"))
    children: dict[int, list[RubricItem]] = {}
    for item in items:
        if item.parent_id:
            children.setdefault(item.parent_id, []).append(item)
    problems = []
    for item in items:
        below = children.get(item.pk)
        if not below or item.points is None:
            continue
        total = sum(
            (
                c.points or Decimal(0)
                for c in below
                if c.rule not in (RuleKind.BONUS, RuleKind.VETO)
            ),
            Decimal(0),
        )
        if total != item.points:
            problems.append(
                _("%(code)s %(name)s: %(points)s points, its items add up to %(total)s.")
                % {"code": item.code, "name": item.name, "points": item.points, "total": total}
            )
    return problems


def campaign_rubric_set(*, actor: Actor, campaign: Any, rubric: Rubric) -> Any:
    """Choose the rubric a campaign's associations are assessed on, while none has started;
    the rubric is frozen from then on."""
    from ..models import Assessment, CampaignRubric

    _check_rubric_admin(actor)
    problems = rubric_problems(rubric)
    if problems:
        raise ValidationError({"rubric": problems})
    with transaction.atomic():
        if Assessment.objects.filter(campaign=campaign).exists():
            raise DomainError(
                _("Associations have started assessing on the current rubric: it stays."),
                code="in_use",
            )
        setup, _created = CampaignRubric.objects.update_or_create(
            campaign=campaign, defaults={"rubric": rubric}
        )
        Rubric.objects.filter(pk=rubric.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
        audit_record(
            actor=actor,
            action="assessments.rubric.choose",
            unit=campaign.unit,
            obj=setup,
            after={"campaign": campaign.name, "rubric": str(rubric)},
        )
    return setup
