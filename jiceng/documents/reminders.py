"""The documents' notification kinds, and the daily reminders of documents awaiting
acknowledgement (discovered by `jiceng.notifications.reminders`).

- due soon: a recipient unit that has not acknowledged a document whose deadline is within
  `DUE_SOON_DAYS` days (once per document and deadline);
- overdue: the deadline passed (within the last `OVERDUE_WINDOW_DAYS` days) and still not
  acknowledged (once per document).

The notification service sends each notice once per user and key, so the job may run twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.notifications.kinds import Kind, register_kind
from jiceng.notifications.reminders import Notice
from jiceng.org.models import Unit

if TYPE_CHECKING:
    from .models import Document

#: How many days ahead of the deadline a unit is reminded.
DUE_SOON_DAYS = 3
#: How far back an overdue document still reminds (older ones are chased by hand).
OVERDUE_WINDOW_DAYS = 30

register_kind(
    Kind(
        "documents.received",
        _("Documents"),
        _("%(issuer)s sent you “%(document)s”; acknowledge it by %(deadline)s."),
    )
)
register_kind(
    Kind(
        "documents.acknowledge",
        _("Documents"),
        _("“%(document)s” awaits your acknowledgement by %(deadline)s."),
    )
)
register_kind(
    Kind(
        "documents.overdue",
        _("Documents"),
        _("“%(document)s” was to be acknowledged by %(deadline)s and is not yet."),
    )
)
register_kind(
    Kind(
        "documents.chase",
        _("Documents"),
        _("%(from)s asks you to acknowledge “%(document)s” (due %(deadline)s)."),
    )
)


def reminders(today: datetime.date) -> Iterable[Notice]:
    """One notice per document with recipients still to acknowledge near or after its
    deadline (two queries)."""
    from .models import Document, Receipt

    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    since = today - datetime.timedelta(days=OVERDUE_WINDOW_DAYS)
    pending: dict[int, list[Unit]] = defaultdict(list)
    for document_id, unit_id in (
        Receipt.objects.filter(acknowledged_at__isnull=True, deadline__range=(since, soon))
        .order_by("document_id", "pk")
        .values_list("document_id", "unit_id")
    ):
        pending[document_id].append(Unit(pk=unit_id))
    documents = Document.objects.in_bulk(list(pending))
    return _notices(today, pending, documents)


def _notices(
    today: datetime.date, pending: dict[int, list[Unit]], documents: dict[int, "Document"]
) -> Iterator[Notice]:
    for document_id, units in pending.items():
        document = documents[document_id]
        deadline = document.ack_deadline
        if deadline is None:
            continue
        overdue = deadline < today
        yield Notice(
            kind="documents.overdue" if overdue else "documents.acknowledge",
            units=units,
            params={"document": str(document), "deadline": deadline.isoformat()},
            url=reverse("documents:detail", kwargs={"pk": document_id}),
            key=(
                f"documents.overdue:{document_id}"
                if overdue
                else f"documents.due:{document_id}:{deadline.isoformat()}"
            ),
        )
