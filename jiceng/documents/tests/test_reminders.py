"""The daily reminders of documents awaiting acknowledgement, through the notification job."""

import datetime

from django.utils import timezone

from conftest import People, Tree
from jiceng.core.actor import Actor
from jiceng.documents import services
from jiceng.documents.models import Receipt
from jiceng.documents.reminders import reminders
from jiceng.notifications.models import Notification
from jiceng.notifications.reminders import reminder_sources, run_reminders

from .conftest import issue


def test_the_source_is_discovered():
    assert "documents" in {label for label, _ in reminder_sources()}


def test_due_soon_and_overdue_once_each(tree: Tree, people: People):
    today = timezone.localdate()
    due = issue(
        tree.root, levels=["grassroots"], number="1", deadline=today + datetime.timedelta(days=2)
    )
    late = issue(tree.root, levels=["grassroots"], number="2", deadline=today)
    far = issue(
        tree.root, levels=["grassroots"], number="3", deadline=today + datetime.timedelta(days=30)
    )
    services.receipt_acknowledge(
        actor=Actor.system(), receipt=Receipt.objects.get(document=due, unit=tree.baohe)
    )
    assert due.ack_deadline is not None
    notices = {n.key: n for n in reminders(today + datetime.timedelta(days=1))}
    assert set(notices) == {
        f"documents.due:{due.pk}:{due.ack_deadline.isoformat()}",
        f"documents.overdue:{late.pk}",
    }
    assert {u.pk for u in notices[f"documents.overdue:{late.pk}"].units} == {
        tree.shushan.pk,
        tree.baohe.pk,
        tree.xuanwu.pk,
    }
    assert {
        u.pk for u in notices[f"documents.due:{due.pk}:{due.ack_deadline.isoformat()}"].units
    } == {
        tree.shushan.pk,
        tree.xuanwu.pk,
    }
    assert far.pk not in {int(k.split(":")[1]) for k in notices}
    run_reminders(today + datetime.timedelta(days=1))
    sent = Notification.objects.filter(
        kind__in=["documents.acknowledge", "documents.overdue"]
    ).count()
    assert sent == 3  # 蜀山区 and 包河区 hold accounts: 2 overdue, 1 due (包河区 acknowledged)
    run_reminders(today + datetime.timedelta(days=1))  # twice: nothing twice
    assert (
        Notification.objects.filter(kind__in=["documents.acknowledge", "documents.overdue"]).count()
        == 3
    )
