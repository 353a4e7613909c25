"""Validation of the tree: which level sits under which, and what a unit's code must look like."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models.tree import ALLOWED_PARENT_LEVELS, DIVISION_LEVELS, Level, Unit, code_format

SEPARATELY_PLANNED_CITY_CODES = {"210200", "370200", "330200", "350200", "440300"}


def division_prefix(code: str) -> str:
    """The significant part of a 6-digit division code: 340000 → 34, 340100 → 3401."""
    if len(code) != 6:
        return code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def validate_unit_placement(unit: Unit) -> None:
    """A unit's level must fit its parent's level; there is exactly one national unit."""
    parent = unit.parent
    if unit.level == Level.NATIONAL:
        if parent is not None:
            raise ValidationError({"parent": _("The national association has no parent unit.")})
        others = Unit.objects.filter(level=Level.NATIONAL).exclude(pk=unit.pk)
        if others.exists():
            raise ValidationError({"level": _("There is already a national association.")})
        return
    if parent is None:
        raise ValidationError({"parent": _("Choose the unit this one belongs to.")})
    allowed = ALLOWED_PARENT_LEVELS.get(unit.level, set())
    if parent.level not in allowed:
        allowed_names = "、".join(str(Level(level).label) for level in sorted(allowed))
        raise ValidationError(
            {
                "parent": _(
                    "A unit of level “%(level)s” cannot be placed under “%(parent)s” "
                    "(level “%(parent_level)s”); it belongs under: %(allowed)s."
                )
                % {
                    "level": Level(unit.level).label,
                    "parent": parent.name,
                    "parent_level": Level(parent.level).label,
                    "allowed": allowed_names,
                }
            }
        )


def validate_new_unit_code(*, code: str, level: str, parent: Unit | None) -> None:
    """A code for a new unit (or a changed code): a division code under its parent's division,
    or one derived from the parent's code by three more digits."""
    try:
        code_format(code)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from None
    if parent is None:
        return
    derived = len(code) == len(parent.code) + 3 and code.startswith(parent.code)
    if level not in DIVISION_LEVELS:
        if not derived:
            raise ValidationError(
                {
                    "code": _(
                        "The code of a unit below a division is its parent's code followed by "
                        "three digits: %(example)s."
                    )
                    % {"example": parent.code + "001"}
                }
            )
        return
    if derived or parent.level == Level.NATIONAL:
        if (
            len(code) == 6
            and level == Level.PROVINCE
            and not (code.endswith("0000") or code in SEPARATELY_PLANNED_CITY_CODES)
        ):
            raise ValidationError(
                {
                    "code": _(
                        "A provincial unit's code is its province's code (ending in 0000) or a "
                        "separately-planned city's code."
                    )
                }
            )
        return
    if len(code) != 6:
        raise ValidationError(
            {
                "code": _(
                    "Use the 6-digit division code, or the parent's code followed by three "
                    "digits: %(example)s."
                )
                % {"example": parent.code + "001"}
            }
        )
    prefix = division_prefix(parent.code)
    if not code.startswith(prefix) or code == parent.code:
        raise ValidationError(
            {
                "code": _(
                    "Division code %(code)s does not lie inside the parent's division "
                    "%(parent_code)s (it should start with %(prefix)s)."
                )
                % {"code": code, "parent_code": parent.code, "prefix": prefix}
            }
        )
