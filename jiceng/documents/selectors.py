"""Reads of documents that the pages and the API share, each in a fixed number of queries.

Who may see a document: a user at or above its issuing unit, and a user at or above any unit
that received it or a document forwarded from it (the forwarding chain shares one `origin`).
Anyone else gets 404 (`document_for_user_or_404`).

The acknowledgement status (`document_status`) is one `GROUP BY` over the receipts of the
chain — by province (its anchor column) at the national level, by the child's path prefix
below — and by the recipient's level, so the figures per level and per child come from the
same single query, however many children (the receipts carry `origin` and the anchors; see
docs/documents.md for why no summary rows).
"""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from jiceng.core.scope import subtree_q, unit_in_scope_or_404
from jiceng.org.anchors import child_path_length
from jiceng.org.models import Level, Unit

from .models import Attachment, Document, Receipt

if TYPE_CHECKING:
    from jiceng.accounts.models import User

#: The levels in tree order, for the status by level.
LEVELS = [Level.PROVINCE, Level.CITY, Level.GRASSROOTS, Level.BRANCH, Level.GROUP]


def receipts_q(unit: Unit) -> Q:
    """The receipts of `unit`'s subtree, through the anchors (a city's own receipts carry no
    association: they are added by unit, as `core.rollups.rows_in_subtree` does)."""
    condition = subtree_q(Receipt, unit)
    if unit.level == Level.CITY:
        condition |= Q(unit_id=unit.pk)
    return condition


# --- lists -------------------------------------------------------------------------------------


def inbox(unit: Unit) -> QuerySet[Receipt]:
    """The documents addressed to `unit`: not acknowledged first (unread first among them),
    then the newest."""
    return (
        Receipt.objects.filter(unit=unit)
        .select_related("document__issuer", "document__superseded_by")
        .annotate(
            done=Case(When(acknowledged_at__isnull=False, then=Value(1)), default=Value(0)),
            seen=Case(When(read_at__isnull=False, then=Value(1)), default=Value(0)),
        )
        .order_by("done", "seen", "-document__issued_at", "-document_id")
    )


def issued(unit: Unit) -> QuerySet[Document]:
    """The documents `unit` issued, newest first, with how many of their own recipients have
    acknowledged them (one statement for the page)."""
    return (
        Document.objects.filter(issuer=unit)
        .select_related("superseded_by", "forwarded_from")
        .annotate(
            acknowledged=Subquery(
                Receipt.objects.filter(document=OuterRef("pk"), acknowledged_at__isnull=False)
                .order_by()
                .values("document")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            )
        )
        .order_by("-issued_at", "-pk")
    )


def api_documents(user: "User") -> QuerySet[Document]:
    """The API's list: what was addressed to the user's unit and what the unit issued."""
    unit = user.unit
    return (
        Document.objects.filter(
            Q(issuer=unit) | Q(pk__in=Receipt.objects.filter(unit=unit).values("document_id"))
        )
        .select_related("issuer", "superseded_by")
        .order_by("-issued_at", "-pk")
    )


# --- one document ------------------------------------------------------------------------------


def _document(pk: int) -> Document | None:
    return (
        Document.objects.select_related(
            "issuer", "supersedes", "superseded_by", "forwarded_from__issuer"
        )
        .filter(pk=pk)
        .first()
    )


def document_for_user_or_404(user: "User", pk: int) -> Document:
    """The document if the user may see it (see the module doc); 404 otherwise. Two queries,
    three for a user below the issuer. The last lookup is the scope's own
    (`unit_in_scope_or_404`), so `require` probes stop at it."""
    document = _document(pk)
    if document is None:
        raise Http404
    mine = user.unit
    if document.issuer.path.startswith(mine.path):
        unit_in_scope_or_404(user, document.issuer_id)
        return document
    if not mine.path.startswith(document.issuer.path):
        raise Http404
    below = (
        Receipt.objects.filter(receipts_q(mine), origin_id=document.origin_pk)
        .order_by()
        .values_list("unit_id", flat=True)
        .first()
    )
    if below is None:
        raise Http404
    unit_in_scope_or_404(user, below)
    return document


def receipt_of(document: Document, unit: Unit) -> Receipt | None:
    return Receipt.objects.filter(document=document, unit=unit).first()


def receipt_for_user_or_404(user: "User", pk: int) -> Receipt:
    """A receipt of a unit in the user's subtree (404 otherwise)."""
    receipt = Receipt.objects.select_related("document__issuer", "unit").filter(pk=pk).first()
    if receipt is None:
        raise Http404
    unit_in_scope_or_404(user, receipt.unit_id)
    return receipt


def attachments(document: Document, chain: list[Document] | None = None) -> list[Attachment]:
    """The document's attachments, then those of the documents it forwards (the original's
    first): a forward carries what it forwards. One query."""
    documents = [document.pk, *[d.pk for d in reversed(chain or [])]]
    rows = list(Attachment.objects.filter(document_id__in=documents).order_by("pk"))
    return sorted(rows, key=lambda a: documents.index(a.document_id))


def chain(document: Document) -> list[Document]:
    """The documents above this one in its forwarding chain, the original first (one query per
    step; a chain is at most as long as the tree is deep)."""
    steps: list[Document] = []
    current = document.forwarded_from
    while current is not None:
        steps.append(current)
        current = (
            Document.objects.select_related("issuer", "forwarded_from").get(pk=current.pk)
        ).forwarded_from
    return list(reversed(steps))


# --- status ------------------------------------------------------------------------------------


@dataclass
class Figures:
    received: int = 0
    read: int = 0
    acknowledged: int = 0
    on_time: int = 0
    overdue: int = 0
    to_forward: int = 0
    forwarded: int = 0

    @property
    def late(self) -> int:
        return self.acknowledged - self.on_time

    @property
    def not_acknowledged(self) -> int:
        return self.received - self.acknowledged

    @property
    def acknowledged_percent(self) -> float | None:
        if not self.received:
            return None
        return round(100 * self.acknowledged / self.received, 1)

    def add(self, row: "Figures") -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(row, name))


FIGURES = ("received", "read", "acknowledged", "on_time", "overdue", "to_forward", "forwarded")


@dataclass
class StatusLine:
    unit: Unit
    figures: Figures


@dataclass
class LevelLine:
    level: str
    label: str
    figures: Figures


@dataclass
class Status:
    document: Document
    #: Whose part of the tree the figures cover (the issuer, or a unit below it).
    unit: Unit
    total: Figures
    #: The unit's own receipt, when it received the document (or one of the chain).
    own: Figures | None
    levels: list[LevelLine] = field(default_factory=list)
    children: list[StatusLine] = field(default_factory=list)


def status_area(document: Document, unit: Unit) -> QuerySet[Receipt]:
    """The receipts of the document's chain in `unit`'s part of the tree (the issuer's own
    receipt of the document it forwards is not part of its status)."""
    return Receipt.objects.filter(receipts_q(unit), origin_id=document.origin_pk).exclude(
        unit_id=document.issuer_id
    )


def document_status(
    document: Document, unit: Unit, *, today: datetime.date | None = None
) -> Status:
    """Received, read, acknowledged (on time, late), overdue and forwarded, for `unit`'s part
    of the tree: in total, by level and by child unit. Two queries (the children, and one
    GROUP BY over the receipts), however many children and receipts."""
    today = today or timezone.localdate()
    children = list(Unit.objects.filter(parent=unit).order_by("code"))
    rows = status_area(document, unit)
    # Per child through an anchor column where one names the children, else the path prefix.
    if unit.level == Level.NATIONAL:
        key, child_key = "province_id", _pk
    elif unit.level == Level.CITY:
        key, child_key = "grassroots_id", _pk
    else:
        key, child_key = "prefix", _path
        rows = rows.annotate(prefix=Substr("unit__path", 1, child_path_length(unit)))
    grouped = (
        rows.order_by()
        .values(key, "level")
        .annotate(
            received=Count("pk"),
            read=Count("pk", filter=Q(read_at__isnull=False)),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            on_time=Count("pk", filter=Q(acknowledged_at__isnull=False, on_time=True)),
            overdue=Count("pk", filter=Q(acknowledged_at__isnull=True, deadline__lt=today)),
            to_forward=Count("pk", filter=Q(must_forward=True)),
            forwarded=Count("pk", filter=Q(forwarded__isnull=False)),
        )
    )
    total = Figures()
    by_level: dict[str, Figures] = {}
    by_key: dict[object, Figures] = {}
    for row in grouped:
        figures = Figures(**{name: row[name] for name in FIGURES})
        total.add(figures)
        by_level.setdefault(row["level"], Figures()).add(figures)
        by_key.setdefault(row[key], Figures()).add(figures)
    own_key = {"province_id": None, "grassroots_id": None, "prefix": unit.path}[key]
    own = by_key.get(own_key) if unit.level != Level.NATIONAL else None
    return Status(
        document=document,
        unit=unit,
        total=total,
        own=own,
        levels=[
            LevelLine(str(level), str(level.label), by_level[str(level)])
            for level in LEVELS
            if str(level) in by_level
        ],
        children=[
            StatusLine(child, by_key[child_key(child)])
            for child in children
            if child_key(child) in by_key
        ],
    )


def _pk(unit: Unit) -> object:
    return unit.pk


def _path(unit: Unit) -> object:
    return unit.path


def pending_receipts(document: Document, unit: Unit) -> QuerySet[Receipt]:
    """The receipts in `unit`'s part of the chain not acknowledged yet, in tree order of
    issue."""
    return (
        status_area(document, unit)
        .filter(acknowledged_at__isnull=True)
        .select_related("unit", "document")
        .order_by("pk")
    )


# --- the unit tab ------------------------------------------------------------------------------

#: How many documents of each kind the unit tab lists.
TAB_ROWS = 20


def unit_received(unit: Unit) -> list[Receipt]:
    return list(inbox(unit)[:TAB_ROWS])


def unit_issued(unit: Unit) -> list[Document]:
    return list(issued(unit)[:TAB_ROWS])
