"""Sending notifications: set-based, idempotent per (user, key), mailed when email is set up.

`notify` sends one notice; `notify_many` sends a stream of them in batches (a few queries per
batch, whatever the number of units), which is what the daily job uses. Marking read is the
user's own state, not an action on the association's data, so it is not audited.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation

from .kinds import get_kind
from .models import Notification, validate_site_path
from .reminders import Notice

if TYPE_CHECKING:
    from jiceng.accounts.models import User
    from jiceng.org.models import Unit

logger = logging.getLogger(__name__)

#: Notices per batch: the units of a batch go into one IN list (SQLite's limit is 32766
#: parameters; a batch stays well below it).
BATCH_UNITS = 2000
#: The language mails are written in (the UI's default).
MAIL_LANGUAGE = "zh-hans"


def notify(
    *,
    kind: str,
    units: Iterable[Unit],
    params: Mapping[str, str | int],
    url: str,
    key: str,
) -> int:
    """One notification per active user bound to each unit (users whose `unit` is that unit),
    unless that user already has one with this `key` (unique (user, key): running it twice
    sends nothing twice). Set-based. Returns how many were created. The text is rendered at
    display time from kind.message % params in the READER's language, so params hold plain
    values (names, ISO dates, numbers) — never ID numbers or phones. When email is configured
    (EMAIL_HOST set) the same notices are mailed."""
    units_arg = units if isinstance(units, QuerySet) else list(units)
    return notify_many([Notice(kind=kind, units=units_arg, params=params, url=url, key=key)])


def _check(notice: Notice) -> None:
    get_kind(notice.kind)  # KeyError for an unregistered kind: a programming error
    validate_site_path(notice.url)
    for value in notice.params.values():
        if not isinstance(value, str | int):
            raise TypeError(f"notification params must be str or int, not {type(value)!r}")


def _pieces(notice: Notice) -> Iterator[Notice]:
    """A notice naming more than BATCH_UNITS units, cut into pieces that do not (a user is
    bound to one unit, so each user is still told once)."""
    units = list(notice.units)
    for start in range(0, max(len(units), 1), BATCH_UNITS):
        yield replace(notice, units=units[start : start + BATCH_UNITS])


def _batches(notices: Iterable[Notice]) -> Iterator[list[Notice]]:
    """Notices grouped so that each batch names at most BATCH_UNITS units; a notice whose
    units are a queryset goes alone (its units stay a subquery)."""
    batch: list[Notice] = []
    size = 0
    for notice in notices:
        _check(notice)
        if isinstance(notice.units, QuerySet):
            yield [notice]
            continue
        for piece in _pieces(notice) if len(notice.units) > BATCH_UNITS else (notice,):
            count = len(piece.units)
            if batch and size + count > BATCH_UNITS:
                yield batch
                batch, size = [], 0
            batch.append(piece)
            size += count
    if batch:
        yield batch


def _unit_ids(notice: Notice) -> list[int]:
    return [unit.pk for unit in notice.units]


def _send_batch(batch: list[Notice]) -> list[Notification]:
    from jiceng.accounts.models import User

    users = User.objects.filter(is_active=True)
    only = batch[0].units
    if len(batch) == 1 and isinstance(only, QuerySet):
        by_unit: dict[int, list[Notice]] | None = None
        users = users.filter(unit_id__in=only.values("pk"))
        keys = {batch[0].key}
    else:
        by_unit = defaultdict(list)
        for notice in batch:
            for unit_id in _unit_ids(notice):
                by_unit[unit_id].append(notice)
        if not by_unit:
            return []
        users = users.filter(unit_id__in=list(by_unit))
        keys = {notice.key for notice in batch}
    rows = list(users.values_list("pk", "unit_id"))
    if not rows:
        return []
    # By key alone: the (key, user) index answers each key with its few users, where a second
    # IN list on users would make the database try every pair.
    existing = set(
        Notification.objects.filter(key__in=list(keys)).order_by().values_list("user_id", "key")
    )
    new: dict[tuple[int, str], Notification] = {}
    for user_id, unit_id in rows:
        for notice in batch if by_unit is None else by_unit.get(unit_id, ()):
            pair = (user_id, notice.key)
            if pair in existing or pair in new:
                continue
            new[pair] = Notification(
                user_id=user_id,
                kind=notice.kind,
                params=dict(notice.params),
                url=notice.url,
                key=notice.key,
            )
    created = list(new.values())
    # A concurrent run may have sent some meanwhile: the constraint keeps them single.
    Notification.objects.bulk_create(created, batch_size=1000, ignore_conflicts=True)
    return created


def notify_many(notices: Iterable[Notice]) -> int:
    """Send many notices (as `notify` does each), a few queries per batch. Returns how many
    notifications were created."""
    total = 0
    for batch in _batches(notices):
        with transaction.atomic():
            created = _send_batch(batch)
            if created and email_enabled():
                transaction.on_commit(lambda c=created: mail_notifications(c))  # type: ignore[misc]
        total += len(created)
    return total


def email_enabled() -> bool:
    """Email is off by default (intranets often have none): on when the settings name a mail
    host (EMAIL_HOST set, and not empty)."""
    return bool(settings.EMAIL_HOST)


def mail_notifications(notifications: list[Notification]) -> int:
    """Mail the notifications to their users who have an email address, in Chinese. A failure
    is logged (without addresses or names) and never undoes the notifications."""
    from jiceng.accounts.models import User

    addresses = dict(
        User.objects.filter(pk__in={n.user_id for n in notifications})
        .exclude(email="")
        .values_list("pk", "email")
    )
    if not addresses:
        return 0
    site = settings.SITE_URL.rstrip("/")
    messages = []
    with translation.override(MAIL_LANGUAGE):
        for notification in notifications:
            address = addresses.get(notification.user_id)
            if not address:
                continue
            subject = f"[{notification.label}] {notification.text}"[:200]
            body = f"{notification.text}\n\n{site}{notification.url}\n"
            messages.append(mail.EmailMessage(subject=subject, body=body, to=[address]))
    try:
        with mail.get_connection() as connection:
            return connection.send_messages(messages) or 0
    except Exception as error:  # mail must never break the job
        logger.warning("mailing %d notifications failed: %s", len(messages), type(error).__name__)
        return 0


def notification_read(*, user: User, pk: int) -> Notification:
    """Mark the user's own notification read (404 for anyone else's) and return it."""
    notification = Notification.objects.filter(user=user, pk=pk).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_all(*, user: User) -> int:
    """Mark all the user's unread notifications read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
