"""Every write of documents: issue (下发), forward (转发), open, acknowledge (签收), chase.

- `document_issue` — `Perm.CAMPAIGN_MANAGE` on the issuing unit. Recipients are chosen levels
  of the issuer's subtree and/or chosen units inside it (never the issuer, never outside);
  one receipt per recipient unit, written in bulk (`core/bulk.py`) with the units' anchors.
  A correction names the document it `supersedes` (same issuer, not superseded already).
- `document_forward` — the recipient unit (or a unit above it acting for it, as with campaign
  tasks: `Perm.CAMPAIGN_REPORT` on the receipt's unit) issues a new document to its own
  subtree, `forwarded_from` the one received, with an optional number and covering note; its
  deadline is never later than the one received. Once per receipt (`already_forwarded`, 409);
  a superseded document is not forwarded (`document_superseded`, 409).
- `receipt_mark_read` — the first time a user of the recipient unit opens the document.
- `receipt_acknowledge` — idempotent: a second acknowledgement changes nothing and says so.
- `document_chase` — a reminder in the notification centre of every unit in the chaser's part
  of the tree that has not acknowledged (`Perm.CAMPAIGN_MANAGE` on that part).

A document is never edited after issue: there is no service that changes one.
Each write is one transaction with one audit entry; refusals are `ValidationError`s naming the
field, in the user's language, and nothing is saved.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.bulk import adapter, insert_rows
from jiceng.core.errors import DomainError
from jiceng.core.files import check_document
from jiceng.core.scope import authorize
from jiceng.org.anchors import anchors_of
from jiceng.org.models import Level, Unit

from . import signals
from .models import (
    MAX_ATTACHMENTS,
    NUMBER_LENGTH,
    TITLE_LENGTH,
    Attachment,
    Document,
    Receipt,
)

#: The levels below each level, in tree order (what a unit may address by level).
LEVEL_ORDER = [
    Level.NATIONAL,
    Level.PROVINCE,
    Level.CITY,
    Level.GRASSROOTS,
    Level.BRANCH,
    Level.GROUP,
]


class DocumentConflict(DomainError):
    """The document's state forbids the action (forwarded already, superseded): 409."""

    http_status = 409


def levels_below(unit: Unit) -> list[str]:
    """The levels a unit's subtree may hold below it, in tree order."""
    index = LEVEL_ORDER.index(Level(unit.level))
    return [str(level) for level in LEVEL_ORDER[index + 1 :]]


@dataclass(frozen=True)
class Recipients:
    """Who a document goes to: levels of the issuer's subtree and/or units inside it."""

    levels: Sequence[str] = ()
    units: Sequence[Unit] = ()


@dataclass(frozen=True)
class DocumentData:
    title: str
    number: str = ""
    body: str = ""
    forward_required: bool = False
    ack_deadline: datetime.date | None = None
    issued_on: datetime.date | None = None


# --- checks ------------------------------------------------------------------------------------


def _check_data(data: DocumentData, *, number_required: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = _("Give the document a title.")
    elif len(title) > TITLE_LENGTH:
        errors["title"] = _("The title is too long (at most %(n)s characters).") % {
            "n": TITLE_LENGTH
        }
    number = (data.number or "").strip()
    if number_required and not number:
        errors["number"] = _("Give the document its number (文号).")
    elif len(number) > NUMBER_LENGTH:
        errors["number"] = _("The number is too long (at most %(n)s characters).") % {
            "n": NUMBER_LENGTH
        }
    issued_on = data.issued_on or timezone.localdate()
    if data.ack_deadline is not None and data.ack_deadline < issued_on:
        errors["ack_deadline"] = _("The deadline cannot be before the date of issue.")
    return errors


def _recipient_units(issuer: Unit, recipients: Recipients, errors: dict[str, str]) -> list[Unit]:
    """The recipient units (path, level loaded), each once, in tree order (one query, or two
    with units chosen one by one)."""
    allowed = set(levels_below(issuer))
    levels = [str(level) for level in recipients.levels]
    wrong = [level for level in levels if level not in allowed]
    if wrong:
        errors["levels"] = _("Choose levels below your unit's: %(levels)s is not one.") % {
            "levels": ", ".join(wrong)
        }
    chosen = {u.pk for u in recipients.units}
    if chosen:
        inside = set(
            Unit.objects.filter(pk__in=chosen, path__startswith=issuer.path)
            .exclude(pk=issuer.pk)
            .values_list("pk", flat=True)
        )
        if chosen - inside:
            errors["units"] = _(
                "Recipients must be units below %(unit)s; some of those chosen are not."
            ) % {"unit": issuer.name}
    if errors:
        return []
    condition = Q(pk__in=chosen) if chosen else Q()
    if levels:
        condition = Q(level__in=levels) | condition if chosen else Q(level__in=levels)
    if not levels and not chosen:
        errors["levels"] = _("Choose the levels or the units the document goes to.")
        return []
    units = list(
        Unit.objects.filter(condition, path__startswith=issuer.path)
        .exclude(pk=issuer.pk)
        .only("pk", "path", "level", "depth")
        .order_by("path")
    )
    if not units:
        errors["levels"] = _("There are no units at the chosen levels below %(unit)s.") % {
            "unit": issuer.name
        }
    return units


def _check_attachments(files: Sequence[Any]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}}
        )
    for upload in files:
        check_document(upload, field="attachments")


def _check_supersedes(issuer: Unit, supersedes: Document | None, errors: dict[str, str]) -> None:
    if supersedes is None:
        return
    if supersedes.issuer_id != issuer.pk:
        errors["supersedes"] = _("A correction is issued by the unit that issued the original.")
    elif Document.objects.filter(supersedes=supersedes).exists():
        errors["supersedes"] = _("“%(document)s” has been superseded already.") % {
            "document": supersedes
        }


# --- fan-out -----------------------------------------------------------------------------------


def _fan_out(document: Document, units: list[Unit], now: datetime.datetime) -> None:
    anchors = anchors_of(units)
    convert = adapter(connection)
    received = convert["datetime"](now)
    deadline = convert["date"](document.ack_deadline)
    origin = document.origin_id or document.pk
    fields = [
        "document",
        "origin",
        "unit",
        "province",
        "grassroots",
        "level",
        "received_at",
        "deadline",
        "must_forward",
        "on_time",
    ]
    rows = (
        (
            document.pk,
            origin,
            unit.pk,
            anchors[unit.pk].province_id,
            anchors[unit.pk].grassroots_id,
            unit.level,
            received,
            deadline,
            document.forward_required,
            False,
        )
        for unit in units
    )
    insert_rows(connection, Receipt, fields, rows)


def _create(
    *,
    actor: Actor,
    issuer: Unit,
    data: DocumentData,
    recipients: Recipients,
    attachments: Sequence[Any],
    number_required: bool,
    supersedes: Document | None = None,
    forwarded_from: Document | None = None,
    origin: Document | None = None,
) -> tuple[Document, list[Unit]]:
    errors = _check_data(data, number_required=number_required)
    units = _recipient_units(issuer, recipients, errors)
    _check_supersedes(issuer, supersedes, errors)
    number = (data.number or "").strip()
    if (
        number
        and "number" not in errors
        and Document.objects.filter(issuer=issuer, number=number).exists()
    ):
        errors["number"] = _duplicate_number(issuer, number)
    if errors:
        raise ValidationError(errors)
    _check_attachments(attachments)
    now = timezone.now()
    document = Document(
        issuer=issuer,
        number=number,
        title=data.title.strip(),
        body=data.body or "",
        issued_on=data.issued_on or timezone.localdate(now),
        issued_at=now,
        issued_by=actor.user,
        recipient_levels=[str(level) for level in recipients.levels],
        recipient_count=len(units),
        forward_required=data.forward_required,
        ack_deadline=data.ack_deadline,
        supersedes=supersedes,
        forwarded_from=forwarded_from,
        origin=origin,
    )
    if not number:
        document.save()
        return document, _finish(document, units, attachments, now)
    try:
        with transaction.atomic():  # a savepoint: the number may be taken meanwhile
            document.save()
    except IntegrityError:  # the same number, saved meanwhile by someone else
        raise ValidationError({"number": _duplicate_number(issuer, number)}) from None
    return document, _finish(document, units, attachments, now)


def _finish(
    document: Document, units: list[Unit], attachments: Sequence[Any], now: datetime.datetime
) -> list[Unit]:
    """The attachments and the receipts of a document just saved."""
    for upload in attachments:
        attachment = Attachment(document=document, name=_display_name(upload), size=upload.size)
        attachment.file.save("upload", upload, save=False)
        attachment.save()
    _fan_out(document, units, now)
    return units


def _duplicate_number(issuer: Unit, number: str) -> str:
    return _("%(unit)s has issued a document numbered %(number)s already.") % {
        "unit": issuer.name,
        "number": number,
    }


def _display_name(upload: Any) -> str:
    name = str(getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:200]


# --- services ----------------------------------------------------------------------------------


def document_issue(
    *,
    actor: Actor,
    issuer: Unit,
    data: DocumentData,
    recipients: Recipients,
    attachments: Sequence[Any] = (),
    supersedes: Document | None = None,
) -> Document:
    """Issue a document from `issuer` to units of its subtree (see the module doc)."""
    authorize(actor, Perm.CAMPAIGN_MANAGE, issuer)
    with transaction.atomic():
        document, _units = _create(
            actor=actor,
            issuer=issuer,
            data=data,
            recipients=recipients,
            attachments=attachments,
            number_required=True,
            supersedes=supersedes,
        )
        audit_record(
            actor=actor,
            action="document.issue",
            unit=issuer,
            obj=document,
            after=snapshot(document, Document.AUDITED_FIELDS),
        )
        _notify_received(document)
    return document


def document_forward(
    *,
    actor: Actor,
    receipt: Receipt,
    data: DocumentData,
    recipients: Recipients,
    attachments: Sequence[Any] = (),
) -> Document:
    """The receipt's unit forwards the document to its own subtree (see the module doc)."""
    unit = receipt.unit
    authorize(actor, Perm.CAMPAIGN_REPORT, unit)
    received = receipt.document
    with transaction.atomic():
        current = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if current.forwarded_id is not None:
            raise DocumentConflict(
                _("%(unit)s has forwarded this document already.") % {"unit": unit.name},
                code="already_forwarded",
            )
        if Document.objects.filter(supersedes=received).exists():
            raise DocumentConflict(
                _("This document has been superseded: forward the correction instead."),
                code="document_superseded",
            )
        if (
            received.ack_deadline is not None
            and data.ack_deadline is not None
            and data.ack_deadline > received.ack_deadline
        ):
            raise ValidationError(
                {
                    "ack_deadline": _(
                        "The deadline cannot be later than the one you were given (%(date)s)."
                    )
                    % {"date": received.ack_deadline.isoformat()}
                }
            )
        if data.ack_deadline is None and received.ack_deadline is not None:
            data = DocumentData(**{**data.__dict__, "ack_deadline": received.ack_deadline})
        document, _units = _create(
            actor=actor,
            issuer=unit,
            data=data,
            recipients=recipients,
            attachments=attachments,
            number_required=False,
            forwarded_from=received,
            origin=received.origin if received.origin_id else received,
        )
        now = document.issued_at
        changed: dict[str, Any] = {"forwarded_id": document.pk}
        if current.read_at is None:
            changed.update(read_at=now, read_by_id=actor.user.pk if actor.user else None)
        Receipt.objects.filter(pk=current.pk).update(**changed)
        for key, value in changed.items():
            setattr(receipt, key, value)
        audit_record(
            actor=actor,
            action="document.forward",
            unit=unit,
            obj=document,
            after=snapshot(document, Document.AUDITED_FIELDS),
        )
        _notify_received(document)
    return document


def receipt_mark_read(*, actor: Actor, receipt: Receipt) -> bool:
    """A user of the recipient unit opened the document: the first time is recorded. Returns
    whether this was the first time. Users of other units (above it) leave no trace."""
    user = actor.user
    if user is None or user.unit_id != receipt.unit_id or receipt.read_at is not None:
        return False
    authorize(actor, None, receipt.unit)
    now = timezone.now()
    with transaction.atomic():
        updated = Receipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(
            read_at=now, read_by=user
        )
        if not updated:
            return False
        receipt.read_at, receipt.read_by = now, user
        audit_record(
            actor=actor,
            action="document.read",
            unit=receipt.unit,
            obj=receipt.document,
            after={"read_at": now.isoformat()},
        )
    return True


def is_on_time(deadline: datetime.date | None, at: datetime.datetime) -> bool:
    """On or before the deadline day in Asia/Shanghai (23:59 on the day is on time)."""
    return deadline is None or timezone.localdate(at) <= deadline


def receipt_acknowledge(*, actor: Actor, receipt: Receipt) -> bool:
    """The receipt's unit acknowledges the document (签收). Idempotent: acknowledging again
    changes nothing. Returns whether this call acknowledged it."""
    authorize(actor, Perm.CAMPAIGN_REPORT, receipt.unit)
    now = timezone.now()
    user = actor.user
    with transaction.atomic():
        current = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if current.acknowledged_at is not None:
            for name in ("acknowledged_at", "acknowledged_by_id", "on_time", "read_at"):
                setattr(receipt, name, getattr(current, name))
            return False
        changed: dict[str, Any] = {
            "acknowledged_at": now,
            "acknowledged_by_id": user.pk if user else None,
            "on_time": is_on_time(current.deadline, now),
        }
        if current.read_at is None:
            changed.update(read_at=now, read_by_id=user.pk if user else None)
        Receipt.objects.filter(pk=current.pk).update(**changed)
        for key, value in changed.items():
            setattr(receipt, key, value)
        audit_record(
            actor=actor,
            action="document.acknowledge",
            unit=receipt.unit,
            obj=receipt.document,
            after={"acknowledged_at": now.isoformat(), "on_time": changed["on_time"]},
        )
        receipt.origin_id = current.origin_id
        signals.document_acknowledged.send(sender=Receipt, receipt=receipt)
    return True


def document_chase(*, actor: Actor, document: Document, unit: Unit) -> int:
    """Remind every unit in `unit`'s part of the document's tree that has not acknowledged it
    (one notice per unit and day: chasing twice a day sends nothing twice). Returns how many
    units were reminded."""
    from jiceng.notifications.reminders import Notice
    from jiceng.notifications.services import notify_many

    from .selectors import pending_receipts

    authorize(actor, Perm.CAMPAIGN_MANAGE, unit)
    today = timezone.localdate()
    by_document: dict[int, list[Unit]] = defaultdict(list)
    for document_id, unit_id in pending_receipts(document, unit).values_list(
        "document_id", "unit_id"
    ):
        by_document[document_id].append(Unit(pk=unit_id))
    if not by_document:
        return 0
    documents = Document.objects.in_bulk(list(by_document))
    with transaction.atomic():
        notify_many(
            Notice(
                kind="documents.chase",
                units=units,
                params=_params(documents[document_id]) | {"from": unit.name},
                url=reverse("documents:detail", kwargs={"pk": document_id}),
                key=f"documents.chase:{document_id}:{today.isoformat()}",
            )
            for document_id, units in by_document.items()
        )
        count = sum(len(units) for units in by_document.values())
        audit_record(
            actor=actor,
            action="document.chase",
            unit=unit,
            obj=document,
            after={"units": count},
        )
    return count


def _params(document: Document) -> dict[str, str | int]:
    return {
        "document": str(document),
        "deadline": document.ack_deadline.isoformat() if document.ack_deadline else "—",
    }


def _notify_received(document: Document) -> None:
    """Tell the recipient units' users that a document has come (inside the issue's
    transaction: no document, no notice)."""
    from jiceng.notifications.services import notify

    notify(
        kind="documents.received",
        units=Unit.objects.filter(
            pk__in=Receipt.objects.filter(document=document).values("unit_id")
        ),
        params=_params(document) | {"issuer": document.issuer.name},
        url=reverse("documents:detail", kwargs={"pk": document.pk}),
        key=f"documents.received:{document.pk}",
    )
