"""When a complaint must have had its first response, and whether it is overdue.

The rule: a first response by the end of the `COMPLAINT_RESPONSE_WORKING_DAYS`-th working day
(Monday to Friday; public holidays are not modelled) after the day the complaint was received,
in the site's time zone. Received on a Monday with 2 working days: due by the end of Wednesday;
received on a Saturday: due by the end of Tuesday.

The roll-up keeps the due date of every complaint still waiting (`ComplaintRollup.due_on`) and
counts those answered late, so the overdue count is read from summary rows; changing the setting
changes stored due dates, so run `manage.py rebuild_rollups` afterwards.
"""

import datetime

from django.conf import settings
from django.utils import timezone

_SATURDAY = 5


def working_days() -> int:
    return int(settings.COMPLAINT_RESPONSE_WORKING_DAYS)


def response_due_on(received_at: datetime.datetime) -> datetime.date:
    """The last day on which a first response is on time."""
    day = timezone.localdate(received_at)
    remaining = working_days()
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < _SATURDAY:
            remaining -= 1
    return day


def responded_late(received_at: datetime.datetime, responded_at: datetime.datetime) -> bool:
    return timezone.localdate(responded_at) > response_due_on(received_at)


def is_overdue(
    received_at: datetime.datetime,
    responded_at: datetime.datetime | None,
    today: datetime.date | None = None,
) -> bool:
    """Answered after the due date, or still waiting after it."""
    if responded_at is not None:
        return responded_late(received_at, responded_at)
    return (today or timezone.localdate()) > response_due_on(received_at)
