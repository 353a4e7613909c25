"""The units export on the shared exporter (`core.exports`): a unit and its subtree, in tree
order, as CSV or .xlsx."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.exports import Column, Export

from .models import Level, Status, Unit

_FIELDS = (
    "code",
    "name",
    "short_name",
    "level",
    "status",
    "parent__code",
    "contact_person",
    "phone",
    "address",
)

Row = dict[str, Any]


def _field(name: str) -> Any:
    return lambda row: row[name]


def _choice(name: str, labels: dict[str, Any]) -> Any:
    return lambda row: str(labels.get(row[name], row[name]))


def columns() -> list[Column[Row]]:
    return [
        Column(_("code"), _field("code")),
        Column(_("name"), _field("name"), width=32),
        Column(_("short name"), _field("short_name")),
        Column(_("level"), _choice("level", dict(Level.choices))),
        Column(_("status"), _choice("status", dict(Status.choices))),
        Column(_("parent code"), _field("parent__code")),
        Column(_("contact person"), _field("contact_person")),
        Column(_("phone"), _field("phone")),
        Column(_("address"), _field("address"), width=32),
    ]


def subtree_rows(unit: Unit) -> QuerySet[Unit, Row]:
    return Unit.objects.subtree(unit).values(*_FIELDS).order_by("path")


def unit_export(unit: Unit) -> Export[Row]:
    """The unit and every unit below it."""
    return Export(
        columns=columns(),
        records=subtree_rows(unit),
        name=f"units-{unit.code}-{timezone.localtime():%Y%m%d}",
        sheet=_("Units"),
    )
