"""The assessment's reminders: a rectification item past its deadline and not verified, to
the association and to its parent — once per item and deadline (a new deadline reminds
again). Found by the notifications' daily job (`notifications.reminders.run_reminders`): one
query over the overdue items of running campaigns."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.notifications.kinds import Kind, register_kind
from jiceng.notifications.reminders import Notice, UnitRef

from .models import RectificationItem
from .selectors import overdue_q

RECTIFICATION_OVERDUE = "assessments.rectification_overdue"
CHILD_RECTIFICATION_OVERDUE = "assessments.child_rectification_overdue"

register_kind(
    Kind(
        code=RECTIFICATION_OVERDUE,
        label=_("Rectification overdue"),
        message=_("The rectification of “%(problem)s” was due on %(deadline)s."),
    )
)
register_kind(
    Kind(
        code=CHILD_RECTIFICATION_OVERDUE,
        label=_("Rectification overdue below"),
        message=_("%(unit)s has not rectified “%(problem)s”, due on %(deadline)s."),
    )
)

_SENTINEL = 2_147_000_047


def reminders(today: datetime.date) -> Iterable[Notice]:
    return _notices(today)


def _notices(today: datetime.date) -> Iterator[Notice]:
    tab = reverse("assessments:unit_assessment", kwargs={"pk": _SENTINEL})
    items = (
        RectificationItem.objects.filter(campaign__status="running")
        .filter(overdue_q(today))
        .values_list("pk", "unit_id", "unit__name", "unit__parent_id", "description", "deadline")
        .order_by("pk")
    )
    for pk, unit_id, name, parent_id, description, deadline in items.iterator(2000):
        url = tab.replace(str(_SENTINEL), str(unit_id)) + "#rectification"
        params: dict[str, str | int] = {
            "problem": description[:40],
            "deadline": deadline.isoformat(),
        }
        suffix = f"{pk}:{deadline.isoformat()}"
        yield Notice(
            kind=RECTIFICATION_OVERDUE,
            units=[UnitRef(unit_id)],
            params=params,
            url=url,
            key=f"{RECTIFICATION_OVERDUE}:{suffix}",
        )
        if parent_id is not None:
            yield Notice(
                kind=CHILD_RECTIFICATION_OVERDUE,
                units=[UnitRef(parent_id)],
                params={**params, "unit": name},
                url=url,
                key=f"{CHILD_RECTIFICATION_OVERDUE}:{suffix}",
            )
