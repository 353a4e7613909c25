"""The association tree: units on a materialized path (django-treebeard MP_Node)."""

from typing import TYPE_CHECKING

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from jiceng.core.locking import Locked
from jiceng.core.validators import validate_phone

if TYPE_CHECKING:
    from jiceng.accounts.models import User


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Provincial")
    CITY = "city", _("City")
    GRASSROOTS = "grassroots", _("Grassroots association")
    BRANCH = "branch", _("Branch / service point")
    GROUP = "group", _("Member group")


#: Which levels may hold a unit of each level. Municipalities and separately-planned cities
#: hold grassroots associations directly; a province may also assess branches if it chooses.
ALLOWED_PARENT_LEVELS: dict[str, set[str]] = {
    Level.NATIONAL: set(),
    Level.PROVINCE: {Level.NATIONAL},
    Level.CITY: {Level.PROVINCE},
    Level.GRASSROOTS: {Level.CITY, Level.PROVINCE},
    Level.BRANCH: {Level.GRASSROOTS},
    Level.GROUP: {Level.BRANCH, Level.GRASSROOTS},
}

#: Levels whose units map onto an administrative division (6-digit GB/T 2260 code).
DIVISION_LEVELS = {Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.GRASSROOTS}


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged")
    DISSOLVED = "dissolved", _("Dissolved")


code_format = RegexValidator(
    r"^\d{6}(\d{3}){0,3}$",
    _(
        "A unit code is a 6-digit division code (GB/T 2260), optionally followed by 3-digit "
        "groups for units below a division, e.g. 340104 or 340104001."
    ),
    code="invalid_code",
)


class UnitQuerySet(MP_NodeQuerySet):
    def subtree(self, unit: "Unit") -> "UnitQuerySet":
        """The unit and everything below it (an indexed prefix match on the path)."""
        return self.filter(path__subtree=unit.path)

    in_subtree = subtree

    def for_user(self, user: "User") -> "UnitQuerySet":
        """Every list of units starts here: the user's unit and its subtree, nothing else."""
        return self.subtree(user.unit)


class UnitManager(MP_NodeManager):
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")

    def for_user(self, user: "User") -> UnitQuerySet:
        return self.get_queryset().for_user(user)

    def subtree(self, unit: "Unit") -> UnitQuerySet:
        return self.get_queryset().subtree(unit)


class Unit(Locked, MP_Node):
    name = models.CharField(_("unit name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    code = models.CharField(_("code"), max_length=15, unique=True, validators=[code_format])
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_units",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = UnitManager()

    # Fields an edit may change and the audit log records.
    EDITABLE_FIELDS = ["name", "short_name", "code", "status", "contact_person", "phone", "address"]
    AUDITED_FIELDS = [*EDITABLE_FIELDS, "level", "parent"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            # Covering index for per-level counts of a subtree (range on path, read level).
            models.Index(fields=["path", "level"], name="unit_path_level"),
            models.Index(fields=["parent", "code"], name="unit_parent_code"),
            # The units of some levels in a subtree, counted per child (the campaign's expected
            # counts): one range per level instead of the whole subtree. Pattern ops on
            # PostgreSQL, where `path__subtree` is a LIKE (core/lookups.py).
            models.Index(
                fields=["level", "path"],
                name="unit_level_path",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_in_subtree_of(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)

    def ancestor_paths(self, *, include_self: bool = True) -> list[str]:
        from jiceng.org.anchors import ancestor_paths

        return ancestor_paths(self.path, include_self=include_self)

    def clean(self) -> None:
        from jiceng.org.validation import validate_unit_placement

        validate_unit_placement(self)
