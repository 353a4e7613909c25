"""The units export on the shared exporter (`core.exports`): a unit and its subtree, in tree
order, as CSV or .xlsx."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.exports import Column, Export, label_of, value_of

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


def columns() -> list[Column[Row]]:
    return [
        Column(_("code"), value_of("code")),
        Column(_("unit name"), value_of("name"), width=32),
        Column(_("short name"), value_of("short_name")),
        Column(_("level"), label_of("level", dict(Level.choices))),
        Column(_("status"), label_of("status", dict(Status.choices))),
        Column(_("parent code"), value_of("parent__code")),
        Column(_("contact person"), value_of("contact_person")),
        Column(_("phone"), value_of("phone")),
        Column(_("address"), value_of("address"), width=32),
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
