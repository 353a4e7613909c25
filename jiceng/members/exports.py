"""Member exports on the shared exporter (`core.exports`): CSV streamed as it is read, .xlsx
written in constant memory by the job worker.

ID numbers and phones are masked unless the export was asked for unmasked by someone allowed
to, and that request is audited. The headers are the import's own words, so an export imports
back unchanged. No cell can run as a formula, and numbers and dates stay numbers and dates
(see `core.exports`).
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.exports import (
    DANGEROUS_START,
    Column,
    Export,
    audit_export,
    csv_chunks,
    label_of,
    neutralise,
    value_of,
    write_to_job,
    write_xlsx,
)
from jiceng.core.jobs import schedule_purge
from jiceng.core.validators import mask_phone
from jiceng.org.models import Unit

from . import crypto
from .identifiers import mask_id_number
from .models import ExportState, MemberExport, MemberStatus, MemberType
from .selectors import MemberFilters, member_list

__all__ = [
    "DANGEROUS_START",
    "audit_unmasked_export",
    "csv_chunks",
    "export_filename",
    "export_rows",
    "headers",
    "member_export",
    "member_export_start",
    "neutralise",
    "run_export_job",
    "write_xlsx",
]

_FIELDS = (
    "business_name",
    "operator",
    "member_type",
    "credit_code",
    "registration_number",
    "id_number_encrypted",
    "phone",
    "industry",
    "address",
    "join_date",
    "status",
    "unit__name",
    "unit__code",
)

Row = dict[str, Any]


def _id_number(unmasked: bool) -> Any:
    def get(row: Row) -> str:
        encrypted = row["id_number_encrypted"]
        number = crypto.decrypt(encrypted) if encrypted else ""
        return number if unmasked or not number else mask_id_number(number)

    return get


def _phone(unmasked: bool) -> Any:
    def get(row: Row) -> str:
        phone = row["phone"] or ""
        return phone if unmasked or not phone else mask_phone(phone)

    return get


def columns(*, unmasked: bool) -> list[Column[Row]]:
    """The columns, titled in the reader's language; the import recognises the titles."""
    return [
        Column(_("business name"), value_of("business_name"), width=28),
        Column(_("operator"), value_of("operator")),
        Column(_("member type"), label_of("member_type", dict(MemberType.choices))),
        Column(_("unified social credit code"), value_of("credit_code")),
        Column(_("registration number"), value_of("registration_number")),
        Column(_("ID number"), _id_number(unmasked)),
        Column(_("phone"), _phone(unmasked)),
        Column(_("industry"), value_of("industry")),
        Column(_("address"), value_of("address")),
        Column(_("join date"), value_of("join_date")),
        Column(_("status"), label_of("status", dict(MemberStatus.choices))),
        Column(pgettext("export column", "unit"), value_of("unit__name"), width=24),
        Column(_("unit code"), value_of("unit__code")),
    ]


def headers() -> list[str]:
    """Column titles in the reader's language."""
    return [str(column.label) for column in columns(unmasked=False)]


def export_stem(unit: Unit) -> str:
    return f"members-{unit.code}-{timezone.localtime():%Y%m%d}"


def export_filename(unit: Unit, file_format: str) -> str:
    return f"{export_stem(unit)}.{file_format}"


def member_export(*, unit: Unit, filters: MemberFilters, unmasked: bool) -> Export[Row]:
    """The members of the unit's subtree, narrowed by the filters, as an export."""
    return Export(
        columns=columns(unmasked=unmasked),
        records=member_list(unit=unit, filters=filters).values(*_FIELDS),
        name=export_stem(unit),
        sheet=_("Members"),
    )


#: The name the export_members command knows it by.
export_rows = member_export


def audit_unmasked_export(*, actor: Actor, unit: Unit, filters: MemberFilters, how: str) -> None:
    """Unmasked exports are written to the audit log (without any of the values)."""
    audit_record(
        actor=actor,
        action="member.export.unmasked",
        unit=unit,
        obj=unit,
        after={"via": how, "filters": filters.as_query()},
        object_repr=unit.name,
    )


def member_export_start(
    *, actor: Actor, unit: Unit, file_format: str, unmasked: bool, filters: MemberFilters
) -> MemberExport:
    """Queue an export written by the job worker (for .xlsx, which takes a while at scale)."""
    from . import tasks

    with transaction.atomic():
        job = MemberExport.objects.create(
            unit=unit,
            created_by=actor.user,
            file_format=file_format,
            unmasked=unmasked,
            filters=filters.as_query(),
            state=ExportState.QUEUED,
        )
        if unmasked:
            audit_unmasked_export(actor=actor, unit=unit, filters=filters, how="page")
        audit_export(
            actor=actor,
            unit=unit,
            what="members.member",
            file_format=file_format,
            unmasked=unmasked,
            filters=filters.as_query(),
        )
        tasks.write_export.enqueue(job.pk)
        schedule_purge(job.created_at)
    return job


def run_export_job(job_id: int) -> None:
    """The worker's half of `member_export_start`: the file is stored encrypted (it holds
    personal data, in full when unmasked) and expires with the job (`core.jobs`)."""
    job = MemberExport.objects.select_related("unit").get(pk=job_id)
    export = member_export(
        unit=job.unit, filters=MemberFilters.from_query(job.filters), unmasked=job.unmasked
    )
    write_to_job(job, export, file_format=job.file_format, states=ExportState, encrypt=True)
